package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Store is a plash data directory.
type Store struct {
	Dir string // absolute path of the data directory
}

// Union tastes: the union file system a data directory is set up for.
const (
	TasteUnionfsFuse   = "unionfs-fuse"
	TasteOverlay       = "overlay"
	TasteFuseOverlayfs = "fuse-overlayfs"
)

func knownTaste(t string) bool {
	return t == TasteUnionfsFuse || t == TasteOverlay || t == TasteFuseOverlayfs
}

// ErrNotInitialized is returned by Open when the data directory was not
// set up with `plash init`.
var ErrNotInitialized = errors.New("first run `plash init`")

// NoContainerError reports a container id that is not in the store. The
// command line turns it into exit status 3.
type NoContainerError struct{ ID string }

func (e *NoContainerError) Error() string { return fmt.Sprintf("no container '%s'", e.ID) }

// ExitCode is the exit status plash uses for a missing container.
func (e *NoContainerError) ExitCode() int { return 3 }

// BadIDError reports a container id that is not an integer.
type BadIDError struct{ ID string }

func (e *BadIDError) Error() string {
	return fmt.Sprintf("container id must be integer, got '%s'", e.ID)
}

// CheckID reports whether id is a well formed container id: a non-empty
// string of decimal digits. A number too large to have been handed out is
// well formed but names no container.
func CheckID(id string) error {
	if id == "" {
		return &BadIDError{ID: id}
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return &BadIDError{ID: id}
		}
	}
	if len(id) > 19 {
		return &NoContainerError{ID: id}
	}
	return nil
}

// DefaultDir is the data directory plash uses: $PLASH_DATA, else
// /var/lib/plash for root, else ~/.plashdata.
func DefaultDir() (string, error) {
	if d := os.Getenv("PLASH_DATA"); d != "" {
		return filepath.Abs(d)
	}
	if os.Geteuid() == 0 {
		return "/var/lib/plash", nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the data directory: %w (set PLASH_DATA)", err)
	}
	return filepath.Join(home, ".plashdata"), nil
}

// Open opens the default data directory, failing with ErrNotInitialized
// when `plash init` was not run.
func Open() (*Store, error) {
	dir, err := DefaultDir()
	if err != nil {
		return nil, err
	}
	return OpenDir(dir)
}

// OpenDir opens the data directory dir.
func OpenDir(dir string) (*Store, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	s := &Store{Dir: dir}
	if _, err := os.Lstat(s.path("index", "0")); err != nil {
		return nil, ErrNotInitialized
	}
	return s, nil
}

// Init creates (or completes) the data directory dir and returns it. taste
// is written to config/union_taste unless that file exists already; an
// empty taste means $PLASH_INIT_UNION_TASTE, else unionfs-fuse.
func Init(dir, taste string) (*Store, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if taste == "" {
		taste = os.Getenv("PLASH_INIT_UNION_TASTE")
	}
	if taste == "" {
		taste = TasteUnionfsFuse
	}
	if !knownTaste(taste) {
		return nil, fmt.Errorf("initializing %s: unknown union taste %q (use %q, %q or %q)", dir, taste, TasteUnionfsFuse, TasteOverlay, TasteFuseOverlayfs)
	}
	s := &Store{Dir: dir}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("initializing %s: %w", dir, err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("initializing %s: %w", dir, err)
	}
	for _, d := range []string{"index", "map", "tmp", "mnt", "config", "layer", "layer/0", "layer/0/_data", "layer/0/_data/root"} {
		if err := os.Mkdir(s.path(d), 0o775); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("initializing %s: %w", dir, err)
		}
	}
	f, err := os.OpenFile(s.path("id_counter"), os.O_CREATE|os.O_WRONLY, 0o664)
	if err != nil {
		return nil, fmt.Errorf("initializing %s: %w", dir, err)
	}
	f.Close()
	if _, err := os.Lstat(s.path("config", "union_taste")); errors.Is(err, fs.ErrNotExist) {
		if err := writeFileAtomic(s, s.path("config", "union_taste"), []byte(taste+"\n")); err != nil {
			return nil, fmt.Errorf("initializing %s: %w", dir, err)
		}
	}
	if err := os.Symlink("../layer/0", s.path("index", "0")); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("initializing %s: %w", dir, err)
	}
	return s, nil
}

