package lsp

import (
	"os"
	"strings"
	"testing"
)

// Every kind of evaluator error becomes the finding of its rule, with the
// range, fix and related place that rule gives. The server reads the
// evaluator's structured errors (eval.Error), not their text; this pins
// the result for each kind so that a change on either side shows here.
func TestEvalErrorKinds(t *testing.T) {
	t.Chdir(t.TempDir())
	files := map[string]string{
		"p.star":     "def outer():\n    return macro('from-map', 'nokey')\n\ndef spin():\n    while True:\n        pass\n\ndef two(a, b):\n    return a\n",
		"bad.star":   "def ok():\n    return 'x'\n\ndef bad(:\n    pass\n",
		"inc.plash":  "--nope\n",
		"self.plash": "--eval-file self.plash\n",
	}
	for name, body := range files {
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The calls after a failing one are evaluated again only a few times
	// (maxReruns): two files, so that every failure is reached.
	src := strings.Join([]string{
		"--from alpine",     // 1
		"--apkk git",        // 2: unknown, fix --apk
		"--zzzzzz",          // 3: unknown, no suggestion
		"--import p.star",   // 4
		"--import bad.star", // 5: pack, with its .star place
		"--two a",           // 6: arity
		"--outer",           // 7: map key inside a pack macro: warning
		"--from-map nokey",  // 8: map key: warning
		"--spin",            // 9: step budget
	}, "\n") + "\n"
	src2 := "--eval-file inc.plash\n--eval-file self.plash\n--from-map mykey\n"
	ck := &Checker{Semantics: &EvalSemantics{MaxSteps: 10_000, MapKeys: func() ([]string, error) { return []string{"mykey"}, nil }}}
	findings := ck.Check("Plashfile", []byte(src)).Findings
	findings = append(findings, ck.Check("Plashfile2", []byte(src2)).Findings...)
	var got []string
	for _, f := range findings {
		s := f.String()
		for _, r := range f.Related {
			s += " | " + r.Msg
		}
		for _, fx := range f.Fixes {
			s += " | fix " + fx.Title
		}
		got = append(got, s)
	}
	want := []string{
		"Plashfile:2:1: macro 'apkk' not found (did you mean 'apk'?) [unknown-macro] | fix Change to --apk",
		"Plashfile:3:1: macro 'zzzzzz' not found [unknown-macro]",
		"Plashfile:5:10: import: bad.star:4:10: got ':', want ')' [pack] | got ':', want ')'",
		"Plashfile:6:1: two takes exactly 2 arguments (1 given) [arity]",
		"Plashfile:7:1: warning: outer: from-map: map 'nokey' not found [map-key]",
		"Plashfile:8:1: warning: from-map: map 'nokey' not found [map-key]",
		"Plashfile:9:1: spin: p.star:4:1: stopped after 10000 execution steps (an endless loop?) [macro]",
		"bad.star:4:10: got ':', want ')' [pack] | imported here",
		"Plashfile2:1:1: eval-file: inc.plash:1:1: macro 'nope' not found [macro]",
		"Plashfile2:2:1: eval-file: DIR/self.plash read 16 times: does it evaluate itself (an --eval-file cycle)? [macro]",
	}
	// The cycle is reported once, at the call that started it.
	if n := len(got); n > 0 && strings.HasPrefix(got[n-1], "Plashfile2:2:1: eval-file: /") {
		if i := strings.LastIndex(got[n-1], "/self.plash"); i >= 0 {
			got[n-1] = "Plashfile2:2:1: eval-file: DIR" + got[n-1][i:]
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
