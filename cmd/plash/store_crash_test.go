package main

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The store's reliability tests run the real plash binary: kill it at
// random instants, or run many at once, then check the store's invariants.

// storeCommand is one way of making a container that the crash and
// concurrency tests exercise. args prepares what the command needs (in
// dir) and returns its arguments; check verifies a container it made is
// complete.
type storeCommand struct {
	name  string
	args  func(t *testing.T, data, dir string) []string
	check func(root string) error
}

func storeCommands(t *testing.T, data string, withCreate bool) []storeCommand {
	cmds := []storeCommand{
		{
			name: "import-tar",
			args: func(t *testing.T, data, dir string) []string { return []string{"import-tar", busyboxTar} },
			check: func(root string) error {
				// resolv.conf is made last: its presence shows completeness.
				for _, p := range []string{"bin/busybox", "etc/passwd", "etc/resolv.conf"} {
					if _, err := os.Lstat(filepath.Join(root, p)); err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			name: "add-layer",
			args: func(t *testing.T, data, dir string) []string {
				// The directory must be on the data directory's file system.
				d, err := os.MkdirTemp(data, "layer")
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < 50; i++ {
					os.WriteFile(filepath.Join(d, fmt.Sprintf("f%d", i)), []byte("x"), 0o644)
				}
				os.WriteFile(filepath.Join(d, "marker"), []byte("m"), 0o644)
				return []string{"add-layer", "1", d}
			},
			check: func(root string) error {
				_, err := os.Stat(filepath.Join(root, "marker"))
				return err
			},
		},
	}
	// rm makes nothing, but a kill in the middle must leave the store
	// consistent too (the victim is renamed away before it is deleted).
	cmds = append(cmds, storeCommand{
		name: "rm",
		args: func(t *testing.T, data, dir string) []string {
			id := plashOut(t, data, "import-tar", busyboxTar)
			return []string{"rm", id}
		},
		check: func(root string) error { return errors.New("rm makes no container") },
	})
	// create (and later build) join when they work here.
	create := storeCommand{
		name: "create",
		args: func(t *testing.T, data, dir string) []string {
			return []string{"create", "1", "/bin/sh", "-c", "echo hi > /created; mkdir -p /a/b/c; touch /a/b/c/d"}
		},
		check: func(root string) error {
			_, err := os.Stat(filepath.Join(root, "created"))
			return err
		},
	}
	if !withCreate {
		return cmds
	}
	if out, err := plashCmd(data, create.args(t, data, "")...).CombinedOutput(); err == nil {
		cmds = append(cmds, create)
	} else {
		t.Logf("plash create does not work here, left out: %v %s", err, out)
	}
	// build: a fresh layer each time (invalidate-layer), so it really builds.
	build := storeCommand{
		name: "build",
		args: func(t *testing.T, data, dir string) []string {
			return []string{"build", "--from", "1", "--invalidate-layer", "--run", "touch /built"}
		},
		check: func(root string) error {
			_, err := os.Stat(filepath.Join(root, "built"))
			return err
		},
	}
	if out, err := plashCmd(data, build.args(t, data, "")...).CombinedOutput(); err == nil {
		cmds = append(cmds, build)
	} else {
		t.Logf("plash build does not work here, left out: %v %s", err, out)
	}
	return cmds
}

func plashCmd(data string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(binDir, "plash"), args...)
	cmd.Env = append(os.Environ(), "PLASH_DATA="+data)
	return cmd
}

func plashOut(t *testing.T, data string, args ...string) string {
	t.Helper()
	out, err := plashCmd(data, args...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("plash %s: %v %s", strings.Join(args, " "), err, msg)
	}
	return strings.TrimSpace(string(out))
}

func newData(t *testing.T) string {
	if busyboxTar == "" {
		t.Skip("no busybox fixture")
	}
	data := filepath.Join(t.TempDir(), "data")
	plashOut(t, data, "init")
	if id := plashOut(t, data, "import-tar", busyboxTar); id != "1" {
		t.Fatalf("first id %s", id)
	}
	return data
}

// checkStore verifies the invariants of a data directory: every index link
// resolves to a node with _data/root that check accepts; every node of the
// layer tree is indexed; after clean (clean=true) tmp is empty.
func checkStore(t *testing.T, data string, checks map[string]func(string) error, clean bool) (ids []string) {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(data, "index"))
	if err != nil {
		t.Fatal(err)
	}
	indexed := map[string]bool{}
	for _, e := range ents {
		link := filepath.Join(data, "index", e.Name())
		target, err := filepath.EvalSymlinks(link)
		if err != nil {
			if clean {
				t.Errorf("index/%s does not resolve after clean: %v", e.Name(), err)
			}
			continue
		}
		indexed[target] = true
		ids = append(ids, e.Name())
		if fi, err := os.Stat(filepath.Join(target, "_data", "root")); err != nil || !fi.IsDir() {
			t.Errorf("container %s has no _data/root: %v", e.Name(), err)
			continue
		}
		if e.Name() == "0" {
			continue
		}
		complete := false
		for _, check := range checks {
			if check(filepath.Join(target, "_data", "root")) == nil {
				complete = true
			}
		}
		if !complete {
			t.Errorf("container %s is incomplete", e.Name())
		}
	}
	// No node in the layer tree lacks its index link (no lost containers).
	layer, _ := filepath.EvalSymlinks(filepath.Join(data, "layer"))
	filepath.WalkDir(layer, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if d.Name() == "_data" {
			return filepath.SkipDir
		}
		if _, err := strconv.Atoi(d.Name()); err == nil && !indexed[p] {
			t.Errorf("node %s is in the layer tree but not in the index", p)
		}
		return nil
	})
	if clean {
		left, _ := os.ReadDir(filepath.Join(data, "tmp"))
		if len(left) != 0 {
			t.Errorf("tmp not empty after clean: %d entries", len(left))
		}
	}
	return ids
}

