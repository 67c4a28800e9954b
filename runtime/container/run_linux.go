package container

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/plash-go/plash/runtime/ns"
	"github.com/plash-go/plash/runtime/store"
	"github.com/plash-go/plash/runtime/union"
)

// Options say how to run a command in a container.
type Options struct {
	Container string   // the container id
	Changes   string   // keep the changes here; "" throws them away
	Mounts    []string // host paths mapped at the same place inside
	// Cmd is the command with its arguments, after optional leading
	// NAME=VALUE words that set variables. Empty runs root's shell from
	// the container's /etc/passwd.
	Cmd    []string
	Stdin  io.Reader // nil: os.Stdin
	Stdout io.Writer // nil: os.Stdout
	Stderr io.Writer // nil: os.Stderr
}

// RunMounts are the host paths plash run maps into the container.
func RunMounts() []string {
	m := []string{"/tmp", "/home"}
	if unix.Access("/root", unix.R_OK) == nil {
		m = append(m, "/root")
	}
	return append(m, "/etc/resolv.conf", "/sys", "/dev", "/proc")
}

// CreateMounts are the host paths mapped while a container is created
// (plash create and every build layer): those of run but /tmp.
func CreateMounts() []string {
	var m []string
	for _, p := range RunMounts() {
		if p != "/tmp" {
			m = append(m, p)
		}
	}
	return m
}

// errNeedRoot is returned when Run is called by a normal user outside the
// namespace of ns.Enter.
var errNeedRoot = errors.New("running a container needs root powers over the data directory: call ns.Enter first")

// Run runs o.Cmd in container o.Container and returns its exit status
// (128+N when signal N killed it). It must run as root or inside the
// namespace of ns.Enter. The union mount and the mapped paths live in a
// mount namespace private to one locked thread; the command is started
// from that thread, and when it is done everything is unmounted and a
// throw-away changes directory removed.
func Run(s *store.Store, o Options) (int, error) {
	if os.Geteuid() != 0 {
		return 1, errNeedRoot
	}
	var p prepared
	if err := p.prepare(s, o); err != nil {
		return 1, err
	}
	p.throwaway = p.changes == ""
	return p.run(s, o, nil)
}

// Create runs cmd in container parent and turns the changes it made into
// a new child container, whose id it returns. The command's output goes
// to stdout and stderr (plash create passes its stderr for both, since
// its stdout is the new id). A command failing is a *BuildError.
func Create(s *store.Store, parent string, cmd []string, stdout, stderr io.Writer) (string, error) {
	return CreateFrom(s, parent, cmd, nil, stdout, stderr)
}

// StartError is a command that could not be started in a container.
type StartError struct {
	Container, Cmd string
	Err            error
}

func (e *StartError) Error() string {
	if errors.Is(e.Err, fs.ErrNotExist) {
		return fmt.Sprintf("container %s has no /bin/sh to start %s", e.Container, e.Cmd)
	}
	return fmt.Sprintf("starting %s in container %s: %v", e.Cmd, e.Container, e.Err)
}

func (e *StartError) Unwrap() error { return e.Err }

// BuildError is a create command that failed: it ran and exited with
// Code, or (Err set) could not be started.
type BuildError struct {
	Code int
	Err  error
}

func (e *BuildError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return fmt.Sprintf("build failed with exit status %d", e.Code)
}

func (e *BuildError) Unwrap() error { return e.Err }

// ExitCode is plash's status for a failed build.
func (e *BuildError) ExitCode() int { return 4 }

// prepared is what Run works out before it mounts.
type prepared struct {
	taste   string
	layers  []string
	changes string
	// throwaway: the changes are not kept. They go to a tmpfs private to
	// the run's mount namespace (see memoryChanges), or with
	// PLASH_NO_UNSHARE to a temporary directory removed afterwards.
	throwaway bool
	cwd       string
	env       []string // environment of the login shell
	exports   []string // NAME=VALUE set after the login profile
	cmd       []string // "" element 0 means root's shell
}

func (p *prepared) prepare(s *store.Store, o Options) error {
	anc, err := s.Ancestry(o.Container)
	if err != nil {
		return err
	}
	if p.taste, err = s.UnionTaste(); err != nil {
		return err
	}
	p.layers = layerPaths(s, anc)
	p.changes = o.Changes
	if p.changes != "" {
		if p.changes, err = filepath.Abs(p.changes); err != nil {
			return err
		}
		if err := os.MkdirAll(p.changes, 0o755); err != nil {
			return fmt.Errorf("making the changes directory: %w", err)
		}
	}
	p.cwd, _ = os.Getwd()
	p.env, p.exports = hostEnv()
	i := 0
	for i < len(o.Cmd) && isAssignment(o.Cmd[i]) {
		i++
	}
	p.exports = append(p.exports, o.Cmd[:i]...)
	p.cmd = o.Cmd[i:]
	return nil
}

// layerPaths are the root directories of the ancestry, top-most first,
// through the short index links.
func layerPaths(s *store.Store, anc []string) []string {
	out := make([]string, len(anc))
	for i, id := range anc {
		out[i] = filepath.Join(s.Dir, "index", id, "_data", "root")
	}
	return out
}

