package remote

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/plash-go/plash/runtime/union"
)

// OCI whiteout names (image-spec layer.md).
const (
	whPrefix = ".wh."
	whOpaque = ".wh..wh..opq"
)

// unionfsMeta are the directories in which unionfs-fuse (-o cow) records
// deleted files, as NAME_HIDDEN~ entries at the deleted file's path.
var unionfsMeta = []string{".unionfs-fuse", ".unionfs"}

const unionfsHidden = "_HIDDEN~"

// WriteLayerTar writes the files of one plash layer (a container's own
// _data/root, which holds only what that layer changed) as an OCI layer
// tar to w. Union file system markers become OCI whiteouts: overlay's
// character device 0/0 becomes .wh.NAME, an overlay opaque directory
// (trusted.overlay.opaque, user.overlay.opaque or
// user.fuseoverlayfs.opaque set to "y") gets a .wh..wh..opq entry, and
// unionfs-fuse's .unionfs-fuse/PATH_HIDDEN~ entries become .wh. entries at
// PATH. Ownership, modes, times, extended attributes and hardlinks are kept;
// entries are written in sorted order so the same files give the same tar.
func WriteLayerTar(dir string, w io.Writer) error {
	tw := tar.NewWriter(w)
	lt := &layerTar{tw: tw, root: dir, links: map[[2]uint64]string{}, written: map[string]bool{}}
	if err := lt.walk(""); err != nil {
		return err
	}
	if err := lt.unionfsWhiteouts(); err != nil {
		return err
	}
	return tw.Close()
}

type layerTar struct {
	tw      *tar.Writer
	root    string
	links   map[[2]uint64]string // (dev, ino) of a regular file -> first name
	written map[string]bool      // whiteout names written
}

// walk writes the entries under rel ("" is the root), sorted by name.
func (lt *layerTar) walk(rel string) error {
	full := filepath.Join(lt.root, rel)
	ents, err := os.ReadDir(full)
	if err != nil {
		return fmt.Errorf("reading %s: %w", full, err)
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		if rel == "" && isUnionfsMeta(n) {
			continue
		}
		p := path.Join(rel, n)
		if err := lt.entry(p); err != nil {
			return err
		}
	}
	return nil
}

func isUnionfsMeta(name string) bool {
	for _, m := range unionfsMeta {
		if name == m {
			return true
		}
	}
	return false
}

func (lt *layerTar) entry(rel string) error {
	full := filepath.Join(lt.root, rel)
	var st unix.Stat_t
	if err := unix.Lstat(full, &st); err != nil {
		return &os.PathError{Op: "lstat", Path: full, Err: err}
	}
	fi, err := os.Lstat(full)
	if err != nil {
		return err
	}
	mode := fi.Mode()
	// overlay whiteout: a character device 0/0.
	if mode&fs.ModeCharDevice != 0 && st.Rdev == 0 {
		return lt.whiteout(rel)
	}
	var link string
	if mode&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(full); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return fmt.Errorf("%s: %w", full, err)
	}
	hdr.Name = rel
	hdr.Uid, hdr.Gid = int(st.Uid), int(st.Gid)
	hdr.Uname, hdr.Gname = "", ""
	hdr.Format = tar.FormatPAX
	hdr.AccessTime, hdr.ChangeTime = fi.ModTime(), fi.ModTime()
	hdr.ModTime = fi.ModTime()
	if mode.IsDir() {
		hdr.Name += "/"
	}
	if mode&(fs.ModeDevice|fs.ModeCharDevice) != 0 {
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	}
	if mode.IsRegular() && st.Nlink > 1 {
		key := [2]uint64{st.Dev, st.Ino}
		if first, ok := lt.links[key]; ok {
			hdr.Typeflag = tar.TypeLink
			hdr.Linkname = first
			hdr.Size = 0
		} else {
			lt.links[key] = rel
		}
	}
	opaque := false
	xattrs, err := listXattrs(full)
	if err != nil {
		return err
	}
	for name, val := range xattrs {
		if mode.IsDir() && val == "y" {
			for _, o := range union.OpaqueXattrs {
				if name == o {
					opaque = true
				}
			}
		}
		if union.MarkerXattr(name) {
			continue
		}
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = map[string]string{}
		}
		hdr.PAXRecords["SCHILY.xattr."+name] = val
	}
	if err := lt.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing %s: %w", rel, err)
	}
	if hdr.Typeflag == tar.TypeReg && hdr.Size > 0 {
		f, err := os.Open(full)
		if err != nil {
			return err
		}
		_, err = io.Copy(lt.tw, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("writing %s: %w", rel, err)
		}
	}
	if mode.IsDir() {
		if opaque {
			if err := lt.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: path.Join(rel, whOpaque),
				Mode: 0o644, ModTime: fi.ModTime(), Format: tar.FormatPAX}); err != nil {
				return err
			}
		}
		return lt.walk(rel)
	}
	return nil
}

func (lt *layerTar) whiteout(rel string) error {
	name := path.Join(path.Dir(rel), whPrefix+path.Base(rel))
	if lt.written[name] {
		return nil
	}
	lt.written[name] = true
	return lt.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Format: tar.FormatPAX})
}

// unionfsWhiteouts turns unionfs-fuse's hidden-file markers into OCI
// whiteouts. They come after the walk, which is allowed: a whiteout hides
// lower layers' files only.
func (lt *layerTar) unionfsWhiteouts() error {
	for _, m := range unionfsMeta {
		meta := filepath.Join(lt.root, m)
		if _, err := os.Lstat(meta); err != nil {
			continue
		}
		var hidden []string
		err := filepath.WalkDir(meta, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasSuffix(d.Name(), unionfsHidden) {
				rel, _ := filepath.Rel(meta, p)
				hidden = append(hidden, strings.TrimSuffix(filepath.ToSlash(rel), unionfsHidden))
				if d.IsDir() {
					return filepath.SkipDir
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reading %s: %w", meta, err)
		}
		sort.Strings(hidden)
		for _, h := range hidden {
			// A file hidden and then created again is in the layer itself,
			// which replaces the lower file; a directory made again hides
			// the lower directory's content: it is opaque.
			if fi, err := os.Lstat(filepath.Join(lt.root, h)); err == nil {
				if fi.IsDir() {
					if err := lt.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: path.Join(h, whOpaque),
						Mode: 0o644, Format: tar.FormatPAX}); err != nil {
						return err
					}
				}
				continue
			}
			if err := lt.whiteout(h); err != nil {
				return err
			}
		}
	}
	return nil
}

// listXattrs returns the extended attributes of path (not following
// symlinks). File systems without xattr support give none.
func listXattrs(p string) (map[string]string, error) {
	size, err := unix.Llistxattr(p, nil)
	if err != nil || size == 0 {
		if err == nil || errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EPERM) {
			return nil, nil
		}
		return nil, &os.PathError{Op: "llistxattr", Path: p, Err: err}
	}
	buf := make([]byte, size)
	size, err = unix.Llistxattr(p, buf)
	if err != nil {
		return nil, &os.PathError{Op: "llistxattr", Path: p, Err: err}
	}
	out := map[string]string{}
	for _, name := range strings.Split(strings.TrimRight(string(buf[:size]), "\x00"), "\x00") {
		if name == "" {
			continue
		}
		vsize, err := unix.Lgetxattr(p, name, nil)
		if err != nil {
			continue // e.g. trusted.* for a non-root reader
		}
		val := make([]byte, vsize)
		vsize, err = unix.Lgetxattr(p, name, val)
		if err != nil {
			continue
		}
		out[name] = string(val[:vsize])
	}
	return out, nil
}