// TestStoreCrash kills plash at random instants of import-tar, add-layer
// and create and checks that every container is all or nothing and that
// clean removes every leftover.
func TestStoreCrash(t *testing.T) {
	data := newData(t)
	cmds := storeCommands(t, data, true)
	checks := map[string]func(string) error{}
	// Calibrate: how long does each command take when left alone?
	durations := make([]time.Duration, len(cmds))
	for i, c := range cmds {
		checks[c.name] = c.check
		start := time.Now()
		if out, err := plashCmd(data, c.args(t, data, t.TempDir())...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", c.name, err, out)
		}
		durations[i] = time.Since(start)
		t.Logf("%s takes %v", c.name, durations[i])
	}
	runs := 60
	if testing.Short() {
		runs = 20
	}
	// PLASH_CRASH_SEED replays the kill instants of a failed run.
	seed := time.Now().UnixNano()
	if v := os.Getenv("PLASH_CRASH_SEED"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			seed = n
		}
	}
	t.Logf("kill instants from seed %d (PLASH_CRASH_SEED=%d replays them)", seed, seed)
	rng := rand.New(rand.NewSource(seed))
	killed := 0
	for i := 0; i < runs; i++ {
		c := cmds[i%len(cmds)]
		cmd := plashCmd(data, c.args(t, data, t.TempDir())...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(rng.Int63n(int64(durations[i%len(cmds)]) * 12 / 10))
		time.Sleep(delay)
		if cmd.Process.Signal(syscall.SIGKILL) == nil {
			killed++
		}
		cmd.Wait()
		// Before clean: no incomplete container is visible.
		checkStore(t, data, checks, false)
		if t.Failed() {
			t.Fatalf("after killing %s at %v", c.name, delay)
		}
	}
	out, err := plashCmd(data, "clean").CombinedOutput()
	if err != nil {
		t.Fatalf("clean: %v %s", err, out)
	}
	t.Logf("killed %d of %d runs; clean said:\n%s", killed, runs, out)
	ids := checkStore(t, data, checks, true)
	// The store still works: a new id comes after all the handed out ones.
	next := plashOut(t, data, "import-tar", busyboxTar)
	for _, id := range ids {
		if id == next {
			t.Errorf("id %s handed out twice", id)
		}
	}
}

