package remote

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fileServer serves files from a map and counts the requests.
type fileServer struct {
	files    map[string][]byte
	requests atomic.Int32
}

func (f *fileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	b, ok := f.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

func serve(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestImportURL(t *testing.T) {
	s := newStore(t)
	archive := gzipBytes(t, makeTar(t, tarFile{name: "etc/", typ: '5'}, tarFile{name: "etc/hostname", body: "box\n"}))
	fs := &fileServer{files: map[string][]byte{"/rootfs.tar.gz": archive}}
	mux := http.NewServeMux()
	mux.Handle("/", fs)
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/rootfs.tar.gz", http.StatusFound)
	})
	srv := serve(t, mux)
	r := newRemote(s)
	ctx := context.Background()

	id, err := r.ImportURL(ctx, srv.URL+"/rootfs.tar.gz", "")
	if err != nil {
		t.Fatal(err)
	}
	root, _ := s.Root(id)
	if b, err := os.ReadFile(filepath.Join(root, "etc/hostname")); err != nil || string(b) != "box\n" {
		t.Fatalf("etc/hostname: %q, %v", b, err)
	}
	// Remembered in the map, as the original named it: the second use
	// makes no request.
	key := "url:" + strings.ReplaceAll(srv.URL, "/", "%") + "%rootfs.tar.gz"
	if got, ok, _ := s.MapGet(key); !ok || got != id {
		t.Errorf("map %s = %q, %v; want %s", key, got, ok, id)
	}
	n := fs.requests.Load()
	id2, err := r.ImportURL(ctx, srv.URL+"/rootfs.tar.gz", "")
	if err != nil || id2 != id {
		t.Errorf("second import: %s, %v; want %s", id2, err, id)
	}
	if fs.requests.Load() != n {
		t.Errorf("second import made %d requests", fs.requests.Load()-n)
	}
	// --refresh imports again.
	r.Refresh = true
	id3, err := r.ImportURL(ctx, srv.URL+"/rootfs.tar.gz", "")
	if err != nil || id3 == id {
		t.Errorf("refresh: %s, %v; want a new id", id3, err)
	}
	r.Refresh = false

	// Redirects are followed.
	id4, err := r.ImportURL(ctx, srv.URL+"/moved", "")
	if err != nil {
		t.Fatalf("redirect: %v", err)
	}
	if root, _ := s.Root(id4); listTree(t, root)[1] != "etc/hostname box\n" {
		t.Errorf("redirected import has %v", listTree(t, root))
	}

	// file: URLs.
	local := filepath.Join(t.TempDir(), "root.tar.gz")
	os.WriteFile(local, archive, 0o644)
	if _, err := r.ImportURL(ctx, "file://"+local, ""); err != nil {
		t.Errorf("file URL: %v", err)
	}
	ents, _ := os.ReadDir(filepath.Join(s.Dir, "tmp"))
	if len(ents) != 0 {
		t.Errorf("tmp not empty after imports: %v", ents)
	}
}

func TestImportURLSigned(t *testing.T) {
	key, ring := testKey(t)
	other, _ := testKey(t)
	t.Setenv(TestKeyringEnv, ring)
	archive := makeTar(t, tarFile{name: "hello", body: "hi"})
	srv := serve(t, &fileServer{files: map[string][]byte{
		"/root.tar":           archive,
		"/root.tar.asc":       sign(t, key, archive),
		"/root.tar.other.asc": sign(t, other, archive),
	}})
	s := newStore(t)
	r := newRemote(s)
	if _, err := r.ImportURL(context.Background(), srv.URL+"/root.tar", srv.URL+"/root.tar.asc"); err != nil {
		t.Fatalf("good signature: %v", err)
	}
	// A bad signature fails before anything is imported.
	s2 := newStore(t)
	_, err := newRemote(s2).ImportURL(context.Background(), srv.URL+"/root.tar", srv.URL+"/root.tar.other.asc")
	if err == nil || !strings.Contains(err.Error(), "bad signature: not made by a trusted key") {
		t.Errorf("untrusted signature: %v", err)
	}
	assertNothingLeft(t, s2)
	_, err = newRemote(s2).ImportURL(context.Background(), srv.URL+"/root.tar", srv.URL+"/missing.asc")
	if err == nil || !strings.Contains(err.Error(), "fetching signature "+srv.URL+"/missing.asc: HTTP 404 Not Found") {
		t.Errorf("missing signature: %v", err)
	}
	assertNothingLeft(t, s2)
}

func TestImportURLErrors(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/truncated", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.Write(make([]byte, 5000))
		// The handler returns: the server closes the connection short.
	})
	mux.HandleFunc("/forbidden", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	})
	mux.HandleFunc("/notatar", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>this is not an archive</html>"))
	})
	srv := serve(t, mux)
	for _, tc := range []struct{ url, want string }{
		{srv.URL + "/missing.tar", "importing " + srv.URL + "/missing.tar: HTTP 404 Not Found"},
		{srv.URL + "/forbidden", "HTTP 403 Forbidden"},
		{srv.URL + "/truncated", "truncated download: got 5000 of 100000 bytes"},
		{srv.URL + "/notatar", "importing " + srv.URL + "/notatar: "},
		{"ftp://example.invalid/x.tar", `unsupported scheme "ftp"`},
		{"example.invalid/x.tar", "no scheme"},
		{"file:///nonexistent/x.tar", "no such file or directory"},
		{"http://127.0.0.1:1/x.tar", "connection refused"},
	} {
		s := newStore(t)
		_, err := newRemote(s).ImportURL(context.Background(), tc.url, "")
		t.Log(err)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line containing %q", tc.url, err, tc.want)
		}
		assertNothingLeft(t, s)
	}
}

func TestImportURLInterrupted(t *testing.T) {
	started := make(chan struct{})
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10000000")
		w.Write(make([]byte, 100000))
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
	}))
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	_, err := newRemote(s).ImportURL(ctx, srv.URL+"/big.tar", "")
	if err == nil || !strings.HasSuffix(err.Error(), "interrupted") {
		t.Errorf("got %v, want interrupted", err)
	}
	assertNothingLeft(t, s)
}
