package lsp

import (
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/plash-go/plash/lang"
)

// runCheck checks one version of a document and publishes what it found,
// unless the document changed meanwhile.
func (s *Server) runCheck(d *document, version int, t *text) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(s.opts.Log, "plash lsp: panic checking %s: %v\n%s", d.uri, r, debug.Stack())
		}
	}()
	start := time.Now()
	res := s.checker.Check(d.name, t.src)
	elapsed := time.Since(start)
	s.mu.Lock()
	if s.docs[d.uri] != d || d.text != t || s.closed {
		s.mu.Unlock()
		return
	}
	d.res, d.resText = res, t
	s.publish(d, res, t, version)
	s.mu.Unlock()
	if s.OnCheck != nil {
		s.OnCheck(d.uri, version, elapsed)
	}
}

// result returns the check of the current text of a document, from the
// cache or made now.
func (s *Server) result(d *document) (*Result, *text) {
	s.mu.Lock()
	t := d.text
	if d.res != nil && d.resText == t {
		res := d.res
		s.mu.Unlock()
		return res, t
	}
	s.mu.Unlock()
	res := s.checker.Check(d.name, t.src)
	s.mu.Lock()
	if d.text == t {
		d.res, d.resText = res, t
	}
	s.mu.Unlock()
	return res, t
}

// parsed returns the syntax tree and calls of the current text, without
// evaluating it when no check of this text is cached.
func (s *Server) parsed(d *document) (*lang.File, []*lang.Call, *text) {
	s.mu.Lock()
	t := d.text
	if d.res != nil && d.resText == t {
		res := d.res
		s.mu.Unlock()
		return res.File, res.Calls, t
	}
	s.mu.Unlock()
	f, _ := lang.Parse(d.name, t.src)
	if f == nil {
		return nil, nil, t
	}
	calls, _ := f.Calls()
	return f, calls, t
}

// publish sends the diagnostics of a check: those in the document to it,
// those in other files (a broken pack) to their URIs. s.mu is held.
func (s *Server) publish(d *document, res *Result, t *text, version int) {
	byURI := map[string][]Diagnostic{d.uri: {}}
	for _, f := range res.Findings {
		uri, diag := s.diagnostic(d, t, f)
		byURI[uri] = append(byURI[uri], diag)
	}
	prev := s.published[d.uri]
	now := map[string]bool{}
	for uri, diags := range byURI {
		p := PublishDiagnosticsParams{URI: uri, Diagnostics: diags}
		if uri == d.uri {
			v := version
			p.Version = &v
		} else {
			now[uri] = true
		}
		s.notify("textDocument/publishDiagnostics", p)
	}
	for uri := range prev {
		if !now[uri] {
			s.notify("textDocument/publishDiagnostics", PublishDiagnosticsParams{URI: uri, Diagnostics: []Diagnostic{}})
		}
	}
	s.published[d.uri] = now
}

// diagnostic converts a finding of a check of document d.
func (s *Server) diagnostic(d *document, t *text, f *Finding) (string, Diagnostic) {
	uri, rng := s.location(d, t, f.Start, f.End)
	diag := Diagnostic{Range: rng, Severity: SeverityError, Code: f.Rule, Source: "plash", Message: f.Msg}
	if f.Severity == Warning {
		diag.Severity = SeverityWarning
	}
	for _, r := range f.Related {
		ruri, rrng := s.location(d, t, r.Pos, r.Pos)
		diag.RelatedInformation = append(diag.RelatedInformation, DiagnosticRelatedInformation{
			Location: Location{URI: ruri, Range: rrng}, Message: r.Msg})
	}
	return uri, diag
}

// location converts a pair of positions to a URI and a range: positions in
// the document by offset, positions in other files by line and column,
// read from the file when it is not open.
func (s *Server) location(d *document, t *text, start, end lang.Position) (string, Range) {
	if start.Filename == d.name || start.Filename == "" {
		return d.uri, t.rng(start.Offset, end.Offset)
	}
	uri := pathURI(start.Filename)
	ot := s.otherText(start.Filename)
	return uri, Range{Start: lineColPos(ot, start), End: lineColPos(ot, end)}
}

// otherText returns the text of a file that is not the document: an open
// document of that name or the file on disk; nil when unreadable.
func (s *Server) otherText(name string) *text {
	for _, o := range s.docs {
		if o.name == name {
			return o.text
		}
	}
	fi, err := os.Stat(name)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxMessage {
		return nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	return newText(b, s.utf8)
}

// lineColPos converts a line and byte column (from 1) to a protocol
// position, using the text when it is known.
func lineColPos(t *text, p lang.Position) Position {
	line, col := p.Line-1, p.Column-1
	if line < 0 {
		line = 0
	}
	if col < 0 {
		col = 0
	}
	if t == nil || line >= len(t.lines) {
		return Position{Line: line, Character: col}
	}
	off := t.lines[line] + col
	if end := t.lineEnd(line); off > end {
		off = end
	}
	return t.position(off)
}
