package cli

import "errors"

// execErr gives errors that carry an exit status (an ExitCode() int
// method: a command's own status, command not found, a missing container)
// that status; one that has nothing to say (Silent) exits quietly.
func execErr(err error) error {
	if err == nil {
		return nil
	}
	var ec interface{ ExitCode() int }
	if !errors.As(err, &ec) {
		return err
	}
	var s interface{ Silent() bool }
	if errors.As(err, &s) && s.Silent() {
		return Exit(ec.ExitCode(), nil)
	}
	return Exit(ec.ExitCode(), err)
}
