// Command plash-exec is the shebang interpreter of executable Plashfiles:
// "#!/usr/bin/env plash-exec" on a Plashfile's first line.
// It evaluates and builds the file, then runs its exec hint with the
// arguments (cli.ExecMain).
package main
