package build

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plash-go/plash/eval"
	"github.com/plash-go/plash/lang"
	"github.com/plash-go/plash/runtime/store"
)

func at(line int, macro string) eval.Origin {
	p := lang.Position{Filename: "Plashfile", Line: line, Column: 1}
	return eval.Origin{Pos: p, Stack: []eval.Frame{{Macro: macro, Pos: p}}}
}

func TestKeyIsTheOriginals(t *testing.T) {
	// sha1 hex of "<parent>:<layer text>", as plash-build computed it.
	sum := sha1.Sum([]byte("1:touch /a\n"))
	if got, want := Key("1", "touch /a\n"), hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("Key = %s, want %s", got, want)
	}
}

func TestNewPlanSplitsLayers(t *testing.T) {
	ops := []eval.Op{
		{Kind: eval.Layer, Origin: at(1, "layer")},
		{Kind: eval.Image, Value: "7", Origin: at(2, "from")},
		{Kind: eval.Run, Text: "touch /a\ntouch /b", Origin: at(3, "run")},
		{Kind: eval.Hint, Name: "exec", Value: "/bin/sh", HasValue: true, Origin: at(5, "entrypoint")},
		{Kind: eval.Layer, Origin: at(6, "layer")},
		{Kind: eval.Layer, Origin: at(7, "layer")},
		{Kind: eval.Env, Name: "X", Value: "a b", Origin: at(8, "import-env")},
		{Kind: eval.Run, Text: "echo $X", Origin: at(9, "run")},
		{Kind: eval.Hint, Name: "use-env", Value: "HOME", HasValue: true, Origin: at(10, "hint")},
		{Kind: eval.Hint, Name: "exec", Value: "/bin/x", HasValue: true, Origin: at(11, "entrypoint")},
	}
	p, err := NewPlan(ops, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Image != "7" {
		t.Errorf("Image = %q", p.Image)
	}
	var texts []string
	for _, l := range p.Layers {
		texts = append(texts, l.Text)
	}
	want := []string{"touch /a\ntouch /b\n", "X='a b'\necho $X\n"}
	if fmt.Sprint(texts) != fmt.Sprint(want) {
		t.Fatalf("layers = %q, want %q", texts, want)
	}
	// Each line knows its call, once resolved.
	p.Resolve()
	src := func(l, i int) Source { return p.Sources[p.Layers[l].Lines[i]] }
	if s := src(0, 1); s.Pos != "Plashfile:3:1" || s.Call != "--run" {
		t.Errorf("layer 1 line 2 from %+v", s)
	}
	if s := src(1, 0); s.Pos != "Plashfile:8:1" || s.Call != "--import-env" {
		t.Errorf("layer 2 line 1 from %+v", s)
	}
	if v, _ := p.HintValue("exec"); v != "/bin/x" {
		t.Errorf("exec hint = %q", v)
	}
	if v := p.HintValues("use-env"); len(v) != 1 || v[0] != "HOME" {
		t.Errorf("use-env hints = %q", v)
	}
}

func TestNewPlanNoImage(t *testing.T) {
	if _, err := NewPlan([]eval.Op{{Kind: eval.Run, Text: "true"}}, nil); err != ErrNoImage {
		t.Fatalf("err = %v, want ErrNoImage", err)
	}
}

func TestTracerFindsFailingLine(t *testing.T) {
	text := "apt-get update\napt-get install -y cowsay\necho done\n"
	for _, tc := range []struct {
		name, out string
		line      int
		cmd       string
	}{
		// dash: no $LINENO, found by following the commands.
		{"dash", "\x01\x02--> apt-get update\nok\n\x01\x02--> apt-get install -y cowsay\nE: no\n", 1, "apt-get install -y cowsay"},
		// bash and busybox: $LINENO, counted after the prelude.
		{"lineno", "\x015\x02--> apt-get install -y cowsay\n", 1, "apt-get install -y cowsay"},
		{"prelude", "\x013\x02--> set -ex\n", 0, "set -ex"},
		{"none", "sh: syntax error\n", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			tr := &tracer{w: &out}
			// Written in small pieces, as a pipe may deliver it.
			for i := 0; i < len(tc.out); i += 3 {
				tr.Write([]byte(tc.out[i:min(i+3, len(tc.out))]))
			}
			line, cmd := tr.failed("--> ", text)
			if line != tc.line || cmd != tc.cmd {
				t.Errorf("failed = %d %q, want %d %q", line, cmd, tc.line, tc.cmd)
			}
			if strings.ContainsAny(out.String(), "\x01\x02") {
				t.Errorf("markers left in the output: %q", out.String())
			}
		})
	}
}

