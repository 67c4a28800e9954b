package lang

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPure fails when lang or eval, or a package of this module that they
// use, imports the host side: runtime/... or golang.org/x/sys/unix. They
// must stay pure so that the editor mode and the tests can use them
// anywhere. (Third-party packages are not held to it: go.starlark.net
// itself imports x/sys/unix for its own needs.)
func TestPure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool in PATH")
	}
	const module = "github.com/plash-go/plash"
	out, err := exec.Command(goTool, "list", "-e", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}",
		module+"/lang/...", module+"/eval/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], module+"/") {
			continue
		}
		seen++
		for _, imp := range f[1:] {
			if imp == "golang.org/x/sys/unix" || imp == module+"/runtime" || strings.HasPrefix(imp, module+"/runtime/") {
				t.Errorf("%s imports %s: lang and eval must not reach the host (put host code in runtime/ and pass it in through an interface)", f[0], imp)
			}
		}
	}
	if seen == 0 {
		t.Fatal("go list found none of the packages of lang and eval")
	}
}
