package remote

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/compression"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	ggcrremote "github.com/google/go-containerregistry/pkg/v1/remote"
	gtarball "github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// testRegistry runs go-containerregistry's in-process registry on
// loopback; wrap may intercept requests. It returns the registry's host:port.
func testRegistry(t testing.TB, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func layer(t *testing.T, comp compression.Compression, files ...tarFile) v1.Layer {
	t.Helper()
	b := makeTar(t, files...)
	l, err := gtarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		gtarball.WithCompression(comp), gtarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	if comp == compression.ZStd {
		l, err = gtarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
			gtarball.WithCompression(comp), gtarball.WithMediaType(types.OCILayerZStd))
		if err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// testImage has a gzip layer and a zstd layer that deletes a file
// (.wh.NAME) and empties a directory (.wh..wh..opq).
func testImage(t *testing.T, marker string) v1.Image {
	t.Helper()
	l1 := layer(t, compression.GZip,
		tarFile{name: "etc/", typ: '5'},
		tarFile{name: "etc/a", body: "1"},
		tarFile{name: "etc/b", body: "2"},
		tarFile{name: "opt/", typ: '5'},
		tarFile{name: "opt/x", body: "x"},
		tarFile{name: "opt/y/", typ: '5'},
		tarFile{name: "opt/y/z", body: "z"},
		tarFile{name: "marker", body: marker},
	)
	l2 := layer(t, compression.ZStd,
		tarFile{name: "etc/.wh.a"},
		tarFile{name: "etc/c", body: "3"},
		tarFile{name: "opt/.wh..wh..opq"},
		tarFile{name: "opt/new", body: "n"},
	)
	img, err := mutate.AppendLayers(empty.Image, l1, l2)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func push(t *testing.T, ref string, img v1.Image) {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := ggcrremote.Write(r, img); err != nil {
		t.Fatal(err)
	}
}

var wantTree = []string{"etc/", "etc/b 2", "etc/c 3", "etc/resolv.conf ", "marker host", "opt/", "opt/new n"}

func TestImportDocker(t *testing.T) {
	reg := testRegistry(t, nil)
	push(t, reg+"/test/app:1", testImage(t, "host"))
	s := newStore(t)
	r := newRemote(s)
	ctx := context.Background()
	id, err := r.ImportDocker(ctx, reg+"/test/app:1")
	if err != nil {
		t.Fatal(err)
	}
	root, _ := s.Root(id)
	if got := listTree(t, root); strings.Join(got, "|") != strings.Join(wantTree, "|") {
		t.Errorf("tree:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantTree, "\n"))
	}
	key := "docker:" + reg + "%test%app:1"
	if got, ok, _ := s.MapGet(key); !ok || got != id {
		t.Errorf("map %s = %q, %v", key, got, ok)
	}
	if ents, _ := os.ReadDir(filepath.Join(s.Dir, "tmp")); len(ents) != 0 {
		t.Errorf("tmp not empty: %v", ents)
	}
}

func TestImportDockerCached(t *testing.T) {
	var requests int
	reg := testRegistry(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests++
			h.ServeHTTP(w, r)
		})
	})
	push(t, reg+"/app", testImage(t, "host"))
	s := newStore(t)
	r := newRemote(s)
	id, err := r.ImportDocker(context.Background(), reg+"/app")
	if err != nil {
		t.Fatal(err)
	}
	n := requests
	if id2, err := r.ImportDocker(context.Background(), reg+"/app"); err != nil || id2 != id || requests != n {
		t.Errorf("second pull: %s, %v, %d requests", id2, err, requests-n)
	}
}

func TestImportDockerMultiArch(t *testing.T) {
	reg := testRegistry(t, nil)
	host := HostPlatform()
	other := v1.Platform{OS: "linux", Architecture: "s390x"}
	if host.Architecture == "s390x" {
		other.Architecture = "amd64"
	}
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: testImage(t, "other"), Descriptor: v1.Descriptor{Platform: &other}},
		mutate.IndexAddendum{Add: testImage(t, "host"), Descriptor: v1.Descriptor{Platform: &host}},
	)
	ref, _ := name.ParseReference(reg+"/multi:latest", name.Insecure)
	if err := ggcrremote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	s := newStore(t)
	id, err := newRemote(s).ImportDocker(context.Background(), reg+"/multi")
	if err != nil {
		t.Fatal(err)
	}
	root, _ := s.Root(id)
	if b, _ := os.ReadFile(filepath.Join(root, "marker")); string(b) != "host" {
		t.Errorf("picked the image marked %q, want host", b)
	}
	// An index without the host's platform.
	onlyOther := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: testImage(t, "other"), Descriptor: v1.Descriptor{Platform: &other}})
	ref, _ = name.ParseReference(reg+"/foreign:latest", name.Insecure)
	if err := ggcrremote.WriteIndex(ref, onlyOther); err != nil {
		t.Fatal(err)
	}
	s2 := newStore(t)
	_, err = newRemote(s2).ImportDocker(context.Background(), reg+"/foreign")
	if err == nil || !strings.Contains(err.Error(), "no child with platform linux/"+host.Architecture) {
		t.Errorf("foreign platform: %v", err)
	}
	assertNothingLeft(t, s2)
}

func TestImportDockerErrors(t *testing.T) {
	img := testImage(t, "host")
	layers, _ := img.Layers()
	corrupt, _ := layers[1].Digest()
	reg := testRegistry(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case strings.HasPrefix(r.URL.Path, "/v2/refused/"):
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				io.WriteString(w, `{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}`)
				return
			case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+corrupt.String()):
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				b := rec.Body.Bytes()
				b[len(b)/2] ^= 0xff
				w.Header().Set("Content-Length", rec.Header().Get("Content-Length"))
				w.WriteHeader(rec.Code)
				w.Write(b)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	push(t, reg+"/app:1", img)
	for _, tc := range []struct{ ref, want string }{
		{reg + "/app:2", "pulling " + reg + "/app:2: HTTP 404: manifest_unknown: Unknown manifest"},
		{reg + "/nothere:latest", "pulling " + reg + "/nothere:latest: HTTP 404: "},
		{reg + "/refused/app:1", "pulling " + reg + "/refused/app:1: HTTP 403: denied: requested access to the resource is denied"},
		{reg + "/app:1", "pulling " + reg + "/app:1: layer " + corrupt.String() + ": error verifying sha256 checksum"},
		{"UPPER/case", `pulling UPPER/case: bad image reference "UPPER/case"`},
		{"127.0.0.1:1/app", "pulling 127.0.0.1:1/app: "},
	} {
		s := newStore(t)
		_, err := newRemote(s).ImportDocker(context.Background(), tc.ref)
		t.Log(err)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v\nwant one line starting %s", tc.ref, err, tc.want)
		}
		assertNothingLeft(t, s)
	}
}
