package spec

import (
	"os"
	"strings"
	"testing"

	"github.com/plash-go/plash/lang"
)

// TestGrammar checks that the grammar spec.md states is the grammar the
// implementation parses with.
func TestGrammar(t *testing.T) {
	b, err := os.ReadFile("spec.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```ebnf\n")
	if !ok {
		t.Fatal("spec.md has no ```ebnf block")
	}
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("spec.md: the ```ebnf block does not end")
	}
	if got, want := strings.TrimSpace(block), strings.TrimSpace(lang.Grammar()); got != want {
		t.Errorf("the grammar of spec.md differs from lang.Grammar():\nspec.md:\n%s\nlang.Grammar():\n%s", got, want)
	}
}
