package lang

import (
	"bytes"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// corpusSeeds returns the sources of the conformance corpus
// (spec/testdata/**/*.txtar): every Plashfile, and every args file as words
// joined by NUL (the args seeds of the fuzz targets).
func corpusSeeds(t testing.TB) (files, args [][]byte) {
	err := filepath.WalkDir("../spec/testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".txtar") {
			return err
		}
		a, err := txtar.ParseFile(p)
		if err != nil {
			return err
		}
		escaped := strings.Contains(string(a.Comment), "[escape]")
		for _, f := range a.Files {
			data := f.Data
			if escaped {
				data = unescape(data)
			}
			switch f.Name {
			case "Plashfile":
				files = append(files, data)
			case "args":
				words := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
				args = append(args, []byte(strings.Join(words, "\x00")))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no seeds in ../spec/testdata")
	}
	return files, args
}

// unescape decodes the escapes of a corpus case marked [escape] (\r, \t,
// \v, \f, \\, \xHH: a subset of Go's), leaving b alone if it cannot.
func unescape(b []byte) []byte {
	s := strings.NewReplacer(`"`, `\"`, "\n", `\n`).Replace(string(b))
	u, err := strconv.Unquote(`"` + s + `"`)
	if err != nil {
		return b
	}
	return []byte(u)
}

// offsetPos returns the line and column of an offset of src.
func offsetPos(src []byte, off int) (line, col int) {
	return 1 + bytes.Count(src[:off], []byte("\n")), off - bytes.LastIndexByte(src[:off], '\n')
}

// checkPositions fails unless every position of the tree and of its calls
// and errors lies inside src, agrees with its line and column, and delimits
// the text the node holds.
func checkPositions(t *testing.T, f *File, src []byte) {
	t.Helper()
	check := func(what string, pos, end Position, text string) {
		t.Helper()
		if pos.Filename != f.Name || end.Filename != f.Name {
			t.Fatalf("%s: file name %q/%q, want %q", what, pos.Filename, end.Filename, f.Name)
		}
		if pos.Offset < 0 || pos.Offset > end.Offset || end.Offset > len(src) {
			t.Fatalf("%s: range %d-%d outside the source (%d bytes)", what, pos.Offset, end.Offset, len(src))
		}
		for _, p := range []Position{pos, end} {
			if f.Form == FileForm || !bytes.Contains(src, []byte("\n")) {
				if l, c := offsetPos(src, p.Offset); l != p.Line || c != p.Column {
					t.Fatalf("%s: offset %d is %d:%d, position says %d:%d", what, p.Offset, l, c, p.Line, p.Column)
				}
			}
		}
		if text != "\x00any" && string(src[pos.Offset:end.Offset]) != text {
			t.Fatalf("%s: source %q at %d-%d, node holds %q", what, src[pos.Offset:end.Offset], pos.Offset, end.Offset, text)
		}
	}
	line := func(l *Line) {
		switch {
		case l.Text != nil:
			check("text", l.Pos, l.End, *l.Text)
		case l.Esc != nil:
			check("escape", l.Pos, l.End, *l.Esc)
		case l.Comment != nil:
			check("comment", l.Pos, l.End, *l.Comment)
		case l.EscEmpty:
			check("empty escape", l.Pos, l.End, `--\`)
		case l.Blank:
			check("blank", l.Pos, l.End, "")
		default:
			t.Fatalf("line at %d:%d of no kind", l.Pos.Line, l.Pos.Column)
		}
	}
	if f.Shebang != nil {
		check("shebang", f.Shebang.Pos, f.Shebang.End, f.Shebang.Text)
	}
	for _, l := range f.Lead {
		line(l)
	}
	for _, s := range f.Stanzas {
		check("head", s.Head.Pos, s.Head.End, s.Head.Value)
		for _, w := range s.Words {
			check("word", w.Pos, w.End, w.Value)
		}
		for _, l := range s.Lines {
			line(l)
		}
	}
	calls, errs := f.Calls()
	for _, c := range calls {
		check("call "+c.Name, c.Pos, c.End, "\x00any")
		check("call name", c.NamePos, c.NameEnd, c.Name)
		for _, a := range c.Args {
			want := a.Value
			if a.Kind == EmptyArg {
				want = `--\`
			}
			check("argument", a.Pos, a.End, want)
		}
	}
	for _, e := range errs {
		check("error", e.Pos, e.Pos, "")
	}
}

func FuzzParse(f *testing.F) {
	files, args := corpusSeeds(f)
	for _, s := range files {
		f.Add(s, false)
	}
	for _, s := range args {
		f.Add(s, true)
	}
	f.Add([]byte("#!/bin/sh\n--a b\r\n-xy\n--\\ -z\n--\\\n--# c\n\nw\n"), false)
	f.Fuzz(func(t *testing.T, src []byte, argv bool) {
		if argv {
			words := strings.Split(string(src), "\x00")
			pf := checkReferenceArgs(t, words)
			checkPositions(t, pf, []byte(strings.Join(words, " ")))
			return
		}
		pf := checkReference(t, src)
		checkPositions(t, pf, src)
	})
}

// callText is the meaning of a file: its calls and their argument values,
// and its error messages.
func callText(f *File) string {
	calls, errs := f.Calls()
	var b strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&b, "%q", c.Name)
		for _, a := range c.Args {
			fmt.Fprintf(&b, " %q", a.Value)
		}
		b.WriteByte('\n')
	}
	for _, e := range errs {
		fmt.Fprintf(&b, "error: %s\n", e.Msg)
	}
	return b.String()
}

// comments returns the comments of a file, without trailing whitespace.
func comments(f *File) []string {
	var out []string
	add := func(ls []*Line) {
		for _, l := range ls {
			if l.Comment != nil {
				out = append(out, strings.TrimRight(*l.Comment, " \t\v\f\r"))
			}
		}
	}
	add(f.Lead)
	for _, s := range f.Stanzas {
		add(s.Lines)
	}
	return out
}

// checkFormat fails unless formatting keeps the calls, the errors, the
// comments and the shebang of src, and formatting the result changes
// nothing.
func checkFormat(t *testing.T, src []byte) {
	t.Helper()
	f, _ := Parse("Plashfile", src)
	out := Format(f)
	g, _ := Parse("Plashfile", out)
	if a, b := callText(f), callText(g); a != b {
		t.Fatalf("formatting %q as %q changes the calls:\n%s\nto:\n%s", src, out, a, b)
	}
	if a, b := strings.Join(comments(f), "\n"), strings.Join(comments(g), "\n"); a != b {
		t.Fatalf("formatting %q as %q changes the comments:\n%s\nto:\n%s", src, out, a, b)
	}
	if (f.Shebang == nil) != (g.Shebang == nil) || f.Shebang != nil && f.Shebang.Text != g.Shebang.Text {
		t.Fatalf("formatting %q as %q changes the shebang", src, out)
	}
	if again := Format(g); !bytes.Equal(again, out) {
		t.Fatalf("formatting is not idempotent: %q -> %q -> %q", src, out, again)
	}
}

func FuzzFormat(f *testing.F) {
	files, _ := corpusSeeds(f)
	for _, s := range files {
		f.Add(s)
	}
	f.Add([]byte("\n\n--a  b\t c \n\n\n--\\ x\r\r\n--\\ \n--# c  \n   \n\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		checkFormat(t, src)
	})
}
