package cli

import (
	"errors"

	"github.com/plash-go/plash/runtime/container"
)

func init() {
	Register(&Command{
		Name:    "run",
		Usage:   "plash run CONTAINER [CMD...]",
		Summary: "Run CMD (default: root's shell) in a container.",
		Help: `The host's /tmp, /home, /root (when readable), /etc/resolv.conf, /sys,
/dev and /proc are mapped into the container, the working directory is
kept (else /), and CMD gets a login shell's environment with only TERM,
DISPLAY, HOME and the ':'-separated names in PLASH_EXPORT passed in.
Leading NAME=VALUE words set variables. Changes to the container's files
go to memory (a tmpfs that ends with the run) and are thrown away; use
plash runopts -d DIR to write them to DIR and keep them.
CONTAINER may be build arguments ending with --:
  plash run -f 1 --run 'touch /a' -- ls /a`,
		Run: func(args []string) error {
			id, rest, err := containerArg("plash run CONTAINER [CMD...]", args)
			if err != nil {
				return err
			}
			return runIn(id, container.Options{Mounts: container.RunMounts(), Cmd: rest})
		},
	})
}

// runIn runs a container with o (o.Container set to id) and exits with the
// command's status.
func runIn(id string, o container.Options) error {
	s, err := openStore()
	if err != nil {
		return err
	}
	o.Container = id
	code, err := container.Run(s, o)
	if err != nil {
		return execErr(storeErr(err))
	}
	if code != 0 {
		return Exit(code, nil)
	}
	return nil
}

// execErr gives errors that carry an exit status (an ExitCode() int
// method: a command's own status, command not found, a missing container)
// that status; one that has nothing to say (Silent) exits quietly.
func execErr(err error) error {
	if err == nil {
		return nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
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
