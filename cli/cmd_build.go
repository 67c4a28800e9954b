package cli

import (
	"fmt"
)

func init() {
	Register(&Command{
		Name:    "build",
		Usage:   "plash build MACROS...",
		Summary: "Build a container from macros, using the layer cache; print its id.",
		Help: `Evaluates the macros (see plash help-macros), splits the script at each
--layer and builds every layer that is not in the cache, each in a child
of the one before, as "sh -l" running "export PATH", "set -ex" and the
layer's lines. The build output goes to stderr, with "--:" after each
built layer; a fully cached build prints nothing there. The id of the last
layer is printed on stdout. During a build the working directory is yours
and /home, /root (when readable), /etc/resolv.conf, /sys, /dev and /proc
are mapped; /tmp is not.

  plash build -f 1 --run 'touch /a' --layer --run 'touch /b'
  plash build --eval-file Plashfile

Exit status: 2 for no image, 1 when a layer fails (the message names the
Plashfile line of the call that made the failing command).`,
		Run: func(args []string) error {
			p, err := buildArgs(args, false)
			if err != nil {
				return err
			}
			fmt.Println(p.ID)
			return nil
		},
	})
}
