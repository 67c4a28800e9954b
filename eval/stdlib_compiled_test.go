package eval

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"go.starlark.net/starlark"

	"github.com/plash-go/plash/stdlib"
)

var update = flag.Bool("update", false, "rewrite the compiled standard library (stdlib/*.starc)")

// TestStdlibCompiled compiles the standard library again and requires the
// embedded stdlib/*.starc to be byte for byte the same, so that a source
// edited without `go generate ./eval` fails here. With -update it writes
// them (that is what go generate runs).
func TestStdlibCompiled(t *testing.T) {
	for _, name := range stdlib.Default {
		src, err := fs.ReadFile(stdlib.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		want, err := compileStd(name, src)
		if err != nil {
			t.Fatal(err)
		}
		// Compiling is deterministic, or the comparison means nothing.
		if again, _ := compileStd(name, src); !bytes.Equal(again, want) {
			t.Fatalf("%s: two compilations differ", name)
		}
		path := filepath.Join("..", "stdlib", compiledName(name))
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := fs.ReadFile(stdlib.FS, compiledName(name))
		if err != nil {
			t.Fatalf("%v: run go generate ./eval", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("stdlib/%s is stale (not the compiled form of stdlib/%s): run go generate ./eval", compiledName(name), name)
		}
		if stdProgram(name, src) == nil {
			t.Errorf("stdlib/%s does not load", compiledName(name))
		}
	}
}

// TestStdlibCompiledSameMacros loads the standard library from its sources
// and from its compiled form and requires the same macros, docs,
// signatures and definition positions (lsp's go-to-definition uses them).
func TestStdlibCompiledSameMacros(t *testing.T) {
	for _, name := range stdlib.Default {
		src, _ := fs.ReadFile(stdlib.FS, name)
		prog := stdProgram(name, src)
		if prog == nil {
			t.Fatalf("%s: no compiled program", name)
		}
		tab := newTable()
		x := &expander{cfg: &Config{}, packs: map[string]*pack{}, maxSteps: DefaultMaxSteps, base: tab, table: tab}
		a := x.exec(x.newThread(name), "p", stdPrefix+name, src)
		b := x.execProgram(x.newThread(name), "p", stdPrefix+name, prog)
		if a.err != nil || b.err != nil {
			t.Fatalf("%s: %v / %v", name, a.err, b.err)
		}
		if len(a.macros) != len(b.macros) || len(a.macros) == 0 {
			t.Fatalf("%s: %d macros from source, %d compiled", name, len(a.macros), len(b.macros))
		}
		for i, ma := range a.macros {
			mb := b.macros[i]
			if ma.Name != mb.Name || ma.Doc != mb.Doc || ma.MinArgs != mb.MinArgs || ma.MaxArgs != mb.MaxArgs {
				t.Errorf("%s: macro %d: %+v vs %+v", name, i, ma, mb)
			}
			pa, pb := ma.fn.(*starlark.Function).Position(), mb.fn.(*starlark.Function).Position()
			if pa.String() != pb.String() || pa.Line == 0 {
				t.Errorf("%s: %s defined at %v from source, %v compiled", name, ma.Name, pa, pb)
			}
		}
	}
}
