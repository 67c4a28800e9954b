package store

import (
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkAddLayer(b *testing.B) {
	s, err := Init(filepath.Join(b.TempDir(), "data"), "")
	if err != nil {
		b.Fatal(err)
	}
	dirs := make([]string, b.N)
	for i := range dirs {
		dirs[i], _ = os.MkdirTemp(s.Dir, "in")
	}
	b.ResetTimer()
	parent := "0"
	for i := 0; i < b.N; i++ {
		if parent, err = s.AddLayer(parent, dirs[i]); err != nil {
			b.Fatal(err)
		}
		if i%50 == 49 {
			parent = "0" // keep the nesting (and paths) bounded
		}
	}
}

func BenchmarkAncestry(b *testing.B) {
	s, err := Init(filepath.Join(b.TempDir(), "data"), "")
	if err != nil {
		b.Fatal(err)
	}
	id := "0"
	for i := 0; i < 20; i++ {
		d, _ := os.MkdirTemp(s.Dir, "in")
		if id, err = s.AddLayer(id, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Ancestry(id); err != nil {
			b.Fatal(err)
		}
	}
}
