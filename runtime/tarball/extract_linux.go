package tarball

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Options tune Extract.
type Options struct {
	// Whiteouts applies OCI whiteouts, for stacking image layers: an entry
	// .wh.NAME deletes NAME, .wh..wh..opq empties its directory of what
	// earlier layers put there.
	Whiteouts bool
	// Log receives the one-line summaries (device nodes that could not be
	// made, owners that could not be set). Nil means os.Stderr.
	Log io.Writer
}

// Extract unpacks the (possibly compressed) tar archive r into the
// existing directory root. Nothing is ever written outside root.
func Extract(root string, r io.Reader, opts Options) (err error) {
	defer lessGC()()
	// A regular file is mapped into memory: no read calls, and the
	// contents of a plain archive are written straight from the map.
	var mem *bytes.Reader
	var memData []byte
	if f, ok := r.(*os.File); ok {
		if m, unmap := mapFile(f); m != nil {
			memData = m
			defer unmap()
			defer func() {
				// The file shrank under us: the map faults.
				if p := recover(); p != nil {
					err = fmt.Errorf("the archive changed while being read: %v", p)
				}
			}()
			debug.SetPanicOnFault(true)
			defer debug.SetPanicOnFault(false)
			mem = bytes.NewReader(m)
			r = mem
		}
	}
	var dr io.Reader
	plainMap := mem != nil && compression(memData) == ""
	if plainMap {
		dr = mem
	} else {
		var closeFn func()
		if dr, _, closeFn, err = Decompress(r); err != nil {
			return err
		}
		defer closeFn()
	}
	x, err := newExtractor(root, opts)
	if err != nil {
		return err
	}
	defer x.close()
	if plainMap {
		x.mem, x.memData = mem, memData
	} else if usePrefetch {
		pr := newPrefetcher(dr)
		defer pr.stop()
		dr = pr
	}
	if err := x.run(tar.NewReader(dr)); err != nil {
		return err
	}
	return x.finish()
}

// mapFile maps the rest of f, a regular file, read-only; nil when f is
// not a regular file or the map fails.
func mapFile(f *os.File) ([]byte, func()) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 || st.Size() != int64(int(st.Size())) {
		return nil, nil
	}
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil || off >= st.Size() {
		return nil, nil
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil
	}
	unix.Madvise(m, unix.MADV_SEQUENTIAL)
	return m[off:], func() { unix.Munmap(m) }
}

const (
	whPrefix = ".wh."
	whOpaque = ".wh..wh..opq"
)

type dirMeta struct {
	rel      string
	mode     uint32
	uid, gid int
	atime    time.Time
	mtime    time.Time
	xattrs   map[string]string
}

type extractor struct {
	root    string
	rootfd  int
	opts    Options
	chown   bool
	cache   map[string]int // directory (relative path) -> O_PATH fd
	stale   bool           // drop the cache before the next entry
	dirs    map[string]*dirMeta
	created map[string]bool // paths made by this extraction (whiteouts only)
	buf     []byte

	skippedDevs   int
	chownFailures atomic.Int64
	entries       int

	mem       *bytes.Reader // the mapped plain archive, or nil
	memData   []byte        // its bytes
	jobs      chan []*fileJob
	batch     []*fileJob // jobs not yet handed to the workers
	batchSize int64
	workers   sync.WaitGroup
	errMu     sync.Mutex
	err       error // the first error of a worker
}

// Regular files up to jobMax bytes are written by worker goroutines, so
// that reading the archive and writing files overlap.
const jobMax = 1 << 20

var extractWorkers, usePrefetch = func() (int, bool) {
	n := runtime.GOMAXPROCS(0)
	if n > 4 {
		n = 4
	}
	if v := os.Getenv("PLASH_EXTRACT_WORKERS"); v != "" {
		fmt.Sscan(v, &n)
	}
	return n, os.Getenv("PLASH_EXTRACT_PREFETCH") != "0"
}()

// bufPools hold buffers of 4 KiB << i bytes.
var bufPools [9]sync.Pool

func getBuf(size int) *[]byte {
	i := 0
	for 4096<<i < size {
		i++
	}
	if b, ok := bufPools[i].Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 4096<<i)
	return &b
}

func putBuf(b *[]byte) {
	i := 0
	for 4096<<i < len(*b) {
		i++
	}
	bufPools[i].Put(b)
}

