package cli

import (
	"fmt"
	"os"

	"github.com/plash-go/plash/runtime/container"
)

func init() {
	Register(&Command{
		Name:    "create",
		Usage:   "plash create CONTAINER [CMD...]",
		Summary: "Run CMD in a container and keep its changes as a new child container; print its id.",
		Help: `CMD (default: root's shell) runs as with plash run, but /tmp is not
mapped and its output goes to stderr, since the new id is printed on
stdout. A failing CMD makes no container: "build failed with exit status
N", exit status 4.`,
		Run: func(args []string) error {
			id, rest, err := containerArg("plash create CONTAINER [CMD...]", args)
			if err != nil {
				return err
			}
			s, err := openStore()
			if err != nil {
				return err
			}
			child, err := container.Create(s, id, rest, os.Stderr, os.Stderr)
			if err != nil {
				return execErr(storeErr(err))
			}
			fmt.Println(child)
			return nil
		},
	})
}
