package cli

import "github.com/plash-go/plash/runtime/store"

func init() {
	Register(&Command{
		Name:    "init",
		Usage:   "plash init",
		Summary: "Set up the data directory; run this once before anything else.",
		Help: `Creates the data directory ($PLASH_DATA, else ~/.plashdata, or
/var/lib/plash for root) with the empty root container 0. The union file
system is taken from PLASH_INIT_UNION_TASTE: unionfs-fuse (default) or
overlay. Running it again completes a partial data directory and changes
nothing else.`,
		Run: func(args []string) error {
			if len(args) != 0 {
				return Usagef("usage: plash init")
			}
			dir, err := store.DefaultDir()
			if err != nil {
				return err
			}
			_, err = store.Init(dir, "")
			return err
		},
	})
}
