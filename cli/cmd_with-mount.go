package cli

import (
	"github.com/plash-go/plash/runtime/container"
)

func init() {
	Register(&Command{
		Name:    "with-mount",
		Usage:   "plash with-mount CONTAINER [CMD...]",
		Summary: "Run CMD (default: your shell) on the host inside the mounted container's root.",
		Help: `The container's file system is mounted read-only in a private mount
namespace and CMD runs on the host with it as working directory, e.g.
  plash with-mount 70 du -sh`,
		Run: func(args []string) error {
			id, rest, err := containerArg("plash with-mount CONTAINER [CMD...]", args)
			if err != nil {
				return err
			}
			s, err := openStore()
			if err != nil {
				return err
			}
			code, err := container.WithMount(s, id, rest)
			if err != nil {
				return execErr(storeErr(err))
			}
			if code != 0 {
				return Exit(code, nil)
			}
			return nil
		},
	})
}
