package cli

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
)

func init() {
	Register(&Command{
		Name:    "purge",
		Usage:   "plash purge [--yes]",
		Summary: "Delete all build data (asks first unless --yes).",
		Help: `Deletes every container, the map and the temporary directories. The data
directory itself stays (it may be a mount point); run plash init to use it
again.`,
		Run: func(args []string) error {
			yes := false
			for _, a := range args {
				if a != "--yes" {
					return Usagef("usage: plash purge [--yes]")
				}
				yes = true
			}
			if !yes {
				fmt.Print("Delete all build data? [y/N] ")
				line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
				if strings.TrimSpace(line) != "y" {
					return errors.New("action not confirmed")
				}
			}
			s, err := openStoreUserns()
			if err != nil {
				return err
			}
			if err := s.Purge(); err != nil {
				return err
			}
			fmt.Fprintln(Stderr, "All deleted.")
			return nil
		},
	})
}
