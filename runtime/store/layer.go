package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Locks. Every lock is an flock(2) on a directory or file of the layout,
// so no extra files are needed and the kernel drops a lock when its holder
// dies:
//
//	id_counter  exclusive while an id is taken (append one byte, the new
//	            size is the id, as the original did)
//	index/      shared while a container is published (link, then rename);
//	            exclusive while clean removes broken links, so clean never
//	            takes the link of a publication in progress for a leftover
//	tmp/        shared while a temporary directory is made and locked;
//	            exclusive while clean picks the stale ones
//	tmp/<dir>   exclusive, held by the creator for its whole life: a temp
//	            directory whose lock can be taken is stale

func flock(path string, how int) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, &os.PathError{Op: "flock", Path: path, Err: err}
	}
	return f, nil
}

// NextID hands out a new container id. As in the original, id_counter
// grows by one byte per id and its size is the last id handed out; the
// append happens under an exclusive lock.
func (s *Store) NextID() (string, error) {
	p := s.path("id_counter")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", ErrNotInitialized
		}
		return "", fmt.Errorf("taking a container id: %w", err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		return "", fmt.Errorf("taking a container id: %w", &os.PathError{Op: "flock", Path: p, Err: err})
	}
	if _, err := f.Write([]byte("A")); err != nil {
		return "", fmt.Errorf("taking a container id: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("taking a container id: %w", err)
	}
	return strconv.FormatInt(st.Size(), 10), nil
}

var (
	tempMu    sync.Mutex
	tempLocks = map[string]*os.File{} // temp dir -> its held lock
)

// TempDir makes a new directory under tmp/ and locks it for the life of
// this process (or until RemoveTemp). `plash clean` removes the temp
// directories whose lock is free, that is whose creator is gone, so a
// temp directory is safe to abandon at any instant.
func (s *Store) TempDir(prefix string) (string, error) {
	tmp := s.path("tmp")
	guard, err := flock(tmp, unix.LOCK_SH)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", ErrNotInitialized
		}
		return "", fmt.Errorf("making a temporary directory: %w", err)
	}
	defer guard.Close()
	prefix = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, prefix)
	sid, _ := unix.Getsid(0)
	var dir string
	for i := 0; ; i++ {
		var rnd [6]byte
		rand.Read(rnd[:])
		dir = filepath.Join(tmp, fmt.Sprintf("plashtmp_%d_%d_%s%s", sid, os.Getpid(), prefix, hex.EncodeToString(rnd[:])))
		err = os.Mkdir(dir, 0o700)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || i > 100 {
			return "", fmt.Errorf("making a temporary directory: %w", err)
		}
	}
	lock, err := flock(dir, unix.LOCK_EX|unix.LOCK_NB)
	if err != nil {
		os.Remove(dir)
		return "", fmt.Errorf("making a temporary directory: %w", err)
	}
	tempMu.Lock()
	tempLocks[dir] = lock
	tempMu.Unlock()
	return dir, nil
}

// RemoveTemp removes a directory made by TempDir and drops its lock.
// It does nothing for a directory that Publish has already moved away.
func (s *Store) RemoveTemp(dir string) error {
	tempMu.Lock()
	l := tempLocks[dir]
	delete(tempLocks, dir)
	tempMu.Unlock()
	if l == nil {
		return nil
	}
	defer l.Close() // removed first, so nobody sees it unlocked
	return RemoveTree(dir)
}

// AddLayer moves dir in as the root file system of a new child of parent
// and returns the new id. dir must be on the same file system as the data
// directory. The container appears all or nothing.
func (s *Store) AddLayer(parent, dir string) (string, error) {
	if _, err := s.NodePath(parent); err != nil {
		return "", err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", fmt.Errorf("adding a layer: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("adding a layer: %s is not a directory", dir)
	}
	node, err := s.TempDir("layer")
	if err != nil {
		return "", err
	}
	defer s.RemoveTemp(node)
	if err := os.Mkdir(filepath.Join(node, "_data"), 0o755); err != nil {
		return "", fmt.Errorf("adding a layer: %w", err)
	}
	if err := os.Rename(dir, filepath.Join(node, "_data", "root")); err != nil {
		return "", fmt.Errorf("adding a layer: moving %s into the data directory: %w", dir, err)
	}
	id, err := s.Publish(parent, node)
	if err != nil {
		// Give the directory back rather than losing the caller's files.
		os.Rename(filepath.Join(node, "_data", "root"), dir)
		return "", err
	}
	return id, nil
}

