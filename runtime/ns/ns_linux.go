package ns

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/plash-go/plash/runtime/store"
)

// envSync names the file descriptor on which a re-executed child waits
// until its parent has written the id maps. It is removed from the
// environment as soon as it is read.
const envSync = "_PLASH_NS_SYNC"

// inside is true in a process that Start re-executed.
var inside bool

func init() {
	if earlyEntered() {
		inside = true
		if os.Getenv("PLASH_DATA") == "" {
			// Root now, but the data directory is the caller's: the
			// non-root choice of store.DefaultDir.
			if home, err := os.UserHomeDir(); err == nil {
				os.Setenv("PLASH_DATA", home+"/.plashdata")
			}
		}
		return
	}
	v, ok := os.LookupEnv(envSync)
	if !ok {
		return
	}
	os.Unsetenv(envSync)
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return
	}
	f := os.NewFile(uintptr(fd), "ns-sync")
	var b [1]byte
	n, _ := io.ReadFull(f, b[:])
	f.Close()
	if n != 1 {
		// The parent could not write the maps; it reports why.
		os.Exit(1)
	}
	inside = true
}

// Inside reports whether this process is the child that Start made: it
// runs in its own user and mount namespace as uid 0.
func Inside() bool { return inside }

// Enter makes sure the rest of the command runs with root's powers over
// the data directory. As root (which includes the inside of a namespace
// that plash made) it does nothing. As a normal user it re-executes the
// command line in a new user and mount namespace and exits with the
// child's status; it returns only on error.
func Enter() error {
	if os.Geteuid() == 0 {
		return nil
	}
	cmd, err := Start(nil)
	if err != nil {
		return err
	}
	code, err := Wait(cmd)
	if err != nil {
		return err
	}
	os.Exit(code)
	return nil
}

// Mapping is how the ids of a new user namespace map to the caller's.
type Mapping struct {
	UID, GID  int       // the caller, mapped to 0
	SubUID    []IDRange // mapped to 1, 2, ... in order
	SubGID    []IDRange
	Reason    string // why only the caller is mapped, "" if not
	newuidmap string // paths of the tools, "" if missing
	newgidmap string
}

// IDRange is one line of /etc/subuid or /etc/subgid.
type IDRange struct{ Start, Count int }

// Full reports whether the subordinate ranges are mapped (not only the
// caller).
func (m *Mapping) Full() bool { return m.Reason == "" }

// HostUID is the host uid that uid inside the namespace maps to, or -1.
func (m *Mapping) HostUID(uid int) int { return hostID(m.UID, m.SubUID, uid) }

// HostGID is the host gid that gid inside the namespace maps to, or -1.
func (m *Mapping) HostGID(gid int) int { return hostID(m.GID, m.SubGID, gid) }

func hostID(self int, ranges []IDRange, id int) int {
	if id == 0 {
		return self
	}
	next := 1
	for _, r := range ranges {
		if id < next+r.Count {
			return r.Start + id - next
		}
		next += r.Count
	}
	return -1
}

var (
	mappingOnce sync.Once
	mapping     *Mapping
)

// CallerMapping works out the mapping for the calling user: the ranges of
// /etc/subuid and /etc/subgid that name the user (or its numeric id) and
// the newuidmap/newgidmap tools. When something is missing, Reason says
// what.
func CallerMapping() *Mapping {
	mappingOnce.Do(func() {
		mapping = readMapping("/etc/subuid", "/etc/subgid")
	})
	return mapping
}

func readMapping(subuid, subgid string) *Mapping {
	m := &Mapping{UID: os.Getuid(), GID: os.Getgid()}
	name := userName(m.UID)
	m.SubUID = subRanges(subuid, name, m.UID)
	m.SubGID = subRanges(subgid, name, m.UID)
	m.newuidmap, _ = exec.LookPath("newuidmap")
	m.newgidmap, _ = exec.LookPath("newgidmap")
	switch {
	case m.newuidmap == "" || m.newgidmap == "":
		m.Reason = "newuidmap/newgidmap not found (install the uidmap package)"
	case len(m.SubUID) == 0:
		m.Reason = fmt.Sprintf("no range for %s in %s", name, subuid)
	case len(m.SubGID) == 0:
		m.Reason = fmt.Sprintf("no range for %s in %s", name, subgid)
	}
	return m
}

