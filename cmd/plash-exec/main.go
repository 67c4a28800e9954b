package main

import (
	"os"

	"github.com/plash-go/plash/cli"
)

func main() {
	os.Exit(cli.ExecMain(os.Args[1:]))
}
