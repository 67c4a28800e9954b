package tarball

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/sys/unix"
)

// entry is one member of a test archive.
type entry struct {
	typ      byte
	name     string
	body     string
	link     string
	mode     int64
	uid, gid int
	xattrs   map[string]string
	major    int64
}

func mkTar(t testing.TB, ents ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	w := tar.NewWriter(&b)
	for _, e := range ents {
		h := &tar.Header{Typeflag: e.typ, Name: e.name, Linkname: e.link, Mode: e.mode,
			Uid: e.uid, Gid: e.gid, ModTime: time.Unix(1600000000, 0), Devmajor: e.major}
		if h.Mode == 0 {
			h.Mode = 0o644
			if e.typ == tar.TypeDir {
				h.Mode = 0o755
			}
		}
		if e.typ == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		for k, v := range e.xattrs {
			if h.PAXRecords == nil {
				h.PAXRecords = map[string]string{}
			}
			h.PAXRecords["SCHILY.xattr."+k] = v
		}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func file(name, body string) entry { return entry{typ: tar.TypeReg, name: name, body: body} }
func dir(name string) entry        { return entry{typ: tar.TypeDir, name: name} }
func symlink(name, to string) entry {
	return entry{typ: tar.TypeSymlink, name: name, link: to, mode: 0o777}
}
func hardlink(name, to string) entry { return entry{typ: tar.TypeLink, name: name, link: to} }

// sandbox is a directory with a root to extract into and an "outside"
// next to it that must stay untouched.
func sandbox(t *testing.T) (root, outside string) {
	base := t.TempDir()
	root = filepath.Join(base, "root")
	outside = filepath.Join(base, "outside")
	os.Mkdir(root, 0o755)
	os.Mkdir(outside, 0o755)
	os.WriteFile(filepath.Join(outside, "victim"), []byte("original"), 0o644)
	return root, outside
}

func extract(t *testing.T, root string, data []byte, opts Options) (string, error) {
	t.Helper()
	var log bytes.Buffer
	opts.Log = &log
	err := Extract(root, bytes.NewReader(data), opts)
	return log.String(), err
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func assertOutsideUntouched(t *testing.T, outside string) {
	t.Helper()
	ents, _ := os.ReadDir(outside)
	if len(ents) != 1 || read(t, filepath.Join(outside, "victim")) != "original" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("outside changed: %v victim=%q", names, read(t, filepath.Join(outside, "victim")))
	}
}

func TestExtractContainment(t *testing.T) {
	cases := []struct {
		name string
		ents []entry
		// where the payload must end up, relative to the root ("" = nowhere)
		want string
	}{
		{"dotdot", []entry{file("../outside/victim", "evil")}, "outside/victim"},
		{"deep dotdot", []entry{file("a/../../../../outside/victim", "evil")}, "outside/victim"},
		{"absolute", []entry{file("/outside/victim", "evil")}, "outside/victim"},
		{"symlink dir escape", []entry{symlink("esc", "../outside"), file("esc/victim", "evil")}, "outside/victim"},
		{"absolute symlink escape", []entry{symlink("esc", "/"), file("esc/outside/victim", "evil")}, "outside/victim"},
		{"symlink chain", []entry{symlink("a", "b/../.."), dir("b/"), symlink("b/c", "../../.."), file("a/outside/victim", "evil")}, "outside/victim"},
		{"symlink then file through it", []entry{symlink("victim", "../outside/victim"), file("victim", "evil")}, "victim"},
		{"dotdot symlink component", []entry{dir("d/"), symlink("d/up", ".."), file("d/up/up/up/outside/victim", "evil")}, "up/up/outside/victim"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, outside := sandbox(t)
			_, err := extract(t, root, mkTar(t, c.ents...), Options{})
			assertOutsideUntouched(t, outside)
			if err != nil {
				t.Logf("refused: %v", err)
				return
			}
			if got := read(t, filepath.Join(root, c.want)); got != "evil" {
				t.Errorf("payload at %s = %q", c.want, got)
			}
		})
	}
}

func TestExtractHardlinkOutside(t *testing.T) {
	root, outside := sandbox(t)
	// A hard link must never reach a file outside the root, whatever the
	// name says; writing through it later must not change the victim.
	ents := []entry{
		hardlink("l1", "../outside/victim"),
		symlink("esc", "../outside"),
		hardlink("l2", "esc/victim"),
		hardlink("l3", "/outside/victim"),
		file("l1", "evil"), file("l2", "evil"), file("l3", "evil"),
	}
	for _, e := range ents {
		extract(t, root, mkTar(t, e), Options{})
	}
	assertOutsideUntouched(t, outside)
	var st unix.Stat_t
	unix.Stat(filepath.Join(outside, "victim"), &st)
	if st.Nlink != 1 {
		t.Errorf("victim has %d links", st.Nlink)
	}
}

func TestExtractMetadata(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to set owners")
	}
	root, _ := sandbox(t)
	data := mkTar(t,
		entry{typ: tar.TypeDir, name: "ro/", mode: 0o555, uid: 12, gid: 34},
		entry{typ: tar.TypeReg, name: "ro/suid", body: "x", mode: 0o4755, uid: 56, gid: 78},
		entry{typ: tar.TypeReg, name: "attr", body: "y", xattrs: map[string]string{"user.plash": "v"}},
		hardlink("ro/link", "ro/suid"),
		entry{typ: tar.TypeSymlink, name: "sym", link: "ro/suid", uid: 9, gid: 9},
		entry{typ: tar.TypeFifo, name: "fifo", mode: 0o600},
	)
	if _, err := extract(t, root, data, Options{}); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	unix.Lstat(filepath.Join(root, "ro"), &st)
	if st.Mode&0o7777 != 0o555 || st.Uid != 12 || st.Gid != 34 {
		t.Errorf("ro: mode %o owner %d:%d", st.Mode&0o7777, st.Uid, st.Gid)
	}
	if st.Mtim.Sec != 1600000000 {
		t.Errorf("ro: mtime %d", st.Mtim.Sec)
	}
	unix.Lstat(filepath.Join(root, "ro/suid"), &st)
	if st.Mode&0o7777 != 0o4755 || st.Uid != 56 || st.Gid != 78 || st.Nlink != 2 {
		t.Errorf("suid: mode %o owner %d:%d nlink %d", st.Mode&0o7777, st.Uid, st.Gid, st.Nlink)
	}
	unix.Lstat(filepath.Join(root, "sym"), &st)
	if st.Uid != 9 {
		t.Errorf("symlink owner %d", st.Uid)
	}
	unix.Lstat(filepath.Join(root, "fifo"), &st)
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		t.Errorf("fifo: mode %o", st.Mode)
	}
	var buf [16]byte
	if n, err := unix.Getxattr(filepath.Join(root, "attr"), "user.plash", buf[:]); err == nil {
		if string(buf[:n]) != "v" {
			t.Errorf("xattr = %q", buf[:n])
		}
	} else {
		t.Logf("xattrs not supported here: %v", err)
	}
}

