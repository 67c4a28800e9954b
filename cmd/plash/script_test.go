package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The script tests run the real plash and plash-exec binaries, built once
// by TestMain, over testdata/script/*.txtar. Conditions a script can use:
//
//	[root]     the tests run as root
//	[userns]   user namespaces can be created
//	[overlay]  the kernel has overlayfs
//	[fuse]     /dev/fuse is usable and fuse-overlayfs or unionfs is installed
//	[busybox]  a busybox root filesystem tarball is at $BUSYBOX_TAR
//	[cgo]      plash has its C parts (the fast path of plash run)
//	[short]    go test runs with -short (heavy scripts skip themselves)
//	[unpriv]   the unprivileged test user (PLASH_TEST_USER, default
//	           plashtest) exists with subordinate id ranges; run commands
//	           as that user with "asuser CMD ARGS..."
//
// Each script gets its own data directory in $PLASH_DATA (and
// $PLASH_USER_DATA for the unprivileged user).

var (
	binDir     string // holds the built plash and plash-exec
	busyboxTar string // busybox root filesystem tarball, "" if unavailable
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "plash-script-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	os.Chmod(tmp, 0o755)
	binDir = filepath.Join(tmp, "bin")
	// As make builds them (scripts/build): the slim, static plash and
	// plash-exec and the full build of plash as plash-remote, which the
	// slim one runs for the remote image commands (cli/delegate_slim.go).
	cmd := exec.Command("../../scripts/build", binDir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "scripts/build:", err)
		return 1
	}
	if p, err := MakeBusyboxTar(filepath.Join(tmp, "busybox.tar")); err == nil {
		busyboxTar = p
	} else {
		fmt.Fprintln(os.Stderr, "no busybox fixture:", err)
	}
	return m.Run()
}

// testUser is the unprivileged user scripts run "asuser".
func testUser() string {
	if u := os.Getenv("PLASH_TEST_USER"); u != "" {
		return u
	}
	return "plashtest"
}

func TestScripts(t *testing.T) {
	root := t.TempDir()
	os.Chmod(root, 0o755)
	os.Chmod(filepath.Dir(root), 0o755) // for the unprivileged user (asuser)
	testscript.Run(t, ScriptParams("testdata/script", root))
}

// ScriptParams returns the testscript parameters shared by every script
// directory of the project (also used by the spec corpus driver).
func ScriptParams(dir, workRoot string) testscript.Params {
	return testscript.Params{
		Dir:         dir,
		WorkdirRoot: workRoot,
		Setup: func(env *testscript.Env) error {
			os.Chmod(env.WorkDir, 0o777)
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("PLASH_DATA", filepath.Join(env.WorkDir, "data"))
			env.Setenv("PLASH_USER_DATA", filepath.Join(env.WorkDir, "userdata"))
			env.Setenv("HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("BUSYBOX_TAR", busyboxTar)
			env.Setenv("PLASH_TEST_USER", testUser())
			return os.MkdirAll(filepath.Join(env.WorkDir, "home"), 0o777)
		},
		Condition:           condition,
		Cmds:                scriptCmds(),
		RequireExplicitExec: true,
	}
}

// scriptCmds are the commands scripts can use besides testscript's own;
// each area's file may contribute a map (remoteCmds: remote_script_test.go).
func scriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	cmds := map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"asuser": cmdAsUser,
	}
	for _, m := range []map[string]func(ts *testscript.TestScript, neg bool, args []string){remoteCmds, fastrunCmds} {
		for name, f := range m {
			cmds[name] = f
		}
	}
	return cmds
}

