package cli

import (
	"errors"
	"strings"

	"github.com/plash-go/plash/runtime/container"
	"github.com/plash-go/plash/runtime/ns"
	"github.com/plash-go/plash/runtime/store"
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
go to a throw-away directory; use plash runopts -d to keep them.
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

// buildContainer builds the macros of a command line whose CONTAINER
// argument is build arguments (plash run -f 1 --run 'touch /a' -- ls /a)
// and returns the container id. The build command sets it; while it is
// nil such command lines fail saying so.
var buildContainer func(macros []string) (string, error)

// containerArg enters the user namespace and splits args into a container
// id and the rest. When the first word is a macro (it starts with "-"),
// the words up to "--" are built first and the resulting id is used.
func containerArg(usage string, args []string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, Usagef("usage: %s", usage)
	}
	if err := ns.Enter(); err != nil {
		return "", nil, err
	}
	if !strings.HasPrefix(args[0], "-") {
		if err := store.CheckID(args[0]); err != nil {
			return "", nil, storeErr(err)
		}
		return args[0], args[1:], nil
	}
	macros, rest := args, []string(nil)
	for i, a := range args {
		if a == "--" {
			macros, rest = args[:i], args[i+1:]
			break
		}
	}
	if buildContainer == nil {
		return "", nil, errors.New("building from macros is not available in this plash yet; build first (plash build ...) and pass the id")
	}
	id, err := buildContainer(macros)
	if err != nil {
		return "", nil, err
	}
	return id, rest, nil
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
