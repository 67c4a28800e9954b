package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/plash-go/plash/runtime/build"
	"github.com/plash-go/plash/runtime/container"
	"github.com/plash-go/plash/runtime/ns"
)

const execUsage = "plash-exec FILE [ARGS...]"

const execHelp = `plash-exec is the interpreter of executable Plashfiles: with
"#!/usr/bin/env plash-exec" as its first line, a Plashfile runs like a
program. It evaluates and builds FILE (with the working directory at FILE's
directory, so paths in it are relative to it), then runs the command of its
exec hint (set with --entrypoint or --entrypoint-script) in the container,
with ARGS appended, in your working directory. Each use-env hint
(--hint use-env NAME) passes the host variable NAME in. The exit status is
the program's.`

// ExecMain is plash-exec: evaluate and build FILE, then run its exec hint
// with ARGS.
func ExecMain(args []string) int {
	if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
		fmt.Printf("usage: %s\n\n%s\n", execUsage, execHelp)
		return ExitOK
	}
	if len(args) > 0 && args[0] == "--version" {
		fmt.Println(Version)
		return ExitOK
	}
	return report(execFile(args))
}

func execFile(args []string) error {
	if len(args) == 0 {
		return Usagef("usage: %s", execUsage)
	}
	file := args[0]
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("reading the Plashfile: %w", err)
	}
	p, err := buildInDir(file, src)
	if err != nil {
		return err
	}
	cmd, ok := p.HintValue("exec")
	if !ok || cmd == "" {
		return fmt.Errorf("%s: no exec hint, nothing to run: add a line \"--entrypoint /bin/sh\" (or the program to run) to it", file)
	}
	var words []string
	for _, name := range p.HintValues("use-env") {
		if v, ok := os.LookupEnv(name); ok {
			words = append(words, name+"="+v)
		}
	}
	words = append(append(words, cmd), args[1:]...)
	if os.Getenv("PLASH_NO_FAST_RUN") == "" {
		// plash run's hot path is in plash itself, in C before its Go
		// runtime starts (runtime/container/fastrun_linux.c); as a normal
		// user it also enters the user namespace without a second start
		// of a Go program. Hand the run over to it: same command line,
		// same environment, same exit status. Exec returns only when it
		// cannot run plash; this process runs the container then.
		if plash, err := sibling("plash"); err == nil {
			syscall.Exec(plash, append([]string{"plash", "run", p.ID}, words...), os.Environ())
		}
	}
	if os.Geteuid() != 0 {
		s, err := openStore()
		if err != nil {
			return err
		}
		if err := handOver(s, p); err != nil {
			return err
		}
		if err := ns.Enter(); err != nil {
			return err
		}
	}
	return runIn(p.ID, container.Options{Mounts: container.RunMounts(), Cmd: words})
}

// envExecCwd keeps the caller's working directory for a plash-exec
// re-executed (by ns.Enter) while it builds in the Plashfile's directory.
const envExecCwd = "_PLASH_EXEC_CWD"

// buildInDir builds the Plashfile file with the working directory at its
// directory, and goes back to the caller's.
func buildInDir(file string, src []byte) (*build.Plan, error) {
	cwd, ok := os.LookupEnv(envExecCwd)
	if ok {
		os.Unsetenv(envExecCwd)
		if err := os.Chdir(cwd); err != nil {
			return nil, err
		}
	} else {
		var err error
		if cwd, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	os.Setenv(envExecCwd, cwd)
	defer os.Unsetenv(envExecCwd)
	dir := filepath.Dir(file)
	if err := os.Chdir(dir); err != nil {
		return nil, fmt.Errorf("building %s: %w", file, err)
	}
	defer os.Chdir(cwd)
	name := filepath.Base(file)
	return buildSource(name, src, "", false)
}
