package remote

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ulikunitz/xz"
)

const testIndex = `alpine;3.19;amd64;default;20240101_13:00;/images/alpine/3.19/amd64/default/20240101_13:00/
alpine;3.20;amd64;default;20240601_13:00;/images/alpine/3.20/amd64/default/20240601_13:00/
alpine;3.20;amd64;default;20240602_13:00;/images/alpine/3.20/amd64/default/20240602_13:00/
alpine;3.9;amd64;default;20240101_13:00;/images/alpine/3.9/amd64/default/20240101_13:00/
alpine;edge;amd64;default;20240603_13:00;/images/alpine/edge/amd64/default/20240603_13:00/
alpine;3.20;arm64;default;20240601_13:00;/images/alpine/3.20/arm64/default/20240601_13:00/
alpine;3.20;amd64;cloud;20240601_13:00;/images/alpine/3.20/amd64/cloud/20240601_13:00/
debian;bullseye;amd64;default;20240101_05:24;/images/debian/bullseye/amd64/default/20240101_05:24/
debian;bookworm;amd64;default;20240101_05:24;/images/debian/bookworm/amd64/default/20240101_05:24/
debian;trixie;amd64;default;20240101_05:24;/images/debian/trixie/amd64/default/20240101_05:24/
debian;sid;amd64;default;20240101_05:24;/images/debian/sid/amd64/default/20240101_05:24/
ubuntu;focal;amd64;default;20240101_07:42;/images/ubuntu/focal/amd64/default/20240101_07:42/
ubuntu;noble;amd64;default;20240101_07:42;/images/ubuntu/noble/amd64/default/20240101_07:42/
ubuntu;jammy;amd64;default;20240101_07:42;/images/ubuntu/jammy/amd64/default/20240101_07:42/
archlinux;current;amd64;default;20240101_04:18;/images/archlinux/current/amd64/default/20240101_04:18/
`

func TestLXCNames(t *testing.T) {
	imgs, err := ParseLXCIndex([]byte(testIndex))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"alpine":          "/images/alpine/3.20/amd64/default/20240602_13:00/", // newest release, newest build
		"alpine:3.19":     "/images/alpine/3.19/amd64/default/20240101_13:00/",
		"alpine:edge":     "/images/alpine/edge/amd64/default/20240603_13:00/",
		"debian":          "/images/debian/trixie/amd64/default/20240101_05:24/",
		"debian:bookworm": "/images/debian/bookworm/amd64/default/20240101_05:24/",
		"bookworm":        "/images/debian/bookworm/amd64/default/20240101_05:24/",
		"ubuntu":          "/images/ubuntu/noble/amd64/default/20240101_07:42/",
		"archlinux":       "/images/archlinux/current/amd64/default/20240101_04:18/",
	} {
		img, err := ResolveLXC(imgs, "amd64", name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if img.Path != want {
			t.Errorf("%s: got %s, want %s", name, img.Path, want)
		}
	}
	if img, err := ResolveLXC(imgs, "arm64", "alpine"); err != nil || img.Arch != "arm64" {
		t.Errorf("arm64 alpine: %+v, %v", img, err)
	}
	for name, want := range map[string]string{
		"fedora":       `no LXC image "fedora" for amd64; available: alpine alpine:3.19 alpine:3.20 alpine:3.9 alpine:edge archlinux archlinux:current bookworm bullseye debian debian:bookworm debian:bullseye debian:sid debian:trixie focal jammy noble trixie ubuntu ubuntu:focal ubuntu:jammy ubuntu:noble`,
		"debian:woody": `no LXC image "debian:woody": debian has no release "woody" for amd64; available: debian:bookworm debian:bullseye debian:sid debian:trixie`,
		"sid":          `no LXC image "sid" for amd64; available: `,
	} {
		_, err := ResolveLXC(imgs, "amd64", name)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: got %v, want %s", name, err, want)
		}
	}
	if _, err := ResolveLXC(imgs, "s390x", "alpine"); err == nil || err.Error() != "no LXC images for architecture s390x" {
		t.Errorf("s390x: %v", err)
	}
}

