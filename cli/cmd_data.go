package cli

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/plash-go/plash/runtime/store"
)

func init() {
	Register(&Command{
		Name:    "data",
		Usage:   "plash data [CMD...]",
		Summary: "Print the data directory, or run CMD inside it.",
		Help: `Without arguments prints where the build data is. With arguments runs
them with the data directory as working directory, e.g.
  plash data cat config/union_taste`,
		Run: func(args []string) error {
			dir, err := store.DefaultDir()
			if err != nil {
				return err
			}
			if len(args) == 0 {
				fmt.Println(dir)
				return nil
			}
			if err := os.Chdir(dir); err != nil {
				return fmt.Errorf("%w (first run `plash init`)", err)
			}
			if err := enterUserns(); err != nil {
				return err
			}
			path, err := exec.LookPath(args[0])
			if err != nil {
				return Exit(127, fmt.Errorf("%s: command not found", args[0]))
			}
			return fmt.Errorf("running %s: %w", args[0], syscall.Exec(path, args, os.Environ()))
		},
	})
}
