package lang

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Calls expands the tree into macro calls, in order, with every error of
// the source. Each "-abc" stanza becomes one call per letter; the arguments
// go to the last one. Errors do not stop the expansion: a stanza in error is
// skipped and the next macro token starts afresh.
func (f *File) Calls() ([]*Call, ErrorList) {
	errs := f.check()
	// Count first, so that the calls and arguments of a large file take
	// four allocations instead of two or three per call.
	nc, na := 0, 0
	for _, s := range f.Stanzas {
		k := countNames(s.Head.Value)
		if k == 0 {
			continue
		}
		nc += k
		na += len(s.Words)
		for _, l := range s.Lines {
			if l.IsArg() {
				na++
			}
		}
	}
	calls := make([]*Call, 0, nc)
	cs := make([]Call, nc)
	as := make([]Arg, na)
	aps := make([]*Arg, na)
	for _, s := range f.Stanzas {
		v := s.Head.Value
		k := countNames(v)
		if k == 0 {
			continue
		}
		start := len(aps) - na
		for _, w := range s.Words {
			a := &as[0]
			as = as[1:]
			*a = Arg{Value: w.Value, Kind: WordArg, Pos: w.Pos, End: advance(w.Pos, w.Value)}
			aps[len(aps)-na] = a
			na--
		}
		for _, l := range s.Lines {
			if l.IsArg() {
				a := &as[0]
				as = as[1:]
				l.argInto(a)
				aps[len(aps)-na] = a
				na--
			}
		}
		args := aps[start : len(aps)-na : len(aps)-na]
		end := s.Head.End
		if len(args) > 0 {
			end = args[len(args)-1].End
		}
		p := s.Head.Pos
		p.Offset++
		p.Column++
		letters := v[1:] // "-abc": one call per character
		if strings.HasPrefix(v, "--") {
			p.Offset++
			p.Column++
			letters = ""
		}
		for i := 0; i < k; i++ {
			name := v[2:]
			if letters != "" {
				_, n := utf8.DecodeRuneInString(letters)
				name, letters = letters[:n], letters[n:]
			}
			c := &cs[0]
			cs = cs[1:]
			*c = Call{Name: name, Pos: s.Head.Pos, End: end, NamePos: p, NameEnd: advance(p, name), Stanza: s}
			if i == k-1 {
				c.Args = args
			} else {
				c.End = s.Head.End
			}
			calls = append(calls, c)
			p = c.NameEnd
		}
	}
	return calls, errs
}

// countNames is len(MacroName(token)), without building the names.
func countNames(token string) int {
	if strings.HasPrefix(token, "--") {
		if len(token) == 2 {
			return 0
		}
		return 1
	}
	if len(token) < 2 || token[0] != '-' {
		return 0
	}
	n := 0
	for i := 1; i < len(token); n++ {
		_, w := utf8.DecodeRuneInString(token[i:])
		i += w
	}
	return n
}

// check returns every error of the tree: at most one for the arguments
// before the first macro token, and one per macro token without a name.
func (f *File) check() ErrorList {
	var errs ErrorList
	for _, l := range f.Lead {
		a := l.Arg()
		if a == nil {
			continue
		}
		if a.Kind == EscapedArg || a.Kind == EmptyArg {
			errs = append(errs, f.Errorf(l.Pos, "first token can not be escaped (got %s)", quoteGot(a.Value)))
		} else {
			errs = append(errs, f.Errorf(l.Pos, "first token must be an action prefixed by two dashes (got %s)", quoteGot(a.Value)))
		}
		break
	}
	for _, s := range f.Stanzas {
		if v := s.Head.Value; len(v) > 1 && v != "--" {
			continue // MacroName(v) != nil, without building the names
		}
		if f.Form == ArgsForm {
			errs = append(errs, f.Errorf(s.Head.Pos, "missing macro name after %s (a macro is --NAME or -LETTERS)", quoteGot(s.Head.Value)))
		} else {
			errs = append(errs, f.Errorf(s.Head.Pos, "missing macro name after %s (a macro is --NAME or -LETTERS; to pass %s as an argument, write it as --\\ %s)", quoteGot(s.Head.Value), quoteGot(s.Head.Value), s.Head.Value))
		}
	}
	return errs
}

// Errorf returns an error at a position of the file that remembers its
// source line, so that Pretty(nil) can show it. Package eval uses it for
// the errors it finds at calls.
func (f *File) Errorf(pos Position, format string, a ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, a...), line: f.lineAt(pos)}
}

// Annotate makes the errors of errs that lie in this file remember their
// source line, as Errorf does, so that Pretty(nil) can show it.
func (f *File) Annotate(errs ErrorList) {
	for _, e := range errs {
		if e.line == "" {
			e.line = f.lineAt(e.Pos)
		}
	}
}

// lineAt returns the source line of a position of the file, or "".
func (f *File) lineAt(pos Position) string {
	start := pos.Offset - (pos.Column - 1)
	if pos.Filename != f.Name || start < 0 || pos.Offset > len(f.Src) {
		return ""
	}
	line := f.Src[start:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	return strings.TrimSuffix(string(line), "\r")
}

// quoteGot quotes a value the way the original's messages did, as Python's
// repr of a string: 'x', or "x" when x holds a single quote and no double
// quote, with backslashes and control characters escaped.
func quoteGot(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
		i += n
	}
	b.WriteByte(q)
	return b.String()
}
