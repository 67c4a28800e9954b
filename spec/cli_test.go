package spec

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestCLI runs the scripts of testdata/cli/*.txtar with the real plash and
// plash-exec binaries, built here, first in PATH (the approach of
// cmd/plash/script_test.go, without its container conditions: the language
// cases need none). Each script has its own $PLASH_DATA and $HOME.
func TestCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binaries; skipped with -short")
	}
	bin := t.TempDir()
	// As make builds them (see cmd/plash/script_test.go).
	for _, b := range [][3]string{{"plash", "plash", "slim"}, {"plash-exec", "plash-exec", "slim"}, {"plash-remote", "plash", ""}} {
		name := b[0]
		cmd := exec.Command("go", "build", "-tags", b[2], "-o", filepath.Join(bin, name), "../cmd/"+b[1])
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", name, err, out)
		}
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/cli",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", bin+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("PLASH_DATA", filepath.Join(env.WorkDir, "data"))
			env.Setenv("HOME", filepath.Join(env.WorkDir, "home"))
			return os.MkdirAll(filepath.Join(env.WorkDir, "home"), 0o755)
		},
		RequireExplicitExec: true,
	})
}