// fileJob is a created regular file still to be written and finished.
type fileJob struct {
	fd           int
	rel          string
	buf          *[]byte // from bufPool, nil when data is not pooled
	data         []byte
	uid, gid     int
	mode         uint32
	xattrs       map[string]string
	atime, mtime time.Time
}

// contents returns the contents of the current entry as a slice of the
// mapped archive, or nil when they are not there in one piece.
func (x *extractor) contents(hdr *tar.Header) []byte {
	if x.mem == nil || hdr.Size <= 0 || hdr.Typeflag == tar.TypeGNUSparse {
		return nil
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return nil
		}
	}
	pos := x.mem.Size() - int64(x.mem.Len())
	if pos+hdr.Size > x.mem.Size() {
		return nil // truncated: the normal path reports it
	}
	return x.memData[pos : pos+hdr.Size : pos+hdr.Size]
}

func (x *extractor) submit(j *fileJob) error {
	if err := x.workerErr(); err != nil {
		unix.Close(j.fd)
		return err
	}
	if extractWorkers == 0 {
		x.runBatch([]*fileJob{j})
		return x.workerErr()
	}
	if x.jobs == nil {
		n := extractWorkers
		x.jobs = make(chan []*fileJob, 2)
		for i := 0; i < n; i++ {
			x.workers.Add(1)
			go func() {
				defer x.workers.Done()
				for batch := range x.jobs {
					x.runBatch(batch)
				}
			}()
		}
	}
	// Jobs go in batches, so workers are woken rarely.
	x.batch = append(x.batch, j)
	x.batchSize += int64(len(j.data))
	if len(x.batch) >= 64 || x.batchSize >= 2<<20 {
		x.flush()
	}
	return nil
}

func (x *extractor) flush() {
	if len(x.batch) > 0 {
		x.jobs <- x.batch
		x.batch, x.batchSize = nil, 0
	}
}

func (x *extractor) runBatch(batch []*fileJob) {
	for _, j := range batch {
		err := writeAll(j.fd, j.data)
		if j.buf != nil {
			putBuf(j.buf)
		}
		if err != nil {
			unix.Close(j.fd)
			x.setErr(pathErr("write", j.rel, err))
			continue
		}
		if err := x.finishFile(j); err != nil {
			x.setErr(err)
		}
	}
}

func (x *extractor) setErr(err error) {
	x.errMu.Lock()
	if x.err == nil {
		x.err = err
	}
	x.errMu.Unlock()
}

func (x *extractor) workerErr() error {
	x.errMu.Lock()
	defer x.errMu.Unlock()
	return x.err
}

// wait lets the workers finish and returns their first error.
func (x *extractor) wait() error {
	if x.jobs != nil {
		x.flush()
		close(x.jobs)
		x.workers.Wait()
		x.jobs = nil
	}
	return x.workerErr()
}

// finishFile sets owner, mode, attributes and times of a written file and
// closes it.
func (x *extractor) finishFile(j *fileJob) error {
	if x.chown {
		if err := rawFchown(j.fd, j.uid, j.gid); err != nil {
			x.chownFailures.Add(1)
		}
	}
	if err := rawFchmod(j.fd, j.mode); err != nil {
		rawClose(j.fd)
		return pathErr("chmod", j.rel, err)
	}
	for k, v := range j.xattrs {
		// Where the file system does not allow it, the attribute is dropped.
		unix.Fsetxattr(j.fd, k, []byte(v), 0)
	}
	rawUtimensat(j.fd, "", j.atime, j.mtime, 0)
	if err := rawClose(j.fd); err != nil {
		return pathErr("close", j.rel, err)
	}
	return nil
}

