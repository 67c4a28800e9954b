package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// CheckMapKey reports whether key can name a map entry.
func CheckMapKey(key string) error {
	switch {
	case key == "":
		return errors.New("empty map name not allowed")
	case strings.Contains(key, "/"):
		return fmt.Errorf("'/' not allowed in map name (got '%s')", key)
	case key == "." || key == "..":
		return fmt.Errorf("map name may not be '%s'", key)
	}
	return nil
}

// MapGet returns the container key maps to; ok is false when the key is
// unset or its container is gone.
func (s *Store) MapGet(key string) (id string, ok bool, err error) {
	if err := CheckMapKey(key); err != nil {
		return "", false, err
	}
	p, err := filepath.EvalSymlinks(s.path("map", key))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", false, nil
		}
		return "", false, fmt.Errorf("reading map %s: %w", key, err)
	}
	id = filepath.Base(p)
	if CheckID(id) != nil {
		return "", false, fmt.Errorf("reading map %s: it points to %s, not a container", key, p)
	}
	return id, true, nil
}

// MapSet points key at container id, replacing any old value atomically.
func (s *Store) MapSet(key, id string) error {
	if err := CheckMapKey(key); err != nil {
		return err
	}
	node, err := s.NodePath(id)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(s.Dir, node)
	if err != nil {
		return err
	}
	tmp, err := s.TempDir("map")
	if err != nil {
		return err
	}
	defer s.RemoveTemp(tmp)
	link := filepath.Join(tmp, "link")
	if err := os.Symlink("../"+rel, link); err != nil {
		return fmt.Errorf("setting map %s: %w", key, err)
	}
	if err := os.Rename(link, s.path("map", key)); err != nil {
		return fmt.Errorf("setting map %s: %w", key, err)
	}
	return nil
}

// MapDelete removes key from the map; a missing key is not an error.
func (s *Store) MapDelete(key string) error {
	if err := CheckMapKey(key); err != nil {
		return err
	}
	if err := os.Remove(s.path("map", key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("deleting map %s: %w", key, err)
	}
	return nil
}

// CleanOptions chooses what Clean does.
type CleanOptions struct {
	Index     bool // remove index links whose container is gone
	CacheKeys bool // remove map entries whose container is gone
	Tmp       bool // remove temp dirs whose creator is gone, and detach
	// fuse mounts under the data directory whose daemon is gone
}

// CleanResult counts what Clean removed.
type CleanResult struct {
	UnlinkedIndexes int
	UnlinkedMaps    int
	RemovedTmpdirs  int
	UnmountedFuse   int
}

// Clean removes what crashes and removals leave behind.
func (s *Store) Clean(o CleanOptions) (CleanResult, error) {
	var r CleanResult
	var err error
	if o.Index {
		guard, gerr := flock(s.path("index"), unix.LOCK_EX)
		if gerr != nil {
			return r, fmt.Errorf("cleaning the index: %w", gerr)
		}
		r.UnlinkedIndexes, err = removeBrokenLinks(s.path("index"))
		guard.Close()
		if err != nil {
			return r, fmt.Errorf("cleaning the index: %w", err)
		}
	}
	if o.CacheKeys {
		if r.UnlinkedMaps, err = removeBrokenLinks(s.path("map")); err != nil {
			return r, fmt.Errorf("cleaning the map: %w", err)
		}
	}
	if o.Tmp {
		r.UnmountedFuse = s.cleanFuseMounts()
		if r.RemovedTmpdirs, err = s.cleanTmp(); err != nil {
			return r, fmt.Errorf("cleaning tmp: %w", err)
		}
	}
	return r, nil
}

func removeBrokenLinks(dir string) (int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ents {
		if e.Type()&fs.ModeSymlink == 0 || e.Name() == "0" && filepath.Base(dir) == "index" {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			if os.Remove(p) == nil {
				n++
			}
		}
	}
	return n, nil
}

// cleanFuseMounts detaches the fuse mounts below the data directory whose
// daemon died (the mount point answers "transport endpoint is not
// connected"), as a killed unionfs-fuse or fuse-overlayfs leaves them.
func (s *Store) cleanFuseMounts() int {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return 0
	}
	dir := s.Dir
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		dir = r
	}
	n := 0
	lines := strings.Split(string(b), "\n")
	// Deepest first, so nested mounts go before their parents.
	for i := len(lines) - 1; i >= 0; i-- {
		f := strings.Fields(lines[i])
		sep := -1
		for j, w := range f {
			if w == "-" {
				sep = j
				break
			}
		}
		if len(f) < 5 || sep < 0 || sep+1 >= len(f) || !strings.HasPrefix(f[sep+1], "fuse") {
			continue
		}
		mp := unescapeMountinfo(f[4])
		if !strings.HasPrefix(mp, dir+"/") {
			continue
		}
		var st unix.Stat_t
		if err := unix.Stat(mp, &st); err == unix.ENOTCONN {
			if unix.Unmount(mp, unix.MNT_DETACH) == nil {
				n++
			}
		}
	}
	return n
}

