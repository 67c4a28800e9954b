package spec

import (
	"flag"
	"strings"
	"testing"

	"github.com/plash-go/plash/lang"
)

// update rewrites the expectations of the corpus (go test ./spec -update).
// It is defined here, before any init function runs, so that the eval
// driver's init finds it and shares it.
var update = flag.Bool("update", false, "rewrite the expectations of the corpus")

// TestLangCorpus checks package lang against testdata/lang/*.txtar. Each
// archive holds a source (Plashfile, or args with one word a line) and:
//
//	want.ast    lang.Dump of the tree
//	want.calls  lang.DumpCalls of the calls
//	want.err    the errors, one FILE:LINE:COL: MSG a line (only when there
//	            are errors)
//	want.fmt    lang.Format of the tree (file form without errors only);
//	            the driver also checks that it formats to itself and has
//	            the same calls as the source
func TestLangCorpus(t *testing.T) {
	cases, err := Cases("testdata/lang")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 80 {
		t.Errorf("the corpus has %d cases; the language needs at least 80", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			runLangCase(t, c)
			if err := c.Save(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func runLangCase(t *testing.T, c *Case) {
	f, err := c.Parse()
	if f == nil {
		t.Fatal(err)
	}
	check := func(name, got string) {
		t.Helper()
		if err := c.Check(name, got, *update); err != nil {
			t.Error(err)
		}
	}
	absent := func(name string) {
		t.Helper()
		if err := c.CheckAbsent(name, *update); err != nil {
			t.Error(err)
		}
	}
	calls, errs := f.Calls()
	check("want.ast", lang.Dump(f))
	check("want.calls", lang.DumpCalls(calls))
	if len(errs) > 0 {
		check("want.err", errs.Error()+"\n")
		if err == nil {
			t.Errorf("Parse returned no error, Calls returned:\n%s", errs)
		}
	} else {
		absent("want.err")
	}
	if f.Form != lang.FileForm || len(errs) > 0 {
		absent("want.fmt")
		return
	}
	out := lang.Format(f)
	check("want.fmt", string(c.Encode(out)))
	g, err := lang.Parse("Plashfile", out)
	if err != nil {
		t.Fatalf("the formatted text has errors: %v", err)
	}
	if again := lang.Format(g); string(again) != string(out) {
		t.Errorf("want.fmt does not format to itself:\n%s", again)
	}
	gcalls, _ := g.Calls()
	if a, b := meaning(calls), meaning(gcalls); a != b {
		t.Errorf("formatting changes the calls from:\n%s\nto:\n%s", a, b)
	}
}

// meaning is the calls without positions: names and argument values.
func meaning(calls []*lang.Call) string {
	var b strings.Builder
	for _, c := range calls {
		b.WriteString(c.Name)
		for _, a := range c.Args {
			b.WriteString(" " + a.Value)
		}
		b.WriteString("\n")
	}
	return b.String()
}
