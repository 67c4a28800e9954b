package tarball

import "runtime/debug"

// lessGC turns the garbage collector's proportional pacing off for the
// duration of an import or export and bounds the heap by a memory limit
// instead: these loops allocate a little per archive entry, and with the
// default pacing a small heap is collected hundreds of times, waking
// threads that on a busy machine cost more than the collections. The
// previous settings come back with the returned function.
func lessGC() (restore func()) {
	limit := debug.SetMemoryLimit(-1)
	if limit > 256<<20 {
		debug.SetMemoryLimit(256 << 20)
	}
	percent := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
