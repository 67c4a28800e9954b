package tarball

import (
	"archive/tar"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/plash-go/plash/runtime/store"
	"golang.org/x/sys/unix"

	"github.com/plash-go/plash/runtime/union"
)

// Export writes the merged root file system of container id to w as a tar
// stream with names "./...", as `tar -cf - .` in the mounted container
// would. Ownership, modes, times, extended attributes and hard links are
// kept.
func Export(s *store.Store, id string, w io.Writer) error {
	anc, err := s.Ancestry(id)
	if err != nil {
		return err
	}
	roots := make([]string, len(anc))
	for i, a := range anc {
		if roots[i], err = s.Root(a); err != nil {
			return err
		}
	}
	if err := ExportLayers(roots, w); err != nil {
		return fmt.Errorf("exporting container %s: %w", id, err)
	}
	return nil
}

// ExportLayers writes the union of the layer directories roots (topmost
// first) to w as a tar stream. Deletions recorded by the union file
// systems are applied: overlay whiteouts (character devices 0/0) and
// opaque directories (trusted.overlay.opaque, user.overlay.opaque),
// fuse-overlayfs and OCI style .wh. files, and unionfs-fuse's
// .unionfs-fuse/PATH_HIDDEN~ markers.
func ExportLayers(roots []string, w io.Writer) error {
	defer lessGC()()
	bw := newOutput(w)
	if err := exportLayers(roots, bw); err != nil {
		return err
	}
	return bw.Flush()
}

// newOutput buffers w; a regular file is written with raw system calls.
func newOutput(w io.Writer) *bufio.Writer {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return bufio.NewWriterSize(rawFile{int(f.Fd())}, 1<<20)
		}
	}
	return bufio.NewWriterSize(w, 1<<20)
}

type rawFile struct{ fd int }

func (r rawFile) Write(b []byte) (int, error) {
	if err := writeAll(r.fd, b); err != nil {
		return 0, err
	}
	return len(b), nil
}

func exportLayers(roots []string, w io.Writer) error {
	e := &exporter{tw: tar.NewWriter(w), roots: roots, links: map[[2]uint64]string{}, hasMeta: map[int]bool{}, buf: make([]byte, 1<<20)}
	var st unix.Stat_t
	if err := unix.Lstat(roots[0], &st); err != nil {
		return &os.PathError{Op: "lstat", Path: roots[0], Err: err}
	}
	if err := e.write(roots[0], "./", &st, unix.AT_FDCWD, roots[0]); err != nil {
		return err
	}
	layers := make([]int, len(roots))
	for i := range roots {
		layers[i] = i
	}
	if err := e.dir("", layers); err != nil {
		return err
	}
	return e.tw.Close()
}

type exporter struct {
	tw    *tar.Writer
	roots []string
	links map[[2]uint64]string // (dev, ino) of a multiply linked file -> its name
	buf   []byte

	hasMeta map[int]bool // layer -> has a unionfs-fuse meta directory
}

type member struct {
	name   string
	layer  int // topmost layer holding it
	dirfd  int // that layer's directory holding it
	st     unix.Stat_t
	isDir  bool
	layers []int // for directories: the layers whose directory merges in
}

var metaDirs = map[string]bool{".unionfs-fuse": true, ".unionfs": true}

// dir writes the entries of directory rel merged from the given layers
// (topmost first; each holds rel as a directory).
func (e *exporter) dir(rel string, layers []int) error {
	members := map[string]*member{}
	blocked := map[string]bool{}
	contributes := map[int]bool{}
	for _, li := range layers {
		contributes[li] = true
	}
	// Every layer from the top down to the lowest contributing one may
	// hide names here through unionfs-fuse's meta directory, even one
	// that lacks the directory itself.
	for li := 0; li <= layers[len(layers)-1]; li++ {
		if !contributes[li] {
			for _, n := range e.unionfsHidden(li, rel) {
				blocked[n] = true
			}
			continue
		}
		abs := filepath.Join(e.roots[li], rel)
		dfd, err := rawOpenat(unix.AT_FDCWD, abs, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return &os.PathError{Op: "open", Path: abs, Err: err}
		}
		defer rawClose(dfd)
		names, err := readNames(dfd, e.buf)
		if err != nil {
			return &os.PathError{Op: "readdir", Path: abs, Err: err}
		}
		opaque := isOpaque(dfd)
		var hideBelow []string
		for _, n := range names {
			if rel == "" && metaDirs[n] {
				continue
			}
			if n == whOpaque {
				opaque = true
				continue
			}
			if strings.HasPrefix(n, whPrefix) {
				hideBelow = append(hideBelow, strings.TrimPrefix(n, whPrefix))
				continue
			}
			if blocked[n] {
				continue
			}
			var st unix.Stat_t
			if err := rawFstatat(dfd, n, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				return &os.PathError{Op: "lstat", Path: filepath.Join(abs, n), Err: err}
			}
			if st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0 {
				blocked[n] = true // overlay whiteout
				continue
			}
			m := members[n]
			isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
			if m == nil {
				m = &member{name: n, layer: li, dirfd: dfd, st: st, isDir: isDir}
				members[n] = m
			}
			if m.isDir && isDir {
				m.layers = append(m.layers, li)
			} else {
				blocked[n] = true // a non-directory hides everything below
			}
		}
		hideBelow = append(hideBelow, e.unionfsHidden(li, rel)...)
		for _, n := range hideBelow {
			blocked[n] = true
		}
		if opaque {
			break
		}
	}
	names := make([]string, 0, len(members))
	for n := range members {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		m := members[n]
		crel := n
		if rel != "" {
			crel = rel + "/" + n
		}
		abs := filepath.Join(e.roots[m.layer], crel)
		name := "./" + crel
		if m.isDir {
			name += "/"
		}
		if err := e.write(abs, name, &m.st, m.dirfd, n); err != nil {
			return err
		}
		if m.isDir {
			if err := e.dir(crel, m.layers); err != nil {
				return err
			}
		}
	}
	return nil
}