func condition(cond string) (bool, error) {
	switch cond {
	case "root":
		return os.Geteuid() == 0, nil
	case "userns":
		return canUserns(), nil
	case "overlay":
		b, _ := os.ReadFile("/proc/filesystems")
		return bytes.Contains(b, []byte("\toverlay\n")), nil
	case "fuse":
		f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
		if err != nil {
			return false, nil
		}
		f.Close()
		_, e1 := exec.LookPath("fuse-overlayfs")
		_, e2 := exec.LookPath("unionfs")
		return e1 == nil || e2 == nil, nil
	case "busybox":
		return busyboxTar != "", nil
	case "cgo":
		// plash was built with its C parts (scripts/build).
		out, err := exec.Command("go", "env", "CGO_ENABLED").Output()
		return err == nil && strings.TrimSpace(string(out)) == "1", nil
	case "short":
		return testing.Short(), nil // go test -short: skip the heavy scripts
	case "unpriv":
		_, _, err := lookupTestUser()
		return err == nil && os.Geteuid() == 0, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

func canUserns() bool {
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER}
	return cmd.Run() == nil
}

func lookupTestUser() (uid, gid int, err error) {
	u, err := user.Lookup(testUser())
	if err != nil {
		return 0, 0, err
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	b, _ := os.ReadFile("/etc/subuid")
	if !bytes.Contains(b, []byte(u.Username+":")) {
		return 0, 0, fmt.Errorf("%s has no /etc/subuid range", u.Username)
	}
	return uid, gid, nil
}

// cmdAsUser runs a command as the unprivileged test user, with
// PLASH_DATA=$PLASH_USER_DATA and HOME in the work directory.
func cmdAsUser(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: asuser CMD [ARGS...]")
	}
	cmd := userCommand(ts, args)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	ts.Logf("asuser %s", strings.Join(args, " "))
	fmt.Fprint(ts.Stdout(), stdout.String())
	fmt.Fprint(ts.Stderr(), stderr.String())
	if err != nil && !neg {
		ts.Fatalf("asuser %s: %v", args[0], err)
	}
	if err == nil && neg {
		ts.Fatalf("asuser %s: unexpected success", args[0])
	}
}

// userCommand is the command asuser runs for args.
func userCommand(ts *testscript.TestScript, args []string) *exec.Cmd {
	uid, gid, err := lookupTestUser()
	ts.Check(err)
	path, err := exec.LookPath(args[0])
	if strings.Contains(args[0], "/") || err != nil {
		path = ts.MkAbs(args[0])
	}
	if p := filepath.Join(binDir, args[0]); !strings.Contains(args[0], "/") {
		if _, err := os.Stat(p); err == nil {
			path = p // plash and plash-exec are in the script's PATH only
		}
	}
	for _, dir := range []string{binDir, ts.Getenv("HOME")} {
		os.Chown(dir, uid, gid)
	}
	cmd := exec.Command(path, args[1:]...)
	cmd.Dir = ts.MkAbs(".") // the script's current directory
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PLASH_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env,
		"PATH="+ts.Getenv("PATH"),
		"HOME="+filepath.Join(ts.Getenv("WORK"), "userhome"),
		"PLASH_DATA="+ts.Getenv("PLASH_USER_DATA"),
		"BUSYBOX_TAR="+ts.Getenv("BUSYBOX_TAR"),
		"USER="+testUser(), "LOGNAME="+testUser())
	os.MkdirAll(filepath.Join(ts.Getenv("WORK"), "userhome"), 0o755)
	os.Chown(filepath.Join(ts.Getenv("WORK"), "userhome"), uid, gid)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	return cmd
}

// MakeBusyboxTar writes a busybox root filesystem tarball: the static
// busybox of the busybox-static package, a link per applet, /etc/passwd and
// /etc/group, and the directories a container needs.
func MakeBusyboxTar(path string) (string, error) {
	bb, err := exec.LookPath("busybox")
	if err != nil {
		bb = "/bin/busybox"
	}
	out, err := exec.Command(bb, "--list-full").Output()
	if err != nil {
		return "", fmt.Errorf("busybox --list-full: %w (install busybox-static)", err)
	}
	data, err := os.ReadFile(bb)
	if err != nil {
		return "", err
	}
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	w := tar.NewWriter(f)
	dir := func(name string, mode int64) {
		w.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode})
	}
	file := func(name string, mode int64, body []byte) {
		w.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(body))})
		w.Write(body)
	}
	for _, d := range []string{"bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "root", "home", "proc", "sys", "dev", "var", "var/tmp", "run"} {
		dir(d, 0o755)
	}
	dir("tmp", 0o1777)
	file("bin/busybox", 0o755, data)
	for _, applet := range strings.Fields(string(out)) {
		if applet == "bin/busybox" || strings.Count(applet, "/") == 0 {
			continue
		}
		rel, _ := filepath.Rel(filepath.Dir(applet), "bin/busybox")
		w.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: applet, Linkname: rel, Mode: 0o777})
	}
	file("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"))
	file("etc/group", 0o644, []byte("root:x:0:\nnogroup:x:65534:\n"))
	file("etc/profile", 0o644, []byte("export PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"))
	file("etc/resolv.conf", 0o644, nil)
	if err := w.Close(); err != nil {
		return "", err
	}
	return path, f.Close()
}