func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := rawWrite(fd, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// copyToFd copies r to fd through buf.
func copyToFd(fd int, r io.Reader, buf []byte) error {
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if werr := writeAll(fd, buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func newExtractor(root string, opts Options) (*extractor, error) {
	fd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: root, Err: err}
	}
	x := &extractor{
		root:   root,
		rootfd: fd,
		opts:   opts,
		chown:  os.Geteuid() == 0,
		cache:  map[string]int{},
		dirs:   map[string]*dirMeta{},
		buf:    make([]byte, 1<<20),
	}
	if opts.Whiteouts {
		x.created = map[string]bool{}
	}
	if x.opts.Log == nil {
		x.opts.Log = os.Stderr
	}
	return x, nil
}

func (x *extractor) close() {
	x.wait()
	x.dropCache()
	unix.Close(x.rootfd)
}

func (x *extractor) dropCache() {
	for _, fd := range x.cache {
		unix.Close(fd)
	}
	clear(x.cache)
}

// cleanName turns an archive name into a path relative to the root, ""
// for the root itself. Leading slashes and ".." that would climb above the
// root are dropped, as GNU tar does.
func cleanName(name string) string {
	p := path.Clean("/" + name)
	return strings.TrimPrefix(p, "/")
}

func shortName(name string) string {
	if len(name) > 120 {
		return name[:100] + "...(" + fmt.Sprint(len(name)) + " bytes)"
	}
	return name
}

// pathErr is an *os.PathError for rel in the root, its name shortened.
func pathErr(op, rel string, err error) error {
	return &os.PathError{Op: op, Path: shortName("/" + rel), Err: err}
}

func splitRel(rel string) (dir, base string) {
	i := strings.LastIndexByte(rel, '/')
	if i < 0 {
		return "", rel
	}
	return rel[:i], rel[i+1:]
}

// openInRoot opens rel inside the directory rootfd, resolving every
// symlink and ".." as if rootfd were "/": with openat2(RESOLVE_IN_ROOT)
// where the kernel has it (Linux 5.6), else by walking the path one
// component at a time.
func openInRoot(rootfd int, rel string, flags uint64) (int, error) {
	probeOnce.Do(func() {
		// Old kernels say ENOSYS; some seccomp filters say EPERM.
		fd, err := unix.Openat2(rootfd, ".", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT})
		if err != nil {
			useWalk.Store(true)
		} else {
			unix.Close(fd)
		}
	})
	if !useWalk.Load() {
		for {
			fd, err := unix.Openat2(rootfd, rel, &unix.OpenHow{
				Flags:   flags | unix.O_CLOEXEC,
				Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
			})
			if err == unix.EINTR || err == unix.EAGAIN {
				continue
			}
			if err != unix.ENOSYS {
				return fd, err
			}
			useWalk.Store(true)
			break
		}
	}
	return walkInRoot(rootfd, rel, int(flags))
}

// useWalk is set when openat2 is not available (or by tests).
var (
	useWalk   atomic.Bool
	probeOnce sync.Once
)