func (s *Store) path(elem ...string) string {
	return filepath.Join(append([]string{s.Dir}, elem...)...)
}

// UnionTaste is the union file system this data directory uses, from
// config/union_taste (unionfs-fuse when the file is missing).
func (s *Store) UnionTaste() (string, error) {
	b, err := os.ReadFile(s.path("config", "union_taste"))
	if errors.Is(err, fs.ErrNotExist) {
		return TasteUnionfsFuse, nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the union taste: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if !knownTaste(t) {
		return "", fmt.Errorf("%s: unknown union taste %q (write %q, %q or %q there)", s.path("config", "union_taste"), t, TasteUnionfsFuse, TasteOverlay, TasteFuseOverlayfs)
	}
	return t, nil
}

// NodePath is the directory of container id in the layer tree,
// layer/0/<ancestors>/<id>. The root container "0" is allowed.
func (s *Store) NodePath(id string) (string, error) {
	if err := CheckID(id); err != nil {
		return "", err
	}
	link := s.path("index", id)
	target, err := os.Readlink(link)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, err := os.Lstat(s.path("index", "0")); err != nil {
				return "", ErrNotInitialized
			}
			return "", &NoContainerError{ID: id}
		}
		return "", fmt.Errorf("reading the index of %s: %w", id, err)
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(s.path("index"), target)
	}
	target = filepath.Clean(target)
	if _, err := os.Stat(target); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", &NoContainerError{ID: id}
		}
		return "", fmt.Errorf("looking up container %s: %w", id, err)
	}
	return target, nil
}

// Root is the root file system directory of container id's own layer.
func (s *Store) Root(id string) (string, error) {
	p, err := s.NodePath(id)
	if err != nil {
		return "", err
	}
	return filepath.Join(p, "_data", "root"), nil
}

// Ancestry is id followed by its parent, grandparent, ... down to "0".
func (s *Store) Ancestry(id string) ([]string, error) {
	p, err := s.NodePath(id)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(s.path("layer"), p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return nil, fmt.Errorf("container %s: node %s is outside %s", id, p, s.path("layer"))
	}
	parts := strings.Split(rel, string(filepath.Separator))
	if parts[0] != "0" {
		return nil, fmt.Errorf("container %s: node %s is not under layer/0", id, p)
	}
	out := make([]string, 0, len(parts))
	for i := len(parts) - 1; i >= 0; i-- {
		if CheckID(parts[i]) != nil {
			return nil, fmt.Errorf("container %s: bad node path %s", id, p)
		}
		out = append(out, parts[i])
	}
	return out, nil
}

// Parent is the id of id's parent container. The root container "0" has
// none.
func (s *Store) Parent(id string) (string, error) {
	if err := CheckID(id); err != nil {
		return "", err
	}
	if id == "0" {
		return "", errors.New("the root container '0' has no parent")
	}
	anc, err := s.Ancestry(id)
	if err != nil {
		return "", err
	}
	return anc[1], nil
}

// IDs lists the containers of the index whose link resolves, in numeric
// order, "0" first.
func (s *Store) IDs() ([]string, error) {
	ents, err := os.ReadDir(s.path("index"))
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	var ids []string
	for _, e := range ents {
		if CheckID(e.Name()) != nil {
			continue
		}
		if _, err := os.Stat(s.path("index", e.Name())); err == nil {
			ids = append(ids, e.Name())
		}
	}
	sortIDs(ids)
	return ids, nil
}

func sortIDs(ids []string) {
	sort.Slice(ids, func(i, j int) bool {
		a, _ := strconv.ParseUint(ids[i], 10, 64)
		b, _ := strconv.ParseUint(ids[j], 10, 64)
		return a < b
	})
}
