package tarball

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/plash-go/plash/runtime/store"
	"golang.org/x/sys/unix"
)

func newStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Init(filepath.Join(t.TempDir(), "data"), "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func assertNoLeftovers(t *testing.T, s *store.Store) {
	t.Helper()
	ents, _ := os.ReadDir(filepath.Join(s.Dir, "tmp"))
	if len(ents) != 0 {
		t.Errorf("tmp has leftovers: %v", ents)
	}
	ids, _ := s.IDs()
	if len(ids) != 1 {
		t.Errorf("containers after a failed import: %v", ids)
	}
	idx, _ := os.ReadDir(filepath.Join(s.Dir, "index"))
	if len(idx) != 1 {
		t.Errorf("index has %d entries", len(idx))
	}
}

func TestImport(t *testing.T) {
	s := newStore(t)
	data := mkTar(t, dir("etc/"), symlink("etc/resolv.conf", "../run/systemd/resolve/stub-resolv.conf"), file("etc/hostname", "box"))
	id, err := Import(s, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	root, _ := s.Root(id)
	fi, err := os.Lstat(filepath.Join(root, "etc/resolv.conf"))
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != 0 {
		t.Errorf("resolv.conf: %v %v", fi, err)
	}
	if read(t, filepath.Join(root, "etc/hostname")) != "box" {
		t.Error("content")
	}
	ents, _ := os.ReadDir(filepath.Join(s.Dir, "tmp"))
	if len(ents) != 0 {
		t.Errorf("tmp not empty: %v", ents)
	}
	// No /etc at all: one is made for resolv.conf.
	id2, err := Import(s, bytes.NewReader(mkTar(t, file("hello", "x"))))
	if err != nil {
		t.Fatal(err)
	}
	root2, _ := s.Root(id2)
	if _, err := os.Stat(filepath.Join(root2, "etc/resolv.conf")); err != nil {
		t.Error(err)
	}
}

func TestImportMalformedLeavesNothing(t *testing.T) {
	good := mkTar(t, file("a", strings.Repeat("x", 5000)), file("b", "y"))
	for name, data := range map[string][]byte{
		"empty":          nil,
		"not an archive": []byte(strings.Repeat("garbage ", 300)),
		"truncated":      good[:1024],
		"long name":      mkTar(t, file(strings.Repeat("n", 10000), "x")),
	} {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			if _, err := Import(s, bytes.NewReader(data)); err == nil {
				t.Fatal("import succeeded")
			}
			assertNoLeftovers(t, s)
		})
	}
}

// listTar lists an archive with GNU tar: "type mode owner name [-> link]".
func listTar(t *testing.T, data []byte) []string {
	t.Helper()
	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("GNU tar not installed")
	}
	cmd := exec.Command("tar", "-tvf", "-", "--numeric-owner")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("GNU tar can not read the export: %v\n%s", err, out)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		// perms owner size date time name...
		lines = append(lines, f[0]+" "+f[1]+" "+strings.Join(f[5:], " "))
	}
	return lines
}

func names(t *testing.T, data []byte) []string {
	var out []string
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, h.Name)
	}
	sort.Strings(out)
	return out
}

func TestExportMergesLayers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for overlay whiteouts (character devices 0/0)")
	}
	s := newStore(t)
	base, err := Import(s, bytes.NewReader(mkTar(t,
		dir("etc/"), file("etc/keep", "k"), file("etc/del", "d"), dir("opq/"), file("opq/old", "o"),
		dir("uf/"), file("uf/hidden", "h"), file("uf/shown", "s"), file("wh", "w"), file("over", "lower"),
		dir("dir2file/"), file("dir2file/x", "x"),
	)))
	if err != nil {
		t.Fatal(err)
	}
	// An upper layer as overlay, fuse-overlayfs and unionfs-fuse write them.
	up := filepath.Join(s.Dir, "up")
	os.MkdirAll(filepath.Join(up, "etc"), 0o755)
	if err := unix.Mknod(filepath.Join(up, "etc/del"), unix.S_IFCHR, 0); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(up, "opq"), 0o755)
	if err := unix.Setxattr(filepath.Join(up, "opq"), "trusted.overlay.opaque", []byte("y"), 0); err != nil {
		t.Skipf("trusted xattrs unsupported: %v", err)
	}
	os.WriteFile(filepath.Join(up, "opq/new"), []byte("n"), 0o644)
	os.WriteFile(filepath.Join(up, ".wh.wh"), nil, 0o644)
	os.WriteFile(filepath.Join(up, "over"), []byte("upper"), 0o644)
	os.MkdirAll(filepath.Join(up, ".unionfs-fuse/uf"), 0o755)
	os.WriteFile(filepath.Join(up, ".unionfs-fuse/uf/hidden_HIDDEN~"), nil, 0o644)
	os.WriteFile(filepath.Join(up, "dir2file"), []byte("now a file"), 0o644)
	os.WriteFile(filepath.Join(up, "linked"), []byte("L"), 0o644)
	os.Link(filepath.Join(up, "linked"), filepath.Join(up, "linked2"))
	top, err := s.AddLayer(base, up)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Export(s, top, &b); err != nil {
		t.Fatal(err)
	}
	want := []string{"./", "./dir2file", "./etc/", "./etc/keep", "./etc/resolv.conf", "./linked", "./linked2",
		"./opq/", "./opq/new", "./over", "./uf/", "./uf/shown"}
	if got := names(t, b.Bytes()); !reflect.DeepEqual(got, want) {
		t.Errorf("exported\n%v\nwant\n%v", got, want)
	}
	list := strings.Join(listTar(t, b.Bytes()), "\n")
	if !strings.Contains(list, "./linked2 link to ./linked") {
		t.Errorf("hard link not kept:\n%s", list)
	}
	// GNU tar extracts it; the content is the upper layer's.
	dst := t.TempDir()
	cmd := exec.Command("tar", "-C", dst, "-xf", "-")
	cmd.Stdin = bytes.NewReader(b.Bytes())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if read(t, filepath.Join(dst, "over")) != "upper" || read(t, filepath.Join(dst, "dir2file")) != "now a file" {
		t.Error("upper layer content not exported")
	}
}

// Import then export keeps owners, modes and links, as GNU tar sees them.
func TestRoundTrip(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to set owners")
	}
	s := newStore(t)
	in := mkTar(t,
		entry{typ: tar.TypeDir, name: "./", mode: 0o755},
		entry{typ: tar.TypeDir, name: "./etc/", mode: 0o755},
		entry{typ: tar.TypeReg, name: "./etc/resolv.conf", mode: 0o644},
		entry{typ: tar.TypeDir, name: "./home/", mode: 0o700, uid: 1000, gid: 1000},
		entry{typ: tar.TypeReg, name: "./home/f", body: "data", mode: 0o640, uid: 1000, gid: 100},
		entry{typ: tar.TypeReg, name: "./sbin/su", body: "su", mode: 0o4755},
		entry{typ: tar.TypeLink, name: "./sbin/su2", link: "./sbin/su", mode: 0o4755},
		entry{typ: tar.TypeSymlink, name: "./sym", link: "home/f", uid: 5, gid: 6, mode: 0o777},
		entry{typ: tar.TypeChar, name: "./null", mode: 0o666, major: 1},
	)
	id, err := Import(s, bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Export(s, id, &out); err != nil {
		t.Fatal(err)
	}
	got := listTar(t, out.Bytes())
	want := listTar(t, in)
	// Entries without their own header (./sbin/) are made by extraction.
	want = append(want, "drwxr-xr-x 0/0 ./sbin/")
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
