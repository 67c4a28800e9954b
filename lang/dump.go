package lang

import (
	"fmt"
	"strconv"
	"strings"
)

// Dump returns a readable listing of the tree, one node a line, each with
// its range (LINE:COL-LINE:COL) and, for text, its value in Go quoting. The
// conformance corpus (spec/testdata) holds these listings as want.ast.
func Dump(f *File) string {
	var b strings.Builder
	form := "file"
	if f.Form == ArgsForm {
		form = "args"
	}
	fmt.Fprintf(&b, "File %s %s\n", form, f.Name)
	if f.Shebang != nil {
		node(&b, 1, "Shebang", f.Shebang.Pos, f.Shebang.End, f.Shebang.Text)
	}
	if len(f.Lead) > 0 {
		b.WriteString("  Lead\n")
		for _, l := range f.Lead {
			dumpLine(&b, 2, l)
		}
	}
	for _, s := range f.Stanzas {
		b.WriteString("  Stanza\n")
		node(&b, 2, "Head", s.Head.Pos, s.Head.End, s.Head.Value)
		for _, w := range s.Words {
			node(&b, 2, "Word", w.Pos, w.End, w.Value)
		}
		for _, l := range s.Lines {
			dumpLine(&b, 2, l)
		}
	}
	return b.String()
}

func dumpLine(b *strings.Builder, depth int, l *Line) {
	switch {
	case l.Text != nil:
		node(b, depth, "Text", l.Pos, l.End, *l.Text)
	case l.Esc != nil:
		node(b, depth, "Esc", l.Pos, l.End, *l.Esc)
	case l.EscEmpty:
		node(b, depth, "EscEmpty", l.Pos, l.End, `--\`)
	case l.Comment != nil:
		node(b, depth, "Comment", l.Pos, l.End, *l.Comment)
	case l.Blank:
		fmt.Fprintf(b, "%sBlank %s\n", strings.Repeat("  ", depth), span(l.Pos, l.End))
	}
}

func node(b *strings.Builder, depth int, kind string, pos, end Position, text string) {
	fmt.Fprintf(b, "%s%s %s %s\n", strings.Repeat("  ", depth), kind, span(pos, end), strconv.Quote(text))
}

func span(pos, end Position) string {
	return fmt.Sprintf("%d:%d-%d:%d", pos.Line, pos.Column, end.Line, end.Column)
}

// DumpCalls returns a readable listing of calls: one line per call with its
// name, its range and the range of its name, then one line per argument
// with its kind, range and value. The corpus holds these as want.calls.
func DumpCalls(calls []*Call) string {
	var b strings.Builder
	for _, c := range calls {
		name := c.Name
		if q := strconv.Quote(name); q[1:len(q)-1] != name || name == "" || strings.ContainsAny(name, " \"") {
			name = q
		}
		fmt.Fprintf(&b, "%s %s name %s\n", name, span(c.Pos, c.End), span(c.NamePos, c.NameEnd))
		for _, a := range c.Args {
			fmt.Fprintf(&b, "  %s %s %s\n", a.Kind, span(a.Pos, a.End), strconv.Quote(a.Value))
		}
	}
	return b.String()
}