// Unprivileged, device nodes are skipped with one summary line.
func TestExtractDevicesUnprivileged(t *testing.T) {
	if os.Getenv("PLASH_TEST_UNPRIV_CHILD") == "" {
		if os.Geteuid() == 0 {
			// Run this test again as nobody in a child process.
			self, _ := os.Executable()
			dir := t.TempDir()
			os.Chmod(dir, 0o777)
			os.Chmod(filepath.Dir(dir), 0o755)
			exe := filepath.Join(dir, "tarball.test")
			if b, err := os.ReadFile(self); err != nil || os.WriteFile(exe, b, 0o755) != nil {
				t.Fatal("copying the test binary")
			}
			cmd := exec.Command(exe, "-test.run", "^TestExtractDevicesUnprivileged$", "-test.v")
			cmd.Env = append(os.Environ(), "PLASH_TEST_UNPRIV_CHILD="+dir)
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !strings.Contains(string(out), "--- PASS") {
				t.Fatalf("child did not pass:\n%s", out)
			}
			return
		}
	}
	if os.Geteuid() == 0 {
		t.Skip("as root the devices can be made")
	}
	base := os.Getenv("PLASH_TEST_UNPRIV_CHILD")
	if base == "" {
		base = t.TempDir()
	}
	root := filepath.Join(base, "root")
	os.Mkdir(root, 0o755)
	var ents []entry
	for _, n := range []string{"null", "zero", "tty", "console", "full"} {
		ents = append(ents, entry{typ: tar.TypeChar, name: "dev/" + n, major: 1})
	}
	ents = append(ents, entry{typ: tar.TypeDir, name: "ro/", mode: 0o555}, file("ro/f", "x"), file("etc/passwd", "root"))
	log, err := extract(t, root, mkTar(t, ents...), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(log, "\n") != 1 || !strings.Contains(log, "skipped 5 device nodes") {
		t.Errorf("log = %q", log)
	}
	if read(t, filepath.Join(root, "ro/f")) != "x" {
		t.Error("file in read-only dir missing")
	}
	os.Chmod(filepath.Join(root, "ro"), 0o755)
}

func TestExtractReplaces(t *testing.T) {
	root, _ := sandbox(t)
	data := mkTar(t,
		file("a", "1"), file("a", "2"),
		dir("d/"), file("d/x", "x"),
		symlink("s", "a"), file("s", "3"),
		file("e", "file"), dir("e/"), file("e/y", "y"),
	)
	if _, err := extract(t, root, data, Options{}); err != nil {
		t.Fatal(err)
	}
	if read(t, filepath.Join(root, "a")) != "2" || read(t, filepath.Join(root, "s")) != "3" || read(t, filepath.Join(root, "e/y")) != "y" {
		t.Error("later entries must replace earlier ones")
	}
	if fi, _ := os.Lstat(filepath.Join(root, "s")); fi.Mode()&os.ModeSymlink != 0 {
		t.Error("s still a symlink")
	}
}

func TestExtractWhiteouts(t *testing.T) {
	root, _ := sandbox(t)
	layer1 := mkTar(t, dir("keep/"), file("keep/a", "a"), file("gone", "g"), dir("opq/"), file("opq/old", "o"), dir("gonedir/"), file("gonedir/f", "f"))
	layer2 := mkTar(t, file(".wh.gone", ""), file(".wh.gonedir", ""), dir("opq/"), file("opq/new", "n"), file("opq/.wh..wh..opq", ""), file("keep/.wh.nothing", ""))
	for _, l := range [][]byte{layer1, layer2} {
		if _, err := extract(t, root, l, Options{Whiteouts: true}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"gone", "gonedir", "opq/old", ".wh.gone", "opq/.wh..wh..opq"} {
		if _, err := os.Lstat(filepath.Join(root, p)); err == nil {
			t.Errorf("%s still there", p)
		}
	}
	for _, p := range []string{"keep/a", "opq/new"} {
		if _, err := os.Lstat(filepath.Join(root, p)); err != nil {
			t.Errorf("%s missing", p)
		}
	}
}

func compressWith(t *testing.T, kind string, data []byte) []byte {
	var b bytes.Buffer
	switch kind {
	case "gzip":
		w := gzip.NewWriter(&b)
		w.Write(data)
		w.Close()
	case "zstd":
		w, _ := zstd.NewWriter(&b)
		w.Write(data)
		w.Close()
	default: // xz, bzip2 with the command line tools
		if _, err := exec.LookPath(kind); err != nil {
			t.Skipf("%s not installed", kind)
		}
		cmd := exec.Command(kind, "-c")
		cmd.Stdin = bytes.NewReader(data)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	return b.Bytes()
}

func TestExtractCompressed(t *testing.T) {
	data := mkTar(t, dir("etc/"), file("etc/hello", "world"))
	for _, kind := range []string{"plain", "gzip", "xz", "bzip2", "zstd"} {
		t.Run(kind, func(t *testing.T) {
			in := data
			if kind != "plain" {
				in = compressWith(t, kind, data)
			}
			root, _ := sandbox(t)
			if _, err := extract(t, root, in, Options{}); err != nil {
				t.Fatal(err)
			}
			if read(t, filepath.Join(root, "etc/hello")) != "world" {
				t.Error("content")
			}
		})
	}
}

func TestExtractMalformed(t *testing.T) {
	good := mkTar(t, file("a", strings.Repeat("x", 5000)), file("b", "y"))
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":          {nil, "empty"},
		"not an archive": {[]byte("hello, this is not a tar archive at all\n" + strings.Repeat("z", 2000)), "not a tar archive"},
		"truncated":      {good[:1024], "truncated"},
		"truncated gzip": {compressWith(t, "gzip", good)[:100], "truncated"},
		"long name":      {mkTar(t, file(strings.Repeat("n", 10000), "x")), "file name too long"},
		"long path":      {mkTar(t, file(strings.Repeat("d/", 5000)+"f", "x")), "file name too long"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			root, _ := sandbox(t)
			_, err := extract(t, root, c.data, Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if len(err.Error()) > 400 {
				t.Errorf("message too long (%d bytes): %.200s", len(err.Error()), err)
			}
		})
	}
}

func FuzzExtract(f *testing.F) {
	f.Add(mkTar(f, file("a", "b"), symlink("s", "../.."), file("s/x", "y"), hardlink("h", "a")))
	f.Fuzz(func(t *testing.T, data []byte) {
		root, outside := sandbox(t)
		extract(t, root, data, Options{Whiteouts: true})
		assertOutsideUntouched(t, outside)
	})
}

// The containment tests again with the walk that replaces openat2 on
// kernels before 5.6.
func TestExtractContainmentWalk(t *testing.T) {
	useWalk.Store(true)
	defer useWalk.Store(false)
	TestExtractContainment(t)
	TestExtractHardlinkOutside(t)
	TestExtractReplaces(t)
	TestExtractWhiteouts(t)
}

func TestWalkInRootMatchesOpenat2(t *testing.T) {
	root, _ := sandbox(t)
	data := mkTar(t, dir("a/"), dir("a/b/"), file("a/b/f", "x"), symlink("abs", "/a/b"), symlink("rel", "a/../a/b"),
		symlink("up", "../../.."), symlink("loop", "loop"), file("plain", "p"))
	if _, err := extract(t, root, data, Options{}); err != nil {
		t.Fatal(err)
	}
	rfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(rfd)
	ident := func(fd int, err error) string {
		if err != nil {
			return "error " + err.Error()
		}
		defer unix.Close(fd)
		var st unix.Stat_t
		unix.Fstat(fd, &st)
		return fmt.Sprint(st.Ino)
	}
	for _, p := range []string{"a/b/f", "abs/f", "rel/f", "up/a/b/f", "up", "up/..", "loop", "plain/x", "abs/../../../a", "missing/x"} {
		for _, flags := range []uint64{unix.O_PATH, unix.O_PATH | unix.O_NOFOLLOW} {
			want := ident(unix.Openat2(rfd, p, &unix.OpenHow{Flags: flags | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT}))
			got := ident(walkInRoot(rfd, p, int(flags)))
			if got != want {
				t.Errorf("%s (flags %#x): walk %s, openat2 %s", p, flags, got, want)
			}
		}
	}
}

// Archives in regular files are mapped; plain ones are written straight
// from the map. The results must be those of reading a stream.
func TestExtractFromFile(t *testing.T) {
	big := strings.Repeat("0123456789", 300000) // past jobMax
	data := mkTar(t, dir("d/"), file("d/small", "hello"), file("d/big", big), file("empty", ""),
		hardlink("d/hl", "d/small"), symlink("s", "d/small"), file("../../escape", "contained"))
	for _, kind := range []string{"plain", "gzip"} {
		t.Run(kind, func(t *testing.T) {
			in := data
			if kind != "plain" {
				in = compressWith(t, kind, data)
			}
			// A few bytes before the archive: extraction starts at the
			// file's offset, as with a redirected stdin read partly.
			p := filepath.Join(t.TempDir(), "a.tar")
			os.WriteFile(p, append([]byte("skip"), in...), 0o644)
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			f.Seek(4, 0)
			root, outside := sandbox(t)
			if err := Extract(root, f, Options{}); err != nil {
				t.Fatal(err)
			}
			assertOutsideUntouched(t, outside)
			if read(t, filepath.Join(root, "d/small")) != "hello" || read(t, filepath.Join(root, "d/big")) != big ||
				read(t, filepath.Join(root, "escape")) != "contained" || read(t, filepath.Join(root, "s")) != "hello" {
				t.Error("contents differ")
			}
		})
	}
	// Truncated inside a file's contents.
	p := filepath.Join(t.TempDir(), "t.tar")
	os.WriteFile(p, data[:len(data)/2], 0o644)
	f, _ := os.Open(p)
	defer f.Close()
	root, _ := sandbox(t)
	if err := Extract(root, f, Options{}); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated file: %v", err)
	}
}
