package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// debianCache is where the Debian root file system tarball is kept
// between runs, so that CI makes it once.
const debianCache = "/var/tmp/plash-test-cache/debian-bookworm-minbase.tar"

// TestDebianCowsayUnpriv is the end-to-end test on a real distribution:
// as the unprivileged test user, on a Debian bookworm root file system made
// with debootstrap, `plash run --from ID --apt cowsay -- cowsay moo`
// installs a package (apt-get needs the subordinate ids: _apt, chown;
// dpkg renames new directories in place, which overlay in a user namespace
// only allows with its userxattr option) and runs it; the second run is a
// cache hit that builds nothing. Both the kernel's overlay and the
// default, unionfs-fuse. It needs root (to debootstrap and to switch
// users), user namespaces, debootstrap and a Debian mirror; -short skips
// it.
func TestDebianCowsayUnpriv(t *testing.T) {
	if testing.Short() {
		t.Skip("slow (debootstrap, apt-get): skipped with -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to debootstrap and to switch to the test user")
	}
	if _, _, err := lookupTestUser(); err != nil {
		t.Skipf("needs the unprivileged test user: %v", err)
	}
	if !canUserns() {
		t.Skip("needs user namespaces")
	}
	tarball := debianTarball(t)
	for _, taste := range []string{"overlay", "unionfs-fuse"} {
		t.Run(taste, func(t *testing.T) {
			if ok, _ := condition(map[string]string{"overlay": "overlay", "unionfs-fuse": "fuse"}[taste]); !ok {
				t.Skipf("needs %s", taste)
			}
			debianCowsay(t, tarball, taste)
		})
	}
}

func debianCowsay(t *testing.T, tarball, taste string) {
	work := t.TempDir()
	os.Chmod(work, 0o755)
	os.Chmod(filepath.Dir(work), 0o755)
	user := func(args ...string) (string, string, error) {
		return runAsTestUser(t, work, args...)
	}
	if _, stderr, err := user("env", "PLASH_INIT_UNION_TASTE="+taste, "plash", "init"); err != nil {
		t.Fatalf("plash init: %v\n%s", err, stderr)
	}
	out, stderr, err := user("plash", "import-tar", tarball)
	if err != nil {
		t.Fatalf("plash import-tar: %v\n%s", err, stderr)
	}
	id := strings.TrimSpace(out)

	out, stderr, err = user("plash", "run", "--from", id, "--apt", "cowsay", "--", "/usr/games/cowsay", "moo")
	if err != nil {
		t.Fatalf("first run: %v\nstdout:\n%s\nstderr:\n%s", err, out, tail(stderr, 40))
	}
	if !strings.Contains(out, "< moo >") {
		t.Fatalf("first run: no cow saying moo:\n%s", out)
	}
	if !strings.Contains(stderr, "--:") {
		t.Errorf("first run built nothing:\n%s", tail(stderr, 20))
	}

	out, stderr, err = user("plash", "run", "--from", id, "--apt", "cowsay", "--", "/usr/games/cowsay", "moo")
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "< moo >") {
		t.Fatalf("second run: no cow saying moo:\n%s", out)
	}
	if strings.TrimSpace(stderr) != "" {
		t.Errorf("second run is not a cache hit, it printed:\n%s", stderr)
	}
}

// debianTarball returns the cached Debian tarball ($PLASH_DEBIAN_TAR, else
// debianCache), making it with debootstrap when missing.
func debianTarball(t *testing.T) string {
	if p := os.Getenv("PLASH_DEBIAN_TAR"); p != "" {
		return p
	}
	if _, err := os.Stat(debianCache); err == nil {
		return debianCache
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		t.Skip("needs debootstrap")
	}
	mirror := debianMirror()
	if err := os.MkdirAll(filepath.Dir(debianCache), 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(filepath.Dir(debianCache), "rootfs-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	t.Logf("debootstrap --variant=minbase bookworm %s %s", dir, mirror)
	cmd := exec.Command("debootstrap", "--variant=minbase", "bookworm", dir, mirror)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("debootstrap: %v\n%s", err, tail(string(out), 30))
	}
	tmp := debianCache + ".part"
	if out, err := exec.Command("tar", "-C", dir, "-cf", tmp, ".").CombinedOutput(); err != nil {
		os.Remove(tmp)
		t.Fatalf("tar: %v\n%s", err, out)
	}
	os.Chmod(tmp, 0o644)
	if err := os.Rename(tmp, debianCache); err != nil {
		t.Fatal(err)
	}
	return debianCache
}

// debianMirror is $PLASH_DEBIAN_MIRROR, else the first Debian URI of the
// host's apt sources, else deb.debian.org.
func debianMirror() string {
	if m := os.Getenv("PLASH_DEBIAN_MIRROR"); m != "" {
		return m
	}
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*")
	files = append(files, "/etc/apt/sources.list")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			switch {
			case len(fields) >= 2 && fields[0] == "URIs:" && strings.HasSuffix(strings.TrimSuffix(fields[1], "/"), "/debian"):
				return fields[1]
			case len(fields) >= 3 && fields[0] == "deb" && strings.HasSuffix(strings.TrimSuffix(fields[1], "/"), "/debian"):
				return fields[1]
			}
		}
	}
	return "http://deb.debian.org/debian"
}

// runAsTestUser runs a command as the unprivileged test user with its own
// data directory and home in work, plash and plash-exec first in PATH.
func runAsTestUser(t *testing.T, work string, args ...string) (string, string, error) {
	uid, gid, err := lookupTestUser()
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(work, "home")
	os.MkdirAll(home, 0o755)
	os.Chown(home, uid, gid)
	os.Chown(work, uid, gid)
	os.Chown(binDir, uid, gid)
	path := args[0]
	if p := filepath.Join(binDir, args[0]); !strings.Contains(args[0], "/") {
		if _, err := os.Stat(p); err == nil {
			path = p
		} else if p, err := exec.LookPath(args[0]); err == nil {
			path = p
		}
	}
	cmd := exec.Command(path, args[1:]...)
	cmd.Dir = work
	cmd.Env = []string{
		"PATH=" + binDir + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
		"HOME=" + home,
		"PLASH_DATA=" + filepath.Join(work, "data"),
		"USER=" + testUser(), "LOGNAME=" + testUser(),
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	return stdout.String(), stderr.String(), err
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
