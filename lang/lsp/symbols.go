package lsp

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/plash-go/plash/lang"
)

// isLayer reports whether a call is a layer boundary.
func isLayer(c *lang.Call) bool { return c.Name == "layer" || c.Name == "l" }

// layer is a run of calls between layer boundaries.
type layer struct {
	calls []*lang.Call
}

// layers splits calls at the layer boundaries. A boundary with arguments
// (--layer run a b) stays in the layer it ends, as the call that makes the
// next layers.
func layers(calls []*lang.Call) []layer {
	var out []layer
	var cur layer
	for _, c := range calls {
		if isLayer(c) {
			if len(c.Args) > 0 {
				cur.calls = append(cur.calls, c)
			}
			if len(cur.calls) > 0 {
				out = append(out, cur)
			}
			cur = layer{}
			continue
		}
		cur.calls = append(cur.calls, c)
	}
	if len(cur.calls) > 0 {
		out = append(out, cur)
	}
	return out
}

// callLabel is how a call is shown: --name, or -x for a one-letter macro.
func callLabel(c *lang.Call) string {
	if len(c.Name) == 1 {
		return "-" + c.Name
	}
	return "--" + c.Name
}

func (s *Server) doc(uri string) (*document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[uri]
	if d == nil {
		return nil, &rpcError{Code: codeInvalidParams, Message: "document not open: " + uri}
	}
	return d, nil
}

// decodeDoc decodes the params of a request about an open document into
// p, whose TextDocument field is id, and returns the document.
func (s *Server) decodeDoc(params json.RawMessage, p any, id *TextDocumentIdentifier) (*document, error) {
	if err := decode(params, p); err != nil {
		return nil, err
	}
	return s.doc(id.URI)
}

func (s *Server) documentSymbol(params json.RawMessage) (any, error) {
	var p DocumentSymbolParams
	d, err := s.decodeDoc(params, &p, &p.TextDocument)
	if err != nil {
		return nil, err
	}
	_, calls, t := s.parsed(d)
	out := []DocumentSymbol{}
	for i, l := range layers(calls) {
		first, last := l.calls[0], l.calls[len(l.calls)-1]
		sym := DocumentSymbol{
			Name:           fmt.Sprintf("layer %d", i+1),
			Detail:         fmt.Sprintf("%d calls", len(l.calls)),
			Kind:           SymbolKindNamespace,
			Range:          t.rng(first.Pos.Offset, last.End.Offset),
			SelectionRange: t.rng(first.Pos.Offset, first.NameEnd.Offset),
		}
		if len(l.calls) == 1 {
			sym.Detail = "1 call"
		}
		for _, c := range l.calls {
			var args []string
			for _, a := range c.Args {
				args = append(args, a.Value)
			}
			detail := strings.Join(args, " ")
			if len(detail) > 60 {
				detail = detail[:57] + "..."
			}
			sym.Children = append(sym.Children, DocumentSymbol{
				Name:           callLabel(c),
				Detail:         detail,
				Kind:           SymbolKindFunction,
				Range:          t.rng(c.Pos.Offset, c.End.Offset),
				SelectionRange: t.rng(c.NamePos.Offset, c.NameEnd.Offset),
			})
		}
		out = append(out, sym)
	}
	return out, nil
}

func (s *Server) foldingRange(params json.RawMessage) (any, error) {
	var p FoldingRangeParams
	d, err := s.decodeDoc(params, &p, &p.TextDocument)
	if err != nil {
		return nil, err
	}
	_, calls, _ := s.parsed(d)
	return foldingRanges(calls), nil
}

// foldingRanges folds each layer and each call spanning several lines.
func foldingRanges(calls []*lang.Call) []FoldingRange {
	out := []FoldingRange{}
	seen := map[[2]int]bool{}
	add := func(from, to int) {
		k := [2]int{from, to}
		if to > from && !seen[k] {
			seen[k] = true
			out = append(out, FoldingRange{StartLine: from, EndLine: to, Kind: "region"})
		}
	}
	for _, l := range layers(calls) {
		add(l.calls[0].Pos.Line-1, l.calls[len(l.calls)-1].End.Line-1)
	}
	for _, c := range calls {
		add(c.Pos.Line-1, c.End.Line-1)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].StartLine != out[j].StartLine {
			return out[i].StartLine < out[j].StartLine
		}
		return out[i].EndLine > out[j].EndLine
	})
	return out
}

// Semantic token types and modifiers: the legend the server announces.
var (
	tokenTypes     = []string{"macro", "parameter", "string", "comment", "operator", "keyword"}
	tokenModifiers = []string{}
)

