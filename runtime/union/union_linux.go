package union

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Tastes of union file system.
const (
	Overlay       = "overlay"
	FuseOverlayfs = "fuse-overlayfs"
	UnionfsFuse   = "unionfs-fuse"
)

// Stack is what to mount.
type Stack struct {
	// Layers are the read-only root directories, top-most first.
	Layers []string
	// Changes is the changes directory (data/ and work/ are made inside
	// it), or "" for a read-only mount.
	Changes string
	// Dir, if set, is a directory the layer paths may be given relative
	// to when an option string has to be short (mount(2) fallback).
	Dir string
	// Persist leaves a fuse daemon running in the background after Do
	// returns, for a mount that outlives plash (plash mount).
	Persist bool
	// Throwaway says the changes directory is removed after the mount is
	// gone: overlay is mounted "volatile" (where the kernel knows it), so
	// that unmounting it does not sync the whole upper file system to
	// disk for changes nobody keeps.
	Throwaway bool
}

// Upper is the writable layer inside a changes directory.
func Upper(changes string) string { return filepath.Join(changes, "data") }

// Work is overlay's work directory inside a changes directory.
func Work(changes string) string { return filepath.Join(changes, "work") }

// Mount is a mounted stack.
type Mount struct {
	Target string
	exited chan struct{} // closed when the fuse daemon has exited; nil for overlay
	daemon *exec.Cmd
}

// MaxLayers is the deepest stack overlay accepts (the kernel's
// OVL_MAX_STACK).
const MaxLayers = 500

// Do mounts st at target with the given taste. A fuse daemon is started
// in the foreground as a child of this process (on the calling thread,
// which the caller keeps locked) and stopped by Unmount, so it never
// outlives plash.
func Do(taste string, st Stack, target string) (*Mount, error) {
	if len(st.Layers) == 0 {
		return nil, errors.New("mounting: no layers")
	}
	if st.Changes != "" {
		for _, d := range []string{Upper(st.Changes), Work(st.Changes)} {
			if taste == UnionfsFuse && d == Work(st.Changes) {
				continue
			}
			if err := os.MkdirAll(d, 0o755); err != nil {
				return nil, fmt.Errorf("preparing the changes directory: %w", err)
			}
		}
	}
	switch taste {
	case Overlay:
		if err := mountOverlay(st, target); err != nil {
			return nil, err
		}
		return &Mount{Target: target}, nil
	case FuseOverlayfs, UnionfsFuse:
		return mountFuse(taste, st, target)
	}
	return nil, fmt.Errorf("unknown union taste %q (use %q, %q or %q)", taste, Overlay, FuseOverlayfs, UnionfsFuse)
}

// Daemon reports whether a process serves the mount (fuse): it must be
// unmounted explicitly to stop. A kernel mount can instead be left to the
// end of its mount namespace.
func (m *Mount) Daemon() bool { return m.daemon != nil }

// Unmount unmounts m and everything mounted below it, and waits for its
// fuse daemon to exit.
func (m *Mount) Unmount() error {
	err := unix.Unmount(m.Target, unix.MNT_DETACH)
	if err != nil {
		err = &os.PathError{Op: "umount", Path: m.Target, Err: err}
	}
	if m.daemon != nil {
		select {
		case <-m.exited:
		case <-time.After(5 * time.Second):
			m.daemon.Process.Kill()
			<-m.exited
		}
	}
	return err
}

// safe reports whether p can go into an option string unescaped: the
// characters the original plash allowed.
func safe(p string) bool {
	if p == "" {
		return false
	}
	for _, c := range p {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '/' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func checkSafe(paths ...string) error {
	for _, p := range paths {
		if !safe(p) {
			return fmt.Errorf("refusing to put the path %q into mount options: only letters, digits and . / _ - are allowed there (use the overlay union taste, or move the data directory)", p)
		}
	}
	return nil
}

// mountFuse starts fuse-overlayfs or unionfs in the foreground and waits
// until the mount is there.
func mountFuse(taste string, st Stack, target string) (*Mount, error) {
	var cmd *exec.Cmd
	switch taste {
	case FuseOverlayfs:
		if err := checkSafe(st.Layers...); err != nil {
			return nil, err
		}
		opts := "lowerdir=" + strings.Join(st.Layers, ":")
		if st.Changes != "" {
			if err := checkSafe(Upper(st.Changes), Work(st.Changes)); err != nil {
				return nil, err
			}
			opts += ",upperdir=" + Upper(st.Changes) + ",workdir=" + Work(st.Changes)
		}
		bin, err := exec.LookPath("fuse-overlayfs")
		if err != nil {
			return nil, errors.New("mounting with fuse-overlayfs: it is not installed (apt-get install fuse-overlayfs)")
		}
		cmd = exec.Command(bin, "-f", "-o", opts, target)
	case UnionfsFuse:
		var branches []string
		if st.Changes != "" {
			branches = append(branches, Upper(st.Changes)+"=RW")
		}
		for _, l := range st.Layers {
			branches = append(branches, l+"=RO")
		}
		if err := checkSafe(st.Layers...); err != nil {
			return nil, err
		}
		if st.Changes != "" {
			if err := checkSafe(Upper(st.Changes)); err != nil {
				return nil, err
			}
		}
		bin, err := exec.LookPath("unionfs")
		if err != nil {
			if bin, err = exec.LookPath("unionfs-fuse"); err != nil {
				return nil, errors.New("mounting with unionfs-fuse: it is not installed (apt-get install unionfs-fuse)")
			}
		}
		cmd = exec.Command(bin, "-f", "-o", "cow,allow_other", strings.Join(branches, ":"), target)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if st.Persist {
		// Without -f the daemon detaches once the mount is there.
		cmd.Args = append(cmd.Args[:1], cmd.Args[2:]...)
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("mounting with %s: %w: %s", taste, err, strings.TrimSpace(stderr.String()))
		}
		return &Mount{Target: target}, nil
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	before, err := devOf(target)
	if err != nil {
		return nil, &os.PathError{Op: "stat", Path: target, Err: err}
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("mounting with %s: %w", taste, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(20 * time.Second)
	for delay := 50 * time.Microsecond; ; delay = min(delay*2, 10*time.Millisecond) {
		if d, err := devOf(target); err == nil && d != before {
			return &Mount{Target: target, daemon: cmd, exited: exited}, nil
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("mounting with %s: it exited: %s", taste, strings.TrimSpace(stderr.String()))
		case <-time.After(delay):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			return nil, fmt.Errorf("mounting with %s: no mount after 20s: %s", taste, strings.TrimSpace(stderr.String()))
		}
	}
}

func devOf(path string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, err
	}
	return st.Dev, nil
}
