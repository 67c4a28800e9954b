package lsp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/plash-go/plash/lang"
)

// cursor is what is under a position, found by reading the lines around
// it rather than parsing the whole file, so that completion stays fast on
// large files while the user types.
type cursor struct {
	head      string // the macro token of the call the position is in
	inHead    bool   // the position is in the macro token itself
	start     int    // offset where the word or argument under the cursor starts
	prefix    string // its text up to the position
	argIndex  int    // index of the argument under the cursor (-1 in the head)
	headStart int    // offset of the macro token
}

// lineKind classifies a line of the file form.
func lineKind(line []byte, first bool) string {
	switch {
	case len(line) == 0:
		return "blank"
	case first && bytes.HasPrefix(line, []byte("#!/")):
		return "shebang"
	case bytes.HasPrefix(line, []byte("--#")):
		return "comment"
	case bytes.Equal(line, []byte(`--\`)):
		return "empty"
	case bytes.HasPrefix(line, []byte(`--\ `)):
		return "escaped"
	case line[0] == '-':
		return "macro"
	}
	return "text"
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' }

// words splits a macro line into [start, end) byte ranges.
func words(line []byte) [][2]int {
	var out [][2]int
	for i := 0; i < len(line); {
		for i < len(line) && isSpaceByte(line[i]) {
			i++
		}
		if i == len(line) {
			break
		}
		j := i
		for j < len(line) && !isSpaceByte(line[j]) {
			j++
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}

// cursorAt finds the call and argument at an offset; ok is false in a
// comment, the shebang, or before any macro.
func cursorAt(t *text, off int) (c cursor, ok bool) {
	pos := t.position(off)
	ln := pos.Line
	lineStart := t.lines[ln]
	line := bytes.TrimRight(t.src[lineStart:t.lineEnd(ln)], "\r")
	col := off - lineStart
	if col > len(line) {
		col = len(line)
	}
	switch lineKind(line, ln == 0) {
	case "macro":
		ws := words(line)
		if len(ws) == 0 || col <= ws[0][1] {
			c = cursor{head: string(line[ws[0][0]:ws[0][1]]), inHead: true, start: lineStart + ws[0][0], argIndex: -1, headStart: lineStart + ws[0][0]}
			c.prefix = string(line[ws[0][0]:col])
			return c, true
		}
		c = cursor{head: string(line[ws[0][0]:ws[0][1]]), headStart: lineStart + ws[0][0], start: off, argIndex: 0}
		for i, w := range ws[1:] {
			if col >= w[0] && col <= w[1] {
				c.start, c.prefix, c.argIndex = lineStart+w[0], string(line[w[0]:col]), i
				return c, true
			}
			if w[1] < col {
				c.argIndex = i + 1
			}
		}
		return c, true
	case "comment", "shebang":
		return c, false
	}
	// An argument line: find the macro line above it and count the
	// arguments in between.
	c = cursor{start: lineStart, argIndex: 0}
	switch k := lineKind(line, ln == 0); k {
	case "escaped":
		if col < 4 {
			return c, false
		}
		c.start = lineStart + 4
		c.prefix = string(line[4:col])
	case "text", "blank":
		c.prefix = string(line[:col])
	default:
		return c, false
	}
	args := 0
	for l := ln - 1; l >= 0; l-- {
		s, e := t.lines[l], t.lineEnd(l)
		prev := bytes.TrimRight(t.src[s:e], "\r")
		switch lineKind(prev, l == 0) {
		case "macro":
			ws := words(prev)
			c.head = string(prev[ws[0][0]:ws[0][1]])
			c.headStart = s + ws[0][0]
			c.argIndex = args + len(ws) - 1
			return c, true
		case "text", "escaped", "empty":
			args++
		case "shebang":
			return c, false
		}
	}
	return c, false
}

// callName returns the macro a token's arguments go to: the last letter of
// a -abc group, or the name of --name.
func callName(head string) string {
	names := lang.MacroName(head)
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1]
}

// macros returns the macros callable in a document: from the last check
// that evaluated it, or from a check made now.
func (s *Server) macros(d *document) []*Macro {
	s.mu.Lock()
	res := d.res
	s.mu.Unlock()
	if res == nil || res.Eval == nil {
		if s.checker.Semantics == nil {
			return nil
		}
		res, _ = s.result(d)
	}
	if res.Eval == nil {
		return nil
	}
	return res.Eval.Macros
}

func (s *Server) completion(params json.RawMessage) (any, error) {
	var p CompletionParams
	d, err := s.decodeDoc(params, &p, &p.TextDocument)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	t := d.text
	s.mu.Unlock()
	off := t.offset(p.Position)
	list := CompletionList{Items: []CompletionItem{}}
	c, ok := cursorAt(t, off)
	if !ok {
		return list, nil
	}
	rng := t.rng(c.start, off)
	if c.inHead {
		list.Items = s.completeMacros(d, c, rng)
		return list, nil
	}
	switch name := callName(c.head); name {
	case "eval-file", "import":
		list.Items = completeFiles(filepath.Dir(d.name), c.prefix, name == "import", t, off)
	case "from-map":
		if s.opts.Host != nil {
			keys, _ := s.opts.Host.MapKeys()
			list.Items = valueItems(keys, "map key", rng)
		}
	case "from-id":
		if s.opts.Host != nil {
			ids, _ := s.opts.Host.ContainerIDs()
			list.Items = valueItems(ids, "container id", rng)
		}
	}
	return list, nil
}

func valueItems(values []string, detail string, rng Range) []CompletionItem {
	items := make([]CompletionItem, 0, len(values))
	for _, v := range values {
		items = append(items, CompletionItem{Label: v, Kind: CompletionKindValue, Detail: detail, TextEdit: &TextEdit{Range: rng, NewText: v}})
	}
	return items
}

// completeMacros offers --name for every macro, and -x for one-letter
// macros, replacing the token typed so far.
func (s *Server) completeMacros(d *document, c cursor, rng Range) []CompletionItem {
	ms := s.macros(d)
	items := make([]CompletionItem, 0, len(ms)+8)
	for _, m := range ms {
		label := "--" + m.Name
		if len(m.Name) == 1 {
			label = "-" + m.Name
		}
		if !strings.HasPrefix(label, c.prefix) && !strings.HasPrefix("--"+m.Name, c.prefix) {
			continue
		}
		items = append(items, CompletionItem{
			Label: label, Kind: CompletionKindFunction, Detail: m.Signature,
			Documentation: &MarkupContent{Kind: "markdown", Value: macroDoc(m)},
			TextEdit:      &TextEdit{Range: rng, NewText: label},
		})
	}
	return items
}

// macroDoc is the markdown shown for a macro.
func macroDoc(m *Macro) string {
	var b strings.Builder
	if m.Signature != "" {
		fmt.Fprintf(&b, "```python\n%s\n```\n", m.Signature)
	}
	if m.Doc != "" {
		b.WriteString(strings.TrimSpace(m.Doc))
		b.WriteString("\n")
	}
	if m.Pack != "" {
		fmt.Fprintf(&b, "\n*from %s*\n", m.Pack)
	}
	return b.String()
}

// completeFiles lists the files under the directory the prefix names
// (relative to dir, the Plashfile's directory). For --import only
// directories and .star files are offered.
func completeFiles(dir, prefix string, packs bool, t *text, off int) []CompletionItem {
	items := []CompletionItem{}
	dirPart, base := "", prefix
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		dirPart, base = prefix[:i+1], prefix[i+1:]
	}
	look := dirPart
	switch {
	case strings.HasPrefix(look, "~/"):
		home, err := os.UserHomeDir()
		if err != nil {
			return items
		}
		look = filepath.Join(home, look[2:])
	case filepath.IsAbs(look):
	default:
		look = filepath.Join(dir, look)
	}
	ents, err := os.ReadDir(look)
	if err != nil {
		return items
	}
	rng := t.rng(off-len(base), off)
	for i, e := range ents {
		if i > 2000 {
			break
		}
		name := e.Name()
		if !strings.HasPrefix(name, base) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".")) {
			continue
		}
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			if fi, err := os.Stat(filepath.Join(look, name)); err == nil && fi.IsDir() {
				isDir = true
			}
		}
		item := CompletionItem{Label: name, Kind: CompletionKindFile}
		if isDir {
			item.Label, item.Kind = name+"/", CompletionKindFolder
		} else if packs && !strings.HasSuffix(name, ".star") {
			continue
		}
		item.TextEdit = &TextEdit{Range: rng, NewText: item.Label}
		items = append(items, item)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Label < items[j].Label })
	return items
}

// callAt returns the call whose macro token holds the offset: for a -abc
// group, the call of the letter under the cursor (the first on the
// dashes, the last at the end of the token).
func callAt(calls []*lang.Call, off int) *lang.Call {
	i := sort.Search(len(calls), func(i int) bool { return calls[i].Pos.Offset > off }) - 1
	if i < 0 {
		return nil
	}
	last := calls[i]
	headEnd := last.Pos.Offset + len(last.Stanza.Head.Value)
	if off > headEnd {
		return nil
	}
	first := last
	for j := i; j >= 0 && calls[j].Pos.Offset == last.Pos.Offset; j-- {
		c := calls[j]
		first = c
		if off >= c.NamePos.Offset && off < c.NameEnd.Offset {
			return c
		}
	}
	if off == headEnd {
		return last
	}
	return first
}

// argAt returns the call and argument at an offset.
func argAt(calls []*lang.Call, off int) (*lang.Call, *lang.Arg) {
	i := sort.Search(len(calls), func(i int) bool { return calls[i].Pos.Offset > off }) - 1
	if i < 0 {
		return nil, nil
	}
	c := calls[i]
	for _, a := range c.Args {
		if off >= a.Pos.Offset && off <= a.End.Offset {
			return c, a
		}
	}
	return c, nil
}

// position decodes the params of a request about a position in an open
// document: the document, its check result and text, and the offset.
func (s *Server) position(params json.RawMessage) (d *document, res *Result, t *text, off int, err error) {
	var p TextDocumentPositionParams
	if d, err = s.decodeDoc(params, &p, &p.TextDocument); err != nil {
		return nil, nil, nil, 0, err
	}
	res, t = s.result(d)
	return d, res, t, t.offset(p.Position), nil
}

func (s *Server) hover(params json.RawMessage) (any, error) {
	d, res, t, off, err := s.position(params)
	if err != nil {
		return nil, err
	}
	if c := callAt(res.Calls, off); c != nil {
		var b strings.Builder
		fmt.Fprintf(&b, "**%s**\n\n", callLabel(c))
		m := res.Eval.Lookup(c.Name)
		switch {
		case m != nil:
			b.WriteString(macroDoc(m))
		case res.Eval != nil:
			b.WriteString("unknown macro\n")
		}
		if prev, ok := res.Eval.Preview(c); ok {
			if prev == "" {
				b.WriteString("\nExpands to nothing.\n")
			} else {
				fmt.Fprintf(&b, "\nExpands to:\n```sh\n%s\n```\n", strings.TrimRight(prev, "\n"))
			}
		}
		r := t.rng(c.NamePos.Offset, c.NameEnd.Offset)
		return Hover{Contents: MarkupContent{Kind: "markdown", Value: b.String()}, Range: &r}, nil
	}
	if a, path := fileArgAt(res.Calls, off, d.name); path != "" {
		r := t.rng(a.Pos.Offset, a.End.Offset)
		return Hover{Contents: MarkupContent{Kind: "markdown", Value: "`" + path + "`"}, Range: &r}, nil
	}
	return nil, nil
}

// fileArgAt returns the --eval-file or --import argument at an offset of
// the document name and the file it names; path is "" when there is none.
func fileArgAt(calls []*lang.Call, off int, name string) (a *lang.Arg, path string) {
	c, a := argAt(calls, off)
	if a == nil || (c.Name != "eval-file" && c.Name != "import") {
		return nil, ""
	}
	return a, resolveFile(filepath.Dir(name), c.Name, a.Value)
}

// resolveFile finds the file an --eval-file or --import argument names,
// relative to dir; "" when there is none. --import NAME is also looked up
// in the directories of PLASH_MACRO_PATH.
func resolveFile(dir, macro, arg string) string {
	if arg == "" {
		return ""
	}
	var cands []string
	p := arg
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[2:])
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	cands = append(cands, p)
	if macro == "import" {
		if !strings.HasSuffix(p, ".star") {
			cands = append(cands, p+".star")
		}
		if !strings.ContainsRune(arg, '/') {
			for _, d := range filepath.SplitList(os.Getenv("PLASH_MACRO_PATH")) {
				if d != "" {
					cands = append(cands, filepath.Join(d, arg), filepath.Join(d, arg+".star"))
				}
			}
		}
	}
	for _, c := range cands {
		if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() {
			return c
		}
	}
	return ""
}

func (s *Server) definition(params json.RawMessage) (any, error) {
	d, res, _, off, err := s.position(params)
	if err != nil {
		return nil, err
	}
	if c := callAt(res.Calls, off); c != nil {
		m := res.Eval.Lookup(c.Name)
		if m == nil || m.Def.Filename == "" {
			return nil, nil
		}
		s.mu.Lock()
		ot := s.otherText(m.Def.Filename)
		s.mu.Unlock()
		pos := lineColPos(ot, m.Def)
		return []Location{{URI: pathURI(m.Def.Filename), Range: Range{Start: pos, End: pos}}}, nil
	}
	if _, path := fileArgAt(res.Calls, off, d.name); path != "" {
		return []Location{{URI: pathURI(path)}}, nil
	}
	return nil, nil
}
