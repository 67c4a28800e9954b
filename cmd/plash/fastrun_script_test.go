package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"github.com/rogpeppe/go-internal/testscript"
)

// fastrunCmds are the script commands that check the C fast path of plash
// run (runtime/container/fastrun_linux.c) against the Go path.
var fastrunCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"bothpaths": cmdBothPaths,
}

// cmdBothPaths runs a command twice, as is and with PLASH_NO_FAST_RUN=1,
// and fails unless both print the same on stdout and stderr and end the
// same way; that output becomes the script's stdout and stderr. With
// -asuser, both run as the unprivileged test user (as asuser does, with
// the script's PLASH_EXPORT and TERM); -stdin FILE feeds FILE to both;
// -env A,B passes the script's variables A and B too. The fast path must
// have run the command ("taken"), unless -fast says "fell back" (it
// started, then left the command to Go) or "declined" (it did not start).
// "! bothpaths" expects both to fail.
//
//	bothpaths [-asuser] [-stdin FILE] [-env NAMES] [-fast WHAT] plash run ID CMD...
func cmdBothPaths(ts *testscript.TestScript, neg bool, args []string) {
	asUser, stdin, names, want := false, "", []string(nil), "taken"
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch {
		case args[0] == "-asuser":
			asUser, args = true, args[1:]
		case args[0] == "-stdin" && len(args) > 1:
			stdin, args = ts.ReadFile(args[1]), args[2:]
		case args[0] == "-env" && len(args) > 1:
			names, args = strings.Split(args[1], ","), args[2:]
		case args[0] == "-fast" && len(args) > 1:
			want, args = args[1], args[2:]
		default:
			ts.Fatalf("bothpaths: unknown flag %s", args[0])
		}
	}
	if len(args) == 0 {
		ts.Fatalf("usage: bothpaths [-asuser] [-stdin FILE] [-env NAMES] CMD [ARGS...]")
	}
	type result struct{ stdout, stderr, end string }
	trace := ts.MkAbs(".bothpaths-trace")
	run := func(noFast string) result {
		var cmd *exec.Cmd
		if asUser {
			cmd = userCommand(ts, args)
			for _, name := range []string{"PLASH_EXPORT", "TERM"} {
				cmd.Env = append(cmd.Env, name+"="+ts.Getenv(name))
			}
		} else {
			cmd = exec.Command(lookPathIn(ts, args[0]), args[1:]...)
			cmd.Dir = ts.MkAbs(".")
			cmd.Env = scriptEnv(ts)
		}
		for _, name := range names {
			cmd.Env = append(cmd.Env, name+"="+ts.Getenv(name))
		}
		os.Remove(trace)
		if f, err := os.OpenFile(trace, os.O_CREATE|os.O_WRONLY, 0o666); err == nil {
			f.Chmod(0o666) // for the test user too
			f.Close()
		}
		cmd.Env = append(cmd.Env, "PLASH_NO_FAST_RUN="+noFast, "_PLASH_FAST_RUN_TRACE="+trace)
		cmd.Stdin = strings.NewReader(stdin)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		end := "exit 0"
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			if ws := ee.Sys().(syscall.WaitStatus); ws.Signaled() {
				end = "signal " + ws.Signal().String()
			} else {
				end = fmt.Sprintf("exit %d", ee.ExitCode())
			}
		case err != nil:
			ts.Fatalf("bothpaths %s: %v", args[0], err)
		}
		return result{stdout.String(), stderr.String(), end}
	}
	fast := run("")
	if got := strings.TrimSpace(ts.ReadFile(trace)); got != want && !(got == "" && want == "declined") {
		if got == "" {
			got = "declined"
		}
		ts.Fatalf("bothpaths %s: the fast path was %s, not %s", args[0], got, want)
	}
	slow := run("1")
	if got := strings.TrimSpace(ts.ReadFile(trace)); got != "" {
		ts.Fatalf("bothpaths %s: with PLASH_NO_FAST_RUN=1 the fast path was %s", args[0], got)
	}
	ts.Logf("bothpaths %s: %s", strings.Join(args, " "), fast.end)
	if fast != slow {
		ts.Fatalf("the fast path and the Go path differ:\nfast: %s\nstdout: %q\nstderr: %q\nGo:   %s\nstdout: %q\nstderr: %q",
			fast.end, fast.stdout, fast.stderr, slow.end, slow.stdout, slow.stderr)
	}
	fmt.Fprint(ts.Stdout(), fast.stdout)
	fmt.Fprint(ts.Stderr(), fast.stderr)
	if failed := fast.end != "exit 0"; failed != neg {
		ts.Fatalf("bothpaths %s: %s", args[0], fast.end)
	}
}

// scriptEnv is the script's environment (testscript keeps it private):
// the names of the process environment and those the scripts set.
func scriptEnv(ts *testscript.TestScript) []string {
	names := strings.Fields("WORK PATH HOME TERM DISPLAY PLASH_DATA PLASH_EXPORT PLASH_NO_UNSHARE")
	for _, kv := range os.Environ() {
		names = append(names, kv[:strings.IndexByte(kv, '=')])
	}
	seen := map[string]bool{}
	var env []string
	for _, name := range names {
		if v := ts.Getenv(name); v != "" && !seen[name] && name != "PLASH_NO_FAST_RUN" {
			seen[name] = true
			env = append(env, name+"="+v)
		}
	}
	return append(env, "PWD="+ts.MkAbs("."))
}

// lookPathIn finds name in the script's PATH.
func lookPathIn(ts *testscript.TestScript, name string) string {
	if strings.Contains(name, "/") {
		return ts.MkAbs(name)
	}
	for _, dir := range strings.Split(ts.Getenv("PATH"), ":") {
		if p, err := exec.LookPath(dir + "/" + name); err == nil {
			return p
		}
	}
	return name
}