// TestStoreConcurrent runs 20 imports and add-layers at once, with clean
// running alongside, and checks that every id is distinct and every link
// valid.
func TestStoreConcurrent(t *testing.T) {
	data := newData(t)
	cmds := storeCommands(t, data, false)[:2] // import-tar, add-layer
	checks := map[string]func(string) error{}
	for _, c := range cmds {
		checks[c.name] = c.check
	}
	type result struct {
		name, id string
		err      error
		out      string
	}
	results := make([]result, 20)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	cleanDone := make(chan error)
	go func() {
		// clean must never take a container in the middle of publication.
		for {
			select {
			case <-stop:
				cleanDone <- nil
				return
			default:
			}
			if out, err := plashCmd(data, "clean").CombinedOutput(); err != nil {
				cleanDone <- fmt.Errorf("clean: %v %s", err, out)
				<-stop
				return
			}
		}
	}()
	for i := range results {
		c := cmds[i%len(cmds)]
		args := c.args(t, data, t.TempDir())
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := plashCmd(data, args...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			results[i] = result{c.name, strings.TrimSpace(string(out)), err, stderr.String()}
		}(i)
	}
	// Map writes of one key race; each is atomic.
	mapErrs := make([]error, 10)
	for i := range mapErrs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if out, err := plashCmd(data, "map", "shared", "1").CombinedOutput(); err != nil {
				mapErrs[i] = fmt.Errorf("map: %v %s", err, out)
			}
		}(i)
	}
	// 8 builds at once: 4 of the same layer (racing for one cache key),
	// 4 of distinct ones.
	builds := make([]result, 8)
	for i := range builds {
		script := "touch /shared"
		if i >= 4 {
			script = fmt.Sprintf("touch /distinct%d", i)
		}
		wg.Add(1)
		go func(i int, script string) {
			defer wg.Done()
			cmd := plashCmd(data, "build", "--from", "1", "--run", script)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			builds[i] = result{script, strings.TrimSpace(string(out)), err, stderr.String()}
		}(i, script)
	}
	wg.Wait()
	for _, b := range builds {
		if b.err != nil {
			t.Errorf("build %q: %v %s", b.name, b.err, b.out)
			continue
		}
		root := plashOut(t, data, "nodepath", b.id) + "/_data/root"
		file := strings.TrimPrefix(b.name, "touch ")
		if _, err := os.Stat(filepath.Join(root, file)); err != nil {
			t.Errorf("build %q gave container %s without %s", b.name, b.id, file)
		}
	}
	checks["build"] = func(root string) error {
		m, _ := filepath.Glob(filepath.Join(root, "[sd]*"))
		if len(m) == 0 {
			return errors.New("no build output")
		}
		return nil
	}
	for _, err := range mapErrs {
		if err != nil {
			t.Error(err)
		}
	}
	if id := plashOut(t, data, "map", "shared"); id != "1" {
		t.Errorf("map shared = %q after parallel writes", id)
	}
	close(stop)
	if err := <-cleanDone; err != nil {
		t.Error(err)
	}
	seen := map[string]bool{}
	for _, r := range results {
		if r.err != nil {
			t.Errorf("%s: %v %s", r.name, r.err, r.out)
			continue
		}
		if seen[r.id] {
			t.Errorf("id %s handed out twice", r.id)
		}
		seen[r.id] = true
		root := plashOut(t, data, "nodepath", r.id) + "/_data/root"
		if err := checks[r.name](root); err != nil {
			t.Errorf("%s made an incomplete container %s: %v", r.name, r.id, err)
		}
	}
	// Every command finished: every link must resolve and tmp be empty.
	ids := checkStore(t, data, checks, true)
	// 0, 1, the imports and add-layers, and 5 to 8 builds (the 4 of the
	// same layer may share a container or each make one).
	if n := len(ids) - 2 - len(results); n < 5 || n > 8 {
		t.Errorf("%d containers in the index, want %d plus 5 to 8 builds", len(ids), 2+len(results))
	}
	counter, _ := os.ReadFile(filepath.Join(data, "id_counter"))
	if len(counter) != len(ids)-1 {
		t.Errorf("id_counter has %d bytes for %d containers", len(counter), len(ids)-1)
	}
}
