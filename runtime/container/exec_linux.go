package container

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"syscall"
)

// ExitError is a command's exit status, with a message when plash itself
// has something to say (command not found, not executable).
type ExitError struct {
	Code int
	Msg  string // "" when the command reported for itself
}

func (e *ExitError) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Msg
}

// ExitCode is the status plash exits with.
func (e *ExitError) ExitCode() int { return e.Code }

// Exec replaces plash with cmd (default: the user's shell), looked up in
// PATH, with plash's environment. It returns only on error: 127 when the
// command is not found, 126 when it cannot be executed.
func Exec(cmd []string) error {
	if len(cmd) == 0 {
		cmd = []string{userShell()}
	}
	path, err := exec.LookPath(cmd[0])
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return &ExitError{Code: 126, Msg: fmt.Sprintf("%s: permission denied", cmd[0])}
		}
		return &ExitError{Code: 127, Msg: fmt.Sprintf("%s: command not found", cmd[0])}
	}
	err = syscall.Exec(path, cmd, os.Environ())
	if errors.Is(err, syscall.ENOENT) {
		return &ExitError{Code: 127, Msg: fmt.Sprintf("%s: command not found", cmd[0])}
	}
	return &ExitError{Code: 126, Msg: fmt.Sprintf("%s: %v", cmd[0], err)}
}

// userShell is $SHELL, else the caller's login shell, else /bin/sh.
func userShell() string {
	if sh := os.Getenv("SHELL"); sh != "" {
		return sh
	}
	if u, err := user.Current(); err == nil {
		if sh := loginShell("/etc/passwd", u.Uid); sh != "" {
			return sh
		}
	}
	return "/bin/sh"
}

// Silent reports whether the command already said what went wrong, so
// plash only passes on the status.
func (e *ExitError) Silent() bool { return e.Msg == "" }
