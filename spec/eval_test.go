package spec

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/plash-go/plash/eval"
	"github.com/plash-go/plash/lang"
)

// The eval driver checks the corpus against package eval. It handles every
// archive under testdata/eval/ and every archive elsewhere holding want.sh
// or want.ops. An archive holds:
//
//	Plashfile   the source, in the file form
//	want.sh     the shell-script form of its ops (eval.Script)
//	want.ops    the ops with their origins (eval.MarshalOps)
//	want.err    the errors of the evaluation, one FILE:LINE:COL: MSG a line
//
// and, to stand in for the host, optionally:
//
//	stdin       standard input
//	env         NAME=VALUE lines: the environment (PLASH_MACRO_PATH sets
//	            the macro path)
//	images      KIND:KEY ID lines: what the from-* macros resolve to, KIND
//	            one of id, map, lxc, url, docker, github (KEY USER/REPO:FILE)
//	modes       PATH MODE lines: permission bits of the other files (0644
//	            when not listed)
//	any other   files the evaluation can read (eval-file, --import,
//	            hash-path), relative to the archive's root
//
// invalidate-layer's random id is 00000000-0000-4000-8000-000000000000.
// Run with -update to rewrite the expectations of these archives.

func init() {
	// The lang driver may define -update too; share it.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the expectations of the corpus")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	b, _ := strconv.ParseBool(f.Value.String())
	return b
}

func TestEvalCorpus(t *testing.T) {
	var files []string
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".txtar") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		underEval := strings.HasPrefix(filepath.ToSlash(file), "testdata/eval/")
		if !underEval && archiveFile(ar, "want.sh") == nil && archiveFile(ar, "want.ops") == nil {
			continue
		}
		n++
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(file), "testdata/"), ".txtar")
		t.Run(name, func(t *testing.T) { runEvalCase(t, file, ar) })
	}
	if n == 0 {
		t.Fatal("no eval cases found")
	}
}

func archiveFile(ar *txtar.Archive, name string) *txtar.File {
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			return &ar.Files[i]
		}
	}
	return nil
}

// caseHost builds the Config an archive describes.
func caseHost(t *testing.T, ar *txtar.Archive) *eval.Config {
	mapfs := fstest.MapFS{}
	modes := map[string]fs.FileMode{}
	if f := archiveFile(ar, "modes"); f != nil {
		for _, line := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
			path, mode, _ := strings.Cut(line, " ")
			m, err := strconv.ParseUint(mode, 8, 32)
			if err != nil {
				t.Fatalf("modes: %v", err)
			}
			modes[path] = fs.FileMode(m)
		}
	}
	for _, f := range ar.Files {
		mode := fs.FileMode(0o644)
		if m, ok := modes[f.Name]; ok {
			mode = m
		}
		mapfs[f.Name] = &fstest.MapFile{Data: f.Data, Mode: mode, ModTime: time.Unix(0, 0)}
	}
	cfg := &eval.Config{
		Files:   memFiles{mapfs},
		NewUUID: func() string { return "00000000-0000-4000-8000-000000000000" },
	}
	envs := map[string]string{}
	if f := archiveFile(ar, "env"); f != nil {
		for _, line := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
			k, v, _ := strings.Cut(line, "=")
			envs[k] = v
		}
	}
	cfg.LookupEnv = func(k string) (string, bool) { v, ok := envs[k]; return v, ok }
	if p, ok := envs["PLASH_MACRO_PATH"]; ok {
		cfg.MacroPath = strings.Split(p, ":")
	}
	if f := archiveFile(ar, "stdin"); f != nil {
		cfg.Stdin = strings.NewReader(string(f.Data))
	}
	if f := archiveFile(ar, "images"); f != nil {
		im := fakeImages{}
		for _, line := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
			k, v, _ := strings.Cut(line, " ")
			im[k] = v
		}
		cfg.Images = im
	}
	return cfg
}

