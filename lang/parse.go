package lang

import (
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// parser is the grammar of both forms. Its lexer is the file lexer; the
// command-line form feeds argv tokens to the same parser.
var parser *participle.Parser[File]

// The parser is built in init, after the symbol table it reads.
func init() {
	parser = participle.MustBuild[File](
		participle.Lexer(fileLexer{}),
		participle.UseLookahead(1),
	)
}

// Grammar returns the grammar in participle's EBNF notation, as the
// specification quotes it.
func Grammar() string { return parser.String() }

// Parse parses a source in the file form. name is used in positions (a
// path, or StdinName). The tree is returned even when the source has errors;
// the error is then an ErrorList holding every error of the source.
func Parse(name string, src []byte) (*File, error) {
	return parseTokens(name, src, FileForm, lexFile(name, src))
}

// ParseArgs parses argv words in the command-line form.
func ParseArgs(words []string) (*File, error) {
	return parseTokens(ArgsName, []byte(strings.Join(words, " ")), ArgsForm, lexArgs(words))
}

func parseTokens(name string, src []byte, form SourceForm, toks []lexer.Token) (*File, error) {
	peek, err := lexer.Upgrade(&tokens{toks: toks})
	if err != nil {
		return nil, err
	}
	f, err := parser.ParseFromLexer(peek)
	if err != nil {
		// The grammar accepts every token sequence the lexers produce, so
		// this is a bug; report it at a position rather than panic.
		pos := Position{Filename: name, Line: 1, Column: 1}
		if pe, ok := err.(participle.Error); ok {
			pos = pe.Position()
		}
		return nil, ErrorList{{Pos: pos, Msg: "internal parser error: " + err.Error()}}
	}
	f.Name, f.Src, f.Form = name, src, form
	_, errs := f.Calls()
	return f, errs.Err()
}

// Calls expands the tree into macro calls, in order, with every error of
// the source. Each "-abc" stanza becomes one call per letter; the arguments
// go to the last one. Errors do not stop the expansion: a stanza in error is
// skipped and the next macro token starts afresh.
func (f *File) Calls() ([]*Call, ErrorList) {
	var errs ErrorList
	for _, l := range f.Lead {
		a := l.Arg()
		if a == nil {
			continue
		}
		if a.Kind == EscapedArg || a.Kind == EmptyArg {
			errs = append(errs, &Error{Pos: l.Pos, Msg: fmt.Sprintf("first token can not be escaped (got %s)", quoteGot(a.Value))})
		} else {
			errs = append(errs, &Error{Pos: l.Pos, Msg: fmt.Sprintf("first token must be an action prefixed by two dashes (got %s)", quoteGot(a.Value))})
		}
		break
	}
	calls := make([]*Call, 0, len(f.Stanzas))
	for _, s := range f.Stanzas {
		names := MacroName(s.Head.Value)
		if names == nil {
			errs = append(errs, &Error{Pos: s.Head.Pos, Msg: fmt.Sprintf("missing macro name after %q (to pass an argument that starts with a dash, write it on its own line as --\\ %s)", s.Head.Value, s.Head.Value)})
			continue
		}
		args := s.Args()
		end := advance(s.Head.Pos, s.Head.Value)
		if len(args) > 0 {
			end = args[len(args)-1].End
		}
		p := advance(s.Head.Pos, s.Head.Value[:len(s.Head.Value)-len(strings.Join(names, ""))])
		for i, name := range names {
			c := &Call{Name: name, Pos: s.Head.Pos, End: end, NamePos: p, NameEnd: advance(p, name), Stanza: s}
			if i == len(names)-1 {
				c.Args = args
			} else {
				c.End = advance(s.Head.Pos, s.Head.Value)
			}
			calls = append(calls, c)
			p = c.NameEnd
		}
	}
	return calls, errs
}

// quoteGot quotes a value the way the original's messages did: 'x'.
func quoteGot(s string) string {
	return "'" + s + "'"
}