const (
	tokMacro = iota
	tokParameter
	tokString
	tokComment
	tokOperator
	tokKeyword
)

type semToken struct {
	off, len, typ int
}

// semanticTokens lists the tokens of a file in source order.
func semTokens(f *lang.File) []semToken {
	var toks []semToken
	add := func(p lang.Position, n, typ int) {
		if n > 0 {
			toks = append(toks, semToken{p.Offset, n, typ})
		}
	}
	line := func(l *lang.Line) {
		switch {
		case l.Text != nil:
			add(l.Pos, len(*l.Text), tokString)
		case l.Esc != nil:
			add(l.Pos, 3, tokOperator)
			add(advance(l.Pos, 4), len(*l.Esc)-4, tokString)
		case l.EscEmpty:
			add(l.Pos, 3, tokOperator)
		case l.Comment != nil:
			if _, _, ok := parseDirective(*l.Comment); ok {
				add(l.Pos, len(*l.Comment), tokKeyword)
			} else {
				add(l.Pos, len(*l.Comment), tokComment)
			}
		}
	}
	if f.Shebang != nil {
		add(f.Shebang.Pos, len(f.Shebang.Text), tokComment)
	}
	for _, l := range f.Lead {
		line(l)
	}
	for _, st := range f.Stanzas {
		typ := tokMacro
		if st.Head.Value == "--layer" || st.Head.Value == "-l" {
			typ = tokKeyword
		}
		add(st.Head.Pos, len(st.Head.Value), typ)
		for _, w := range st.Words {
			add(w.Pos, len(w.Value), tokParameter)
		}
		for _, l := range st.Lines {
			line(l)
		}
	}
	return toks
}

func (s *Server) semanticTokens(params json.RawMessage) (any, error) {
	var p SemanticTokensParams
	d, err := s.decodeDoc(params, &p, &p.TextDocument)
	if err != nil {
		return nil, err
	}
	f, _, t := s.parsed(d)
	if f == nil {
		return SemanticTokens{Data: []uint32{}}, nil
	}
	return SemanticTokens{Data: encodeTokens(t, semTokens(f))}, nil
}

// encodeTokens encodes tokens relative to each other, as the protocol has
// them: line delta, start delta, length, type, modifiers.
func encodeTokens(t *text, toks []semToken) []uint32 {
	data := make([]uint32, 0, 5*len(toks))
	prev := Position{}
	for _, tk := range toks {
		start := t.position(tk.off)
		end := t.position(tk.off + tk.len)
		if end.Line != start.Line {
			continue // tokens are one line each; never the case
		}
		dl, ds := start.Line-prev.Line, start.Character
		if dl == 0 {
			ds -= prev.Character
		}
		data = append(data, uint32(dl), uint32(ds), uint32(end.Character-start.Character), uint32(tk.typ), 0)
		prev = start
	}
	return data
}

func (s *Server) formatting(params json.RawMessage) (any, error) {
	var p DocumentFormattingParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if s.opts.Format == nil {
		return nil, &rpcError{Code: codeMethodNotFound, Message: "formatting is not available"}
	}
	d, err := s.doc(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	t := d.text
	s.mu.Unlock()
	out, err := s.opts.Format(d.name, t.src)
	if err != nil {
		return nil, fmt.Errorf("formatting %s: %v", d.name, err)
	}
	if string(out) == string(t.src) {
		return []TextEdit{}, nil
	}
	return []TextEdit{{Range: t.rng(0, len(t.src)), NewText: string(out)}}, nil
}

func (s *Server) codeAction(params json.RawMessage) (any, error) {
	var p CodeActionParams
	d, err := s.decodeDoc(params, &p, &p.TextDocument)
	if err != nil {
		return nil, err
	}
	res, t := s.result(d)
	from, to := t.offset(p.Range.Start), t.offset(p.Range.End)
	out := []CodeAction{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range res.Findings {
		if len(f.Fixes) == 0 || f.Start.Filename != d.name {
			continue
		}
		if f.End.Offset < from || f.Start.Offset > to {
			continue
		}
		_, diag := s.diagnostic(d, t, f)
		for i, fix := range f.Fixes {
			var edits []TextEdit
			for _, e := range fix.Edits {
				edits = append(edits, TextEdit{Range: t.rng(e.Start.Offset, e.End.Offset), NewText: e.New})
			}
			out = append(out, CodeAction{
				Title: fix.Title, Kind: "quickfix", Diagnostics: []Diagnostic{diag}, IsPreferred: i == 0,
				Edit: &WorkspaceEdit{Changes: map[string][]TextEdit{d.uri: edits}},
			})
		}
	}
	return out, nil
}
