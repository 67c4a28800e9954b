package build

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/plash-go/plash/runtime/container"
	"github.com/plash-go/plash/runtime/store"
)

// Options say how Build reports.
type Options struct {
	// Stderr gets the build output: the announcement of each layer, the
	// shell's trace and the commands' output, and "--:" after each built
	// layer. nil means os.Stderr.
	Stderr io.Writer
	// Color colours the trace prompt and the announcements (for a
	// terminal).
	Color bool
}

// LayerError is a layer whose shell failed.
type LayerError struct {
	Source Source // the call that produced the failing command
	Cmd    string // the failing command as the shell traced it ("" unknown)
	Code   int    // the shell's exit status
}

func (e *LayerError) Error() string {
	var b strings.Builder
	if e.Source.Pos != "" {
		b.WriteString(e.Source.Pos + ": ")
	}
	if e.Source.Call != "" {
		b.WriteString(e.Source.Call + ": ")
	}
	if e.Cmd != "" {
		fmt.Fprintf(&b, "layer failed: %s exited with status %d", e.Cmd, e.Code)
	} else {
		fmt.Fprintf(&b, "layer failed with exit status %d", e.Code)
	}
	return b.String()
}

// Cached returns the container the plan builds when every layer is in the
// cache, and ok false otherwise. It only reads links: no namespace, no
// mount, no lock.
func Cached(s *store.Store, p *Plan) (id string, ok bool, err error) {
	if _, err := s.NodePath(p.Image); err != nil {
		return "", false, err
	}
	cur := p.Image
	for _, l := range p.Layers {
		id, ok, err := lookup(s, Key(cur, l.Text))
		if err != nil || !ok {
			return "", false, err
		}
		cur = id
	}
	return cur, true, nil
}

// lookup is s.MapGet for cache keys, in two system calls: the link's
// target names the container (map links point at node paths,
// layer/0/.../ID), and a stat through it says that it still exists.
// Anything unusual is left to MapGet.
func lookup(s *store.Store, key string) (string, bool, error) {
	link := filepath.Join(s.Dir, "map", key)
	target, err := os.Readlink(link)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err == nil {
		id := filepath.Base(target)
		if store.CheckID(id) == nil {
			var st unix.Stat_t
			switch err := unix.Stat(link, &st); {
			case err == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR:
				return id, true, nil
			case err == unix.ENOENT:
				return "", false, nil
			}
		}
	}
	return s.MapGet(key)
}

// Build builds the plan's missing layers and returns the final container
// (also set as p.ID). It must run as root or inside ns.Enter's namespace
// when a layer is missing.
func Build(s *store.Store, p *Plan, o Options) (string, error) {
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	p.Resolve()
	if _, err := s.NodePath(p.Image); err != nil {
		return "", err
	}
	cur := p.Image
	for i := range p.Layers {
		key := Key(cur, p.Layers[i].Text)
		id, ok, err := s.MapGet(key)
		if err != nil {
			return "", err
		}
		if !ok {
			if id, err = buildLayer(s, p, i, cur, key, o); err != nil {
				return "", err
			}
		}
		cur = id
	}
	p.ID = cur
	return cur, nil
}

func colored(on bool, s string) string {
	if !on {
		return s
	}
	return "\x1b[38;05;4m" + s + "\x1b[0;0m"
}

// buildLayer builds layer i of p on parent under the lock of its key,
// unless a concurrent build made it meanwhile.
func buildLayer(s *store.Store, p *Plan, i int, parent, key string, o Options) (string, error) {
	unlock, err := lockKey(s, key)
	if err != nil {
		return "", err
	}
	defer unlock()
	if id, ok, err := s.MapGet(key); err != nil || ok {
		return id, err
	}
	l := &p.Layers[i]
	p.announce(o, i)
	ps4 := colored(o.Color, "--> ")
	t := &tracer{w: o.Stderr}
	script := strings.NewReader(prelude(ps4) + l.Text)
	id, err := container.CreateFrom(s, parent, []string{"/bin/sh", "-l"}, script, t, t)
	if err != nil {
		var be *container.BuildError
		if errors.As(err, &be) && be.Err == nil {
			line, cmd := t.failed(ps4, l.Text)
			le := &LayerError{Cmd: cmd, Code: be.Code}
			if line >= 0 && line < len(l.Lines) && l.Lines[line] >= 0 {
				le.Source = p.Sources[l.Lines[line]]
			}
			return "", le
		}
		return "", fmt.Errorf("building layer %d of %d: %w", i+1, len(p.Layers), err)
	}
	if err := s.MapSet(key, id); err != nil {
		return "", fmt.Errorf("caching layer %d as container %s: %w", i+1, id, err)
	}
	fmt.Fprintln(o.Stderr, colored(o.Color, "--:"))
	return id, nil
}

// announce says which layer is built and the calls it comes from.
func (p *Plan) announce(o Options, i int) {
	var b strings.Builder
	fmt.Fprintf(&b, "==> layer %d/%d", i+1, len(p.Layers))
	seen := map[int]bool{}
	n := 0
	for _, si := range p.Layers[i].Lines {
		if si < 0 || seen[si] {
			continue
		}
		seen[si] = true
		src := p.Sources[si]
		if n == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("\n    ")
		}
		n++
		b.WriteString(strings.TrimSpace(src.Pos + " " + src.Call))
	}
	fmt.Fprintln(o.Stderr, colored(o.Color, b.String()))
}

// lockKey takes the build lock of a cache key: an flock on the directory
// tmp/buildlock_KEY, made when missing and removed by its holder when
// done. A waiter that wakes up holding the lock of a directory that was
// removed meanwhile (by the holder, or by plash clean, which takes stale
// temp dirs) starts over, so exactly one build holds the lock of a key.
// The kernel drops the lock of a build that dies.
func lockKey(s *store.Store, key string) (func(), error) {
	dir := filepath.Join(s.Dir, "tmp", "buildlock_"+key)
	for {
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("locking layer %s: %w", key, err)
		}
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err == unix.ENOENT {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("locking layer %s: %w", key, &os.PathError{Op: "open", Path: dir, Err: err})
		}
		for {
			err = unix.Flock(fd, unix.LOCK_EX)
			if err != unix.EINTR {
				break
			}
		}
		if err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("locking layer %s: %w", key, &os.PathError{Op: "flock", Path: dir, Err: err})
		}
		var held, now unix.Stat_t
		if unix.Fstat(fd, &held) == nil && unix.Lstat(dir, &now) == nil && held.Ino == now.Ino && held.Dev == now.Dev {
			return func() {
				os.Remove(dir)
				unix.Close(fd)
			}, nil
		}
		unix.Close(fd)
	}
}
