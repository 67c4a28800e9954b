package lang

import (
	"strings"
	"unicode/utf8"
)

// File is the syntax tree of one source, as written: the shebang, the lines
// before the first macro, and one Stanza per macro token. Comments and blank
// lines are kept where they were, so that the formatter reproduces them.
type File struct {
	Name    string     // file name used in positions: a path, <stdin> or <args>
	Shebang *Shebang   `parser:"@@?"`
	Lead    []*Line    `parser:"@@*"` // comments, blank lines and (in error) arguments before the first macro
	Stanzas []*Stanza  `parser:"@@*"`
	Src     []byte     // the source text (nil for the command-line form)
	Form    SourceForm // file or command-line form
}

// SourceForm says how a source arrived.
type SourceForm int

const (
	FileForm SourceForm = iota // a Plashfile, --eval-file or standard input
	ArgsForm                   // argv words
)

// Shebang is the "#!/..." first line, which the language ignores.
type Shebang struct {
	Pos, End Position
	Text     string `parser:"@Shebang"`
}

// Stanza is one macro token and what follows it up to the next macro token:
// the words on the same line and the argument, comment and blank lines below.
// A token like "-abc" is one Stanza that Calls expands into three calls.
type Stanza struct {
	Head  *Head   `parser:"@@"`
	Words []*Word `parser:"@@*"`
	Lines []*Line `parser:"@@*"`
}

// Head is a macro token, such as "--apk" or "-abc".
type Head struct {
	Pos, End Position
	Value    string `parser:"@Macro"`
}

// Word is a word after the macro token on a macro line: an argument.
type Word struct {
	Pos, End Position
	Value    string `parser:"@Word"`
}

// Line is one line below a macro token (or before the first one): an
// argument in one of its three written forms, a comment, or a blank line.
// Pos and End delimit the line's text without its line ending. Exactly one
// of the fields after End is set. Esc holds the whole line, "--\ " included.
type Line struct {
	Pos, End Position
	Text     *string `parser:"  @Text"`
	Esc      *string `parser:"| @Esc"`
	EscEmpty bool    `parser:"| @EscEmpty"`
	Comment  *string `parser:"| @Comment"`
	Blank    bool    `parser:"| @Blank"`
}

// IsArg reports whether the line is an argument.
func (l *Line) IsArg() bool { return l.Text != nil || l.Esc != nil || l.EscEmpty }

// ArgKind says how an argument was written.
type ArgKind int

const (
	PlainArg   ArgKind = iota // a whole line, or an argv word
	WordArg                   // a word on the macro's own line
	EscapedArg                // "--\ TEXT"
	EmptyArg                  // "--\"
)

func (k ArgKind) String() string {
	return [...]string{"plain", "word", "escaped", "empty"}[k]
}

// Arg is one argument of a call, with its value and where it was written.
// Pos and End delimit the argument's source text (for an escaped argument,
// the text after "--\ ").
type Arg struct {
	Value    string
	Kind     ArgKind
	Pos, End Position
}

// Call is one macro call: a name and its arguments. NamePos and NameEnd
// delimit the name (for "-abc", the one letter); Pos is the start of the
// macro token and End the end of the last argument.
type Call struct {
	Name             string
	Pos, End         Position
	NamePos, NameEnd Position
	Args             []*Arg
	Stanza           *Stanza // the syntax this call was expanded from
}

// advance returns p moved over s, which holds no newline.
func advance(p Position, s string) Position {
	p.Offset += len(s)
	p.Column += len(s)
	return p
}

// Args returns the arguments of a stanza in order, with their positions.
func (s *Stanza) Args() []*Arg {
	args := make([]*Arg, 0, len(s.Words)+len(s.Lines))
	for _, w := range s.Words {
		args = append(args, &Arg{Value: w.Value, Kind: WordArg, Pos: w.Pos, End: advance(w.Pos, w.Value)})
	}
	for _, l := range s.Lines {
		if a := l.Arg(); a != nil {
			args = append(args, a)
		}
	}
	return args
}

// Arg returns the argument a line holds, or nil for a comment or blank line.
func (l *Line) Arg() *Arg {
	if !l.IsArg() {
		return nil
	}
	a := new(Arg)
	l.argInto(a)
	return a
}

// argInto sets *a to the argument of a line that holds one.
func (l *Line) argInto(a *Arg) {
	switch {
	case l.Text != nil:
		*a = Arg{Value: *l.Text, Kind: PlainArg, Pos: l.Pos, End: advance(l.Pos, *l.Text)}
	case l.Esc != nil:
		p := advance(l.Pos, `--\ `)
		*a = Arg{Value: (*l.Esc)[4:], Kind: EscapedArg, Pos: p, End: advance(p, (*l.Esc)[4:])}
	case l.EscEmpty:
		*a = Arg{Kind: EmptyArg, Pos: l.Pos, End: advance(l.Pos, `--\`)}
	}
}

// MacroName returns the macro names a macro token calls: "--name" calls
// name, "-abc" calls a, b and c (one name per UTF-8 character; a byte that
// is not UTF-8 is a name of its own). It returns nil when no name follows
// the dashes.
func MacroName(token string) []string {
	if strings.HasPrefix(token, "--") {
		if len(token) == 2 {
			return nil
		}
		return []string{token[2:]}
	}
	if len(token) < 2 || token[0] != '-' {
		return nil
	}
	var names []string
	for i := 1; i < len(token); {
		_, n := utf8.DecodeRuneInString(token[i:])
		names = append(names, token[i:i+n])
		i += n
	}
	return names
}
