// Command plash-exec is the shebang interpreter of executable Plashfiles:
// "#!/usr/bin/env plash-exec" on a Plashfile's first line.
package main

import (
	"os"

	"github.com/plash-go/plash/cli"
)

func main() {
	os.Exit(cli.ExecMain(os.Args[1:]))
}