func runEvalCase(t *testing.T, file string, ar *txtar.Archive) {
	pf := archiveFile(ar, "Plashfile")
	if pf == nil {
		t.Fatal("no Plashfile in the archive")
	}
	var got = map[string]string{}
	f, err := lang.Parse("Plashfile", pf.Data)
	var ops []eval.Op
	if err == nil {
		ops, err = eval.Eval(f, caseHost(t, ar))
	}
	if err != nil {
		var el lang.ErrorList
		if !errors.As(err, &el) {
			t.Fatalf("error is not a lang.ErrorList: %v", err)
		}
		got["want.err"] = el.Error() + "\n"
		langOK := f != nil
		if langOK {
			_, lerrs := f.Calls()
			langOK = len(lerrs) == 0
		}
		if langOK {
			// Every error of the evaluator (not the language's) carries
			// its structure, and the structure prints as the list does.
			for _, e := range el {
				var ev *eval.Error
				if !errors.As(e, &ev) || ev.Kind == "" || ev.Error() != e.Error() {
					t.Errorf("%s: not an *eval.Error with a kind printing the same: %#v", e, ev)
				}
			}
		}
	} else {
		got["want.sh"] = eval.Script(ops)
		b, err := eval.MarshalOps(ops)
		if err != nil {
			t.Fatal(err)
		}
		got["want.ops"] = string(b)
	}
	if updating() {
		var keep []txtar.File
		for _, f := range ar.Files {
			if f.Name != "want.sh" && f.Name != "want.ops" && f.Name != "want.err" {
				keep = append(keep, f)
			}
		}
		names := make([]string, 0, len(got))
		for k := range got {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			keep = append(keep, txtar.File{Name: k, Data: []byte(got[k])})
		}
		ar.Files = keep
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, name := range []string{"want.sh", "want.ops", "want.err"} {
		want := archiveFile(ar, name)
		g, has := got[name]
		switch {
		case want == nil && has && name != "want.ops":
			t.Errorf("no %s in the archive, got:\n%s", name, g)
		case want != nil && !has:
			if err != nil {
				t.Errorf("want %s, got errors:\n%s", name, got["want.err"])
			} else {
				t.Errorf("want %s, got no errors; script:\n%s", name, got["want.sh"])
			}
		case want != nil && string(want.Data) != g:
			t.Errorf("%s differs\ngot:\n%s\nwant:\n%s", name, g, want.Data)
		}
	}
}

// memFiles is eval.Files over the archive.
type memFiles struct{ fsys fstest.MapFS }

func clean(name string) string { return strings.TrimPrefix(filepath.Clean(name), "/") }

func (m memFiles) ReadFile(name string) ([]byte, error)  { return m.fsys.ReadFile(clean(name)) }
func (m memFiles) Stat(name string) (fs.FileInfo, error) { return m.fsys.Stat(clean(name)) }
func (m memFiles) Lstat(name string) (fs.FileInfo, error) {
	return m.fsys.Stat(clean(name))
}
func (m memFiles) ReadDir(name string) ([]fs.DirEntry, error) { return m.fsys.ReadDir(clean(name)) }

// fakeImages resolves from the archive's images file.
type fakeImages map[string]string

func (im fakeImages) get(key string) (string, error) {
	if id, ok := im[key]; ok {
		return id, nil
	}
	return "", errors.New("no image " + key + " (fake)")
}

func (im fakeImages) FromID(id string) (string, error) {
	if _, err := strconv.Atoi(id); err != nil {
		return "", errors.New("container id must be integer, got '" + id + "'")
	}
	return id, nil
}
func (im fakeImages) FromMap(key string) (string, error) {
	if id, ok := im["map:"+key]; ok {
		return id, nil
	}
	return "", eval.ErrMapKeyNotFound
}
func (im fakeImages) FromLXC(name string) (string, error)     { return im.get("lxc:" + name) }
func (im fakeImages) FromURL(url string) (string, error)      { return im.get("url:" + url) }
func (im fakeImages) FromDocker(image string) (string, error) { return im.get("docker:" + image) }
func (im fakeImages) FromGitHub(repo, file string) (string, error) {
	return im.get("github:" + repo + ":" + file)
}
