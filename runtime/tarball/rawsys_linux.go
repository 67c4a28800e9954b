package tarball

import (
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The hot file system calls of extraction and export go through
// RawSyscall: they are short calls on local files, and skipping the
// runtime's syscall bookkeeping keeps its monitor thread asleep instead of
// handing the processor to another thread thousands of times a second,
// which on a busy machine costs more than the calls themselves.

func errnoErr(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func cstr(s string) (*byte, error) { return unix.BytePtrFromString(s) }

func rawOpenat(dirfd int, path string, flags int, mode uint32) (int, error) {
	p, err := cstr(path)
	if err != nil {
		return -1, err
	}
	for {
		r, _, e := syscall.RawSyscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(flags), uintptr(mode), 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return -1, e
		}
		return int(r), nil
	}
}

func rawWrite(fd int, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	r, _, e := syscall.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	return int(r), errnoErr(e)
}

func rawRead(fd int, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	r, _, e := syscall.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	return int(r), errnoErr(e)
}

func rawClose(fd int) error {
	_, _, e := syscall.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
	return errnoErr(e)
}

func rawFchown(fd, uid, gid int) error {
	_, _, e := syscall.RawSyscall(unix.SYS_FCHOWN, uintptr(fd), uintptr(uid), uintptr(gid))
	return errnoErr(e)
}

func rawFchmod(fd int, mode uint32) error {
	_, _, e := syscall.RawSyscall(unix.SYS_FCHMOD, uintptr(fd), uintptr(mode), 0)
	return errnoErr(e)
}

func rawMkdirat(dirfd int, path string, mode uint32) error {
	p, err := cstr(path)
	if err != nil {
		return err
	}
	_, _, e := syscall.RawSyscall(unix.SYS_MKDIRAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(mode))
	return errnoErr(e)
}

func rawSymlinkat(target string, dirfd int, path string) error {
	t, err := cstr(target)
	if err != nil {
		return err
	}
	p, err := cstr(path)
	if err != nil {
		return err
	}
	_, _, e := syscall.RawSyscall(unix.SYS_SYMLINKAT, uintptr(unsafe.Pointer(t)), uintptr(dirfd), uintptr(unsafe.Pointer(p)))
	return errnoErr(e)
}

func rawFchownat(dirfd int, path string, uid, gid, flags int) error {
	p, err := cstr(path)
	if err != nil {
		return err
	}
	_, _, e := syscall.RawSyscall6(unix.SYS_FCHOWNAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(uid), uintptr(gid), uintptr(flags), 0)
	return errnoErr(e)
}

// rawUtimensat sets times of path in dirfd, or of dirfd itself when path
// is "".
func rawUtimensat(dirfd int, path string, atime, mtime time.Time, flags int) error {
	ts := [2]unix.Timespec{timespec(atime), timespec(mtime)}
	var p *byte
	if path != "" {
		var err error
		if p, err = cstr(path); err != nil {
			return err
		}
	}
	_, _, e := syscall.RawSyscall6(unix.SYS_UTIMENSAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(&ts[0])), uintptr(flags), 0, 0)
	return errnoErr(e)
}

func rawLlistxattr(path string, dest []byte) (int, error) {
	p, err := cstr(path)
	if err != nil {
		return 0, err
	}
	r, _, e := syscall.RawSyscall(unix.SYS_LLISTXATTR, uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(&dest[0])), uintptr(len(dest)))
	return int(r), errnoErr(e)
}

func rawFlistxattr(fd int, dest []byte) (int, error) {
	r, _, e := syscall.RawSyscall(unix.SYS_FLISTXATTR, uintptr(fd), uintptr(unsafe.Pointer(&dest[0])), uintptr(len(dest)))
	return int(r), errnoErr(e)
}

func rawFstatat(dirfd int, path string, st *unix.Stat_t, flags int) error {
	p, err := cstr(path)
	if err != nil {
		return err
	}
	_, _, e := syscall.RawSyscall6(unix.SYS_NEWFSTATAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(st)), uintptr(flags), 0, 0)
	return errnoErr(e)
}
