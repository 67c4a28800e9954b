package lang

import (
	"bytes"
	"strings"
)

// Format returns the canonical text of a file-form tree. The rules, which
// spec/spec.md states normatively, change the layout and never the calls:
//
//   - lines end with LF; a line whose text ends with CR is ended with CR LF
//     so that the CR stays part of it;
//   - the shebang and the arguments are written as they are;
//   - a macro line is its token and its words separated by one space (a
//     tab after the token "--\", which a space would turn into an escape);
//   - trailing whitespace is removed from comments;
//   - an escape that is not needed is removed: "--\ TEXT" becomes TEXT when
//     TEXT is not empty, does not start with "-" and does not start with
//     "#!/"; "--\ " followed by nothing becomes "--\";
//   - runs of blank lines become one blank line; blank lines at the start
//     and at the end of the file are removed;
//   - the file ends with a line ending, unless it is empty.
//
// Lines before the first macro token (arguments there are errors) keep
// their escapes, so that the errors stay the same. Format is meant for the
// file form; a tree of the command-line form is written word by word, which
// keeps its meaning only when no word needs an escape.
func Format(f *File) []byte {
	p := printer{buf: make([]byte, 0, len(f.Src)+16)}
	if f.Shebang != nil {
		p.text(f.Shebang.Text)
	} else if len(f.Lead) > 0 {
		p.guard = true
	}
	for _, l := range f.Lead {
		p.line(l, false)
	}
	for _, s := range f.Stanzas {
		p.flush()
		p.guard = false
		b := p.buf
		b = append(b, s.Head.Value...)
		sep := byte(' ')
		if s.Head.Value == `--\` {
			// The macro "\": a space would make the line an escape, and
			// nothing an empty argument; a tab keeps it a macro line.
			sep = '\t'
			if len(s.Words) == 0 {
				b = append(b, sep)
			}
		}
		for _, w := range s.Words {
			b = append(b, sep)
			b = append(b, w.Value...)
			sep = ' '
		}
		p.buf = append(b, '\n')
		p.started = true
		for _, l := range s.Lines {
			p.line(l, true)
		}
	}
	return p.buf
}

// printer writes lines, holding blank lines back until a non-blank line
// follows.
type printer struct {
	buf     []byte
	started bool // a non-blank line was written
	blank   bool // a blank line is pending
	guard   bool // the next line is the first and must not look like a shebang
}

func (p *printer) flush() {
	if p.blank && p.started {
		p.buf = append(p.buf, '\n')
	}
	p.blank = false
}

// text writes a line whose text is kept as it is.
func (p *printer) text(s string) {
	if p.guard && strings.HasPrefix(s, "#!/") {
		// Not on the first line, where it would become a shebang.
		p.blank, p.started = true, true
	}
	p.guard = false
	p.flush()
	p.buf = append(p.buf, s...)
	if strings.HasSuffix(s, "\r") {
		p.buf = append(p.buf, '\r')
	}
	p.buf = append(p.buf, '\n')
	p.started = true
}

func (p *printer) line(l *Line, unescape bool) {
	switch {
	case l.Blank:
		p.blank = true
	case l.Comment != nil:
		p.text(strings.TrimRight(*l.Comment, " \t\v\f\r"))
	case l.EscEmpty:
		p.text(`--\`)
	case l.Text != nil:
		p.text(*l.Text)
	case l.Esc != nil:
		v := (*l.Esc)[4:]
		switch {
		case v == "":
			p.text(`--\`)
		case unescape && v[0] != '-' && !strings.HasPrefix(v, "#!/"):
			p.text(v)
		default:
			p.text(*l.Esc)
		}
	}
}

// FormatSource parses and formats a file-form source. It refuses a source
// with errors, returning them.
func FormatSource(name string, src []byte) ([]byte, error) {
	f, err := Parse(name, src)
	if err != nil {
		return nil, err
	}
	return Format(f), nil
}

// IsFormatted reports whether src is in the canonical format.
func IsFormatted(name string, src []byte) bool {
	out, err := FormatSource(name, src)
	return err == nil && bytes.Equal(out, src)
}
