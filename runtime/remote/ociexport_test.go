package remote

import (
	"archive/tar"
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	ggcrremote "github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"golang.org/x/sys/unix"

	"github.com/plash-go/plash/runtime/store"
)

// writeFiles creates files under dir: "name" -> content, "name/" a
// directory.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(dir, n)
		if strings.HasSuffix(n, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(files[n]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// layeredContainer makes 0 -> base -> top in s, top holding overlay and
// unionfs-fuse deletion markers. It needs root for the 0/0 device and the
// trusted.overlay.opaque attribute.
func layeredContainer(t *testing.T, s *store.Store) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: makes overlay whiteouts (character device 0/0, trusted.* xattrs)")
	}
	base := filepath.Join(t.TempDir(), "base")
	writeFiles(t, base, map[string]string{
		"bin/": "", "bin/sh": "#!shell", "etc/": "", "etc/a": "1", "etc/b": "2", "etc/u": "unionfs",
		"opt/": "", "opt/x": "x", "var/": "", "var/old": "old",
	})
	os.Link(filepath.Join(base, "bin/sh"), filepath.Join(base, "bin/ash"))
	os.Symlink("sh", filepath.Join(base, "bin/link"))
	os.Chown(filepath.Join(base, "etc/b"), 1000, 1001)
	baseID, err := s.AddLayer("0", base)
	if err != nil {
		t.Fatal(err)
	}
	top := filepath.Join(t.TempDir(), "top")
	writeFiles(t, top, map[string]string{"etc/": "", "etc/c": "3", "opt/": "", "opt/new": "n",
		".unionfs-fuse/etc/u_HIDDEN~": "", "var/": ""})
	if err := unix.Mknod(filepath.Join(top, "etc/a"), unix.S_IFCHR|0o000, 0); err != nil {
		t.Fatal(err)
	}
	if err := unix.Setxattr(filepath.Join(top, "opt"), "trusted.overlay.opaque", []byte("y"), 0); err != nil {
		t.Skipf("no trusted xattrs on %s: %v", top, err)
	}
	unix.Setxattr(filepath.Join(top, "etc/c"), "user.note", []byte("kept"), 0)
	topID, err := s.AddLayer(baseID, top)
	if err != nil {
		t.Fatal(err)
	}
	return topID
}

// layerEntries lists the entries of each layer of img as "name" or
// "name -> link" (hardlinks "name => target"), with xattrs.
func layerEntries(t *testing.T, img v1.Image) [][]string {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		var names []string
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n := h.Name
			switch h.Typeflag {
			case tar.TypeSymlink:
				n += " -> " + h.Linkname
			case tar.TypeLink:
				n += " => " + h.Linkname
			}
			if h.Uid != 0 || h.Gid != 0 {
				n += " " + itoa(h.Uid) + ":" + itoa(h.Gid)
			}
			for k, v := range h.PAXRecords {
				if strings.HasPrefix(k, "SCHILY.xattr.") {
					n += " " + strings.TrimPrefix(k, "SCHILY.xattr.") + "=" + v
				}
			}
			names = append(names, n)
		}
		rc.Close()
		out = append(out, names)
	}
	return out
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(i)) }

