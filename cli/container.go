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

// containerRef takes the CONTAINER argument of a command: an id, or build
// arguments up to "--", which are built first (plash export-tar --from 1
// --run 'touch /a' -- out.tar). It returns the id and the words after it.
func containerRef(usage string, args []string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, Usagef("usage: %s", usage)
	}
	if !isBuildArgs(args[0]) {
		if err := store.CheckID(args[0]); err != nil {
			return "", nil, storeErr(err)
		}
		return args[0], args[1:], nil
	}
	macros, rest := splitBuildArgs(args)
	p, err := buildArgs(macros, false)
	if err != nil {
		return "", nil, err
	}
	return p.ID, rest, nil
}

// containerArg is containerRef for the commands that then act as root
// over the data directory (run, create, mount...): it also enters the
// user namespace. A normal user's build hands its result over to the
// re-executed command line, which does not build again.
func containerArg(usage string, args []string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, Usagef("usage: %s", usage)
	}
	if !isBuildArgs(args[0]) {
		if err := ns.Enter(); err != nil {
			return "", nil, err
		}
		return containerRef(usage, args)
	}
	macros, rest := splitBuildArgs(args)
	p, err := buildArgs(macros, false)
	if err != nil {
		return "", nil, err
	}
	if os.Geteuid() != 0 {
		s, err := openStore()
		if err != nil {
			return "", nil, err
		}
		if err := handOver(s, p); err != nil {
			return "", nil, err
		}
		if err := ns.Enter(); err != nil {
			return "", nil, err
		}
	}
	return p.ID, rest, nil
}
