package eval

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/plash-go/plash/lang"
)

// FuzzEval evaluates arbitrary Plashfiles without a host: no panic, errors
// are positioned lists, and a successful evaluation renders a script whose
// hint lines all come from hint ops. Seeded from the eval corpus.
func FuzzEval(f *testing.F) {
	files, _ := filepath.Glob("../spec/testdata/eval/*.txtar")
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			continue
		}
		for _, af := range ar.Files {
			if af.Name == "Plashfile" {
				f.Add(string(af.Data))
			}
		}
	}
	f.Add("--layer run a b\n--defpm p p {}\n--p x\n-xl y\n")
	f.Fuzz(func(t *testing.T, src string) {
		file, err := lang.Parse("Plashfile", []byte(src))
		if err != nil {
			return
		}
		ops, err := Eval(file, &Config{MaxSteps: 10000})
		if err != nil {
			var el lang.ErrorList
			if !errors.As(err, &el) || len(el) == 0 {
				t.Fatalf("error %v is not a lang.ErrorList", err)
			}
			return
		}
		script := Script(ops)
		hints := 0
		for _, op := range ops {
			if op.Kind != Run && op.Kind != Env {
				hints++
			}
			if len(op.Origin.Stack) == 0 {
				t.Fatalf("op %+v has no origin", op)
			}
		}
		if got := strings.Count("\n"+script, "\n"+HintPrefix); got < hints {
			t.Fatalf("%d hint ops, %d hint lines in:\n%s", hints, got, script)
		}
	})
}
