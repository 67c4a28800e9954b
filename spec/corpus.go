package spec

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/plash-go/plash/lang"
)

// Case is one archive of the conformance corpus. Its source is the file
// Plashfile (the file form) or the file args (the command-line form, one
// word a line). Lines of the archive's comment can set options:
//
//	[escape]  the source and want.fmt are written with Go escapes (\r, \t,
//	          \v, \f, \\, \xHH), for bytes a text file cannot show; a
//	          backslash is then written \\ (so "--\" is "--\\")
//	[noeol]   the source has no line ending after its last line
type Case struct {
	Name    string // path under the corpus directory, without .txtar
	Path    string
	Archive *txtar.Archive
	Escape  bool
	NoEOL   bool
	dirty   bool
}

// Cases loads every .txtar archive under dir, in path order.
func Cases(dir string) ([]*Case, error) {
	var cases []*Case
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".txtar") {
			return err
		}
		a, err := txtar.ParseFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		c := &Case{Name: strings.TrimSuffix(filepath.ToSlash(rel), ".txtar"), Path: p, Archive: a}
		for _, line := range strings.Split(string(a.Comment), "\n") {
			switch strings.TrimSpace(line) {
			case "[escape]":
				c.Escape = true
			case "[noeol]":
				c.NoEOL = true
			}
		}
		cases = append(cases, c)
		return nil
	})
	return cases, err
}

// Raw returns the content of a file of the archive as written.
func (c *Case) Raw(name string) ([]byte, bool) {
	for _, f := range c.Archive.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

// Source returns the decoded source: for the file form the Plashfile, for
// the command-line form the words of args. It fails when the archive has
// neither, or both.
func (c *Case) Source() (src []byte, words []string, form lang.SourceForm, err error) {
	pf, okFile := c.Raw("Plashfile")
	args, okArgs := c.Raw("args")
	if okFile == okArgs {
		return nil, nil, 0, fmt.Errorf("%s: want exactly one of Plashfile and args", c.Path)
	}
	if okArgs {
		if src, err = c.decode(args); err != nil {
			return nil, nil, 0, err
		}
		s := strings.TrimSuffix(string(src), "\n")
		words = []string{}
		if s != "" || len(src) > 0 {
			words = strings.Split(s, "\n")
		}
		return nil, words, lang.ArgsForm, nil
	}
	src, err = c.decode(pf)
	if err == nil && c.NoEOL {
		src = bytes.TrimSuffix(src, []byte("\n"))
	}
	return src, nil, lang.FileForm, err
}

// Parse parses the source of the case, as Plashfile or as the words of
// args (file name <args>).
func (c *Case) Parse() (*lang.File, error) {
	src, words, form, err := c.Source()
	if err != nil {
		return nil, err
	}
	if form == lang.ArgsForm {
		return lang.ParseArgs(words)
	}
	return lang.Parse("Plashfile", src)
}

func (c *Case) decode(b []byte) ([]byte, error) {
	if !c.Escape {
		return b, nil
	}
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			out = append(out, b[i])
			continue
		}
		if i+1 == len(b) {
			return nil, fmt.Errorf("%s: lone backslash at the end", c.Path)
		}
		i++
		switch b[i] {
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'v':
			out = append(out, '\v')
		case 'f':
			out = append(out, '\f')
		case '\\':
			out = append(out, '\\')
		case 'x':
			if i+2 >= len(b) {
				return nil, fmt.Errorf("%s: short \\x escape", c.Path)
			}
			n, err := strconv.ParseUint(string(b[i+1:i+3]), 16, 8)
			if err != nil {
				return nil, fmt.Errorf("%s: bad \\x escape: %v", c.Path, err)
			}
			out = append(out, byte(n))
			i += 2
		default:
			return nil, fmt.Errorf("%s: unknown escape \\%c (write a backslash as \\\\)", c.Path, b[i])
		}
	}
	return out, nil
}

// Encode writes text the way the case stores it: escaped when the case
// says [escape] (see decode), as it is otherwise.
func (c *Case) Encode(b []byte) []byte {
	if !c.Escape {
		return b
	}
	var out []byte
	for _, x := range b {
		switch {
		case x == '\\':
			out = append(out, `\\`...)
		case x == '\r':
			out = append(out, `\r`...)
		case x == '\t':
			out = append(out, `\t`...)
		case x == '\v':
			out = append(out, `\v`...)
		case x == '\f':
			out = append(out, `\f`...)
		case x == '\n' || x >= 0x20 && x < 0x7f:
			out = append(out, x)
		default:
			out = append(out, fmt.Sprintf(`\x%02x`, x)...)
		}
	}
	return out
}

// Check compares got with the file name of the archive, as stored (encode
// first when needed). When update is set it rewrites the file instead
// (Save writes the archive); otherwise a difference or a missing file is
// returned as an error that says how to see or accept it.
func (c *Case) Check(name, got string, update bool) error {
	want, ok := c.Raw(name)
	if ok && string(want) == got {
		return nil
	}
	if update {
		c.Set(name, []byte(got))
		return nil
	}
	if !ok {
		return fmt.Errorf("%s: no %s; got:\n%s\n(run go test ./spec -update to write it)", c.Path, name, got)
	}
	return fmt.Errorf("%s: %s differs\n--- got:\n%s--- want:\n%s(run go test ./spec -update to accept, and review the diff)", c.Path, name, got, want)
}

// CheckAbsent fails unless the archive has no file name; with update it
// removes the file.
func (c *Case) CheckAbsent(name string, update bool) error {
	want, ok := c.Raw(name)
	if !ok {
		return nil
	}
	if update {
		c.Remove(name)
		return nil
	}
	return fmt.Errorf("%s: has %s, but there is nothing to compare it with:\n%s", c.Path, name, want)
}

// wantOrder places the expectations after the sources, in this order.
var wantOrder = map[string]int{"want.ast": 1, "want.calls": 2, "want.fmt": 3, "want.err": 4, "want.sh": 5, "want.ops": 6}

// Set replaces or adds a file of the archive.
func (c *Case) Set(name string, data []byte) {
	c.dirty = true
	for i, f := range c.Archive.Files {
		if f.Name == name {
			c.Archive.Files[i].Data = data
			return
		}
	}
	c.Archive.Files = append(c.Archive.Files, txtar.File{Name: name, Data: data})
	sort.SliceStable(c.Archive.Files, func(i, j int) bool {
		return wantOrder[c.Archive.Files[i].Name] < wantOrder[c.Archive.Files[j].Name]
	})
}

// Remove deletes a file of the archive.
func (c *Case) Remove(name string) {
	for i, f := range c.Archive.Files {
		if f.Name == name {
			c.Archive.Files = append(c.Archive.Files[:i], c.Archive.Files[i+1:]...)
			c.dirty = true
			return
		}
	}
}

// Save writes the archive back when Set or Remove changed it.
func (c *Case) Save() error {
	if !c.dirty {
		return nil
	}
	c.dirty = false
	return os.WriteFile(c.Path, txtar.Format(c.Archive), 0o644)
}
