// Command plash builds and runs containers that are plain processes.
// Commands are in package cli (one file cli/cmd_NAME.go each); this
// main only hands them the arguments. Its tests run the real binaries on
// the testscript scripts in testdata/script.
package main