// walkInRoot is openInRoot without openat2. Each component is opened with
// O_NOFOLLOW relative to the directory before it; a symlink is read and
// its target walked the same way, from the root when absolute, and ".."
// never climbs above the root. The directories walked are plash's own
// temporary ones, which nobody else changes meanwhile.
func walkInRoot(rootfd int, rel string, flags int) (int, error) {
	root, err := unix.Openat(rootfd, ".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	stack := []int{root} // the directories from the root down
	defer func() {
		for _, fd := range stack {
			unix.Close(fd)
		}
	}()
	parts := strings.Split(rel, "/")
	links := 0
	for len(parts) > 0 {
		p := parts[0]
		parts = parts[1:]
		last := len(parts) == 0
		cur := stack[len(stack)-1]
		switch p {
		case "", ".":
			if last {
				return unix.Openat(cur, ".", flags|unix.O_CLOEXEC, 0)
			}
			continue
		case "..":
			if len(stack) > 1 {
				unix.Close(stack[len(stack)-1])
				stack = stack[:len(stack)-1]
			}
			if last {
				return unix.Openat(stack[len(stack)-1], ".", flags|unix.O_CLOEXEC, 0)
			}
			continue
		}
		fd, err := unix.Openat(cur, p, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return -1, err
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			unix.Close(fd)
			return -1, err
		}
		if st.Mode&unix.S_IFMT == unix.S_IFLNK {
			unix.Close(fd)
			if last && flags&unix.O_NOFOLLOW != 0 {
				// The link itself (O_PATH) or ELOOP, as the kernel says.
				return unix.Openat(cur, p, flags|unix.O_CLOEXEC, 0)
			}
			if links++; links > 40 {
				return -1, unix.ELOOP
			}
			buf := make([]byte, 4096)
			n, err := unix.Readlinkat(cur, p, buf)
			if err != nil {
				return -1, err
			}
			target := string(buf[:n])
			if strings.HasPrefix(target, "/") {
				for _, d := range stack[1:] {
					unix.Close(d)
				}
				stack = stack[:1]
			}
			parts = append(strings.Split(target, "/"), parts...)
			continue
		}
		if last {
			unix.Close(fd)
			return unix.Openat(cur, p, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			unix.Close(fd)
			return -1, unix.ENOTDIR
		}
		stack = append(stack, fd)
	}
	return unix.Openat(stack[len(stack)-1], ".", flags|unix.O_CLOEXEC, 0)
}

// dir returns a descriptor of directory rel inside the root, making it
// (and its parents) when missing. Symlinks on the way are followed inside
// the root only.
func (x *extractor) dir(rel string, create bool) (int, error) {
	if rel == "" {
		return x.rootfd, nil
	}
	if fd, ok := x.cache[rel]; ok {
		return fd, nil
	}
	fd, err := openInRoot(x.rootfd, rel, unix.O_PATH|unix.O_DIRECTORY)
	if err == unix.ENOENT && create {
		pdir, base := splitRel(rel)
		pfd, perr := x.dir(pdir, true)
		if perr != nil {
			return -1, perr
		}
		if err := unix.Mkdirat(pfd, base, 0o755); err != nil && err != unix.EEXIST {
			return -1, pathErr("mkdir", rel, err)
		}
		fd, err = openInRoot(x.rootfd, rel, unix.O_PATH|unix.O_DIRECTORY)
	}
	if err != nil {
		return -1, pathErr("open", rel, err)
	}
	if len(x.cache) >= 256 {
		x.stale = true
	}
	x.cache[rel] = fd
	return fd, nil
}

func (x *extractor) run(tr *tar.Reader) error {
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if x.entries == 0 && errors.Is(err, tar.ErrHeader) {
				return errors.New("not a tar archive (no valid tar header at the start)")
			}
			if x.entries == 0 && errors.Is(err, io.ErrUnexpectedEOF) {
				return errors.New("not a tar archive (it ends before the first complete header)")
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("the archive is truncated (after %d entries)", x.entries)
			}
			return fmt.Errorf("reading the archive after %d entries: %w", x.entries, err)
		}
		x.entries++
		if err := x.workerErr(); err != nil {
			return err
		}
		if err := x.entry(hdr, tr); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("the archive is truncated (in %s)", shortName(hdr.Name))
			}
			return fmt.Errorf("extracting %s: %w", shortName(hdr.Name), err)
		}
	}
}

