package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/plash-go/plash/lang"
)

func init() {
	Register(&Command{
		Name:    "fmt",
		Usage:   "plash fmt [-w] [-d] [-l] [FILE...]",
		Summary: "Format Plashfiles in the canonical style.",
		Help: `Formats each FILE (standard input when none is given) and prints the
result. The canonical style (spec/spec.md, "Formatting") changes only the
layout, never the calls: one space between the words of a macro line, no
unneeded --\ escapes, no trailing whitespace on comments, at most one blank
line in a row, LF line endings. A file with errors is not formatted; its
errors are printed and plash fmt exits with status 1.

  -w  write the result back to each FILE instead of printing it
  -d  print a diff of the changes instead of the result
  -l  print the names of the files whose formatting differs`,
		Run: runFmt,
	})
}

func runFmt(args []string) error {
	fs := flag.NewFlagSet("fmt", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	write := fs.Bool("w", false, "")
	showDiff := fs.Bool("d", false, "")
	list := fs.Bool("l", false, "")
	if err := fs.Parse(args); err != nil {
		return Usagef("fmt: %v (usage: plash fmt [-w] [-d] [-l] [FILE...])", err)
	}
	files := fs.Args()
	if len(files) == 0 {
		if *write {
			return Usagef("fmt: -w needs files: standard input has nowhere to be written back")
		}
		src, err := io.ReadAll(os.Stdin)
		if err != nil {
			return fmt.Errorf("reading standard input: %w", err)
		}
		return fmtOne(lang.StdinName, "", src, false, *showDiff, *list)
	}
	failed := false
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err == nil {
			err = fmtOne(name, name, src, *write, *showDiff, *list)
		}
		if err != nil {
			PrintError(err)
			failed = true
		}
	}
	if failed {
		return Exit(ExitFailure, nil)
	}
	return nil
}

// fmtOne formats one source, named name in messages and stored at path
// ("" for standard input).
func fmtOne(name, path string, src []byte, write, showDiff, list bool) error {
	out, err := lang.FormatSource(name, src)
	if err != nil {
		var el lang.ErrorList
		if errors.As(err, &el) {
			return err // FILE:LINE:COL: MSG lines say where
		}
		return fmt.Errorf("formatting %s: %w", name, err)
	}
	changed := !bytes.Equal(src, out)
	if list && changed {
		fmt.Println(name)
	}
	if showDiff && changed {
		os.Stdout.Write(diff.Diff(name+".orig", src, name, out))
	}
	if write && changed {
		if err := writeBack(path, out); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	if !write && !showDiff && !list {
		_, err = os.Stdout.Write(out)
	}
	return err
}

// writeBack replaces the file at path (following symbolic links) with data,
// keeping its permission bits: it writes a temporary file next to it and
// renames it over, so that an interrupted write leaves the old file whole.
func writeBack(path string, data []byte) error {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	fi, err := os.Stat(real)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(real), "."+filepath.Base(real)+".plashfmt-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(fi.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), real)
}
