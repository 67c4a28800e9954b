package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/plash-go/plash/runtime/tarball"
	"golang.org/x/term"
)

func init() {
	Register(&Command{
		Name:    "import-tar",
		Usage:   "plash import-tar [FILE]",
		Summary: "Make a container from a root file system archive; print its id.",
		Help: `Reads FILE, or standard input when FILE is omitted or '-'. Plain, gzip,
xz, bzip2 and zstd archives are recognised by their content. Nothing is
written outside the new container; device nodes that can not be made
unprivileged are skipped (one summary line); /etc/resolv.conf becomes an
empty file.`,
		Run: func(args []string) error {
			if len(args) > 1 {
				return Usagef("usage: plash import-tar [FILE]")
			}
			var r io.Reader = os.Stdin
			name := "standard input"
			if len(args) == 1 && args[0] != "-" {
				name = args[0]
				f, err := os.Open(name)
				if err != nil {
					return fmt.Errorf("importing %s: %w", name, err)
				}
				defer f.Close()
				if fi, err := f.Stat(); err == nil && fi.IsDir() {
					return fmt.Errorf("importing %s: it is a directory, not a tar archive (use plash add-layer 0 DIR for a directory)", name)
				}
				r = f
			} else if term.IsTerminal(int(os.Stdin.Fd())) {
				return Usagef("import-tar reads the archive from standard input, which is a terminal: give FILE or pipe an archive in")
			}
			s, err := openStoreUserns()
			if err != nil {
				return err
			}
			id, err := tarball.Import(s, r)
			if err != nil {
				return fmt.Errorf("importing %s: %w", name, err)
			}
			fmt.Println(id)
			return nil
		},
	})
}
