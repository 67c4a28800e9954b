package eval

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/plash-go/plash/lang"
)

func evalArgs(t *testing.T, cfg *Config, args ...string) ([]Op, error) {
	t.Helper()
	f, err := lang.ParseArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	return Eval(f, cfg)
}

// The examples of the reference behaviour, in the command-line form.
func TestReferenceExamples(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--apt", "pkg1", "shell escape"}, "apt-get update\napt-get install -y pkg1 'shell escape'\n"},
		{[]string{"-x", "hi"}, "hi\n"},
		{[]string{"--layer", "apk", "a", "b"}, "### plash hint: layer\napk update\napk add a\n### plash hint: layer\napk update\napk add b\n### plash hint: layer\n"},
		{[]string{"--from", "1", "--run", "touch /a"}, "### plash hint: image=1\ntouch /a\n"},
		{[]string{}, ""},
	} {
		ops, err := evalArgs(t, nil, c.args...)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if got := Script(ops); got != c.want {
			t.Errorf("%q:\ngot  %q\nwant %q", c.args, got, c.want)
		}
	}
}

// Every built-in macro the reference names exists.
func TestReferenceMacros(t *testing.T) {
	ms, err := Macros(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]*Macro{}
	for _, m := range ms {
		have[m.Name] = m
		if m.Summary() == "" {
			t.Errorf("%s has no doc", m.Name)
		}
	}
	for _, name := range strings.Fields(`layer run run-stdin hint import-env invalidate-layer
		write-file write-script eval-file eval-string eval-stdin hash-path entrypoint
		entrypoint-script from-id from from-lxc from-url from-docker from-map from-github
		defpm apt add-apt-repository apk yum dnf pip pip3 npm pacman emerge
		x l f A U F D C R G import reset-imports`) {
		if have[name] == nil {
			t.Errorf("no macro %s", name)
		}
	}
	for pack, names := range map[string][]string{"core": {"run", "layer"}, "pm": {"apk", "defpm"}, "shortcuts": {"x"}, "builtin": {"from", "eval-file"}} {
		sub, err := Macros(nil, pack)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			found := false
			for _, m := range sub {
				found = found || m.Name == n
				if m.Pack != pack {
					t.Errorf("Macros(%s) lists %s of %s", pack, m.Name, m.Pack)
				}
			}
			if !found {
				t.Errorf("Macros(%s) lacks %s", pack, n)
			}
		}
	}
}

// Without a host, pure macros work and host macros say what is missing.
func TestNoHost(t *testing.T) {
	for _, c := range []struct{ macro, want string }{
		{"--eval-file=x", ""},
		{"--eval-stdin", "eval-stdin: no standard input available"},
		{"--run-stdin", "run-stdin: no standard input available"},
		{"--invalidate-layer", "invalidate-layer: no source of random ids available"},
		{"--from-lxc=alpine", "from-lxc: image sources are not available here"},
		{"--hash-path=.", "hash-path: no file access"},
		{"--import=x.star", "import: reading x.star: no file access"},
	} {
		args := strings.Split(c.macro, "=")
		if c.want == "" {
			continue
		}
		_, err := evalArgs(t, nil, args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.macro, err, c.want)
		}
	}
	ops, err := evalArgs(t, nil, "--import-env", "HOME")
	if err != nil || Script(ops) != "" || len(ops) != 1 {
		t.Errorf("import-env without an environment: %q, %v", Script(ops), err)
	}
}

func TestStepBudget(t *testing.T) {
	files := mapFiles{"spin.star": "def spin():\n    while True:\n        pass\n"}
	_, err := evalArgs(t, &Config{Files: files, MaxSteps: 1000}, "--import", "spin.star", "--run", "a", "--spin")
	want := "<args>:1:28: spin: spin.star:1:1: stopped after 1000 execution steps (an endless loop?)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	// A loop at the top level of a pack is stopped too, at the import.
	files = mapFiles{"top.star": "while True:\n    pass\n"}
	_, err = evalArgs(t, &Config{Files: files, MaxSteps: 1000}, "--import", "top.star")
	if err == nil || !strings.Contains(err.Error(), "stopped after 1000 execution steps") {
		t.Errorf("top-level loop: %v", err)
	}
}