// Publish turns node, a directory made by TempDir holding _data/root, into
// a new child of parent and returns its id. The index link is written
// first and the node renamed into the layer tree second, both atomic: a
// crash in between leaves a broken link and a stale temp dir, which clean
// removes.
func (s *Store) Publish(parent, node string) (string, error) {
	if _, err := os.Stat(filepath.Join(node, "_data", "root")); err != nil {
		return "", fmt.Errorf("publishing %s: %w", node, err)
	}
	if err := os.Chmod(node, 0o755); err != nil {
		return "", fmt.Errorf("publishing %s: %w", node, err)
	}
	guard, err := flock(s.path("index"), unix.LOCK_SH)
	if err != nil {
		return "", fmt.Errorf("publishing a container: %w", err)
	}
	defer guard.Close()
	parentPath, err := s.NodePath(parent)
	if err != nil {
		return "", err
	}
	id, err := s.NextID()
	if err != nil {
		return "", err
	}
	target := filepath.Join(parentPath, id)
	rel, err := filepath.Rel(s.Dir, target)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("publishing a container: %s is outside %s", target, s.Dir)
	}
	link := s.path("index", id)
	if err := os.Symlink("../"+rel, link); err != nil {
		return "", fmt.Errorf("publishing container %s: %w", id, err)
	}
	if err := os.Rename(node, target); err != nil {
		os.Remove(link)
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("publishing container %s: parent %s was removed meanwhile", id, parent)
		}
		return "", fmt.Errorf("publishing container %s: %w", id, err)
	}
	tempMu.Lock()
	if l := tempLocks[node]; l != nil {
		l.Close()
		delete(tempLocks, node)
	}
	tempMu.Unlock()
	return id, nil
}

// Rm removes container id and all its descendants. The node is first
// renamed into a temp directory, so the removal is atomic for everyone
// else; the files go afterwards.
func (s *Store) Rm(id string) error {
	if err := CheckID(id); err != nil {
		return err
	}
	if id == "0" {
		return errors.New("the root container '0' can not be removed")
	}
	node, err := s.NodePath(id)
	if err != nil {
		return err
	}
	tmp, err := s.TempDir("rm")
	if err != nil {
		return err
	}
	defer s.RemoveTemp(tmp)
	moved := filepath.Join(tmp, id)
	if err := os.Rename(node, moved); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return &NoContainerError{ID: id}
		}
		return fmt.Errorf("removing container %s: %w", id, err)
	}
	// Unlink the index entries of the removed subtree (clean would too).
	ids := []string{id}
	filepath.WalkDir(moved, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Name() == "_data" {
			return filepath.SkipDir
		}
		if p != moved && d.IsDir() && CheckID(d.Name()) == nil {
			ids = append(ids, d.Name())
		}
		return nil
	})
	for _, c := range ids {
		link := s.path("index", c)
		if _, err := os.Stat(link); errors.Is(err, fs.ErrNotExist) {
			os.Remove(link)
		}
	}
	if err := RemoveTree(moved); err != nil {
		return fmt.Errorf("removing container %s: %w (run `plash clean` later)", id, err)
	}
	return nil
}

// RemoveTree removes path and everything below it, making directories
// writable where that is what stops the removal (read-only directories
// are common in root file systems).
// It refuses to remove anything with a mount point below it (a running
// container's bind mount of /home, say).
func RemoveTree(path string) error {
	if m := mountsUnder(path); len(m) > 0 {
		return fmt.Errorf("not removing %s: %s is mounted there (unmount it first)", path, m[0])
	}
	err := os.RemoveAll(path)
	if err == nil {
		return nil
	}
	filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		} else if err != nil && d != nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(path)
}

func writeFileAtomic(s *Store, path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	os.Chmod(f.Name(), 0o664)
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// mountsUnder lists the mount points at or below path in this mount
// namespace.
func mountsUnder(path string) []string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		mp := unescapeMountinfo(f[4])
		if mp == abs || strings.HasPrefix(mp, abs+"/") {
			out = append(out, mp)
		}
	}
	return out
}

func unescapeMountinfo(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
