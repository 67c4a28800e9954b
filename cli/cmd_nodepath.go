package cli

import (
	"errors"
	"fmt"

	"github.com/plash-go/plash/runtime/store"
)

func init() {
	Register(&Command{
		Name:    "nodepath",
		Usage:   "plash nodepath ID [--allow-root-container]",
		Summary: "Print the directory of a container in the layer tree.",
		Help: `The container's files are in NODEPATH/_data/root. The root container 0
is refused unless --allow-root-container is given.
  plash nodepath 19      # /home/me/.plashdata/layer/0/2/19`,
		Run: func(args []string) error {
			if len(args) > 0 && args[0] != "--allow-root-container" {
				var err error
				if args, err = builtArgs(args); err != nil {
					return err
				}
			}
			allowRoot := false
			var ids []string
			for _, a := range args {
				if a == "--allow-root-container" {
					allowRoot = true
				} else {
					ids = append(ids, a)
				}
			}
			if len(ids) != 1 {
				return Usagef("usage: plash nodepath ID [--allow-root-container]")
			}
			if err := store.CheckID(ids[0]); err != nil {
				return storeErr(err)
			}
			if ids[0] == "0" && !allowRoot {
				return Exit(ExitUsage, errors.New("container must not be the special root container '0' (add --allow-root-container)"))
			}
			s, err := openStore()
			if err != nil {
				return err
			}
			p, err := s.NodePath(ids[0])
			if err != nil {
				return storeErr(err)
			}
			fmt.Println(p)
			return nil
		},
	})
}