func TestParseLXCIndexErrors(t *testing.T) {
	for _, in := range []string{"", "alpine;3.20;amd64\n", "<html>not found</html>", "a;b;c;d;;/path/\n"} {
		want := "no images in it (want lines distribution;release;arch;variant;build;path)"
		if _, err := ParseLXCIndex([]byte(in)); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: got %v, want %s", in, err, want)
		}
	}
}

func TestNewestRelease(t *testing.T) {
	for _, tc := range []struct {
		dist string
		rels []string
		want string
	}{
		{"alpine", []string{"3.9", "3.19", "3.20", "edge"}, "3.20"},
		{"fedora", []string{"39", "40", "rawhide"}, "40"},
		{"debian", []string{"bullseye", "bookworm", "buster", "sid"}, "bookworm"},
		{"ubuntu", []string{"focal", "jammy", "noble", "oracular"}, "oracular"},
		{"opensuse", []string{"15.5", "15.6", "tumbleweed"}, "15.6"},
		{"voidlinux", []string{"current"}, "current"},
		{"gentoo", []string{"current", "openrc"}, "openrc"},
		{"alpine", []string{"edge"}, "edge"},
	} {
		if got := newestRelease(tc.dist, tc.rels); got != tc.want {
			t.Errorf("%s %v: got %s, want %s", tc.dist, tc.rels, got, tc.want)
		}
	}
}

// lxcServer serves an LXC image server: the index for the host's
// architecture and, for every image in it, a rootfs.tar.xz signed by key.
func lxcServer(t *testing.T, key *openpgp.Entity, rootfs []byte, asc []byte) (*fileServer, string) {
	t.Helper()
	arch := LXCArch()
	index := strings.ReplaceAll(testIndex, ";amd64;", ";"+arch+";")
	fs := &fileServer{files: map[string][]byte{
		"/meta/1.0/index-system":     []byte(index),
		"/meta/1.0/index-system.asc": sign(t, key, []byte(index)),
	}}
	imgs, _ := ParseLXCIndex([]byte(index))
	for _, img := range imgs {
		fs.files[img.Path+"rootfs.tar.xz"] = rootfs
		fs.files[img.Path+"rootfs.tar.xz.asc"] = asc
	}
	srv := serve(t, fs)
	t.Setenv("PLASH_LXC_URL", srv.URL)
	return fs, srv.URL
}

