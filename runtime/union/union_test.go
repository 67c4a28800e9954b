package union

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestLegacyOptions(t *testing.T) {
	st := Stack{Layers: []string{"/d/index/2/_data/root", "/d/index/0/_data/root"}, Changes: "/d/tmp/c", Dir: "/d"}
	got, err := LegacyOptions(st)
	if err != nil {
		t.Fatal(err)
	}
	want := "lowerdir=index/2/_data/root:index/0/_data/root,upperdir=tmp/c/data,workdir=tmp/c/work"
	if got != want {
		t.Fatalf("LegacyOptions = %q, want %q", got, want)
	}
}

func TestLegacyOptionsRefusesUnsafePaths(t *testing.T) {
	for _, p := range []string{"/x/a,b", "/x/a:b", "/x/a b", "/x/a\\b", "/x/a=b", ""} {
		_, err := LegacyOptions(Stack{Layers: []string{p}})
		if err == nil || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("LegacyOptions(%q) = %v, want a refusal", p, err)
		}
	}
}

func TestLegacyOptionsPageLimit(t *testing.T) {
	var layers []string
	for i := 0; i < 400; i++ {
		layers = append(layers, "/d/index/1234/_data/root")
	}
	_, err := LegacyOptions(Stack{Layers: layers, Dir: "/d"})
	if err == nil || !strings.Contains(err.Error(), "mount(2) accepts") {
		t.Fatalf("400 layers: err = %v, want the page limit refusal", err)
	}
	_, err = LegacyOptions(Stack{Layers: layers[:100], Dir: "/d"})
	if err != nil {
		t.Fatalf("100 layers: %v", err)
	}
}

func TestTooDeep(t *testing.T) {
	err := mountOverlay(Stack{Layers: make([]string, MaxLayers+1)}, "/nonexistent")
	if err == nil || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("err = %v", err)
	}
}

// TestMountOverlay mounts a small stack both ways (new mount API and
// mount(2)) in a private mount namespace of a locked thread.
func TestMountOverlay(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	for _, legacy := range []bool{false, true} {
		dir := t.TempDir()
		for _, d := range []string{"a", "b", "mnt", "c"} {
			os.Mkdir(filepath.Join(dir, d), 0o755)
		}
		os.WriteFile(filepath.Join(dir, "a", "top"), []byte("a"), 0o644)
		os.WriteFile(filepath.Join(dir, "b", "top"), []byte("b"), 0o644)
		os.WriteFile(filepath.Join(dir, "b", "low"), []byte("b"), 0o644)
		errc := make(chan error)
		go func() {
			// Never unlocked: the thread and its namespace end with this goroutine.
			runtime.LockOSThread()
			if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
				errc <- err
				return
			}
			unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, "")
			forceLegacy = legacy
			defer func() { forceLegacy = false }()
			m, err := Do(Overlay, Stack{Layers: []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}, Changes: filepath.Join(dir, "c"), Dir: dir}, filepath.Join(dir, "mnt"))
			if err != nil {
				errc <- err
				return
			}
			top, _ := os.ReadFile(filepath.Join(dir, "mnt", "top"))
			low, _ := os.ReadFile(filepath.Join(dir, "mnt", "low"))
			if string(top) != "a" || string(low) != "b" {
				t.Errorf("legacy=%v: top=%q low=%q", legacy, top, low)
			}
			os.WriteFile(filepath.Join(dir, "mnt", "new"), []byte("n"), 0o644)
			errc <- m.Unmount()
		}()
		if err := <-errc; err != nil {
			t.Fatalf("legacy=%v: %v", legacy, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "c", "data", "new")); err != nil {
			t.Errorf("legacy=%v: the change is not in the upper directory: %v", legacy, err)
		}
	}
}

