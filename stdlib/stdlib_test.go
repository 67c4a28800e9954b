package stdlib_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plash-go/plash/eval"
	"github.com/plash-go/plash/lang"
	"github.com/plash-go/plash/stdlib"
)

// TestStarlark runs the Starlark tests in testdata/*_test.star: each
// public function test_NAME is called as a macro after importing its file.
// A test fails by calling fail().
func TestStarlark(t *testing.T) {
	files, err := filepath.Glob("testdata/*_test.star")
	if err != nil || len(files) == 0 {
		t.Fatalf("no tests: %v", err)
	}
	for _, file := range files {
		cfg := testConfig()
		ms, err := eval.Macros(cfg, file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, m := range ms {
			if !strings.HasPrefix(m.Name, "test-") {
				continue
			}
			t.Run(strings.TrimSuffix(filepath.Base(file), ".star")+"/"+m.Name, func(t *testing.T) {
				f, err := lang.ParseArgs([]string{"--import", file, "--" + m.Name})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := eval.Eval(f, testConfig()); err != nil {
					t.Error(err)
				}
			})
		}
	}
}

func testConfig() *eval.Config {
	return &eval.Config{Files: osFiles{}, Images: lxcNames{}}
}

type osFiles struct{}

func (osFiles) ReadFile(name string) ([]byte, error)       { return os.ReadFile(name) }
func (osFiles) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (osFiles) Lstat(name string) (fs.FileInfo, error)     { return os.Lstat(name) }
func (osFiles) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }

// lxcNames resolves an LXC image NAME to the id "lxc-NAME".
type lxcNames struct{}

func (lxcNames) FromID(id string) (string, error)        { return id, nil }
func (lxcNames) FromMap(key string) (string, error)      { return "", eval.ErrMapKeyNotFound }
func (lxcNames) FromLXC(name string) (string, error)     { return "lxc-" + name, nil }
func (lxcNames) FromURL(url string) (string, error)      { return "", errors.New("no urls") }
func (lxcNames) FromDocker(image string) (string, error) { return "", errors.New("no docker") }
func (lxcNames) FromGitHub(repo, file string) (string, error) {
	return "", errors.New("no github")
}

// TestDefaultFilesExist checks that every default file is embedded.
func TestDefaultFilesExist(t *testing.T) {
	for _, name := range stdlib.Default {
		if _, err := fs.ReadFile(stdlib.FS, name); err != nil {
			t.Errorf("default %s: %v", name, err)
		}
	}
}