func (x *extractor) entry(hdr *tar.Header, r io.Reader) error {
	if x.stale {
		// Something was replaced or a symlink made: the directories
		// resolved so far may no longer be what their names resolve to.
		x.dropCache()
		x.stale = false
	}
	switch hdr.Typeflag {
	case tar.TypeXGlobalHeader, tar.TypeXHeader, tar.TypeGNULongName, tar.TypeGNULongLink:
		return nil
	}
	rel := cleanName(hdr.Name)
	if rel == "" {
		if hdr.Typeflag == tar.TypeDir {
			x.dirs[""] = x.meta("", hdr)
		}
		return nil
	}
	pdir, base := splitRel(rel)
	if x.opts.Whiteouts && strings.HasPrefix(base, whPrefix) {
		return x.whiteout(pdir, base)
	}
	pfd, err := x.dir(pdir, true)
	if err != nil {
		return err
	}
	if x.created != nil {
		x.created[rel] = true
	}
	mode := uint32(hdr.Mode) & 0o7777
	switch hdr.Typeflag {
	case tar.TypeDir:
		err := rawMkdirat(pfd, base, 0o700)
		if err == unix.EEXIST {
			var st unix.Stat_t
			if unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT != unix.S_IFDIR {
				if err := x.remove(pfd, base); err != nil {
					return err
				}
				err = rawMkdirat(pfd, base, 0o700)
			} else {
				err = nil
			}
		}
		if err != nil {
			return pathErr("mkdir", rel, err)
		}
		x.dirs[rel] = x.meta(rel, hdr)
		return nil

	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse, tar.TypeCont:
		fd, err := x.create(pfd, base, func() (int, error) {
			return rawOpenat(pfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		})
		if err != nil {
			return pathErr("create", rel, err)
		}
		job := &fileJob{fd: fd, rel: rel, uid: hdr.Uid, gid: hdr.Gid, mode: mode,
			xattrs: xattrsOf(hdr), atime: atime(hdr), mtime: hdr.ModTime}
		if data := x.contents(hdr); data != nil {
			// From the map of a plain archive: no copy at all; the tar
			// reader seeks over the contents.
			job.data = data
			return x.submit(job)
		}
		if hdr.Size > 0 && hdr.Size <= jobMax {
			// Small files: read here, written by a worker while the next
			// entries are read.
			bp := getBuf(int(hdr.Size))
			if _, err := io.ReadFull(r, (*bp)[:hdr.Size]); err != nil {
				putBuf(bp)
				unix.Close(fd)
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return err
			}
			job.buf, job.data = bp, (*bp)[:hdr.Size]
			return x.submit(job)
		}
		if hdr.Size > 0 {
			if err := copyToFd(fd, r, x.buf); err != nil {
				unix.Close(fd)
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return pathErr("write", rel, err)
			}
		}
		return x.finishFile(job)

	case tar.TypeSymlink:
		// A new name invalidates no resolved directory; a replaced one
		// does, and create marks that.
		if _, err := x.create(pfd, base, func() (int, error) {
			return 0, rawSymlinkat(hdr.Linkname, pfd, base)
		}); err != nil {
			return pathErr("symlink", rel, err)
		}
		if x.chown {
			if err := rawFchownat(pfd, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				x.chownFailures.Add(1)
			}
		}
		rawUtimensat(pfd, base, atime(hdr), hdr.ModTime, unix.AT_SYMLINK_NOFOLLOW)
		return nil

	case tar.TypeLink:
		trel := cleanName(hdr.Linkname)
		if trel == "" {
			return fmt.Errorf("hard link to the root directory")
		}
		tdir, tbase := splitRel(trel)
		tfd, err := x.dir(tdir, false)
		if err != nil {
			return fmt.Errorf("hard link to %s: %w", shortName(hdr.Linkname), err)
		}
		if _, err := x.create(pfd, base, func() (int, error) {
			return 0, unix.Linkat(tfd, tbase, pfd, base, 0)
		}); err != nil {
			return pathErr("link", rel+" to /"+trel, err)
		}
		return nil

	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		kind := uint32(unix.S_IFIFO)
		switch hdr.Typeflag {
		case tar.TypeChar:
			kind = unix.S_IFCHR
		case tar.TypeBlock:
			kind = unix.S_IFBLK
		}
		dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
		_, err := x.create(pfd, base, func() (int, error) {
			return 0, unix.Mknodat(pfd, base, kind|mode, int(dev))
		})
		if err == unix.EPERM || err == unix.EACCES {
			if kind != unix.S_IFIFO {
				x.skippedDevs++
				return nil
			}
		}
		if err != nil {
			return pathErr("mknod", rel, err)
		}
		if x.chown {
			if err := unix.Fchownat(pfd, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				x.chownFailures.Add(1)
			}
		}
		unix.Fchmodat(pfd, base, mode, 0)
		ts := []unix.Timespec{timespec(atime(hdr)), timespec(hdr.ModTime)}
		unix.UtimesNanoAt(pfd, base, ts, unix.AT_SYMLINK_NOFOLLOW)
		return nil
	}
	return fmt.Errorf("unsupported entry type %q", hdr.Typeflag)
}

// create runs mk; when the name is taken it removes what is there (a
// directory only when empty) and tries again.
func (x *extractor) create(pfd int, base string, mk func() (int, error)) (int, error) {
	fd, err := mk()
	if err != unix.EEXIST {
		return fd, err
	}
	if err := unix.Unlinkat(pfd, base, 0); err != nil {
		if err == unix.EISDIR || err == unix.EPERM {
			err = unix.Unlinkat(pfd, base, unix.AT_REMOVEDIR)
		}
		if err != nil {
			return -1, err
		}
	}
	x.stale = true
	return mk()
}

// futimens sets the times of an open file.
func futimens(fd int, atime, mtime time.Time) {
	ts := [2]unix.Timespec{timespec(atime), timespec(mtime)}
	unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
}

func atime(hdr *tar.Header) time.Time {
	if !hdr.AccessTime.IsZero() {
		return hdr.AccessTime
	}
	return hdr.ModTime
}

func timespec(t time.Time) unix.Timespec {
	if t.IsZero() {
		return unix.Timespec{Nsec: unix.UTIME_OMIT}
	}
	return unix.NsecToTimespec(t.UnixNano())
}

func xattrsOf(hdr *tar.Header) map[string]string {
	var m map[string]string
	for k, v := range hdr.PAXRecords {
		if name, ok := strings.CutPrefix(k, "SCHILY.xattr."); ok {
			if m == nil {
				m = map[string]string{}
			}
			m[name] = v
		}
	}
	return m
}

func (x *extractor) meta(rel string, hdr *tar.Header) *dirMeta {
	return &dirMeta{rel: rel, mode: uint32(hdr.Mode) & 0o7777, uid: hdr.Uid, gid: hdr.Gid,
		atime: atime(hdr), mtime: hdr.ModTime, xattrs: xattrsOf(hdr)}
}

// whiteout applies an OCI whiteout entry in directory pdir.
func (x *extractor) whiteout(pdir, base string) error {
	pfd, err := x.dir(pdir, true)
	if err != nil {
		return err
	}
	x.stale = true
	if base == whOpaque {
		dfd, err := unix.Openat(pfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return pathErr("open", pdir, err)
		}
		f := os.NewFile(uintptr(dfd), pdir)
		names, err := f.Readdirnames(-1)
		f.Close()
		if err != nil {
			return err
		}
		for _, n := range names {
			if x.created[path.Join(pdir, n)] {
				continue
			}
			if err := x.remove(pfd, n); err != nil {
				return err
			}
		}
		return nil
	}
	name := strings.TrimPrefix(base, whPrefix)
	if name == "" || name == "." || name == ".." {
		return nil
	}
	err = x.remove(pfd, name)
	if err == unix.ENOENT {
		return nil
	}
	return err
}

// remove deletes name in directory pfd, recursively, without following
// symlinks.
func (x *extractor) remove(pfd int, name string) error {
	x.stale = true
	err := unix.Unlinkat(pfd, name, 0)
	if err != unix.EISDIR && err != unix.EPERM {
		if err == unix.ENOENT {
			return nil
		}
		return err
	}
	dfd, err := unix.Openat(pfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(dfd), name)
	names, err := f.Readdirnames(-1)
	if err != nil {
		f.Close()
		return err
	}
	for _, n := range names {
		if err := x.remove(dfd, n); err != nil {
			f.Close()
			return err
		}
	}
	f.Close()
	return unix.Unlinkat(pfd, name, unix.AT_REMOVEDIR)
}

// finish sets the modes, owners and times of the directories, deepest
// first (writing into a directory changes its time, and a read-only mode
// would have stopped the writes), and prints the summaries.
func (x *extractor) finish() error {
	if err := x.wait(); err != nil {
		return err
	}
	x.dropCache()
	rels := make([]string, 0, len(x.dirs))
	for rel := range x.dirs {
		rels = append(rels, rel)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(rels)))
	for _, rel := range rels {
		m := x.dirs[rel]
		var fd int
		var err error
		if rel == "" {
			fd, err = unix.Openat(x.rootfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		} else {
			fd, err = openInRoot(x.rootfd, rel, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW)
		}
		if err != nil {
			continue // replaced by a later entry
		}
		if x.chown {
			if unix.Fchown(fd, m.uid, m.gid) != nil {
				x.chownFailures.Add(1)
			}
		}
		unix.Fchmod(fd, m.mode)
		for k, v := range m.xattrs {
			unix.Fsetxattr(fd, k, []byte(v), 0)
		}
		futimens(fd, m.atime, m.mtime)
		unix.Close(fd)
	}
	if x.skippedDevs > 0 {
		fmt.Fprintf(x.opts.Log, "plash: skipped %d device nodes (they can not be made without privileges; /dev is mapped from the host at run time)\n", x.skippedDevs)
	}
	if n := x.chownFailures.Load(); n > 0 {
		fmt.Fprintf(x.opts.Log, "plash: %d files keep another owner than the archive's (owner ids outside the mapped range)\n", n)
	}
	return nil
}