// TestThrowawayIsVolatile checks that a throw-away overlay is mounted
// volatile (both ways), so that its unmount does not sync the upper file
// system, and that a kept one is not.
func TestThrowawayIsVolatile(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	for _, legacy := range []bool{false, true} {
		for _, throwaway := range []bool{false, true} {
			dir := t.TempDir()
			for _, d := range []string{"a", "mnt", "c"} {
				os.Mkdir(filepath.Join(dir, d), 0o755)
			}
			type result struct {
				opts string
				err  error
			}
			res := make(chan result)
			go func() {
				runtime.LockOSThread() // never unlocked, see TestMountOverlay
				if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
					res <- result{err: err}
					return
				}
				unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, "")
				forceLegacy = legacy
				defer func() { forceLegacy = false }()
				target := filepath.Join(dir, "mnt")
				m, err := Do(Overlay, Stack{Layers: []string{filepath.Join(dir, "a")}, Changes: filepath.Join(dir, "c"), Dir: dir, Throwaway: throwaway}, target)
				if err != nil {
					res <- result{err: err}
					return
				}
				// This thread's mount table (its namespace is its own).
				b, _ := os.ReadFile("/proc/thread-self/mountinfo")
				var opts string
				for _, line := range strings.Split(string(b), "\n") {
					if f := strings.Fields(line); len(f) > 4 && f[4] == target {
						opts = line
					}
				}
				res <- result{opts, m.Unmount()}
			}()
			r := <-res
			if r.err != nil {
				t.Fatalf("legacy=%v throwaway=%v: %v", legacy, throwaway, r.err)
			}
			if r.opts == "" {
				t.Fatalf("legacy=%v throwaway=%v: no mount at the target", legacy, throwaway)
			}
			if got := strings.Contains(r.opts, "volatile"); got != throwaway {
				t.Errorf("legacy=%v throwaway=%v: mount options %q", legacy, throwaway, r.opts)
			}
		}
	}
}

// TestOverlayInUserNS mounts overlay (both ways) in a user namespace, as
// plash does for a normal user: its markers are user.* xattrs there
// (userxattr), so an opaque directory of an upper layer hides the lower
// one's files, a lower directory can be removed and a new one renamed in
// place. The test binary runs itself in the namespace.
func TestOverlayInUserNS(t *testing.T) {
	if dir := os.Getenv("PLASH_UNION_USERNS_TEST"); dir != "" {
		overlayInUserNS(t, dir)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root (to map ids of a user namespace)")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestOverlayInUserNS$", "-test.v")
	cmd.Env = append(os.Environ(), "PLASH_UNION_USERNS_TEST="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("in a user namespace: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestOverlayInUserNS") {
		t.Fatalf("the test did not run in the namespace:\n%s", out)
	}
}

func overlayInUserNS(t *testing.T, dir string) {
	if !InUserNS() {
		t.Fatal("InUserNS is false in a user namespace")
	}
	unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, "")
	for _, legacy := range []bool{false, true} {
		base := filepath.Join(dir, map[bool]string{false: "new", true: "legacy"}[legacy])
		for _, d := range []string{"top/d", "low/d", "low/keep", "mnt", "c"} {
			if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		os.WriteFile(filepath.Join(base, "top/d/new"), nil, 0o644)
		os.WriteFile(filepath.Join(base, "low/d/old"), nil, 0o644)
		os.WriteFile(filepath.Join(base, "low/keep/f"), nil, 0o644)
		if err := unix.Setxattr(filepath.Join(base, "top/d"), "user.overlay.opaque", []byte("y"), 0); err != nil {
			t.Fatal(err)
		}
		forceLegacy = legacy
		mnt := filepath.Join(base, "mnt")
		m, err := Do(Overlay, Stack{Layers: []string{filepath.Join(base, "top"), filepath.Join(base, "low")}, Changes: filepath.Join(base, "c"), Dir: base}, mnt)
		forceLegacy = false
		if err != nil {
			t.Fatalf("legacy=%v: %v", legacy, err)
		}
		if ents, _ := os.ReadDir(filepath.Join(mnt, "d")); len(ents) != 1 || ents[0].Name() != "new" {
			t.Errorf("legacy=%v: the opaque d shows %v, want only new", legacy, ents)
		}
		if err := os.RemoveAll(filepath.Join(mnt, "keep")); err != nil {
			t.Errorf("legacy=%v: removing a lower directory: %v", legacy, err)
		}
		if err := os.Mkdir(filepath.Join(mnt, "x.new"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := unix.Rename(filepath.Join(mnt, "x.new"), filepath.Join(mnt, "x")); err != nil {
			t.Errorf("legacy=%v: renaming a new directory: %v", legacy, err)
		}
		if err := m.Unmount(); err != nil {
			t.Fatal(err)
		}
	}
}