// userName is the name of the user uid, or uid in decimal when it has
// none. plash is linked statically, with Go's own /etc/passwd reader
// (osusergo) in place of the C library's NSS; for users from elsewhere
// (LDAP, sssd, systemd-homed) getent asks NSS.
func userName(uid int) string {
	id := strconv.Itoa(uid)
	if u, err := user.LookupId(id); err == nil {
		return u.Username
	}
	if out, err := exec.Command("getent", "passwd", id).Output(); err == nil {
		if name, _, ok := strings.Cut(string(out), ":"); ok && name != "" {
			return name
		}
	}
	return id
}

// subRanges reads the ranges of file (name:start:count lines) that belong
// to the user called name or with the numeric id uid.
func subRanges(file, name string, uid int) []IDRange {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var out []IDRange
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Split(strings.TrimSpace(sc.Text()), ":")
		if len(f) != 3 || (f[0] != name && f[0] != strconv.Itoa(uid)) {
			continue
		}
		start, err1 := strconv.Atoi(f[1])
		count, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil || start < 0 || count <= 0 {
			continue
		}
		out = append(out, IDRange{start, count})
	}
	return out
}

// mapArgs is the argument list of newuidmap/newgidmap for pid.
func mapArgs(pid, self int, ranges []IDRange) []string {
	args := []string{strconv.Itoa(pid), "0", strconv.Itoa(self), "1"}
	next := 1
	for _, r := range ranges {
		args = append(args, strconv.Itoa(next), strconv.Itoa(r.Start), strconv.Itoa(r.Count))
		next += r.Count
	}
	return args
}

var warnOnce sync.Once

// Warning is printed once per process when only the caller can be mapped.
var Warning io.Writer = os.Stderr

// Start re-executes this program with the same arguments (plus env, a
// list of NAME=VALUE) in a new user and mount namespace and returns the
// running child, already mapped. Standard input, output and error are
// shared. The caller waits for it with Wait.
func Start(env []string) (*exec.Cmd, error) {
	m := CallerMapping()
	cmd := &exec.Cmd{Path: "/proc/self/exe"}
	cmd.Args = append([]string{os.Args[0]}, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	if os.Getenv("PLASH_DATA") == "" {
		// Inside, the child is root and would pick root's directory.
		dir, err := store.DefaultDir()
		if err != nil {
			return nil, err
		}
		cmd.Env = append(cmd.Env, "PLASH_DATA="+dir)
	}
	cmd.Env = append(cmd.Env, env...)
	attr := &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS}
	cmd.SysProcAttr = attr

	if !m.Full() {
		warnOnce.Do(func() {
			fmt.Fprintf(Warning, "plash: %s: only your own uid is mapped, so changing file owners (chown, most package installs) fails\n", m.Reason)
		})
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: m.UID, Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: m.GID, Size: 1}}
		attr.GidMappingsEnableSetgroups = false
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		// The maps are written before the exec here; the child still
		// expects its go-ahead.
		w.Write([]byte{1})
		w.Close()
		cmd.ExtraFiles = []*os.File{r}
		cmd.Env = append(cmd.Env, envSync+"=3")
		err = cmd.Start()
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("creating a user namespace: %w", err)
		}
		return cmd, nil
	}

	// The child execs before its maps exist, as an unmapped user; ambient
	// capabilities keep it capable in its namespace across that exec.
	attr.AmbientCaps = boundingCaps()
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.ExtraFiles = []*os.File{r}
	cmd.Env = append(cmd.Env, envSync+"=3")
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("creating a user namespace: %w (are unprivileged user namespaces enabled? see sysctl kernel.unprivileged_userns_clone and user.max_user_namespaces)", err)
	}
	pid := cmd.Process.Pid
	errs := make(chan error, 2)
	run := func(tool string, args []string) {
		out, err := exec.Command(tool, args...).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%s %s: %v: %s", tool, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
		errs <- err
	}
	go run(m.newuidmap, mapArgs(pid, m.UID, m.SubUID))
	go run(m.newgidmap, mapArgs(pid, m.GID, m.SubGID))
	err = errors.Join(<-errs, <-errs)
	if err != nil {
		w.Close()
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("mapping ids of a new user namespace: %w", err)
	}
	w.Write([]byte{1})
	w.Close()
	return cmd, nil
}

