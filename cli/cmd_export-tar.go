package cli

import (
	"fmt"
	"os"

	"github.com/plash-go/plash/runtime/store"
	"github.com/plash-go/plash/runtime/tarball"
)

func init() {
	Register(&Command{
		Name:    "export-tar",
		Usage:   "plash export-tar CONTAINER [FILE|-]",
		Summary: "Write a container's root file system as a tar archive.",
		Help: `Writes the merged file system of all the container's layers to FILE, or
to standard output when FILE is omitted or '-'. Owners are kept.`,
		Run: func(args []string) error {
			args, err := builtArgs(args)
			if err != nil {
				return err
			}
			if len(args) < 1 || len(args) > 2 {
				return Usagef("usage: plash export-tar CONTAINER [FILE|-]")
			}
			if err := store.CheckID(args[0]); err != nil {
				return storeErr(err)
			}
			s, err := openStore()
			if err != nil {
				return err
			}
			if _, err := s.NodePath(args[0]); err != nil {
				return storeErr(err)
			}
			if err := enterUserns(); err != nil {
				return err
			}
			out := os.Stdout
			if len(args) == 2 && args[1] != "-" {
				out, err = os.Create(args[1])
				if err != nil {
					return fmt.Errorf("exporting: %w", err)
				}
			}
			err = tarball.Export(s, args[0], out)
			if out != os.Stdout {
				if cerr := out.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					os.Remove(out.Name())
				}
			}
			return storeErr(err)
		},
	})
}
