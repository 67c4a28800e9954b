package union

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// pageLimit is the size of the option string mount(2) copies, including
// its terminating zero byte.
const pageLimit = 4096

// forceLegacy makes mountOverlay use mount(2) (for tests).
var forceLegacy = false

func mountOverlay(st Stack, target string) error {
	if len(st.Layers) > MaxLayers {
		return fmt.Errorf("mounting %d layers: overlay stacks at most %d layers; squash the container (plash build it anew from fewer layers)", len(st.Layers), MaxLayers)
	}
	if !forceLegacy {
		err := mountOverlayFS(st, target)
		if !errors.Is(err, errNoNewAPI) {
			return err
		}
	}
	return mountOverlayLegacy(st, target)
}

var errNoNewAPI = errors.New("the kernel lacks fsopen or lowerdir+")

// mountOverlayFS uses the new mount API: each layer is its own fsconfig
// value, so no escaping and no length limit apply.
func mountOverlayFS(st Stack, target string) error {
	fd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		if err == unix.ENOSYS {
			return errNoNewAPI
		}
		return fmt.Errorf("mounting overlay: %w", &os.PathError{Op: "fsopen", Path: "overlay", Err: err})
	}
	defer unix.Close(fd)
	for i, l := range st.Layers {
		if err := unix.FsconfigSetString(fd, "lowerdir+", l); err != nil {
			if i == 0 && err == unix.EINVAL && !strings.Contains(fsMessages(fd), "lowerdir") {
				return errNoNewAPI // a kernel before 6.8 does not know "lowerdir+"
			}
			return fsError(fd, "lowerdir+", l, err)
		}
	}
	if InUserNS() {
		// overlay's own metadata (whiteout and opaque markers, which
		// removing or replacing a directory of a lower layer needs) in
		// user.overlay.* xattrs: the trusted.* ones it uses by default
		// need privileges over the host. Every kernel with lowerdir+ knows
		// userxattr.
		if err := unix.FsconfigSetFlag(fd, "userxattr"); err != nil {
			return fsError(fd, "userxattr", "", err)
		}
	}
	if st.Changes != "" {
		if err := unix.FsconfigSetString(fd, "upperdir", Upper(st.Changes)); err != nil {
			return fsError(fd, "upperdir", Upper(st.Changes), err)
		}
		if err := unix.FsconfigSetString(fd, "workdir", Work(st.Changes)); err != nil {
			return fsError(fd, "workdir", Work(st.Changes), err)
		}
		if st.Throwaway {
			// Every kernel with lowerdir+ knows volatile; should one not,
			// the mount is only slower to go.
			if unix.FsconfigSetFlag(fd, "volatile") != nil {
				fsMessages(fd)
			}
		}
	}
	if err := unix.FsconfigCreate(fd); err != nil {
		return fsError(fd, "create", target, err)
	}
	mfd, err := unix.Fsmount(fd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return fsError(fd, "fsmount", target, err)
	}
	defer unix.Close(mfd)
	if err := unix.MoveMount(mfd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("mounting overlay: %w", &os.PathError{Op: "move_mount", Path: target, Err: err})
	}
	return nil
}

// fsMessages reads what the kernel logged on an fs context.
func fsMessages(fd int) string {
	var msgs []string
	buf := make([]byte, 1024)
	for {
		n, err := unix.Read(fd, buf)
		if err != nil || n <= 0 {
			break
		}
		msgs = append(msgs, strings.TrimPrefix(strings.TrimSpace(string(buf[:n])), "e "))
	}
	return strings.Join(msgs, "; ")
}

func fsError(fd int, op, path string, err error) error {
	e := fmt.Errorf("mounting overlay: %w", &os.PathError{Op: "fsconfig " + op, Path: path, Err: err})
	if m := fsMessages(fd); m != "" {
		e = fmt.Errorf("%w (kernel: %s)", e, m)
	}
	return e
}

// LegacyOptions is the option string for mount(2): layer paths relative
// to st.Dir where they lie below it (the caller mounts with st.Dir as
// working directory), all checked to need no escaping, and refused
// before they exceed the page the kernel accepts.
func LegacyOptions(st Stack) (string, error) {
	rel := func(p string) string {
		if st.Dir != "" && strings.HasPrefix(p, st.Dir+"/") {
			return p[len(st.Dir)+1:]
		}
		return p
	}
	var b strings.Builder
	b.WriteString("lowerdir=")
	for i, l := range st.Layers {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(rel(l))
	}
	paths := append([]string(nil), st.Layers...)
	if st.Changes != "" {
		b.WriteString(",upperdir=" + rel(Upper(st.Changes)) + ",workdir=" + rel(Work(st.Changes)))
		paths = append(paths, Upper(st.Changes), Work(st.Changes))
	}
	for _, p := range paths {
		if err := checkSafe(rel(p)); err != nil {
			return "", err
		}
	}
	if InUserNS() {
		// See mountOverlayFS. Overlay mounts in a user namespace came
		// with Linux 5.11, and userxattr with them.
		b.WriteString(",userxattr")
	}
	if b.Len() >= pageLimit {
		return "", fmt.Errorf("mounting %d layers: the overlay options take %d bytes, more than the %d that mount(2) accepts, and this kernel lacks the new mount API (Linux 6.8 or later mounts any depth); build the container from fewer layers", len(st.Layers), b.Len(), pageLimit-1)
	}
	return b.String(), nil
}

// mountOverlayLegacy mounts with mount(2). The working directory must be
// st.Dir (the caller's locked thread chdirs there) for relative paths.
func mountOverlayLegacy(st Stack, target string) error {
	opts, err := LegacyOptions(st)
	if err != nil {
		return err
	}
	if st.Dir != "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		if err := unix.Chdir(st.Dir); err != nil {
			return &os.PathError{Op: "chdir", Path: st.Dir, Err: err}
		}
		defer unix.Chdir(wd)
	}
	// volatile came with Linux 5.10: an older kernel refuses it.
	if st.Throwaway && st.Changes != "" && len(opts)+len(",volatile") < pageLimit {
		if err := unix.Mount("overlay", target, "overlay", 0, opts+",volatile"); err != unix.EINVAL {
			if err != nil {
				return fmt.Errorf("mounting overlay: %w", &os.PathError{Op: "mount", Path: target, Err: err})
			}
			return nil
		}
	}
	if err := unix.Mount("overlay", target, "overlay", 0, opts); err != nil {
		return fmt.Errorf("mounting overlay: %w", &os.PathError{Op: "mount", Path: target, Err: err})
	}
	return nil
}

var (
	userNSOnce sync.Once
	userNS     bool
)

// InUserNS reports whether this process runs in a user namespace other
// than the initial one (whose uid_map maps all 2^32-1 ids onto
// themselves).
func InUserNS() bool {
	userNSOnce.Do(func() {
		b, err := os.ReadFile("/proc/self/uid_map")
		if err != nil {
			return
		}
		f := strings.Fields(string(b))
		userNS = !(len(f) == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295")
	})
	return userNS
}
