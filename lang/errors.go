package lang

import (
	"fmt"
	"strings"
)

// Error is a language error at a position. It prints as FILE:LINE:COL: MSG.
type Error struct {
	Pos  Position
	Msg  string
	Err  error  // the cause, for errors.As (package eval puts its *eval.Error here), or nil
	line string // the source line of Pos, for Pretty
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	name := e.Pos.Filename
	if name == "" {
		name = StdinName
	}
	return fmt.Sprintf("%s:%d:%d: %s", name, e.Pos.Line, e.Pos.Column, e.Msg)
}

// ErrorList is every error found in a source, in source order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the errors, so that errors.As and errors.Is look into
// each.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Pretty formats the error for a terminal: the FILE:LINE:COL: MSG line,
// then the offending source line and a caret under the column. src is the
// source the position refers to (for the command-line form, the words
// joined by spaces); when it is nil, the line remembered by Parse or
// ParseArgs is used.
func (e *Error) Pretty(src []byte) string {
	line := e.line
	if src != nil {
		line = sourceLine(src, e.Pos.Line)
	}
	if line == "" {
		return e.Error()
	}
	var b strings.Builder
	b.WriteString(e.Error())
	b.WriteString("\n    ")
	b.WriteString(line)
	b.WriteString("\n    ")
	for i := 1; i < e.Pos.Column && i <= len(line); i++ {
		switch c := line[i-1]; {
		case c == '\t':
			b.WriteByte('\t')
		case c&0xC0 == 0x80: // a UTF-8 continuation byte takes no column
		default:
			b.WriteByte(' ')
		}
	}
	b.WriteByte('^')
	return b.String()
}

// sourceLine returns line n (from 1) of src without its line ending.
func sourceLine(src []byte, n int) string {
	s := string(src)
	for i := 1; i < n; i++ {
		j := strings.IndexByte(s, '\n')
		if j < 0 {
			return ""
		}
		s = s[j+1:]
	}
	if j := strings.IndexByte(s, '\n'); j >= 0 {
		s = s[:j]
	}
	return strings.TrimSuffix(s, "\r")
}
