package lsp

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzServer opens a random document, applies random edits (ranges may be
// anywhere, inside or outside the text, in any order) and sends every
// request at positions derived from the input. The server must never
// panic, and its text must stay what the edits make of it.
func FuzzServer(f *testing.F) {
	seeds := []string{
		"#!/usr/bin/env plash-exec\n--from alpine\n--apk git\n--layer\n--run\necho 'hi\n",
		"--from alpine\n--# check:ignore shell,all x\n--run (\n--\\ -x\n--\\\n-lx ls\n--entrypoint-script\n#!/bin/sh\nexec \"$@\n",
		"oops\n-\n--\n---\n--apkk\n--from a b c\n--write-file\n--layer run 'a' 'b\n",
		"--import p.star\n--eval-file self.plash\n--greet\n--defpm mypm 'x {}'\n--mypm a\n--from-map k\n--from-id 1\n",
		"é😀\r\n--run é😀 \"\r\n\r\n--# é\r\n",
		"",
	}
	for i, s := range seeds {
		f.Add(s, []byte{byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 200, 255, 0})
	}
	dir := f.TempDir()
	os.WriteFile(filepath.Join(dir, "p.star"), []byte("def greet(who = 'x'):\n    return 'echo ' + who\n\ndef spin():\n    while True:\n        pass\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "self.plash"), []byte("--eval-file self.plash\n"), 0o644)
	uri := pathURI(filepath.Join(dir, "Plashfile"))
	f.Fuzz(func(t *testing.T, doc string, ops []byte) {
		// The protocol carries JSON strings: invalid UTF-8 arrives as
		// U+FFFD, so the document is what survives a round trip.
		jb, _ := json.Marshal(doc)
		json.Unmarshal(jb, &doc)
		log := &syncBuffer{}
		sem := &EvalSemantics{MaxSteps: 20_000, Log: log}
		s := NewServer(strings.NewReader(""), io.Discard, Options{Semantics: sem, Host: fakeHost{}, Log: log, Debounce: -1, Format: nil})
		call := func(method string, params any) {
			b, _ := json.Marshal(params)
			s.handle(&message{JSONRPC: "2.0", ID: json.RawMessage("1"), Method: method, Params: b})
		}
		note := func(method string, params any) {
			b, _ := json.Marshal(params)
			s.handle(&message{JSONRPC: "2.0", Method: method, Params: b})
		}
		enc := []string{"utf-16"}
		if len(ops) > 0 && ops[0]&1 == 1 {
			enc = []string{"utf-8"}
		}
		call("initialize", map[string]any{"capabilities": map[string]any{"general": map[string]any{"positionEncodings": enc}}})
		note("textDocument/didOpen", DidOpenTextDocumentParams{TextDocument: TextDocumentItem{URI: uri, Version: 1, Text: doc}})
		want := []byte(doc)
		pos := func(i int) Position {
			if i+1 >= len(ops) {
				return Position{}
			}
			return Position{Line: int(ops[i]%16) - 2, Character: int(ops[i+1]) - 8}
		}
		version := 1
		for i := 1; i+4 <= len(ops); i += 4 {
			tp := TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{uri}, Position: pos(i + 1)}
			switch ops[i] % 12 {
			case 0, 1, 2, 3:
				// An edit: replace a range with a piece of the document.
				a, b := pos(i+1), pos(i+2)
				n := int(ops[i+3]) % (len(doc) + 1)
				text := doc[:n]
				if !utf8.ValidString(text) {
					text = strings.ToValidUTF8(text, "?")
				}
				version++
				ch := TextDocumentContentChangeEvent{Range: &Range{Start: a, End: b}, Text: text}
				s.mu.Lock()
				cur := s.docs[uri].text
				s.mu.Unlock()
				want = applyChange(newText(want, cur.utf8), ch)
				note("textDocument/didChange", DidChangeTextDocumentParams{
					TextDocument:   VersionedTextDocumentIdentifier{URI: uri, Version: version},
					ContentChanges: []TextDocumentContentChangeEvent{ch}})
				s.mu.Lock()
				got := s.docs[uri].text.src
				s.mu.Unlock()
				if string(got) != string(want) {
					t.Fatalf("text after edit = %q, want %q", got, want)
				}
			case 4:
				call("textDocument/hover", tp)
			case 5:
				call("textDocument/completion", CompletionParams{tp})
			case 6:
				call("textDocument/definition", tp)
			case 7:
				call("textDocument/documentSymbol", DocumentSymbolParams{TextDocument: tp.TextDocument})
			case 8:
				call("textDocument/foldingRange", FoldingRangeParams{TextDocument: tp.TextDocument})
			case 9:
				call("textDocument/semanticTokens/full", SemanticTokensParams{TextDocument: tp.TextDocument})
			case 10:
				call("textDocument/codeAction", CodeActionParams{TextDocument: tp.TextDocument, Range: Range{Start: pos(i + 1), End: pos(i + 2)}})
			case 11:
				note("textDocument/didSave", DidSaveTextDocumentParams{TextDocument: tp.TextDocument})
			}
		}
		call("shutdown", nil)
		s.stop()
		if strings.Contains(log.String(), "panic") {
			t.Fatalf("server panicked:\n%s", log.String())
		}
	})
}
