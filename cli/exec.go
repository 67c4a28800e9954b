package cli

import "errors"

// ExecMain is plash-exec: evaluate and build FILE, then run its exec hint
// with ARGS.
func ExecMain(args []string) int {
	return report(errors.New("plash-exec: not implemented yet"))
}
