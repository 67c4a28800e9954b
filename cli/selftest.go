package cli

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// selftests are the conformance scripts plash test runs: POSIX shell
// scripts run with sh in a fresh directory and data directory each, with
// this plash first in PATH. lib.sh is sourced before each; exit status 0
// passes, 77 skips, anything else fails.
//
//go:embed selftest/*.sh
var selftests embed.FS

const skipStatus = 77

func init() {
	Register(&Command{
		Name:    "test",
		Usage:   "plash test [PREFIX]",
		Summary: "Run plash's own conformance tests against this installation.",
		Help: `Runs the self-test scripts built into plash (those whose name starts with
PREFIX), each in a throw-away directory with its own data directory, using
the plash (and plash-exec) installed next to this one. Prints NAME and
PASS, FAIL or SKIP for each, the output of failed ones on stderr, and exits
1 when any failed. Use it to check plash on a new platform:
  plash test
  plash test build`,
		Run: runSelfTest,
	})
}

func runSelfTest(args []string) error {
	if len(args) > 1 {
		return Usagef("usage: plash test [PREFIX]")
	}
	prefix := ""
	if len(args) == 1 {
		prefix = args[0]
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the plash binary: %w", err)
	}
	lib, err := selftests.ReadFile("selftest/lib.sh")
	if err != nil {
		return err
	}
	names, err := fs.Glob(selftests, "selftest/*.sh")
	if err != nil {
		return err
	}
	sort.Strings(names)
	binDir := filepath.Dir(exe)
	failed, ran := 0, 0
	for _, path := range names {
		name := strings.TrimSuffix(filepath.Base(path), ".sh")
		if name == "lib" || !strings.HasPrefix(name, prefix) {
			continue
		}
		ran++
		body, err := selftests.ReadFile(path)
		if err != nil {
			return err
		}
		status, out, err := runOneSelfTest(binDir, exe, string(lib)+"\n"+string(body))
		if err != nil {
			return fmt.Errorf("running %s: %w", name, err)
		}
		result := "PASS"
		switch status {
		case 0:
		case skipStatus:
			result = "SKIP"
		default:
			result = "FAIL"
			failed++
		}
		fmt.Printf("%-20s %s\n", name, result)
		if result == "FAIL" {
			for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
				fmt.Fprintf(Stderr, "    %s\n", line)
			}
		}
	}
	if ran == 0 {
		return Usagef("no self-test starts with %q", prefix)
	}
	if failed > 0 {
		return Exit(ExitFailure, fmt.Errorf("%d of %d self-tests failed", failed, ran))
	}
	return nil
}

// runOneSelfTest runs script with sh in a new temporary directory and
// returns its exit status and combined output.
func runOneSelfTest(binDir, exe, script string) (int, string, error) {
	dir, err := os.MkdirTemp("", "plash-test-")
	if err != nil {
		return 0, "", err
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		return 0, "", err
	}
	// plash first in PATH: this binary under its own name, and its
	// plash-exec when installed beside it.
	bin := filepath.Join(dir, ".bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		return 0, "", err
	}
	if err := os.Symlink(exe, filepath.Join(bin, "plash")); err != nil {
		return 0, "", err
	}
	if pe := filepath.Join(binDir, "plash-exec"); fileExists(pe) {
		os.Symlink(pe, filepath.Join(bin, "plash-exec"))
	}
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = dir
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PLASH_") && !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "_PLASH") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env,
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PLASH_DATA="+filepath.Join(dir, "data"),
		"PLASH_INIT_UNION_TASTE="+os.Getenv("PLASH_INIT_UNION_TASTE"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	// The data directory may hold files of other owners (the user
	// namespace's ids): plash purge removes it.
	if fileExists(filepath.Join(dir, "data")) {
		purge := exec.Command(exe, "purge", "--yes")
		purge.Env = cmd.Env
		purge.Run()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String(), nil
	}
	if err != nil {
		return 0, "", err
	}
	return 0, out.String(), nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