func newStore(t testing.TB) *store.Store {
	s, err := store.Init(filepath.Join(t.TempDir(), "data"), store.TasteOverlay)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// cachedPlan returns a plan of n layers on container 0 whose layers are
// all in s's cache, made without running anything.
func cachedPlan(t testing.TB, s *store.Store, n int) *Plan {
	p := &Plan{Image: "0"}
	cur := "0"
	for i := 0; i < n; i++ {
		l := Layer{Text: fmt.Sprintf("echo layer %d > /l%d\n", i, i), Lines: []int{-1}}
		p.Layers = append(p.Layers, l)
		dir, err := s.TempDir("t")
		if err != nil {
			t.Fatal(err)
		}
		root := filepath.Join(dir, "root")
		os.Mkdir(root, 0o755)
		id, err := s.AddLayer(cur, root)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MapSet(Key(cur, l.Text), id); err != nil {
			t.Fatal(err)
		}
		cur = id
	}
	p.ID = cur
	return p
}

func TestCached(t *testing.T) {
	s := newStore(t)
	p := cachedPlan(t, s, 5)
	want := p.ID
	id, ok, err := Cached(s, p)
	if err != nil || !ok || id != want {
		t.Fatalf("Cached = %q %v %v, want %q", id, ok, err, want)
	}
	// A removed container is a miss, and so is everything built on it.
	if err := s.Rm("3"); err != nil {
		t.Fatal(err)
	}
	if id, ok, err := Cached(s, p); ok || err != nil {
		t.Fatalf("after rm: Cached = %q %v %v, want a miss", id, ok, err)
	}
	// A missing image is the store's error.
	p.Image = "99"
	if _, _, err := Cached(s, p); err == nil {
		t.Fatal("no error for a missing image")
	}
}

func TestLockKey(t *testing.T) {
	s := newStore(t)
	unlock, err := lockKey(s, "k")
	if err != nil {
		t.Fatal(err)
	}
	got, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		u, err := lockKey(s, "k")
		if err != nil {
			t.Error(err)
			close(got)
			return
		}
		close(got)
		u()
	}()
	select {
	case <-got:
		t.Fatal("the lock was taken twice")
	default:
	}
	unlock()
	<-got
	<-done // the second holder has unlocked too
	if _, err := os.Stat(filepath.Join(s.Dir, "tmp", "buildlock_k")); !os.IsNotExist(err) {
		t.Errorf("lock directory left behind: %v", err)
	}
}

// BenchmarkCached is the work of a fully cached 20-layer build after the
// evaluation: one lookup per layer.
func BenchmarkCached(b *testing.B) {
	s := newStore(b)
	p := cachedPlan(b, s, 20)
	b.ResetTimer()
	for b.Loop() {
		if _, ok, err := Cached(s, p); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkNewPlan splits the ops of a 20-layer program.
func BenchmarkNewPlan(b *testing.B) {
	ops := []eval.Op{{Kind: eval.Image, Value: "1", Origin: at(1, "from")}}
	for i := 0; i < 20; i++ {
		ops = append(ops,
			eval.Op{Kind: eval.Run, Text: fmt.Sprintf("echo layer %d > /l%d", i, i), Origin: at(2*i+2, "run")},
			eval.Op{Kind: eval.Layer, Origin: at(2*i+3, "layer")})
	}
	for b.Loop() {
		if _, err := NewPlan(ops, nil); err != nil {
			b.Fatal(err)
		}
	}
}
