package remote

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/plash-go/plash/runtime/store"
)

// benchTree fills dir with 40 MB in 2,000 files of mixed content (half
// random, half text-like, as root file systems compress).
func benchTree(b *testing.B, dir string) int64 {
	b.Helper()
	var total int64
	buf := make([]byte, 20000)
	for i := 0; i < 2000; i++ {
		d := filepath.Join(dir, fmt.Sprintf("d%02d", i%50))
		os.MkdirAll(d, 0o755)
		if i%2 == 0 {
			rand.Read(buf)
		} else {
			for j := range buf {
				buf[j] = "plash layer text\n"[j%17]
			}
		}
		if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("f%04d", i)), buf, 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(len(buf))
	}
	return total
}

func BenchmarkWriteLayerTar(b *testing.B) {
	dir := b.TempDir()
	size := benchTree(b, dir)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := WriteLayerTar(dir, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPushPull exports a 40 MB container to the in-process registry
// and pulls it back into a fresh store.
func BenchmarkPushPull(b *testing.B) {
	s, err := store.Init(filepath.Join(b.TempDir(), "data"), store.TasteOverlay)
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "root")
	size := benchTree(b, dir)
	id, err := s.AddLayer("0", dir)
	if err != nil {
		b.Fatal(err)
	}
	reg := testRegistry(b, nil)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ref := fmt.Sprintf("%s/bench:%d", reg, i)
		if err := newRemote(s).Push(context.Background(), id, ref, ImageConfig{}); err != nil {
			b.Fatal(err)
		}
		if _, err := newRemote(s).ImportDocker(context.Background(), ref); err != nil {
			b.Fatal(err)
		}
	}
}
