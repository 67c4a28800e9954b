package cli

import (
	"fmt"

	"github.com/plash-go/plash/runtime/store"
)

func init() {
	Register(&Command{
		Name:    "add-layer",
		Usage:   "plash add-layer PARENT DIR",
		Summary: "Move DIR in as a new child container of PARENT; print its id.",
		Help: `DIR is renamed into the data directory (it disappears from where it was),
so it must be on the same file system. Use 0 as PARENT to start from
nothing:
  plash add-layer 0 /tmp/rootfs`,
		Run: func(args []string) error {
			if len(args) != 2 {
				return Usagef("usage: plash add-layer PARENT DIR")
			}
			if err := store.CheckID(args[0]); err != nil {
				return storeErr(err)
			}
			s, err := openStoreUserns()
			if err != nil {
				return err
			}
			id, err := s.AddLayer(args[0], args[1])
			if err != nil {
				return storeErr(err)
			}
			fmt.Println(id)
			return nil
		},
	})
}
