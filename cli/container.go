package cli

import (
	"os"
	"strings"

	"github.com/plash-go/plash/runtime/ns"
	"github.com/plash-go/plash/runtime/store"
)

// buildContainer builds the macros of a command line whose CONTAINER
// argument is build arguments (plash run -f 1 --run 'touch /a' -- ls /a)
// and returns the container id. build.go sets it.
var buildContainer func(macros []string) (string, error)

// isBuildArgs reports whether a CONTAINER argument is build arguments:
// a macro token such as --from or -f.
func isBuildArgs(arg string) bool {
	return len(arg) > 1 && strings.HasPrefix(arg, "-") && arg != "--"
}

// splitBuildArgs splits args at the first "--" into build arguments and
// the rest.
func splitBuildArgs(args []string) (macros, rest []string) {
	for i, a := range args {
		if a == "--" {
			return args[:i], args[i+1:]
		}
	}
	return args, nil
}

// builtArgs replaces build arguments at the start of args, up to "--",
// by the id of the container they build (plash export-tar --from 1 --run
// 'touch /a' -- out.tar): the commands that take a CONTAINER call it on
// the words where CONTAINER is. A normal user's build is handed over to
// the command line that ns.Enter may re-execute later, which then neither
// evaluates nor builds again.
func builtArgs(args []string) ([]string, error) {
	if len(args) == 0 || !isBuildArgs(args[0]) {
		return args, nil
	}
	macros, rest := splitBuildArgs(args)
	p, err := buildArgs(macros, false)
	if err != nil {
		return nil, err
	}
	if os.Geteuid() != 0 {
		s, err := openStore()
		if err != nil {
			return nil, err
		}
		if err := handOver(s, p); err != nil {
			return nil, err
		}
	}
	return append([]string{p.ID}, rest...), nil
}

// containerRef takes the CONTAINER argument of a command, an id or build
// arguments (see builtArgs), and returns the id and the words after it.
func containerRef(usage string, args []string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, Usagef("usage: %s", usage)
	}
	if args[0] == "--" {
		// Build arguments that are empty: plash -- CMD.
		return "", nil, Usagef("no image specified (give a CONTAINER id or build arguments such as --from-id ID before --)")
	}
	args, err := builtArgs(args)
	if err != nil {
		return "", nil, err
	}
	if err := store.CheckID(args[0]); err != nil {
		return "", nil, storeErr(err)
	}
	return args[0], args[1:], nil
}

// containerArg is containerRef for the commands that then act as root
// over the data directory (run, create, mount...): it also enters the
// user namespace.
func containerArg(usage string, args []string) (string, []string, error) {
	id, rest, err := containerRef(usage, args)
	if err != nil {
		return "", nil, err
	}
	if err := ns.Enter(); err != nil {
		return "", nil, err
	}
	return id, rest, nil
}
