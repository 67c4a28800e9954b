//go:build cgo && linux

package container

import (
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// The C fast path runs the same login-shell script as the Go path.
func TestFastRunLauncher(t *testing.T) {
	if got := fastRunLauncher(); got != launcher {
		t.Errorf("fastrun_linux.c's launcher differs from run_linux.go's:\nC:  %q\nGo: %q", got, launcher)
	}
}

// The C fast path cleans paths as filepath.Clean does.
func TestFastRunClean(t *testing.T) {
	cases := []string{"/", "//", "/a", "/a/", "/a//b", "/a/./b/", "/a/../b", "/../a", "/a/b/../../..",
		"/.", "/..", "/a/.", "/a/..", "/a/b/c/../d/./e//", "/.a/..b/...", "/a/.../b"}
	r := rand.New(rand.NewPCG(1, 2))
	parts := []string{"a", "bc", ".", "..", "", "...", ".x"}
	for i := 0; i < 2000; i++ {
		p := ""
		for n := r.IntN(7); n >= 0; n-- {
			p += "/" + parts[r.IntN(len(parts))]
		}
		cases = append(cases, p)
	}
	for _, p := range cases {
		got, ok := fastRunClean(p)
		if want := filepath.Clean(p); !ok || got != want {
			t.Errorf("clean %q = %q, %v; filepath.Clean: %q", p, got, ok, want)
		}
	}
	if _, ok := fastRunClean("rel/a"); ok {
		t.Error("a relative path was cleaned")
	}
}