// boundingCaps lists the capabilities of the bounding set: the ones a
// child may hold as ambient capabilities.
func boundingCaps() []uintptr {
	last := 40
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			last = n
		}
	}
	var caps []uintptr
	for c := 0; c <= last; c++ {
		if r, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0); err == nil && r == 1 {
			caps = append(caps, uintptr(c))
		}
	}
	return caps
}

// Forwarded are the signals Wait passes on to the child.
var Forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// Forward passes the signals in Forwarded on with send until the returned
// stop is called. SIGINT and SIGQUIT coming from the terminal already reach
// a child that shares our process group in the foreground; those are not
// sent a second time.
func Forward(send func(syscall.Signal)) (stop func()) {
	return Catch().Forward(send)
}

// Catcher holds the Forwarded signals that arrive before the child to pass
// them on to exists.
type Catcher struct{ sigs chan os.Signal }

// Catch starts catching the Forwarded signals, to call before starting the
// child: one arriving in between is passed on once Forward is called
// instead of ending plash. It leaves alone the ones that are ignored (a
// SIGHUP under nohup), so that the child inherits them ignored; Forward
// catches them too.
func Catch() *Catcher {
	c := &Catcher{sigs: make(chan os.Signal, 8)}
	for _, sig := range Forwarded {
		if !signal.Ignored(sig) {
			signal.Notify(c.sigs, sig)
		}
	}
	return c
}

// Stop stops catching (when no child was started).
func (c *Catcher) Stop() { signal.Stop(c.sigs) }

// Forward is the package's Forward with the signals c caught so far.
func (c *Catcher) Forward(send func(syscall.Signal)) (stop func()) {
	signal.Notify(c.sigs, Forwarded...)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-c.sigs:
				sig := s.(syscall.Signal)
				if (sig == syscall.SIGINT || sig == syscall.SIGQUIT) && terminalForeground() {
					continue
				}
				send(sig)
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(c.sigs)
		close(done)
	}
}

// Wait waits for a child started with Start or exec.Cmd.Start, passing on
// signals as Forward does, and returns its exit status: its own, or 128+N
// when signal N killed it.
func Wait(cmd *exec.Cmd) (int, error) {
	stop := Forward(func(sig syscall.Signal) { cmd.Process.Signal(sig) })
	err := cmd.Wait()
	stop()
	return ExitStatus(cmd.ProcessState, err)
}

// WaitPid is Wait for a child started with syscall.ForkExec (which, unlike
// os/exec, does not first probe for pidfd support with a test clone).
func WaitPid(pid int) (int, error) { return Catch().WaitPid(pid) }

// WaitPid is the package's WaitPid with the signals c caught so far.
func (c *Catcher) WaitPid(pid int) (int, error) {
	stop := c.Forward(func(sig syscall.Signal) { syscall.Kill(pid, sig) })
	defer stop()
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 1, os.NewSyscallError("wait4", err)
		}
		if ws.Exited() || ws.Signaled() {
			break
		}
	}
	if ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return ws.ExitStatus(), nil
}

// ExitStatus turns a finished process into plash's exit status.
func ExitStatus(ps *os.ProcessState, err error) (int, error) {
	if ps == nil {
		return 1, err
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return ps.ExitCode(), nil
}

// terminalForeground reports whether our process group is the foreground
// group of the terminal on standard input, output or error; the terminal
// then sends its signals to our children too.
func terminalForeground() bool {
	pgrp := unix.Getpgrp()
	for fd := 0; fd <= 2; fd++ {
		if fg, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP); err == nil {
			return fg == pgrp
		}
	}
	return false
}
