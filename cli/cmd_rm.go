package cli

import "github.com/plash-go/plash/runtime/store"

func init() {
	Register(&Command{
		Name:    "rm",
		Usage:   "plash rm ID...",
		Summary: "Remove containers and all their children.",
		Help: `Each container is first renamed away, so it disappears at once for
everybody; then its files are deleted. Containers running from it are
left in an undefined state.`,
		Run: func(args []string) error {
			args, err := builtArgs(args)
			if err != nil {
				return err
			}
			if len(args) == 0 {
				return Usagef("usage: plash rm ID...")
			}
			for _, id := range args {
				if err := store.CheckID(id); err != nil {
					return storeErr(err)
				}
			}
			s, err := openStoreUserns()
			if err != nil {
				return err
			}
			for _, id := range args {
				if err := s.Rm(id); err != nil {
					return storeErr(err)
				}
			}
			return nil
		},
	})
}
