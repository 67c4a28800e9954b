package cli

import (
	"bufio"
	"fmt"
	"os"

	"github.com/plash-go/plash/eval"
)

func init() {
	Register(&Command{
		Name:    "help-macros",
		Usage:   "plash help-macros [PACK]",
		Summary: "List the macros with a one-line description each, grouped by pack.",
		Help: `Without PACK, lists every macro an evaluation starts with: the standard
library packs (core, pm, shortcuts) and the builtins. With PACK, lists one of
those or the macros of a pack --import would load: FILE.star, or NAME found in
PLASH_MACRO_PATH and then the standard library.`,
		Run: func(args []string) error {
			if len(args) > 1 {
				return Usagef("usage: plash help-macros [PACK]")
			}
			pack := ""
			if len(args) == 1 {
				pack = args[0]
			}
			ms, err := eval.Macros(evalConfig(""), pack)
			if err != nil {
				return err
			}
			w := bufio.NewWriter(os.Stdout)
			prev := ""
			for i, m := range ms {
				if i == 0 || m.Pack != prev {
					if i > 0 {
						fmt.Fprintln(w)
					}
					fmt.Fprintf(w, "[%s]\n", m.Pack)
					prev = m.Pack
				}
				fmt.Fprintf(w, "%-16s = %s\n", m.Name, m.Summary())
			}
			return w.Flush()
		},
	})
}