func fmtInt(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestExportOCI(t *testing.T) {
	s := newStore(t)
	id := layeredContainer(t, s)
	dir := filepath.Join(t.TempDir(), "oci")
	r := newRemote(s)
	cfg := ImageConfig{Entrypoint: []string{"/bin/sh"}}
	if err := r.ExportOCI(context.Background(), id, dir, "v1", cfg); err != nil {
		t.Fatal(err)
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, _ := idx.IndexManifest()
	if len(m.Manifests) != 1 || m.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "v1" {
		t.Fatalf("index: %+v", m.Manifests)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Errorf("invalid image: %v", err)
	}
	got := layerEntries(t, img)
	want := [][]string{
		{"bin/", "bin/ash", "bin/link -> sh", "bin/sh => bin/ash", "etc/", "etc/a", "etc/b 1000:1001", "etc/u", "opt/", "opt/x", "var/", "var/old"},
		{"etc/", "etc/.wh.a", "etc/c user.note=kept", "opt/", "opt/.wh..wh..opq", "opt/new", "var/", "etc/.wh.u"},
	}
	if strings.Join(got[0], "|") != strings.Join(want[0], "|") || strings.Join(got[1], "|") != strings.Join(want[1], "|") || len(got) != 2 {
		t.Errorf("layers:\n%q\nwant\n%q", got, want)
	}
	cf, _ := img.ConfigFile()
	if cf.OS != "linux" || cf.Architecture != HostPlatform().Architecture || strings.Join(cf.Config.Entrypoint, " ") != "/bin/sh" || len(cf.RootFS.DiffIDs) != 2 {
		t.Errorf("config: %+v", cf)
	}
	mt, _ := img.MediaType()
	if mt != "application/vnd.oci.image.manifest.v1+json" {
		t.Errorf("media type %s", mt)
	}
	// Same container, same layers: exporting is reproducible, also after
	// the container got a child.
	child := filepath.Join(t.TempDir(), "child")
	os.Mkdir(child, 0o755)
	if _, err := s.AddLayer(id, child); err != nil {
		t.Fatal(err)
	}
	dir2 := filepath.Join(t.TempDir(), "oci2")
	if err := r.ExportOCI(context.Background(), id, dir2, "v1", cfg); err != nil {
		t.Fatal(err)
	}
	p2, _ := layout.FromPath(dir2)
	idx2, _ := p2.ImageIndex()
	m2, _ := idx2.IndexManifest()
	if m2.Manifests[0].Digest != m.Manifests[0].Digest {
		t.Errorf("second export has digest %s, first %s", m2.Manifests[0].Digest, m.Manifests[0].Digest)
	}
	// A second tag goes into the same layout; the same tag again replaces
	// its image.
	if err := r.ExportOCI(context.Background(), id, dir, "v2", cfg); err != nil {
		t.Fatal(err)
	}
	if err := r.ExportOCI(context.Background(), id, dir, "v2", ImageConfig{Entrypoint: []string{"/bin/true"}}); err != nil {
		t.Fatal(err)
	}
	m, _ = func() (*v1.IndexManifest, error) { idx, _ := p.ImageIndex(); return idx.IndexManifest() }()
	var tags []string
	for _, d := range m.Manifests {
		tags = append(tags, d.Annotations["org.opencontainers.image.ref.name"])
	}
	if strings.Join(tags, " ") != "v1 v2" {
		t.Errorf("layout has tags %q, want v1 v2", tags)
	}
	if ents, _ := os.ReadDir(filepath.Join(s.Dir, "tmp")); len(ents) != 0 {
		t.Errorf("tmp not empty: %v", ents)
	}
}

func TestExportErrors(t *testing.T) {
	s := newStore(t)
	r := newRemote(s)
	ctx := context.Background()
	if err := r.ExportOCI(ctx, "7", t.TempDir(), "latest", ImageConfig{}); err == nil || err.Error() != "no container '7'" {
		t.Errorf("missing container: %v", err)
	}
	if err := r.ExportOCI(ctx, "0", t.TempDir(), "latest", ImageConfig{}); err == nil || !strings.Contains(err.Error(), "root container 0 is empty") {
		t.Errorf("container 0: %v", err)
	}
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "something"), nil, 0o644)
	root := filepath.Join(t.TempDir(), "root")
	os.Mkdir(root, 0o755)
	id, _ := s.AddLayer("0", root)
	if err := r.ExportOCI(ctx, id, full, "latest", ImageConfig{}); err == nil || !strings.Contains(err.Error(), "not empty and not an OCI image layout") {
		t.Errorf("non-empty dir: %v", err)
	}
	// A registry that refuses the push.
	reg := testRegistry(t, nil)
	if err := r.Push(ctx, id, "127.0.0.1:1/app", ImageConfig{}); err == nil || !strings.HasPrefix(err.Error(), "pushing 127.0.0.1:1/app: ") || strings.Contains(err.Error(), "\n") {
		t.Errorf("no registry: %v", err)
	}
	if err := r.Push(ctx, id, reg+"/Bad", ImageConfig{}); err == nil || !strings.HasPrefix(err.Error(), `bad image reference "`+reg+`/Bad"`) {
		t.Errorf("bad reference: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(s.Dir, "tmp")); len(ents) != 0 {
		t.Errorf("tmp not empty: %v", ents)
	}
}

// TestPushPull pushes a layered container to a registry and pulls it back
// into another store: the merged file tree is the same.
func TestPushPull(t *testing.T) {
	s := newStore(t)
	id := layeredContainer(t, s)
	reg := testRegistry(t, nil)
	r := newRemote(s)
	if err := r.Push(context.Background(), id, reg+"/plash/app:1", ImageConfig{Entrypoint: []string{"/bin/sh"}}); err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(reg+"/plash/app:1", name.Insecure)
	img, err := ggcrremote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Errorf("pushed image invalid: %v", err)
	}
	if ls, _ := img.Layers(); len(ls) != 2 {
		t.Errorf("pushed %d layers, want 2", len(ls))
	}
	s2 := newStore(t)
	id2, err := newRemote(s2).ImportDocker(context.Background(), reg+"/plash/app:1")
	if err != nil {
		t.Fatal(err)
	}
	root, _ := s2.Root(id2)
	want := []string{"bin/", "bin/ash #!shell", "bin/link -> sh", "bin/sh #!shell", "etc/", "etc/b 2", "etc/c 3", "etc/resolv.conf ", "opt/", "opt/new n", "var/", "var/old old"}
	if got := listTree(t, root); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("pulled tree:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var a, b unix.Stat_t
	unix.Stat(filepath.Join(root, "bin/sh"), &a)
	unix.Stat(filepath.Join(root, "bin/ash"), &b)
	if a.Ino != b.Ino {
		t.Error("hardlink bin/sh = bin/ash lost")
	}
	unix.Stat(filepath.Join(root, "etc/b"), &a)
	if a.Uid != 1000 || a.Gid != 1001 {
		t.Errorf("etc/b owned by %d:%d, want 1000:1001", a.Uid, a.Gid)
	}
}
