package lang

import (
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The grammar of record is the participle grammar written in the parser
// tags of File, Shebang, Stanza, Head, Word and Line; Grammar prints it and
// the specification quotes it. Parse does not run participle, though:
// participle's reflective parser spends about two microseconds per node
// (1.8 MB/s on a generated 100,000-line Plashfile, 6 MB/s even with every
// line folded into one custom node), while a Plashfile is almost nothing
// but nodes. So parseFile below is a direct transcription of the grammar,
// one loop per repetition, that builds the same tree; the tests and the
// fuzz targets parse every input with both and require equal trees.

// parser returns the participle parser of the grammar. Its lexer is the
// file lexer; the command-line form feeds argv tokens to the same parser.
// It is built on first use: building it costs a quarter of a millisecond
// that plash's start-up (plash run is a hot path) need not pay.
var parser = sync.OnceValue(func() *participle.Parser[File] {
	return participle.MustBuild[File](
		participle.Lexer(fileLexer{}),
		participle.UseLookahead(1),
	)
})

// Grammar returns the grammar in participle's EBNF notation, as the
// specification quotes it.
func Grammar() string { return parser().String() }

// Parse parses a source in the file form. name is used in positions (a
// path, or StdinName). The tree is returned even when the source has errors;
// the error is then an ErrorList holding every error of the source.
func Parse(name string, src []byte) (*File, error) {
	f := parseFile(name, src)
	return f, f.check().Err()
}

// ParseArgs parses argv words in the command-line form.
func ParseArgs(words []string) (*File, error) {
	f := parseArgs(words)
	return f, f.check().Err()
}

// slab hands out pointers to T from chunks of growing size, so that a tree
// of many small nodes costs a few allocations.
type slab[T any] struct{ buf []T }

func (s *slab[T]) new() *T {
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]T, 0, min(max(2*cap(s.buf), 16), 4096))
	}
	s.buf = s.buf[:len(s.buf)+1]
	return &s.buf[len(s.buf)-1]
}

// builder builds a File from tokens, following the grammar:
//
//	File   = Shebang? Line* Stanza* .
//	Stanza = Head Word* Line* .
type builder struct {
	f       *File
	heads   slab[Head]
	words   slab[Word]
	lines   slab[Line]
	stanzas slab[Stanza]
	strs    slab[string]
	lp      []*Line // backing store of the Lines slices
	wp      []*Word // backing store of the Words slices
	sp      []*Stanza
	first   int // index in lp of the current stanza's first line
	firstW  int
	cur     *Stanza // nil before the first macro token
}

func (b *builder) str(s string) *string {
	p := b.strs.new()
	*p = s
	return p
}

// line adds a line of the given token type.
func (b *builder) line(typ lexer.TokenType, text string, pos Position) {
	l := b.lines.new()
	l.Pos, l.End = pos, advance(pos, text)
	switch typ {
	case tokText:
		l.Text = b.str(text)
	case tokEsc:
		l.Esc = b.str(text)
	case tokEscEmpty:
		l.EscEmpty = true
	case tokComment:
		l.Comment = b.str(text)
	case tokBlank:
		l.Blank = true
	}
	b.lp = append(b.lp, l)
}

// head starts a stanza.
func (b *builder) head(text string, pos Position) {
	b.close()
	s := b.stanzas.new()
	s.Head = b.heads.new()
	s.Head.Pos, s.Head.End, s.Head.Value = pos, advance(pos, text), text
	b.sp = append(b.sp, s)
	b.cur, b.first, b.firstW = s, len(b.lp), len(b.wp)
}

func (b *builder) word(text string, pos Position) {
	w := b.words.new()
	w.Pos, w.End, w.Value = pos, advance(pos, text), text
	b.wp = append(b.wp, w)
}

// close ends the current stanza, or the lead lines.
func (b *builder) close() {
	lines := b.lp[b.first:len(b.lp):len(b.lp)]
	if len(lines) == 0 {
		lines = nil
	}
	if b.cur == nil {
		b.f.Lead = lines
		return
	}
	b.cur.Lines = lines
	if len(b.wp) > b.firstW {
		b.cur.Words = b.wp[b.firstW:len(b.wp):len(b.wp)]
	}
}

func (b *builder) finish() *File {
	b.close()
	if len(b.sp) > 0 {
		b.f.Stanzas = b.sp
	}
	return b.f
}

// parseFile lexes and parses the file form in one pass.
func parseFile(name string, src []byte) *File {
	s := string(src) // one copy: every value below is a substring
	n := strings.Count(s, "\n") + 1
	b := &builder{f: &File{Name: name, Src: src, Form: FileForm}, lp: make([]*Line, 0, n)}
	pos := Position{Filename: name, Line: 1, Column: 1}
	for off := 0; off < len(s); pos.Line++ {
		line, next := nextLine(s, off)
		pos.Offset = off
		switch typ := classify(line, pos.Line == 1); typ {
		case tokShebang:
			b.f.Shebang = &Shebang{Pos: pos, End: advance(pos, line), Text: line}
		case tokMacro:
			i, j := nextWord(line, 0)
			p := pos
			p.Offset, p.Column = off+i, i+1
			b.head(line[i:j], p)
			for i, j = nextWord(line, j); i < j; i, j = nextWord(line, j) {
				p.Offset, p.Column = off+i, i+1
				b.word(line[i:j], p)
			}
		default:
			b.line(typ, line, pos)
		}
		off = next
	}
	return b.finish()
}

// parseArgs parses argv words.
func parseArgs(words []string) *File {
	b := &builder{f: &File{Name: ArgsName, Src: []byte(strings.Join(words, " ")), Form: ArgsForm}}
	pos := Position{Filename: ArgsName, Line: 1, Column: 1}
	for _, w := range words {
		if argType(w) == tokMacro {
			b.head(w, pos)
		} else {
			b.line(tokText, w, pos)
		}
		pos.Offset += len(w) + 1
		pos.Column += len(w) + 1
	}
	return b.finish()
}

// parseReference parses tokens with the participle parser and completes the
// tree as parseFile does. It is the reference the tests hold parseFile and
// parseArgs to.
func parseReference(name string, src []byte, form SourceForm, toks []lexer.Token) (*File, error) {
	peek, err := lexer.Upgrade(&tokens{toks: toks})
	if err != nil {
		return nil, err
	}
	f, err := parser().ParseFromLexer(peek)
	if err != nil {
		return nil, err
	}
	f.Name, f.Src, f.Form = name, src, form
	setEnds := func(l *Line) {
		switch {
		case l.Text != nil:
			l.End = advance(l.Pos, *l.Text)
		case l.Esc != nil:
			l.End = advance(l.Pos, *l.Esc)
		case l.Comment != nil:
			l.End = advance(l.Pos, *l.Comment)
		case l.EscEmpty:
			l.End = advance(l.Pos, `--\`)
		default:
			l.End = l.Pos
		}
	}
	if f.Shebang != nil {
		f.Shebang.End = advance(f.Shebang.Pos, f.Shebang.Text)
	}
	for _, l := range f.Lead {
		setEnds(l)
	}
	for _, s := range f.Stanzas {
		s.Head.End = advance(s.Head.Pos, s.Head.Value)
		for _, w := range s.Words {
			w.End = advance(w.Pos, w.Value)
		}
		for _, l := range s.Lines {
			setEnds(l)
		}
	}
	return f, nil
}
