package remote

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/plash-go/plash/runtime/store"
)

// newStore makes an initialised data directory.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Init(filepath.Join(t.TempDir(), "data"), store.TasteOverlay)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newRemote is a quiet Remote over s.
func newRemote(s *store.Store) *Remote {
	return &Remote{Store: s, Fetch: &Fetcher{}}
}

// assertNothingLeft checks that the store holds no container but 0 and
// no temporary file.
func assertNothingLeft(t *testing.T, s *store.Store) {
	t.Helper()
	ids, err := s.IDs()
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != "0" {
		t.Errorf("containers left behind: %v", ids)
	}
	ents, _ := os.ReadDir(filepath.Join(s.Dir, "tmp"))
	for _, e := range ents {
		t.Errorf("temporary file left behind: tmp/%s", e.Name())
	}
	maps, _ := os.ReadDir(filepath.Join(s.Dir, "map"))
	for _, e := range maps {
		t.Errorf("map entry left behind: %s", e.Name())
	}
}

// tarFile is one entry of a test archive.
type tarFile struct {
	name, body string
	typ        byte // tar.TypeReg when 0
	mode       int64
}

func makeTar(t *testing.T, files ...tarFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Typeflag: f.typ, Mode: f.mode, Size: int64(len(f.body))}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeDir {
			h.Size = 0
		}
		if h.Mode == 0 {
			h.Mode = 0o644
			if h.Typeflag == tar.TypeDir {
				h.Mode = 0o755
			}
		}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.body))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBytes(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// testKey generates an OpenPGP key and returns it with the path of its
// public keyring file.
func testKey(t *testing.T) (*openpgp.Entity, string) {
	t.Helper()
	e, err := openpgp.NewEntity("plash test", "", "test@plash.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "keyring.gpg")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return e, path
}

// sign returns an armored detached signature of data, as LXC's .asc files.
func sign(t *testing.T, e *openpgp.Entity, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, e, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// listTree lists the files under root as "path mode [content]" lines.
func listTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		line := rel
		switch {
		case fi.IsDir():
			line += "/"
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			line += " -> " + l
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			line += " " + string(b)
		default:
			line += " " + fi.Mode().String()
		}
		out = append(out, line)
		return nil
	})
	sort.Strings(out)
	return out
}

func mkdir(p string) error { return os.MkdirAll(p, 0o755) }
