package cli

import (
	"fmt"

	"github.com/plash-go/plash/runtime/store"
)

func init() {
	Register(&Command{
		Name:    "map",
		Usage:   "plash map KEY [ID]",
		Summary: "Get, set or delete (ID '') the container a key maps to.",
		Help: `plash map KEY       prints the id KEY maps to (nothing when unset)
plash map KEY ID    maps KEY to container ID
plash map KEY ''    deletes KEY
A key may not contain '/'.`,
		Run: func(args []string) error {
			if len(args) > 1 {
				rest, err := builtArgs(args[1:])
				if err != nil {
					return err
				}
				args = append(args[:1:1], rest...)
			}
			if len(args) < 1 || len(args) > 2 {
				return Usagef("usage: plash map KEY [ID]")
			}
			if err := store.CheckMapKey(args[0]); err != nil {
				return Exit(ExitUsage, err)
			}
			if len(args) == 2 && args[1] != "" {
				if err := store.CheckID(args[1]); err != nil {
					return storeErr(err)
				}
			}
			s, err := openStore()
			if err != nil {
				return err
			}
			switch {
			case len(args) == 1:
				id, ok, err := s.MapGet(args[0])
				if err != nil {
					return err
				}
				if ok {
					fmt.Println(id)
				}
				return nil
			case args[1] == "":
				return s.MapDelete(args[0])
			}
			return storeErr(s.MapSet(args[0], args[1]))
		},
	})
}
