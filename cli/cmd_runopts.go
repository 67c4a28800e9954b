package cli

import (
	"strings"

	"github.com/plash-go/plash/runtime/container"
	"github.com/plash-go/plash/runtime/ns"
	"github.com/plash-go/plash/runtime/store"
)

func init() {
	Register(&Command{
		Name:    "runopts",
		Usage:   "plash runopts -c CONTAINER [-d CHANGESDIR] [-m PATH]... [CMD...]",
		Summary: "Run a container with lower level options.",
		Help: `Usually you want plash run. If no command is given, root's shell from
the container's /etc/passwd runs.
  -c CONTAINER   the container to run
  -d CHANGESDIR  keep the changes to the file system here (data/ holds
                 them, work/ is overlay's work directory)
  -m PATH        map the host's PATH to the same place in the container;
                 may be given many times`,
		Run: func(args []string) error {
			const usage = "usage: plash runopts -c CONTAINER [-d CHANGESDIR] [-m PATH]... [CMD...]"
			// -c may be given build arguments up to "--" instead of an id.
			for i := 0; i+1 < len(args) && args[i] != "--"; i++ {
				if args[i] == "-c" && isBuildArgs(args[i+1]) {
					built, err := builtArgs(args[i+1:])
					if err != nil {
						return err
					}
					args = append(args[:i+1:i+1], built...)
					break
				}
			}
			var o container.Options
			id := ""
			rest, err := getopt(args, "cdm", func(opt byte, val string) {
				switch opt {
				case 'c':
					id = val
				case 'd':
					o.Changes = val
				case 'm':
					o.Mounts = append(o.Mounts, val)
				}
			})
			if err != nil {
				return Usagef("%v\n%s", err, usage)
			}
			if id == "" {
				return Usagef("runopts: missing -c option\n%s", usage)
			}
			if err := store.CheckID(id); err != nil {
				return storeErr(err)
			}
			if err := ns.Enter(); err != nil {
				return err
			}
			o.Cmd = rest
			return runIn(id, o)
		},
	})
}

// getopt parses options that each take a value (listed in opts), like
// getopt(3) with "c:d:m:": "-c 1", "-c1", up to the first word that is not
// an option or "--". It returns the remaining words.
func getopt(args []string, opts string, set func(opt byte, val string)) ([]string, error) {
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			return args[1:], nil
		}
		if len(a) < 2 || a[0] != '-' {
			return args, nil
		}
		if !strings.Contains(opts, a[1:2]) {
			return nil, Usagef("unknown option %s", a)
		}
		if len(a) > 2 {
			set(a[1], a[2:])
			args = args[1:]
			continue
		}
		if len(args) < 2 {
			return nil, Usagef("option %s needs a value", a)
		}
		set(a[1], args[1])
		args = args[2:]
	}
	return args, nil
}