func xzBytes(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestImportLXC(t *testing.T) {
	key, ring := testKey(t)
	t.Setenv(TestKeyringEnv, ring)
	rootfs := xzBytes(t, makeTar(t, tarFile{name: "etc/", typ: '5'}, tarFile{name: "etc/os-release", body: "ID=alpine\n"}))
	fs, _ := lxcServer(t, key, rootfs, sign(t, key, rootfs))
	s := newStore(t)
	r := newRemote(s)
	id, err := r.ImportLXC(context.Background(), "alpine")
	if err != nil {
		t.Fatal(err)
	}
	root, _ := s.Root(id)
	if b, _ := os.ReadFile(filepath.Join(root, "etc/os-release")); string(b) != "ID=alpine\n" {
		t.Errorf("etc/os-release: %q", b)
	}
	if got, ok, _ := s.MapGet("lxc:alpine"); !ok || got != id {
		t.Errorf("map lxc:alpine = %q, %v", got, ok)
	}
	n := fs.requests.Load()
	if id2, err := r.ImportLXC(context.Background(), "alpine"); err != nil || id2 != id {
		t.Errorf("second import: %s, %v", id2, err)
	}
	if fs.requests.Load() != n {
		t.Error("second import made requests")
	}
	if _, err := r.ImportLXC(context.Background(), "debian:bookworm"); err != nil {
		t.Error(err)
	}
	if _, ok, _ := s.MapGet("lxc:debian:bookworm"); !ok {
		t.Error("lxc:debian:bookworm not in the map")
	}
}

func TestImportLXCErrors(t *testing.T) {
	key, ring := testKey(t)
	other, _ := testKey(t)
	rootfs := xzBytes(t, makeTar(t, tarFile{name: "a", body: "b"}))

	t.Run("wrong signature", func(t *testing.T) {
		t.Setenv(TestKeyringEnv, ring)
		lxcServer(t, key, rootfs, sign(t, other, rootfs))
		s := newStore(t)
		_, err := newRemote(s).ImportLXC(context.Background(), "alpine")
		if err == nil || !strings.Contains(err.Error(), "bad signature: not made by a trusted key") {
			t.Errorf("got %v", err)
		}
		assertNothingLeft(t, s)
	})
	t.Run("embedded key rejects test signature", func(t *testing.T) {
		t.Setenv(TestKeyringEnv, "")
		lxcServer(t, key, rootfs, sign(t, key, rootfs))
		s := newStore(t)
		_, err := newRemote(s).ImportLXC(context.Background(), "alpine")
		if err == nil || !strings.Contains(err.Error(), "bad signature") {
			t.Errorf("got %v", err)
		}
		assertNothingLeft(t, s)
	})
	t.Run("unknown name", func(t *testing.T) {
		t.Setenv(TestKeyringEnv, ring)
		lxcServer(t, key, rootfs, sign(t, key, rootfs))
		s := newStore(t)
		_, err := newRemote(s).ImportLXC(context.Background(), "alpnie")
		if err == nil || !strings.HasPrefix(err.Error(), `no LXC image "alpnie" for `+LXCArch()+"; available: alpine alpine:3.19") {
			t.Errorf("got %v", err)
		}
		assertNothingLeft(t, s)
	})
	t.Run("missing rootfs", func(t *testing.T) {
		t.Setenv(TestKeyringEnv, ring)
		fs, url := lxcServer(t, key, rootfs, sign(t, key, rootfs))
		p := "/images/alpine/3.20/" + LXCArch() + "/default/20240602_13:00/rootfs.tar.xz"
		delete(fs.files, p)
		s := newStore(t)
		_, err := newRemote(s).ImportLXC(context.Background(), "alpine")
		want := "importing alpine from " + url + p + ": HTTP 404 Not Found"
		if err == nil || err.Error() != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
		assertNothingLeft(t, s)
	})
	t.Run("index signed by another key", func(t *testing.T) {
		t.Setenv(TestKeyringEnv, ring)
		fs, url := lxcServer(t, key, rootfs, sign(t, key, rootfs))
		fs.files["/meta/1.0/index-system.asc"] = sign(t, other, fs.files["/meta/1.0/index-system"])
		s := newStore(t)
		_, err := newRemote(s).ImportLXC(context.Background(), "alpine")
		want := "reading the LXC image index " + url + "/meta/1.0/index-system: bad signature: not made by a trusted key"
		if err == nil || err.Error() != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
		assertNothingLeft(t, s)
	})
	t.Run("unsigned index", func(t *testing.T) {
		t.Setenv(TestKeyringEnv, ring)
		fs, url := lxcServer(t, key, rootfs, sign(t, key, rootfs))
		delete(fs.files, "/meta/1.0/index-system.asc")
		s := newStore(t)
		_, err := newRemote(s).ImportLXC(context.Background(), "alpine")
		want := "reading the signature of the LXC image index " + url + "/meta/1.0/index-system.asc: HTTP 404 Not Found"
		if err == nil || err.Error() != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
		assertNothingLeft(t, s)
	})
	t.Run("no index", func(t *testing.T) {
		srv := serve(t, &fileServer{})
		t.Setenv("PLASH_LXC_URL", srv.URL+"/")
		s := newStore(t)
		_, err := newRemote(s).ImportLXC(context.Background(), "alpine")
		want := "reading the LXC image index " + srv.URL + "/meta/1.0/index-system: HTTP 404 Not Found"
		if err == nil || err.Error() != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
		assertNothingLeft(t, s)
	})
}
