package container

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/plash-go/plash/runtime/ns"
	"github.com/plash-go/plash/runtime/store"
	"github.com/plash-go/plash/runtime/union"
)

// Mount mounts container id at mountpoint in the caller's mount namespace,
// writing changes to the directory changes (read-only when ""). The mount
// stays until the caller unmounts it.
func Mount(s *store.Store, id, mountpoint, changes string) error {
	if os.Geteuid() != 0 {
		return errors.New("plash mount needs root: as a normal user the mount would vanish with plash's own namespace; run it inside `plash sudo` (for example plash sudo sh -c 'plash mount ID DIR && ls DIR')")
	}
	st, err := stackOf(s, id, changes)
	if err != nil {
		return err
	}
	taste, err := s.UnionTaste()
	if err != nil {
		return err
	}
	st.Persist = true
	mp, err := filepath.Abs(mountpoint)
	if err != nil {
		return err
	}
	_, err = union.Do(taste, st, mp)
	return err
}

func stackOf(s *store.Store, id, changes string) (union.Stack, error) {
	anc, err := s.Ancestry(id)
	if err != nil {
		return union.Stack{}, err
	}
	st := union.Stack{Layers: layerPaths(s, anc), Dir: s.Dir}
	if changes != "" {
		if st.Changes, err = filepath.Abs(changes); err != nil {
			return st, err
		}
	}
	return st, nil
}

// WithMount mounts container id read-only in a private mount namespace
// and runs cmd (default: the user's shell) on the host with the mounted
// root file system as working directory. It returns cmd's exit status.
func WithMount(s *store.Store, id string, cmd []string) (int, error) {
	if os.Geteuid() != 0 {
		return 1, errNeedRoot
	}
	st, err := stackOf(s, id, "")
	if err != nil {
		return 1, err
	}
	taste, err := s.UnionTaste()
	if err != nil {
		return 1, err
	}
	if len(cmd) == 0 {
		cmd = []string{userShell()}
	}
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked, see Run
		code, err := withMountLocked(taste, st, filepath.Join(s.Dir, "mnt"), cmd)
		done <- result{code, err}
	}()
	r := <-done
	return r.code, r.err
}

func withMountLocked(taste string, st union.Stack, target string, args []string) (int, error) {
	if err := privateNS(); err != nil {
		return 1, err
	}
	m, err := union.Do(taste, st, target)
	if err != nil {
		return 1, err
	}
	defer m.Unmount()
	path, err := exec.LookPath(args[0])
	if err != nil {
		return 127, &ExitError{Code: 127, Msg: fmt.Sprintf("%s: command not found", args[0])}
	}
	cmd := exec.Command(path, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Dir = target
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return 126, &ExitError{Code: 126, Msg: fmt.Sprintf("%s: %v", args[0], err)}
	}
	return ns.Wait(cmd)
}

// privateNS gives the calling (locked) thread its own mount namespace in
// which no mount propagates back to the host.
func privateNS() error {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("making a mount namespace: %w", os.NewSyscallError("unshare", err))
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making the mounts private: %w", &os.PathError{Op: "mount", Path: "/", Err: err})
	}
	return nil
}

// memoryChanges mounts a tmpfs over the data directory's tmp/ in the
// calling thread's private mount namespace and returns a changes
// directory inside it. A throw-away run writes there: nothing reaches the
// disk, nothing is left to remove (the tmpfs ends with the namespace, also
// when plash is killed), and the many small directories overlay makes are
// not created and deleted on the data directory's file system. The size
// is the kernel's default for tmpfs, half the memory; bubblewrap's
// --tmp-overlay and systemd-nspawn --volatile=overlay do the same.
//
// In a user namespace overlay keeps its markers in user.* xattrs, which
// tmpfs has only since Linux 6.6; before, memoryChanges returns "" and the
// caller uses a directory on disk.
func memoryChanges(s *store.Store) (string, error) {
	tmp := filepath.Join(s.Dir, "tmp")
	if err := unix.Mount("tmpfs", tmp, "tmpfs", 0, "mode=0700"); err != nil {
		return "", fmt.Errorf("mounting a tmpfs for the changes: %w", &os.PathError{Op: "mount", Path: tmp, Err: err})
	}
	if union.InUserNS() {
		if err := unix.Setxattr(tmp, "user.plash", []byte{1}, 0); err == unix.ENOTSUP || err == unix.EOPNOTSUPP {
			unix.Unmount(tmp, unix.MNT_DETACH)
			return "", nil
		}
		unix.Removexattr(tmp, "user.plash")
	}
	return filepath.Join(tmp, "changes"), nil
}
