package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// Version is the version plash reports.
var Version = "0.1.0-dev"

// Exit codes, as the original used them.
const (
	ExitOK          = 0
	ExitFailure     = 1 // generic failure
	ExitUsage       = 2 // wrong usage
	ExitNoContainer = 3 // no such container
	ExitBuildFailed = 4 // a create/build command failed
)

// Command is one plash subcommand.
type Command struct {
	Name    string
	Usage   string // e.g. "plash nodepath ID [--allow-root-container]"
	Summary string // one line, shown by plash help
	Help    string // longer description, shown by --help (optional)
	Hidden  bool   // not listed by plash help
	// Run executes the command with the words after its name and returns the
	// exit status. It returns an error to have it printed as
	// "plash error: MSG"; wrap it with Exit to choose the status.
	Run func(args []string) error
}

var commands = map[string]*Command{}

// Register adds a command to the table; commands call it in init.
func Register(c *Command) {
	if _, dup := commands[c.Name]; dup {
		panic("plash: command registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

// ExitError carries an exit status with an error message. A nil Err exits
// silently with Code.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}
func (e *ExitError) Unwrap() error { return e.Err }

// Exit returns an error that makes the command exit with code, printing err
// (when not nil) as "plash error: ...".
func Exit(code int, err error) error { return &ExitError{Code: code, Err: err} }

// Usagef is a usage error: printed, with exit status 2.
func Usagef(format string, a ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, a...)}
}

// Stderr is where errors and build output go (a variable for tests).
var Stderr io.Writer = os.Stderr

// Main runs plash with the given arguments (without the program name) and
// returns the exit status.
func Main(args []string) int {
	takeErrorFD()
	if len(args) == 0 {
		args = []string{"help"}
	}
	name := args[0]
	switch {
	case name == "--help" || name == "-h":
		name, args = "help", args[1:]
	case name == "--version":
		name, args = "version", args[1:]
	case strings.HasPrefix(name, "-"):
		// plash --from alpine --apk xeyes -- xeyes is plash run with build arguments.
		name = "run"
	default:
		args = args[1:]
	}
	c, ok := commands[name]
	if !ok {
		if name == "" {
			name = "''"
		}
		return report(Usagef("no such command: %s (try `plash help`)", name))
	}
	if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
		printHelp(os.Stdout, c)
		return ExitOK
	}
	return report(c.Run(args))
}

// report prints err the way plash reports errors and returns the status.
func report(err error) int {
	if err == nil {
		return ExitOK
	}
	code := ExitFailure
	var ee *ExitError
	if errors.As(err, &ee) {
		code = ee.Code
		if ee.Err == nil {
			return code
		}
	}
	if errorFD != nil {
		fmt.Fprintln(errorFD, err.Error())
		return code
	}
	PrintError(err)
	return code
}

// envErrorFD is set by a slim plash (delegate_slim.go) running plash-remote
// for an image of a build: that plash-remote writes its error message to
// descriptor 3 instead of stderr, and the build reports it once, as the
// error of the macro that asked for the image.
const envErrorFD = "_PLASH_ERROR_FD"

var errorFD *os.File

func takeErrorFD() {
	if os.Getenv(envErrorFD) != "3" {
		return
	}
	os.Unsetenv(envErrorFD)
	syscall.CloseOnExec(3)
	errorFD = os.NewFile(3, "errors")
}

// PrintError prints "plash error: MSG" on stderr, the prefix in colour on a
// terminal. On a terminal, language errors also show the offending line
// with a caret under the column (see langerr.go).
func PrintError(err error) {
	prefix := "plash error:"
	f, ok := Stderr.(*os.File)
	tty := ok && term.IsTerminal(int(f.Fd()))
	if tty {
		prefix = "\x1b[1;31mplash error:\x1b[0m"
		if msgs := prettyErrors(err); msgs != nil {
			for _, m := range msgs {
				fmt.Fprintln(Stderr, prefix, m)
			}
			return
		}
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		// Several positioned errors: one per line, each prefixed.
		for _, line := range strings.Split(msg, "\n") {
			fmt.Fprintln(Stderr, prefix, line)
		}
		return
	}
	fmt.Fprintln(Stderr, prefix, msg)
}

func printHelp(w io.Writer, c *Command) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", c.Usage, c.Summary)
	if c.Help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.Help))
	}
}

func init() {
	Register(&Command{
		Name:    "help",
		Usage:   "plash help",
		Summary: "List the commands with a one-line description each.",
		Run: func(args []string) error {
			names := make([]string, 0, len(commands))
			for n, c := range commands {
				if !c.Hidden {
					names = append(names, n)
				}
			}
			sort.Strings(names)
			for _, n := range names {
				fmt.Printf("%-14s %s\n", n, commands[n].Summary)
			}
			return nil
		},
	})
	Register(&Command{
		Name:    "version",
		Usage:   "plash version",
		Summary: "Print the version of plash.",
		Run: func(args []string) error {
			fmt.Println(Version)
			return nil
		},
	})
}
