//go:build cgo

package container

// fastrun_linux.c holds the C fast path of plash run; this file only makes
// cgo compile it and lets tests look at it.

// #include <stdlib.h>
// const char *plash_fastrun_launcher(void);
// int plash_fastrun_clean(char *p);
import "C"

import "unsafe"

// fastRunLauncher is the launcher script of the C fast path.
func fastRunLauncher() string { return C.GoString(C.plash_fastrun_launcher()) }

// fastRunClean is the C fast path's filepath.Clean for absolute paths; ok
// is false for a relative one.
func fastRunClean(p string) (string, bool) {
	c := C.CString(p)
	defer C.free(unsafe.Pointer(c))
	ok := C.plash_fastrun_clean(c) != 0
	return C.GoString(c), ok
}
