//go:build cgo

package main

// The C constructors of runtime/ns and runtime/container look at argv as
// plash's: `plash-exec run 5` (a Plashfile called run) is not `plash run
// 5`. This definition turns them off in plash-exec.

// int plash_fast_paths_off = 1;
import "C"
