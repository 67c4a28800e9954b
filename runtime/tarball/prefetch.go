package tarball

import "io"

// prefetcher reads its source ahead in a goroutine, so that reading (and
// decompressing) the archive overlaps with writing the files.
type prefetcher struct {
	full chan chunk
	free chan []byte
	done chan struct{}
	cur  chunk
}

type chunk struct {
	b   []byte
	buf []byte // the whole buffer, to give back
	err error
}

const (
	prefetchSize  = 1 << 20
	prefetchDepth = 8
)

func newPrefetcher(r io.Reader) *prefetcher {
	p := &prefetcher{
		full: make(chan chunk, prefetchDepth),
		free: make(chan []byte, prefetchDepth),
		done: make(chan struct{}),
	}
	for i := 0; i < prefetchDepth; i++ {
		p.free <- make([]byte, prefetchSize)
	}
	go func() {
		for {
			var buf []byte
			select {
			case buf = <-p.free:
			case <-p.done:
				return
			}
			n, err := io.ReadAtLeast(r, buf, 1)
			if err == nil && n < len(buf) {
				// Fill more when it comes cheaply (plain files do).
				m, err2 := io.ReadFull(r, buf[n:])
				n += m
				if err2 != nil && err2 != io.ErrUnexpectedEOF {
					err = err2
				} else if err2 == io.ErrUnexpectedEOF {
					err = io.EOF
				}
			}
			c := chunk{b: buf[:n], buf: buf, err: err}
			select {
			case p.full <- c:
			case <-p.done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return p
}

func (p *prefetcher) Read(b []byte) (int, error) {
	for len(p.cur.b) == 0 {
		if p.cur.err != nil {
			return 0, p.cur.err
		}
		if p.cur.buf != nil {
			p.free <- p.cur.buf
		}
		p.cur = <-p.full
	}
	n := copy(b, p.cur.b)
	p.cur.b = p.cur.b[n:]
	return n, nil
}

// stop ends the reading goroutine.
func (p *prefetcher) stop() { close(p.done) }
