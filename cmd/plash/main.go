package main

import (
	"os"

	"github.com/plash-go/plash/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
