package cli

import "os"

func init() {
	Register(&Command{
		Name:    "shrink",
		Usage:   "plash shrink",
		Summary: "Delete about half of the containers, oldest first.",
		Help:    `Only containers without children are deleted, lowest ids first.`,
		Run: func(args []string) error {
			if len(args) != 0 {
				return Usagef("usage: plash shrink")
			}
			s, err := openStoreUserns()
			if err != nil {
				return err
			}
			return storeErr(s.Shrink(os.Stdout))
		},
	})
}