// cleanTmp removes the temp dirs whose lock is free. It picks them under
// an exclusive lock of tmp/ (so none is seen between its creation and its
// locking), keeps their locks, and removes them after letting tmp/ go.
func (s *Store) cleanTmp() (int, error) {
	tmp := s.path("tmp")
	guard, err := flock(tmp, unix.LOCK_EX)
	if err != nil {
		return 0, err
	}
	ents, err := os.ReadDir(tmp)
	if err != nil {
		guard.Close()
		return 0, err
	}
	type stale struct {
		path string
		lock *os.File
	}
	var found []stale
	for _, e := range ents {
		p := filepath.Join(tmp, e.Name())
		if !e.IsDir() {
			continue
		}
		f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil {
			f.Close() // in use
			continue
		}
		found = append(found, stale{p, f})
	}
	guard.Close()
	n := 0
	var firstErr error
	for _, st := range found {
		if err := RemoveTree(st.path); err != nil && firstErr == nil {
			firstErr = err
		} else if err == nil {
			n++
		}
		st.lock.Close()
	}
	return n, firstErr
}

// Shrink removes about half of the containers, the oldest (lowest id)
// leaves first, reporting on w.
func (s *Store) Shrink(w io.Writer) error {
	ids, err := s.IDs()
	if err != nil {
		return err
	}
	count := len(ids) - 1
	if count <= 0 {
		fmt.Fprintln(w, "You have no containers.")
		return nil
	}
	fmt.Fprintf(w, "You have %d containers.\n", count)
	for todo := (count + 1) / 2; todo > 0; todo-- {
		leaf, err := s.oldestLeaf()
		if err != nil {
			return err
		}
		if leaf == "" {
			fmt.Fprintln(w, "Nothing to delete.")
			break
		}
		fmt.Fprintf(w, "Deleting container id: %s\n", leaf)
		if err := s.Rm(leaf); err != nil {
			return err
		}
	}
	ids, err = s.IDs()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "You have %d containers.\n", len(ids)-1)
	return nil
}

// oldestLeaf is the lowest id with no children, "" if there is none.
func (s *Store) oldestLeaf() (string, error) {
	ids, err := s.IDs()
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if id == "0" {
			continue
		}
		p, err := s.NodePath(id)
		if err != nil {
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			continue
		}
		leaf := true
		for _, e := range ents {
			if e.IsDir() && CheckID(e.Name()) == nil {
				leaf = false
				break
			}
		}
		if leaf {
			return id, nil
		}
	}
	return "", nil
}

// Purge deletes all build data: every container, the map, the temp and
// mount directories. The data directory itself stays (it may be a mount
// point); `plash init` sets it up again.
func (s *Store) Purge() error {
	if err := os.Remove(s.path("id_counter")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("purging: %w", err)
	}
	for _, d := range []string{"index", "layer", "map", "mnt", "tmp"} {
		if err := RemoveTree(s.path(d)); err != nil {
			return fmt.Errorf("purging: %w", err)
		}
	}
	return nil
}