func TestErrorsAreLists(t *testing.T) {
	_, err := evalArgs(t, nil, "--nope", "--from-map", "k")
	var el lang.ErrorList
	if !errors.As(err, &el) || len(el) != 1 || el[0].Pos.Column != 1 {
		t.Fatalf("got %#v", err)
	}
	_, err = evalArgs(t, &Config{Images: fakeImages{}}, "--from-map", "k")
	if err == nil || err.Error() != "<args>:1:1: from-map: map 'k' not found" {
		t.Errorf("got %v", err)
	}
}

func TestJSON(t *testing.T) {
	ops, err := evalArgs(t, nil, "--from-id", "3", "--layer", "--run", "a<b", "--hint", "gui", "--hint", "x", "1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := MarshalOps(ops)
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	kinds := []string{}
	for _, o := range got {
		kinds = append(kinds, o["op"].(string))
	}
	if fmt.Sprint(kinds) != "[image layer run hint hint]" {
		t.Errorf("kinds %v", kinds)
	}
	if !strings.Contains(string(b), `"text":"a<b"`) {
		t.Errorf("HTML escaped: %s", b)
	}
	if _, has := got[3]["value"]; has {
		t.Errorf("a hint without value has one: %v", got[3])
	}
	if s := strings.Count(string(b), "\n"); s != len(ops)+2 {
		t.Errorf("not one op a line:\n%s", b)
	}
}

// The standard library is shared by concurrent evaluations (go test -race).
func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			f, _ := lang.ParseArgs([]string{"--defpm", "p", "p {}", "--p", fmt.Sprint(i), "-A", "x", "--reset-imports", "--apt", "y"})
			ops, err := Eval(f, &Config{Images: fakeImages{}})
			if err != nil {
				t.Error(err)
				return
			}
			if !strings.HasPrefix(Script(ops), fmt.Sprintf("p %d\n", i)) {
				t.Errorf("got %q", Script(ops))
			}
		}(i)
	}
	wg.Wait()
}

// eval and stdlib stay pure: they never import the runtime, even
// indirectly, nor golang.org/x/sys/unix themselves (go.starlark.net uses it
// internally for its integers, which is no host access).
func TestDepcheck(t *testing.T) {
	pkgs := []string{"github.com/plash-go/plash/eval", "github.com/plash-go/plash/stdlib"}
	deps, err := exec.Command("go", append([]string{"list", "-deps"}, pkgs...)...).Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(deps)) {
		if strings.HasPrefix(dep, "github.com/plash-go/plash/runtime") || strings.HasPrefix(dep, "github.com/plash-go/plash/cli") {
			t.Errorf("eval depends on %s", dep)
		}
	}
	direct, err := exec.Command("go", append([]string{"list", "-f", "{{join .Imports \"\\n\"}}"}, pkgs...)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(direct)) {
		if dep == "golang.org/x/sys/unix" || dep == "syscall" {
			t.Errorf("eval or stdlib imports %s", dep)
		}
	}
}

func TestSuggest(t *testing.T) {
	base, err := stdTable()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"apkk": "apk", "wrtie-file": "write-file", "X": "x", "rn": "run", "q": "", "zzzzzz": "", "entrypoint-scrpt": "entrypoint-script"} {
		if got := base.suggest(name); got != want {
			t.Errorf("suggest(%q) = %q, want %q", name, got, want)
		}
	}
}

type mapFiles map[string]string

func (m mapFiles) ReadFile(name string) ([]byte, error) {
	if s, ok := m[name]; ok {
		return []byte(s), nil
	}
	return nil, fmt.Errorf("open %s: no such file", name)
}
func (m mapFiles) Stat(name string) (fsFileInfo, error)  { return nil, errors.New("no stat") }
func (m mapFiles) Lstat(name string) (fsFileInfo, error) { return nil, errors.New("no stat") }
func (m mapFiles) ReadDir(name string) ([]fsDirEntry, error) {
	return nil, errors.New("no readdir")
}

type fakeImages struct{}

func (fakeImages) FromID(id string) (string, error)             { return id, nil }
func (fakeImages) FromMap(key string) (string, error)           { return "", ErrMapKeyNotFound }
func (fakeImages) FromLXC(name string) (string, error)          { return "100", nil }
func (fakeImages) FromURL(url string) (string, error)           { return "", errors.New("no") }
func (fakeImages) FromDocker(image string) (string, error)      { return "", errors.New("no") }
func (fakeImages) FromGitHub(repo, file string) (string, error) { return "", errors.New("no") }

type (
	fsFileInfo = fs.FileInfo
	fsDirEntry = fs.DirEntry
)