// hostEnv is the environment the container gets: TERM, DISPLAY, HOME and
// the names listed in PLASH_EXPORT. The PLASH_EXPORT ones are set again
// after the login profile, so the profile cannot override them.
func hostEnv() (env, exports []string) {
	inEnv, exported := map[string]bool{}, map[string]bool{}
	add := func(name string, export bool) {
		v, ok := os.LookupEnv(name)
		if name == "" || !ok {
			return
		}
		if !inEnv[name] {
			inEnv[name] = true
			env = append(env, name+"="+v)
		}
		if export && !exported[name] {
			exported[name] = true
			exports = append(exports, name+"="+v)
		}
	}
	for _, n := range []string{"TERM", "DISPLAY", "HOME"} {
		add(n, false)
	}
	for _, n := range strings.Split(os.Getenv("PLASH_EXPORT"), ":") {
		add(n, true)
	}
	return env, exports
}

// isAssignment reports whether w is a NAME=VALUE word.
func isAssignment(w string) bool {
	eq := strings.IndexByte(w, '=')
	if eq <= 0 {
		return false
	}
	for i, c := range w[:eq] {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// launcher is the script the login shell runs: export the NAME=VALUE
// arguments up to "--", then exec the command, saying so when it is not
// found (127); a command that cannot be executed makes the shell exit 126.
const launcher = `while [ "$1" != -- ]; do export "$1"; shift; done; shift
case $1 in */*) [ -e "$1" ];; *) command -v "$1" >/dev/null;; esac || { echo "$1: command not found" >&2; exit 127; }
exec "$@"`

// run mounts, runs the command and unmounts, all on a locked thread with
// its own mount namespace. after, if not nil, runs once the file system
// is unmounted and the command succeeded.
func (p *prepared) run(s *store.Store, o Options, after func() error) (int, error) {
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		// The thread is never unlocked: it ends with this goroutine and
		// takes its mount namespace along.
		runtime.LockOSThread()
		code, err := p.runLocked(s, o, after)
		done <- result{code, err}
	}()
	r := <-done
	return r.code, r.err
}

func (p *prepared) runLocked(s *store.Store, o Options, after func() error) (int, error) {
	target := filepath.Join(s.Dir, "mnt")
	noUnshare := os.Getenv("PLASH_NO_UNSHARE") != "" && !ns.Inside()
	if noUnshare {
		// The failsafe mode: mount in the current namespace, no clean up.
		dir, err := os.MkdirTemp("/var/tmp", fmt.Sprintf("plash-mountpoint-%d-", os.Getpid()))
		if err != nil {
			return 1, err
		}
		target = dir
	} else {
		if err := privateNS(); err != nil {
			return 1, err
		}
	}
	volatile := false
	if p.throwaway && !noUnshare {
		dir, err := memoryChanges(s)
		if err != nil {
			return 1, err
		}
		p.changes = dir
	}
	if p.throwaway && p.changes == "" {
		dir, err := s.TempDir("run")
		if err != nil {
			return 1, err
		}
		defer s.RemoveTemp(dir)
		p.changes, volatile = dir, true
	}
	m, err := union.Do(p.taste, union.Stack{Layers: p.layers, Changes: p.changes, Dir: s.Dir, Throwaway: volatile}, target)
	if err != nil {
		return 1, fmt.Errorf("container %s: %w", o.Container, err)
	}
	// An overlay in our private namespace goes with the namespace when
	// this thread ends: an explicit unmount would only cost a second wait
	// for an RCU grace period. Fuse daemons are stopped, and create
	// unmounts before it publishes the changes.
	unmounted := noUnshare || (!m.Daemon() && after == nil)
	unmount := func() error {
		if unmounted {
			return nil
		}
		unmounted = true
		return m.Unmount()
	}
	defer unmount()
	root, err := unix.Open(target, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 1, &os.PathError{Op: "open", Path: target, Err: err}
	}
	// An open root would keep a lazily unmounted fuse file system (and so
	// its daemon) alive: close it as soon as the command is started.
	rootOpen := true
	closeRoot := func() {
		if rootOpen {
			unix.Close(root)
			rootOpen = false
		}
	}
	defer closeRoot()
	for _, hp := range o.Mounts {
		if err := bindInto(root, hp); err != nil {
			return 1, fmt.Errorf("mapping %s into the container: %w", hp, err)
		}
	}
	args := p.cmd
	if len(args) == 0 {
		args = []string{rootShell(root)}
	}
	dir := "/"
	if p.cwd != "" && isDirIn(root, p.cwd) {
		dir = p.cwd
	}
	cmd := &exec.Cmd{
		Path:   "/bin/sh",
		Args:   append(append(append([]string{"sh", "-lc", launcher, "sh"}, p.exports...), "--"), args...),
		Env:    p.env,
		Dir:    dir,
		Stdin:  o.Stdin,
		Stdout: o.Stdout,
		Stderr: o.Stderr,
		SysProcAttr: &syscall.SysProcAttr{
			Chroot: target,
		},
	}
	if cmd.Stdin == nil {
		cmd.Stdin = os.Stdin
	}
	if cmd.Stdout == nil {
		cmd.Stdout = os.Stdout
	}
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	var code int
	if files, ok := osFiles(cmd.Stdin, cmd.Stdout, cmd.Stderr); ok {
		// The common case, with no copying: fork and exec directly.
		var pid int
		caught := ns.Catch()
		pid, err = syscall.ForkExec(cmd.Path, cmd.Args, &syscall.ProcAttr{
			Dir: cmd.Dir, Env: cmd.Env, Files: files, Sys: cmd.SysProcAttr,
		})
		if err == nil {
			closeRoot()
			code, err = caught.WaitPid(pid)
		} else {
			caught.Stop()
		}
	} else if err = cmd.Start(); err == nil {
		closeRoot()
		code, err = ns.Wait(cmd)
	}
	if err != nil && code == 0 {
		if errors.Is(err, fs.ErrNotExist) {
			return 127, &StartError{Container: o.Container, Cmd: args[0], Err: err}
		}
		return 1, &StartError{Container: o.Container, Cmd: args[0], Err: err}
	}
	if err != nil {
		return code, err
	}
	if err := unmount(); err != nil {
		return code, err
	}
	if after != nil && code == 0 {
		if err := after(); err != nil {
			return 1, err
		}
	}
	return code, nil
}

// osFiles returns the descriptors of stdin, stdout and stderr when all
// three are files.
func osFiles(stdin io.Reader, stdout, stderr io.Writer) ([]uintptr, bool) {
	in, ok1 := stdin.(*os.File)
	out, ok2 := stdout.(*os.File)
	errf, ok3 := stderr.(*os.File)
	if !ok1 || !ok2 || !ok3 {
		return nil, false
	}
	return []uintptr{in.Fd(), out.Fd(), errf.Fd()}, true
}

// rootShell is root's login shell in the container's /etc/passwd, else
// /bin/sh.
func rootShell(root int) string {
	fd, err := openIn(root, "/etc/passwd", unix.O_RDONLY, 0)
	if err != nil {
		return "/bin/sh"
	}
	f := os.NewFile(uintptr(fd), "/etc/passwd")
	defer f.Close()
	if sh := shellOf(f, "0"); sh != "" {
		return sh
	}
	return "/bin/sh"
}

// openIn opens path resolved inside the directory root (symbolic links
// cannot lead out of it).
func openIn(root int, path string, flags uint64, mode uint64) (int, error) {
	rel := strings.TrimLeft(path, "/")
	if rel == "" {
		rel = "."
	}
	for {
		fd, err := unix.Openat2(root, rel, &unix.OpenHow{
			Flags:   flags | unix.O_CLOEXEC,
			Mode:    mode,
			Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
		})
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		return fd, err
	}
}

func isDirIn(root int, path string) bool {
	fd, err := openIn(root, path, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}

// bindInto maps the host path hp at the same place below root, making
// the mount point when it is missing.
func bindInto(root int, hp string) error {
	var st unix.Stat_t
	if err := unix.Stat(hp, &st); err != nil {
		return &os.PathError{Op: "stat", Path: hp, Err: err}
	}
	isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
	fd, err := openIn(root, hp, unix.O_PATH, 0)
	if err == unix.ENOENT {
		if isDir {
			err = mkdirAllIn(root, hp)
		} else {
			if err = mkdirAllIn(root, filepath.Dir(hp)); err == nil {
				fd, err = openIn(root, hp, unix.O_CREAT|unix.O_RDONLY, 0o644)
				if err == nil {
					unix.Close(fd)
				}
			}
		}
		if err != nil {
			return &os.PathError{Op: "create mount point", Path: hp, Err: err}
		}
		fd, err = openIn(root, hp, unix.O_PATH, 0)
	}
	if err != nil {
		return &os.PathError{Op: "open mount point", Path: hp, Err: err}
	}
	defer unix.Close(fd)
	tree, err := unix.OpenTree(unix.AT_FDCWD, hp, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
	if err != nil {
		return &os.PathError{Op: "open_tree", Path: hp, Err: err}
	}
	defer unix.Close(tree)
	if err := unix.MoveMount(tree, "", fd, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return &os.PathError{Op: "move_mount", Path: hp, Err: err}
	}
	return nil
}

// mkdirAllIn makes the directory path and its missing parents below root.
func mkdirAllIn(root int, path string) error {
	cur := "/"
	for _, name := range strings.Split(strings.Trim(path, "/"), "/") {
		if name == "" {
			continue
		}
		dfd, err := openIn(root, cur, unix.O_PATH|unix.O_DIRECTORY, 0)
		if err != nil {
			return err
		}
		err = unix.Mkdirat(dfd, name, 0o755)
		unix.Close(dfd)
		if err != nil && err != unix.EEXIST {
			return err
		}
		cur = filepath.Join(cur, name)
	}
	return nil
}
