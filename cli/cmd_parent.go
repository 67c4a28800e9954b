package cli

import (
	"fmt"

	"github.com/plash-go/plash/runtime/store"
)

func init() {
	Register(&Command{
		Name:    "parent",
		Usage:   "plash parent ID",
		Summary: "Print the id of a container's parent.",
		Run: func(args []string) error {
			if len(args) != 1 {
				return Usagef("usage: plash parent ID")
			}
			if err := store.CheckID(args[0]); err != nil {
				return storeErr(err)
			}
			s, err := openStore()
			if err != nil {
				return err
			}
			p, err := s.Parent(args[0])
			if err != nil {
				return storeErr(err)
			}
			fmt.Println(p)
			return nil
		},
	})
}
