package lang

import (
	"io"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// Position is a place in a source: file name, byte offset (from 0), line
// (from 1) and byte column (from 1).
type Position = lexer.Position

// ArgsName is the file name given to the command-line form in positions.
const ArgsName = "<args>"

// StdinName is the file name given to standard input in positions.
const StdinName = "<stdin>"

// Token types. Every line of the file form becomes exactly one token, except
// a macro line, which becomes a Macro token followed by a Word token per
// further whitespace-separated word. Argv words become Macro or Text tokens.
const (
	tokEOF                      = lexer.EOF
	tokShebang  lexer.TokenType = -(iota + 2) // "#!/..." on the first line
	tokComment                                // "--#..."
	tokEscEmpty                               // exactly "--\": the empty argument
	tokEsc                                    // "--\ TEXT": TEXT taken literally
	tokMacro                                  // first word of a line starting with "-"
	tokWord                                   // further words of a macro line
	tokText                                   // any other non-empty line: one argument
	tokBlank                                  // an empty line
)

var symbols = map[string]lexer.TokenType{
	"EOF": tokEOF, "Shebang": tokShebang, "Comment": tokComment, "EscEmpty": tokEscEmpty,
	"Esc": tokEsc, "Macro": tokMacro, "Word": tokWord, "Text": tokText, "Blank": tokBlank,
}

// TokenName returns the grammar name of a token type.
func TokenName(t lexer.TokenType) string {
	for name, tt := range symbols {
		if tt == t {
			return name
		}
	}
	return "?"
}

// isSpace reports the whitespace that splits a macro line: ASCII space,
// tab, vertical tab, form feed and carriage return.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n'
}

// classify returns the token type of a line of the file form (without its
// line ending). A macro line is tokMacro; its words are split by the
// caller.
func classify(line string, first bool) lexer.TokenType {
	switch {
	case line == "":
		return tokBlank
	case line[0] == '#':
		if first && strings.HasPrefix(line, "#!/") {
			return tokShebang
		}
	case line[0] == '-':
		if len(line) >= 3 && line[1] == '-' {
			switch line[2] {
			case '#':
				return tokComment
			case '\\':
				if len(line) == 3 {
					return tokEscEmpty
				}
				if line[3] == ' ' {
					return tokEsc
				}
			}
		}
		return tokMacro
	}
	return tokText
}

// nextLine returns the line of s starting at off without its line ending
// (LF, or CR LF), and the offset of the line after it.
func nextLine(s string, off int) (line string, next int) {
	end := strings.IndexByte(s[off:], '\n')
	if end < 0 {
		return s[off:], len(s)
	}
	end += off
	next = end + 1
	if end > off && s[end-1] == '\r' {
		end--
	}
	return s[off:end], next
}

// nextWord returns the bounds of the first word of line at or after i, or
// i == j == len(line) when there is none.
func nextWord(line string, i int) (int, int) {
	for i < len(line) && isSpace(line[i]) {
		i++
	}
	j := i
	for j < len(line) && !isSpace(line[j]) {
		j++
	}
	return i, j
}

// endPos returns the position after the end of src.
func endPos(name string, src string) Position {
	pos := Position{Filename: name, Offset: len(src), Line: 1 + strings.Count(src, "\n"), Column: 1}
	pos.Column = len(src) - strings.LastIndexByte(src, '\n')
	return pos
}

// fileLexer is the participle lexer of the file form. The rules are line
// anchored and context dependent (a shebang only on the first line, words
// only on macro lines), which is why it is written out rather than given
// as regular expressions.
type fileLexer struct{}

func (fileLexer) Symbols() map[string]lexer.TokenType { return symbols }

func (d fileLexer) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return d.LexString(filename, string(b))
}

func (d fileLexer) LexString(filename string, s string) (lexer.Lexer, error) {
	return &tokens{toks: lexFile(filename, s)}, nil
}

func (d fileLexer) LexBytes(filename string, b []byte) (lexer.Lexer, error) {
	return d.LexString(filename, string(b))
}

// tokens replays a lexed token slice.
type tokens struct {
	toks []lexer.Token
	i    int
}

func (t *tokens) Next() (lexer.Token, error) {
	if t.i >= len(t.toks) {
		return t.toks[len(t.toks)-1], nil
	}
	tok := t.toks[t.i]
	t.i++
	return tok, nil
}

// lexFile turns source text into tokens, the last one EOF. It never fails:
// every byte sequence is some sequence of lines.
func lexFile(filename string, src string) []lexer.Token {
	var toks []lexer.Token
	pos := Position{Filename: filename, Line: 1, Column: 1}
	for off := 0; off < len(src); pos.Line++ {
		line, next := nextLine(src, off)
		pos.Offset = off
		typ := classify(line, pos.Line == 1)
		if typ != tokMacro {
			toks = append(toks, lexer.Token{Type: typ, Value: line, Pos: pos})
		} else {
			for i, j := nextWord(line, 0); i < j; i, j = nextWord(line, j) {
				p := pos
				p.Offset, p.Column = off+i, i+1
				toks = append(toks, lexer.Token{Type: typ, Value: line[i:j], Pos: p})
				typ = tokWord
			}
		}
		off = next
	}
	return append(toks, lexer.EOFToken(endPos(filename, src)))
}

// argType returns the token type of an argv word: a word of more than one
// character starting with a dash is a macro token, any other word is text.
func argType(w string) lexer.TokenType {
	if len(w) > 1 && w[0] == '-' {
		return tokMacro
	}
	return tokText
}

// lexArgs turns argv words into tokens. Positions place the words on one
// line, as if joined by single spaces, so that errors point at a column of
// the command line a user typed.
func lexArgs(words []string) []lexer.Token {
	toks := make([]lexer.Token, 0, len(words)+1)
	pos := Position{Filename: ArgsName, Line: 1, Column: 1}
	for _, w := range words {
		toks = append(toks, lexer.Token{Type: argType(w), Value: w, Pos: pos})
		pos.Offset += len(w) + 1
		pos.Column += len(w) + 1
	}
	if len(words) > 0 {
		pos.Offset--
		pos.Column--
	}
	return append(toks, lexer.EOFToken(pos))
}
