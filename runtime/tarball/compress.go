package tarball

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"os/exec"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// ErrEmpty is returned for an input with no bytes at all.
var ErrEmpty = errors.New("the archive is empty (0 bytes)")

var magics = []struct {
	name  string
	magic []byte
}{
	{"gzip", []byte{0x1f, 0x8b}},
	{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0}},
	{"bzip2", []byte("BZh")},
	{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd}},
}

// compression names the compression whose magic number head starts
// with, "" for none known.
func compression(head []byte) string {
	for _, m := range magics {
		if bytes.HasPrefix(head, m.magic) {
			return m.name
		}
	}
	return ""
}

// Decompress returns a reader of the uncompressed stream of r, detecting
// gzip, xz, bzip2 and zstd by their magic numbers; anything else is
// passed through. The name of the compression ("" for none) is returned
// for messages. Call the returned close function when done.
func Decompress(r io.Reader) (io.Reader, string, func(), error) {
	br := bufio.NewReaderSize(r, 1<<20)
	head, err := br.Peek(8)
	if len(head) == 0 {
		if err == nil || err == io.EOF {
			return nil, "", nil, ErrEmpty
		}
		return nil, "", nil, err
	}
	kind := compression(head)
	nop := func() {}
	switch kind {
	case "gzip":
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, kind, nil, fmt.Errorf("reading gzip data: %w", err)
		}
		return z, kind, func() { z.Close() }, nil
	case "xz":
		if rd, closer, ok := external(br, "xz", "-dc"); ok {
			return rd, kind, closer, nil
		}
		z, err := xz.NewReader(br)
		if err != nil {
			return nil, kind, nil, fmt.Errorf("reading xz data: %w", err)
		}
		return z, kind, nop, nil
	case "bzip2":
		return bzip2.NewReader(br), kind, nop, nil
	case "zstd":
		z, err := zstd.NewReader(br, zstd.WithDecoderMaxMemory(1<<32))
		if err != nil {
			return nil, kind, nil, fmt.Errorf("reading zstd data: %w", err)
		}
		return z, kind, z.Close, nil
	}
	return br, "", nop, nil
}

// external decompresses with a program (xz in C is several times faster
// than in Go) when it is installed.
func external(r io.Reader, prog string, args ...string) (io.Reader, func(), bool) {
	path, err := exec.LookPath(prog)
	if err != nil {
		return nil, nil, false
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = r
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, false
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, false
	}
	pr := &procReader{r: out, cmd: cmd, stderr: &stderr, prog: prog}
	return pr, func() { out.Close(); cmd.Process.Kill(); cmd.Wait() }, true
}

type procReader struct {
	r      io.Reader
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	prog   string
	done   bool
}

func (p *procReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if err == io.EOF && !p.done {
		p.done = true
		if werr := p.cmd.Wait(); werr != nil {
			return n, fmt.Errorf("reading %s data: %s", p.prog, bytes.TrimSpace(p.stderr.Bytes()))
		}
	}
	return n, err
}
