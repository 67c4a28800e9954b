package store

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Init(filepath.Join(t.TempDir(), "data"), "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func layerDir(t *testing.T, s *Store, file string) string {
	t.Helper()
	d, err := os.MkdirTemp(s.Dir, "in")
	if err != nil {
		t.Fatal(err)
	}
	if file != "" {
		os.WriteFile(filepath.Join(d, file), []byte(file), 0o644)
	}
	return d
}

// The layout must be the original's, byte for byte where it matters.
func TestInitLayout(t *testing.T) {
	t.Setenv("PLASH_INIT_UNION_TASTE", "overlay")
	s := newStore(t)
	for _, d := range []string{"index", "map", "tmp", "mnt", "config", "layer/0/_data/root"} {
		if fi, err := os.Stat(filepath.Join(s.Dir, d)); err != nil || !fi.IsDir() {
			t.Errorf("%s: want a directory (%v)", d, err)
		}
	}
	if l, _ := os.Readlink(filepath.Join(s.Dir, "index/0")); l != "../layer/0" {
		t.Errorf("index/0 -> %q, want ../layer/0", l)
	}
	if fi, _ := os.Stat(s.Dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode %v, want 0700", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(filepath.Join(s.Dir, "id_counter")); len(b) != 0 {
		t.Errorf("id_counter %q, want empty", b)
	}
	if taste, err := s.UnionTaste(); taste != "overlay" || err != nil {
		t.Errorf("UnionTaste = %q, %v", taste, err)
	}
	// Init again changes nothing.
	t.Setenv("PLASH_INIT_UNION_TASTE", "")
	if _, err := Init(s.Dir, ""); err != nil {
		t.Fatal(err)
	}
	if taste, _ := s.UnionTaste(); taste != "overlay" {
		t.Errorf("second init changed the taste to %q", taste)
	}
}

func TestInitTastes(t *testing.T) {
	for _, taste := range []string{TasteUnionfsFuse, TasteOverlay, TasteFuseOverlayfs} {
		s, err := Init(filepath.Join(t.TempDir(), "data"), taste)
		if err != nil {
			t.Fatalf("Init with %s: %v", taste, err)
		}
		if got, err := s.UnionTaste(); got != taste || err != nil {
			t.Errorf("UnionTaste = %q, %v; want %q", got, err, taste)
		}
	}
	if _, err := Init(filepath.Join(t.TempDir(), "data"), "aufs"); err == nil {
		t.Error("Init accepted the unknown taste aufs")
	}
}

func TestOpenUninitialized(t *testing.T) {
	t.Setenv("PLASH_DATA", filepath.Join(t.TempDir(), "nope"))
	if _, err := Open(); !errors.Is(err, ErrNotInitialized) || err.Error() != "first run `plash init`" {
		t.Fatalf("Open = %v", err)
	}
}

