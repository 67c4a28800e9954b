package lang

import (
	"bytes"
	"io"

	"github.com/alecthomas/participle/v2/lexer"
)

// Position is a place in a source: file name, byte offset (from 0), line
// (from 1) and byte column (from 1).
type Position = lexer.Position

// Token types. Every line of the file form becomes exactly one token, except
// a macro line, which becomes a Macro token followed by a Word token per
// further whitespace-separated word.
const (
	tokEOF      = lexer.EOF
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

// fileLexer is the lexer of the file form. The rules are line anchored and
// context dependent (a shebang only on the first line, words only on macro
// lines), which is why it is written out rather than given as regular
// expressions; it lexes at several hundred MB/s.
type fileLexer struct{}

func (fileLexer) Symbols() map[string]lexer.TokenType { return symbols }

func (d fileLexer) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return d.LexBytes(filename, b)
}

func (d fileLexer) LexString(filename string, s string) (lexer.Lexer, error) {
	return &tokens{toks: lexFile(filename, []byte(s))}, nil
}

func (d fileLexer) LexBytes(filename string, b []byte) (lexer.Lexer, error) {
	return &tokens{toks: lexFile(filename, b)}, nil
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

// isSpace reports the whitespace that splits a macro line (ASCII, as the
// original's str.split did for these files).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n'
}

// lexFile turns source text into tokens. It never fails: every byte sequence
// is some sequence of lines.
func lexFile(filename string, src []byte) []lexer.Token {
	toks := make([]lexer.Token, 0, bytes.Count(src, []byte{'\n'})+2)
	pos := Position{Filename: filename, Line: 1, Column: 1}
	for off := 0; off < len(src); {
		end := bytes.IndexByte(src[off:], '\n')
		next := len(src)
		if end < 0 {
			end = len(src)
		} else {
			end += off
			next = end + 1
			if end > off && src[end-1] == '\r' {
				end-- // CRLF line ending
			}
		}
		line := string(src[off:end])
		pos.Offset, pos.Column = off, 1
		switch {
		case line == "":
			toks = append(toks, lexer.Token{Type: tokBlank, Pos: pos})
		case pos.Line == 1 && len(line) >= 3 && line[:3] == "#!/":
			toks = append(toks, lexer.Token{Type: tokShebang, Value: line, Pos: pos})
		case len(line) >= 3 && line[:3] == "--#":
			toks = append(toks, lexer.Token{Type: tokComment, Value: line, Pos: pos})
		case line == `--\`:
			toks = append(toks, lexer.Token{Type: tokEscEmpty, Value: line, Pos: pos})
		case len(line) >= 4 && line[:4] == `--\ `:
			toks = append(toks, lexer.Token{Type: tokEsc, Value: line, Pos: pos})
		case line[0] == '-':
			typ := tokMacro
			for i := 0; i < len(line); {
				for i < len(line) && isSpace(line[i]) {
					i++
				}
				if i == len(line) {
					break
				}
				j := i
				for j < len(line) && !isSpace(line[j]) {
					j++
				}
				p := pos
				p.Offset, p.Column = off+i, i+1
				toks = append(toks, lexer.Token{Type: typ, Value: line[i:j], Pos: p})
				typ = tokWord
				i = j
			}
		default:
			toks = append(toks, lexer.Token{Type: tokText, Value: line, Pos: pos})
		}
		pos.Line++
		off = next
	}
	pos.Offset, pos.Column = len(src), 1
	if len(src) > 0 && src[len(src)-1] != '\n' {
		pos.Line--
		pos.Column = len(src) - bytes.LastIndexByte(src, '\n')
	}
	return append(toks, lexer.EOFToken(pos))
}

// ArgsName is the file name given to the command-line form in positions.
const ArgsName = "<args>"

// StdinName is the file name given to standard input in positions.
const StdinName = "<stdin>"

// lexArgs turns argv words into tokens. Positions place the words on one
// line, as if joined by single spaces, so that errors point at a column of
// the command line a user typed.
func lexArgs(words []string) []lexer.Token {
	toks := make([]lexer.Token, 0, len(words)+1)
	pos := Position{Filename: ArgsName, Line: 1, Column: 1}
	for _, w := range words {
		typ := tokText
		if len(w) > 1 && w[0] == '-' {
			typ = tokMacro
		}
		toks = append(toks, lexer.Token{Type: typ, Value: w, Pos: pos})
		pos.Offset += len(w) + 1
		pos.Column += len(w) + 1
	}
	if len(words) > 0 {
		pos.Offset--
		pos.Column--
	}
	return append(toks, lexer.EOFToken(pos))
}
