// Package cli is the command-line front end of plash: the command table,
// argument handling, error printing and exit codes. Each command lives in
// a file of its own (cmd_NAME.go) and registers itself in init; the real
// work is done by the packages lang, eval and runtime/... that the commands
// call. cmd/plash and cmd/plash-exec are thin mains over this package.
package cli
