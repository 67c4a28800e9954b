package eval

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// The expectations are Python 3's shlex.quote and shlex.split outputs.

func TestQuoteLikePython(t *testing.T) {
	for _, c := range [][2]string{
		{"", "''"}, {"abc", "abc"}, {"a b", "'a b'"}, {"it's", `'it'"'"'s'`},
		{"A-Z_0.9/x:y,z@%+=", "A-Z_0.9/x:y,z@%+="}, {"$HOME", "'$HOME'"},
		{"tab\there", "'tab\there'"}, {"new\nline", "'new\nline'"}, {"ü", "'ü'"},
		{`"`, `'"'`}, {"'", `''"'"''`}, {"*", "'*'"}, {"-rf", "-rf"},
		{"~user", "'~user'"}, {"a=b c", "'a=b c'"},
	} {
		if got := Quote(c[0]); got != c[1] {
			t.Errorf("Quote(%q) = %s, want %s", c[0], got, c[1])
		}
	}
}

// TestQuoteRoundTrip checks with mvdan.cc/sh's parser that a shell reads
// every quoted string back as the string itself.
func TestQuoteRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []rune("ab '\"\\$`!*?~#;&|<>(){}[]\n\t=:,./-_%@+\x01\x7fü")
	parser := syntax.NewParser(syntax.Variant(syntax.LangPOSIX))
	for i := 0; i < 2000; i++ {
		n := rng.Intn(12)
		var b strings.Builder
		for j := 0; j < n; j++ {
			b.WriteRune(alphabet[rng.Intn(len(alphabet))])
		}
		s := b.String()
		f, err := parser.Parse(strings.NewReader("echo "+Quote(s)+"\n"), "")
		if err != nil {
			t.Fatalf("Quote(%q) = %s does not parse: %v", s, Quote(s), err)
		}
		call := f.Stmts[0].Cmd.(*syntax.CallExpr)
		if len(call.Args) != 2 {
			t.Fatalf("Quote(%q) = %s is %d words", s, Quote(s), len(call.Args)-1)
		}
		got, ok := literal(call.Args[1])
		if !ok || got != s {
			t.Fatalf("Quote(%q) = %s reads back as %q", s, Quote(s), got)
		}
	}
}

// literal is the value of a word made of literals and single/double
// quoted literals only.
func literal(w *syntax.Word) (string, bool) {
	var b strings.Builder
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			v := p.Value
			// Outside quotes a backslash escapes the next character.
			for i := 0; i < len(v); i++ {
				if v[i] == '\\' && i+1 < len(v) {
					i++
				}
				b.WriteByte(v[i])
			}
		case *syntax.SglQuoted:
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				l, ok := q.(*syntax.Lit)
				if !ok {
					return "", false
				}
				b.WriteString(l.Value)
			}
		default:
			return "", false
		}
	}
	return b.String(), true
}

func TestSplitLikePython(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"a b  c", []string{"a", "b", "c"}},
		{"'a b' c", []string{"a b", "c"}},
		{`"a \" b" \x`, []string{`a " b`, "x"}},
		{"''", []string{""}},
		{`a"b"c`, []string{"abc"}},
		{`"\\"`, []string{`\`}},
		{`"a\nb"`, []string{`a\nb`}},
		{`x\ y`, []string{"x y"}},
		{"  ", nil},
		{"a\tb\nc", []string{"a", "b", "c"}},
		{`'it'\''s'`, []string{"it's"}},
	} {
		got, err := Split(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Split(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{`"abc`, `'abc`, `abc\`} {
		if _, err := Split(bad); err == nil {
			t.Errorf("Split(%q): no error", bad)
		}
	}
}

func TestSplitQuoteRoundTrip(t *testing.T) {
	words := []string{"", "a b", "it's", `"x"`, `back\slash`, "new\nline", "$HOME"}
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, Quote(w))
	}
	got, err := Split(strings.Join(quoted, " "))
	if err != nil || !reflect.DeepEqual(got, words) {
		t.Errorf("Split(quoted) = %q, %v; want %q", got, err, words)
	}
}