func TestAddLayerNesting(t *testing.T) {
	s := newStore(t)
	a, err := s.AddLayer("0", layerDir(t, s, "a"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.AddLayer(a, layerDir(t, s, "b"))
	if err != nil {
		t.Fatal(err)
	}
	if a != "1" || b != "2" {
		t.Fatalf("ids %s %s, want 1 2", a, b)
	}
	if l, _ := os.Readlink(filepath.Join(s.Dir, "index/2")); l != "../layer/0/1/2" {
		t.Errorf("index/2 -> %q", l)
	}
	root, _ := s.Root(b)
	if root != filepath.Join(s.Dir, "layer/0/1/2/_data/root") {
		t.Errorf("Root = %s", root)
	}
	if _, err := os.Stat(filepath.Join(root, "b")); err != nil {
		t.Error(err)
	}
	if anc, _ := s.Ancestry(b); !reflect.DeepEqual(anc, []string{"2", "1", "0"}) {
		t.Errorf("Ancestry = %v", anc)
	}
	if p, _ := s.Parent(b); p != "1" {
		t.Errorf("Parent = %s", p)
	}
	if _, err := s.Parent("0"); err == nil {
		t.Error("Parent(0) succeeded")
	}
	if b, _ := os.ReadFile(filepath.Join(s.Dir, "id_counter")); string(b) != "AA" {
		t.Errorf("id_counter %q", b)
	}
	ents, _ := os.ReadDir(filepath.Join(s.Dir, "tmp"))
	if len(ents) != 0 {
		t.Errorf("tmp not empty after add-layer: %v", ents)
	}
}

func TestNodePathErrors(t *testing.T) {
	s := newStore(t)
	var nc *NoContainerError
	if _, err := s.NodePath("7"); !errors.As(err, &nc) || err.Error() != "no container '7'" || nc.ExitCode() != 3 {
		t.Errorf("NodePath(7) = %v", err)
	}
	var bad *BadIDError
	if _, err := s.NodePath("x"); !errors.As(err, &bad) || err.Error() != "container id must be integer, got 'x'" {
		t.Errorf("NodePath(x) = %v", err)
	}
	if _, err := s.AddLayer("5", layerDir(t, s, "")); !errors.As(err, &nc) {
		t.Errorf("AddLayer on missing parent = %v", err)
	}
}

func TestMap(t *testing.T) {
	s := newStore(t)
	id, _ := s.AddLayer("0", layerDir(t, s, ""))
	if _, ok, err := s.MapGet("k"); ok || err != nil {
		t.Fatalf("unset key: %v %v", ok, err)
	}
	if err := s.MapSet("k", id); err != nil {
		t.Fatal(err)
	}
	if l, _ := os.Readlink(filepath.Join(s.Dir, "map/k")); l != "../layer/0/1" {
		t.Errorf("map/k -> %q", l)
	}
	if got, ok, _ := s.MapGet("k"); !ok || got != id {
		t.Errorf("MapGet = %s %v", got, ok)
	}
	if err := s.MapSet("a/b", id); err == nil {
		t.Error("key with / accepted")
	}
	if err := s.MapDelete("k"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.MapGet("k"); ok {
		t.Error("deleted key still set")
	}
	if err := s.MapDelete("k"); err != nil {
		t.Errorf("deleting a missing key: %v", err)
	}
}

func TestRmAndClean(t *testing.T) {
	s := newStore(t)
	a, _ := s.AddLayer("0", layerDir(t, s, ""))
	b, _ := s.AddLayer(a, layerDir(t, s, ""))
	c, _ := s.AddLayer("0", layerDir(t, s, ""))
	s.MapSet("kb", b)
	s.MapSet("kc", c)
	// Read-only directories inside a root must not stop a removal.
	root, _ := s.Root(b)
	os.MkdirAll(filepath.Join(root, "ro/sub"), 0o755)
	os.Chmod(filepath.Join(root, "ro"), 0o555)
	if err := s.Rm(a); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a, b} {
		if _, err := s.NodePath(id); err == nil {
			t.Errorf("%s still there", id)
		}
		if _, err := os.Lstat(filepath.Join(s.Dir, "index", id)); err == nil {
			t.Errorf("index/%s left behind", id)
		}
	}
	if _, err := s.NodePath(c); err != nil {
		t.Error(err)
	}
	r, err := s.Clean(CleanOptions{Index: true, CacheKeys: true, Tmp: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.UnlinkedMaps != 1 || r.UnlinkedIndexes != 0 {
		t.Errorf("Clean = %+v", r)
	}
	if _, ok, _ := s.MapGet("kc"); !ok {
		t.Error("clean removed a live map entry")
	}
	if err := s.Rm("0"); err == nil {
		t.Error("Rm(0) succeeded")
	}
}

// A temp dir is stale exactly when its creator's lock is gone.
func TestCleanTmpLocks(t *testing.T) {
	s := newStore(t)
	live, err := s.TempDir("live")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(live, "f"), nil, 0o644)
	// A temp dir made by a process that then died.
	cmd := exec.Command("sh", "-c", "mkdir "+filepath.Join(s.Dir, "tmp", "plashtmp_1_1_dead")+" && flock "+filepath.Join(s.Dir, "tmp", "plashtmp_1_1_dead")+" true")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("flock(1) unavailable: %v %s", err, out)
	}
	os.WriteFile(filepath.Join(s.Dir, "tmp/plashtmp_1_1_dead/x"), nil, 0o644)
	r, err := s.Clean(CleanOptions{Tmp: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.RemovedTmpdirs != 1 {
		t.Errorf("removed %d, want 1", r.RemovedTmpdirs)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("live temp dir removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "tmp/plashtmp_1_1_dead")); err == nil {
		t.Error("stale temp dir kept")
	}
	s.RemoveTemp(live)
	if _, err := os.Stat(live); err == nil {
		t.Error("RemoveTemp kept the dir")
	}
}

func TestCleanKeepsPublicationInProgress(t *testing.T) {
	s := newStore(t)
	// A broken index link of a live publication is protected by the
	// shared index lock: while it is held, clean waits.
	guard, err := flock(filepath.Join(s.Dir, "index"), unix.LOCK_SH)
	if err != nil {
		t.Fatal(err)
	}
	os.Symlink("../layer/0/9", filepath.Join(s.Dir, "index/9"))
	done := make(chan CleanResult)
	go func() {
		r, _ := s.Clean(CleanOptions{Index: true})
		done <- r
	}()
	os.Mkdir(filepath.Join(s.Dir, "layer/0/9"), 0o755)
	guard.Close()
	if r := <-done; r.UnlinkedIndexes != 0 {
		t.Errorf("clean removed the link of a publication in progress")
	}
}

func TestShrink(t *testing.T) {
	s := newStore(t)
	a, _ := s.AddLayer("0", layerDir(t, s, ""))
	s.AddLayer(a, layerDir(t, s, ""))
	c, _ := s.AddLayer("0", layerDir(t, s, ""))
	d, _ := s.AddLayer("0", layerDir(t, s, ""))
	var out strings.Builder
	if err := s.Shrink(&out); err != nil {
		t.Fatal(err)
	}
	// 4 containers: delete 2 leaves, lowest first: b (leaf of a), then a.
	ids, _ := s.IDs()
	if !reflect.DeepEqual(ids, []string{"0", c, d}) {
		t.Errorf("after shrink: %v\n%s", ids, out.String())
	}
	if !strings.Contains(out.String(), "You have 4 containers.") || !strings.HasSuffix(out.String(), "You have 2 containers.\n") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestConcurrentAddLayer(t *testing.T) {
	s := newStore(t)
	var wg sync.WaitGroup
	ids := make([]string, 20)
	errs := make([]error, 20)
	dirs := make([]string, 20)
	for i := range dirs {
		dirs[i] = layerDir(t, s, "")
	}
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ids[i], errs[i] = s.AddLayer("0", dirs[i])
		}(i)
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, id := range ids {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if seen[id] {
			t.Errorf("id %s handed out twice", id)
		}
		seen[id] = true
		if _, err := s.Root(id); err != nil {
			t.Error(err)
		}
	}
}

func TestPurge(t *testing.T) {
	s := newStore(t)
	s.AddLayer("0", layerDir(t, s, "x"))
	if err := s.Purge(); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDir(s.Dir); !errors.Is(err, ErrNotInitialized) {
		t.Errorf("after purge: %v", err)
	}
	if _, err := os.Stat(s.Dir); err != nil {
		t.Error("purge removed the data directory itself")
	}
}

// A fuse mount whose daemon was killed ("transport endpoint is not
// connected") is detached by clean, and the temp dir under it removed.
func TestCleanOrphanedFuseMount(t *testing.T) {
	unionfs, err := exec.LookPath("unionfs")
	if err != nil || os.Geteuid() != 0 {
		t.Skip("needs root and unionfs-fuse")
	}
	if f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0); err != nil {
		t.Skip("no /dev/fuse")
	} else {
		f.Close()
	}
	s := newStore(t)
	stale := filepath.Join(s.Dir, "tmp", "plashtmp_1_1_fuse")
	lower := filepath.Join(stale, "lower")
	mnt := filepath.Join(stale, "mnt")
	os.MkdirAll(lower, 0o755)
	os.MkdirAll(mnt, 0o755)
	cmd := exec.Command(unionfs, "-f", lower+"=RO", mnt)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer unix.Unmount(mnt, unix.MNT_DETACH)
	for i := 0; i < 100 && len(mountsUnder(mnt)) == 0; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if len(mountsUnder(mnt)) == 0 {
		cmd.Process.Kill()
		t.Skip("unionfs did not mount")
	}
	cmd.Process.Kill()
	cmd.Wait()
	// The kernel notices the dead daemon on the next request.
	for i := 0; i < 100; i++ {
		var st unix.Stat_t
		if unix.Stat(mnt, &st) == unix.ENOTCONN {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	r, err := s.Clean(CleanOptions{Tmp: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.UnmountedFuse != 1 || r.RemovedTmpdirs != 1 {
		t.Errorf("Clean = %+v", r)
	}
	if len(mountsUnder(mnt)) != 0 {
		t.Error("mount still there")
	}
}
