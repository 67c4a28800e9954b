package cli

import (
	"github.com/plash-go/plash/runtime/container"
	"github.com/plash-go/plash/runtime/ns"
)

func init() {
	// The store commands that create or remove files of other users call
	// enterUserns first.
	enterUserns = ns.Enter
	Register(&Command{
		Name:    "sudo",
		Usage:   "plash sudo [CMD...]",
		Summary: "Run CMD (default: your shell) in a user namespace where you are root.",
		Help: `As a normal user, CMD runs in a new user and mount namespace where uid
and gid 0 are you and 1..N are your ranges from /etc/subuid and
/etc/subgid. Use it to read or remove files that containers wrote as
other users. As root, CMD simply runs.`,
		Run: func(args []string) error {
			if err := ns.Enter(); err != nil {
				return err
			}
			return execErr(container.Exec(args))
		},
	})
}
