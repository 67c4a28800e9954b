package tarball

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/plash-go/plash/runtime/store"
)

// benchArchive is $PLASH_BENCH_TAR (bench/import.sh caches a Debian
// minbase there) or a synthetic archive of 2000 small files.
func benchArchive(b *testing.B) []byte {
	if p := os.Getenv("PLASH_BENCH_TAR"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	var ents []entry
	for d := 0; d < 40; d++ {
		ents = append(ents, dir(fmt.Sprintf("d%d/", d)))
		for f := 0; f < 50; f++ {
			ents = append(ents, file(fmt.Sprintf("d%d/f%d", d, f), string(bytes.Repeat([]byte("x"), 100*f))))
		}
		ents = append(ents, symlink(fmt.Sprintf("d%d/link", d), "f1"))
	}
	return mkTar(b, ents...)
}

func BenchmarkExtract(b *testing.B) {
	data := benchArchive(b)
	b.SetBytes(int64(len(data)))
	base := b.TempDir()
	for i := 0; i < b.N; i++ {
		root := filepath.Join(base, fmt.Sprint(i))
		os.Mkdir(root, 0o755)
		if err := Extract(root, bytes.NewReader(data), Options{Log: io.Discard}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExport(b *testing.B) {
	data := benchArchive(b)
	s, err := store.Init(filepath.Join(b.TempDir(), "data"), "")
	if err != nil {
		b.Fatal(err)
	}
	id, err := ImportWith(s, bytes.NewReader(data), Options{Log: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Export(s, id, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
