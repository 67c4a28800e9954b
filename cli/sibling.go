package cli

import (
	"os"
	"os/exec"
	"path/filepath"
)

// sibling finds the program name installed with this one: next to this
// executable (symbolic links resolved), else in PATH. plash runs
// plash-remote this way, plash-exec plash.
func sibling(name string) (string, error) {
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			p := filepath.Join(filepath.Dir(exe), name)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p, nil
			}
		}
	}
	return exec.LookPath(name)
}
