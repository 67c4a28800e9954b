package cli

import (
	"errors"
	"os"

	"github.com/plash-go/plash/runtime/container"
)

func init() {
	Register(&Command{
		Name:    "mount",
		Usage:   "plash mount CONTAINER MOUNTPOINT [CHANGESDIR]",
		Summary: "Mount a container's file system at MOUNTPOINT.",
		Help: `Changes go to CHANGESDIR (its data/ directory); without it the mount is
read-only. The mount stays until you unmount it (umount MOUNTPOINT). As a
normal user, use it inside plash sudo.`,
		Run: func(args []string) error {
			if len(args) == 0 || !isBuildArgs(args[0]) && (len(args) < 2 || len(args) > 3) {
				return Usagef("usage: plash mount CONTAINER MOUNTPOINT [CHANGESDIR]")
			}
			if os.Geteuid() != 0 {
				// A mount made in plash's own namespace would vanish with it.
				return errors.New("plash mount needs root: as a normal user run it inside plash sudo, e.g. plash sudo sh -c 'plash mount ID DIR && ls DIR'")
			}
			id, rest, err := containerArg("plash mount CONTAINER MOUNTPOINT [CHANGESDIR]", args)
			if err != nil {
				return err
			}
			if len(rest) < 1 {
				return Usagef("usage: plash mount CONTAINER MOUNTPOINT [CHANGESDIR]")
			}
			changes := ""
			if len(rest) > 1 {
				changes = rest[1]
			}
			s, err := openStore()
			if err != nil {
				return err
			}
			return storeErr(container.Mount(s, id, rest[0], changes))
		},
	})
}
