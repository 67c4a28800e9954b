package remote

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestDownloadProgress(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 300000)
	srv := serve(t, &fileServer{files: map[string][]byte{"/rootfs.tar.xz": body}})
	var bar bytes.Buffer
	f := &Fetcher{Progress: &bar}
	var out bytes.Buffer
	n, err := f.Download(context.Background(), srv.URL+"/rootfs.tar.xz", &out)
	if err != nil || n != int64(len(body)) || !bytes.Equal(out.Bytes(), body) {
		t.Fatalf("download: %d bytes, %v", n, err)
	}
	s := bar.String()
	for _, want := range []string{"rootfs.tar.xz", "100%", "300 kB"} {
		if !strings.Contains(s, want) {
			t.Errorf("progress output %q lacks %q", s, want)
		}
	}
	// Quiet without a Progress writer: nothing else is written anywhere
	// (the Fetcher has no other output).
	if _, err := (&Fetcher{}).Download(context.Background(), srv.URL+"/rootfs.tar.xz", io.Discard); err != nil {
		t.Fatal(err)
	}
}

func TestGetLimit(t *testing.T) {
	srv := serve(t, &fileServer{files: map[string][]byte{"/big": make([]byte, 2000)}})
	if _, err := (&Fetcher{}).Get(context.Background(), srv.URL+"/big", 1000); err == nil || err.Error() != "larger than 1000 bytes" {
		t.Errorf("got %v", err)
	}
	if b, err := (&Fetcher{}).Get(context.Background(), srv.URL+"/big", 2000); err != nil || len(b) != 2000 {
		t.Errorf("got %d bytes, %v", len(b), err)
	}
}

func TestRedirectedHTTPError(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusMovedPermanently) })
	srv := serve(t, mux)
	_, err := (&Fetcher{}).Get(context.Background(), srv.URL+"/old", 10)
	if err == nil || err.Error() != "HTTP 404 Not Found (redirected to "+srv.URL+"/new)" {
		t.Errorf("got %v", err)
	}
	if !IsNotFound(err) {
		t.Error("IsNotFound is false for a 404")
	}
}
