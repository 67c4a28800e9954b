package cli

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/plash-go/plash/eval"
	"github.com/plash-go/plash/lang"
)

func init() {
	Register(&Command{
		Name:    "eval",
		Usage:   "plash eval [--json] [MACROS...]",
		Summary: "Print the build script the macros expand to.",
		Help: `Evaluates the macros (from standard input in the file form when none are
given) and prints the shell script a build runs, hints included as
"### plash hint: NAME=VALUE" lines. With --json, prints the primitive
operations instead, one JSON object per line inside a JSON array, each with
its origin: the position of the call and the stack of macros that produced it.

  plash eval --apt git 'shell escape'
  plash eval --eval-file ./Plashfile
  plash eval < Plashfile`,
		Run: runEval,
	})
}

func runEval(args []string) error {
	debug.SetGCPercent(eval.GCPercent)
	asJSON := false
	if len(args) > 0 && args[0] == "--json" {
		asJSON, args = true, args[1:]
	}
	var ops []eval.Op
	var err error
	if len(args) == 0 {
		src, rerr := io.ReadAll(os.Stdin)
		if rerr != nil {
			return fmt.Errorf("reading standard input: %w", rerr)
		}
		ops, err = evalSource(lang.StdinName, src)
	} else {
		ops, err = evalArgs(args)
	}
	if err != nil {
		return storeErr(err)
	}
	if asJSON {
		b, err := eval.MarshalOps(ops)
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(b)
		return err
	}
	_, err = io.WriteString(os.Stdout, eval.Script(ops))
	return err
}