// isOpaque reports whether the directory open as fd is marked opaque for
// overlay (or fuse-overlayfs): lower layers do not show through it.
func isOpaque(fd int) bool {
	var names [1024]byte
	n, err := rawFlistxattr(fd, names[:])
	if err != nil && err != unix.ERANGE || n == 0 {
		return false // usually: no attributes at all, one call
	}
	var b [8]byte
	for _, attr := range union.OpaqueXattrs {
		if m, err := unix.Fgetxattr(fd, attr, b[:]); err == nil && m > 0 && b[0] == 'y' {
			return true
		}
	}
	return false
}

// unionfsHidden lists the names unionfs-fuse marked deleted in directory
// rel of layer li.
func (e *exporter) unionfsHidden(li int, rel string) []string {
	has, ok := e.hasMeta[li]
	if !ok {
		for meta := range metaDirs {
			if _, err := os.Lstat(filepath.Join(e.roots[li], meta)); err == nil {
				has = true
			}
		}
		e.hasMeta[li] = has
	}
	if !has {
		return nil
	}
	var out []string
	for meta := range metaDirs {
		f, err := os.Open(filepath.Join(e.roots[li], meta, rel))
		if err != nil {
			continue
		}
		names, _ := f.Readdirnames(-1)
		f.Close()
		for _, n := range names {
			if h, ok := strings.CutSuffix(n, "_HIDDEN~"); ok {
				out = append(out, h)
			}
		}
	}
	return out
}

func statTime(ts unix.Timespec) time.Time { return time.Unix(ts.Sec, ts.Nsec) }

// write writes the entry name for the file base in directory dirfd (abs
// is its path, for messages and attributes).
func (e *exporter) write(abs, name string, st *unix.Stat_t, dirfd int, base string) error {
	hdr := &tar.Header{
		Name:    name,
		Mode:    int64(st.Mode & 0o7777),
		Uid:     int(st.Uid),
		Gid:     int(st.Gid),
		ModTime: statTime(st.Mtim),
	}
	kind := st.Mode & unix.S_IFMT
	switch kind {
	case unix.S_IFDIR:
		hdr.Typeflag = tar.TypeDir
	case unix.S_IFREG:
		hdr.Typeflag = tar.TypeReg
		hdr.Size = st.Size
	case unix.S_IFLNK:
		hdr.Typeflag = tar.TypeSymlink
		n, err := unix.Readlinkat(dirfd, base, e.buf)
		if err != nil {
			return &os.PathError{Op: "readlink", Path: abs, Err: err}
		}
		hdr.Linkname = string(e.buf[:n])
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if kind == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor = int64(unix.Major(st.Rdev))
		hdr.Devminor = int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil // sockets are not archived, as GNU tar does
	}
	if kind != unix.S_IFDIR && st.Nlink > 1 {
		key := [2]uint64{st.Dev, st.Ino}
		if first, ok := e.links[key]; ok {
			hdr.Typeflag = tar.TypeLink
			hdr.Linkname = first
			hdr.Size = 0
		} else {
			e.links[key] = name
		}
	}
	fd := -1
	if hdr.Typeflag == tar.TypeReg {
		var err error
		fd, err = rawOpenat(dirfd, base, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return &os.PathError{Op: "open", Path: abs, Err: err}
		}
		defer rawClose(fd)
	}
	if kind != unix.S_IFLNK {
		e.addXattrs(abs, fd, hdr)
	}
	if err := e.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if hdr.Typeflag != tar.TypeReg || hdr.Size == 0 {
		return nil
	}
	left := hdr.Size
	for left > 0 {
		b := e.buf
		if int64(len(b)) > left {
			b = b[:left]
		}
		n, err := rawRead(fd, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "read", Path: abs, Err: err}
		}
		if n == 0 {
			return fmt.Errorf("writing %s: the file shrank while being read", name)
		}
		if _, err := e.tw.Write(b[:n]); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		left -= int64(n)
	}
	return nil
}

// addXattrs adds the extended attributes of abs (read through fd when it
// is not -1) to hdr.
func (e *exporter) addXattrs(abs string, fd int, hdr *tar.Header) {
	var buf [4096]byte
	var n int
	var err error
	if fd >= 0 {
		n, err = rawFlistxattr(fd, buf[:])
	} else {
		n, err = rawLlistxattr(abs, buf[:])
	}
	if err != nil || n == 0 {
		return
	}
	for _, k := range bytes.Split(buf[:n-1], []byte{0}) {
		key := string(k)
		if union.MarkerXattr(key) {
			continue
		}
		val := make([]byte, 64*1024)
		var m int
		if fd >= 0 {
			m, err = unix.Fgetxattr(fd, key, val)
		} else {
			m, err = unix.Lgetxattr(abs, key, val)
		}
		if err != nil {
			continue
		}
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = map[string]string{}
		}
		hdr.PAXRecords["SCHILY.xattr."+key] = string(val[:m])
	}
}

// readNames lists the directory open as fd, without "." and "..".
func readNames(fd int, buf []byte) ([]string, error) {
	var names []string
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}
