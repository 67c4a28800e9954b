package lsp

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/plash-go/plash/lang"
)

func TestLifecycle(t *testing.T) {
	c := newClient(t, Options{Version: "test"}, nil)
	if err := c.call("initialize", map[string]any{"capabilities": map[string]any{}}, nil); err == nil {
		t.Errorf("second initialize succeeded")
	}
	if err := c.call("no/such/method", map[string]any{}, nil); err == nil || err.(*rpcError).Code != codeMethodNotFound {
		t.Errorf("unknown method: got %v, want MethodNotFound", err)
	}
	if err := c.shutdown(); err != nil {
		t.Errorf("Serve after shutdown and exit: %v", err)
	}
}

func TestInitializeCapabilities(t *testing.T) {
	c := startClient(t, Options{})
	if err := c.call("textDocument/hover", map[string]any{}, nil); err == nil || err.(*rpcError).Code != codeNotInitialized {
		t.Errorf("request before initialize: got %v, want ServerNotInitialized", err)
	}
	var res InitializeResult
	if err := c.call("initialize", map[string]any{"capabilities": map[string]any{"general": map[string]any{"positionEncodings": []string{"utf-8", "utf-16"}}}}, &res); err != nil {
		t.Fatal(err)
	}
	if res.Capabilities.PositionEncoding != "utf-8" {
		t.Errorf("positionEncoding = %q, want utf-8 when offered", res.Capabilities.PositionEncoding)
	}
	if res.Capabilities.TextDocumentSync.Change != SyncIncremental {
		t.Errorf("sync kind = %d, want incremental", res.Capabilities.TextDocumentSync.Change)
	}
	c.shutdown()
}

func TestExitWithoutShutdown(t *testing.T) {
	c := newClient(t, Options{}, nil)
	c.notify("exit", nil)
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	if err := <-c.done; !errors.Is(err, ErrExitWithoutShutdown) {
		t.Errorf("Serve = %v, want ErrExitWithoutShutdown", err)
	}
}

func TestSyntaxDiagnostics(t *testing.T) {
	c := newClient(t, Options{}, nil)
	c.open("file:///w/Plashfile", "#!/usr/bin/env plash-exec\nhello world\n--from alpine\n-\n")
	diags := c.waitDiags("file:///w/Plashfile", 1)
	if len(diags) != 2 {
		t.Fatalf("got %d diagnostics, want 2: %+v", len(diags), diags)
	}
	if d := diags[0]; d.Range != rng(1, 0, 1, 11) || d.Code != RuleSyntax || !strings.Contains(d.Message, "first token must be an action") || d.Severity != SeverityError {
		t.Errorf("first diagnostic = %+v", d)
	}
	if d := diags[1]; d.Range != rng(3, 0, 3, 1) || !strings.Contains(d.Message, "missing macro name") {
		t.Errorf("second diagnostic = %+v", d)
	}
}

func TestIncrementalSync(t *testing.T) {
	c := newClient(t, Options{}, nil)
	uri := "file:///w/Plashfile"
	// "é" is 2 bytes and 1 UTF-16 unit, "😀" 4 bytes and 2 units.
	c.open(uri, "--from alpine\n--run echo é😀 ok\n")
	if d := c.waitDiags(uri, 1); len(d) != 0 {
		t.Fatalf("clean file: %+v", d)
	}
	// Insert an unclosed quote after the emoji: UTF-16 column 14.
	c.change(uri, 2, TextDocumentContentChangeEvent{Range: &Range{Start: Position{1, 14}, End: Position{1, 14}}, Text: ` "`})
	d := c.waitDiags(uri, 2)
	if len(d) != 1 || d[0].Code != RuleShell {
		t.Fatalf("after edit: %+v", d)
	}
	if d[0].Range.Start != (Position{1, 15}) {
		t.Errorf("shell error at %+v, want line 1 character 15 (the quote, in UTF-16 units)", d[0].Range.Start)
	}
	d1 := c.srv.docs[uri]
	c.srv.mu.Lock()
	got := string(d1.text.src)
	c.srv.mu.Unlock()
	if want := "--from alpine\n--run echo é😀 \" ok\n"; got != want {
		t.Errorf("text after edit = %q, want %q", got, want)
	}
	// Two changes in one notification, the second relative to the first;
	// then a whole-text replacement.
	c.change(uri, 3,
		TextDocumentContentChangeEvent{Range: &Range{Start: Position{1, 14}, End: Position{1, 16}}, Text: ""},
		TextDocumentContentChangeEvent{Range: &Range{Start: Position{0, 0}, End: Position{0, 0}}, Text: "--# hi\n"})
	if d := c.waitDiags(uri, 3); len(d) != 0 {
		t.Fatalf("after fix: %+v", d)
	}
	c.change(uri, 4, TextDocumentContentChangeEvent{Text: "oops\n"})
	if d := c.waitDiags(uri, 4); len(d) != 1 || d[0].Code != RuleSyntax {
		t.Fatalf("after full replacement: %+v", d)
	}
}

func TestUTF8Positions(t *testing.T) {
	c := newClient(t, Options{}, map[string]any{"general": map[string]any{"positionEncodings": []string{"utf-8"}}})
	uri := "file:///w/Plashfile"
	c.open(uri, "--from alpine\n--run echo é \"\n")
	d := c.waitDiags(uri, 1)
	if len(d) != 1 || d[0].Range.Start != (Position{1, 14}) {
		t.Fatalf("diagnostics %+v, want one at byte column 14", d)
	}
}

func TestShellDiagnostics(t *testing.T) {
	c := newClient(t, Options{}, nil)
	uri := "file:///w/Plashfile"
	src := strings.Join([]string{
		"--from alpine",
		"--run",
		"if true; then",
		"  echo ok",
		"fi",
		"--run",
		"echo 'unclosed",
		"-x ls | | wc",
		"--layer run 'a' ok (",
		"--entrypoint-script",
		"#!/usr/bin/env python3",
		"print('not shell'",
		"--entrypoint-script",
		"#!/bin/sh",
		"--\\ exec foo )",
	}, "\n") + "\n"
	c.open(uri, src)
	d := c.waitDiags(uri, 1)
	want := []struct {
		r   Range
		msg string
	}{
		{rng(6, 5, 6, 14), "reached EOF without closing quote"},
		{rng(7, 6, 7, 7), "|"},
		{rng(8, 19, 8, 20), "("},
		{rng(14, 13, 14, 14), ")"},
	}
	if len(d) != len(want) {
		t.Fatalf("got %d diagnostics, want %d: %+v", len(d), len(want), d)
	}
	for i, w := range want {
		if d[i].Range != w.r || d[i].Code != RuleShell || !strings.Contains(d[i].Message, w.msg) {
			t.Errorf("diagnostic %d = %+v, want range %+v and %q", i, d[i], w.r, w.msg)
		}
	}
}

func TestDocumentSymbolsAndFolding(t *testing.T) {
	c := newClient(t, Options{}, nil)
	uri := "file:///w/Plashfile"
	c.open(uri, "--from alpine\n--apk git\n--layer\n--run\necho a\necho b\n-lx ls\n")
	var syms []DocumentSymbol
	if err := c.call("textDocument/documentSymbol", DocumentSymbolParams{TextDocument: TextDocumentIdentifier{uri}}, &syms); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range syms {
		var kids []string
		for _, k := range s.Children {
			kids = append(kids, k.Name+"("+k.Detail+")")
		}
		got = append(got, s.Name+":"+strings.Join(kids, ","))
	}
	want := []string{"layer 1:--from(alpine),--apk(git)", "layer 2:--run(echo a echo b)", "layer 3:-x(ls)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("symbols = %q, want %q", got, want)
	}
	if syms[1].Range != rng(3, 0, 5, 6) || syms[1].Children[0].SelectionRange != rng(3, 2, 3, 5) {
		t.Errorf("layer 2 ranges = %+v / %+v", syms[1].Range, syms[1].Children[0].SelectionRange)
	}
	var folds []FoldingRange
	if err := c.call("textDocument/foldingRange", FoldingRangeParams{TextDocument: TextDocumentIdentifier{uri}}, &folds); err != nil {
		t.Fatal(err)
	}
	wantFolds := []FoldingRange{{0, 1, "region"}, {3, 5, "region"}}
	if !reflect.DeepEqual(folds, wantFolds) {
		t.Errorf("folds = %+v, want %+v", folds, wantFolds)
	}
}

func TestSemanticTokens(t *testing.T) {
	c := newClient(t, Options{}, nil)
	uri := "file:///w/Plashfile"
	c.open(uri, "#!/usr/bin/env plash-exec\n--from alpine\n--# note\n--run\n--\\ -x\n--layer\n")
	var toks SemanticTokens
	if err := c.call("textDocument/semanticTokens/full", SemanticTokensParams{TextDocument: TextDocumentIdentifier{uri}}, &toks); err != nil {
		t.Fatal(err)
	}
	want := []uint32{
		0, 0, 25, tokComment, 0,
		1, 0, 6, tokMacro, 0,
		0, 7, 6, tokParameter, 0,
		1, 0, 8, tokComment, 0,
		1, 0, 5, tokMacro, 0,
		1, 0, 3, tokOperator, 0,
		0, 4, 2, tokString, 0,
		1, 0, 7, tokKeyword, 0,
	}
	if !reflect.DeepEqual(toks.Data, want) {
		t.Errorf("tokens = %v\nwant     %v", toks.Data, want)
	}
}

type fakeHost struct{}

func (fakeHost) MapKeys() ([]string, error)      { return []string{"lxc:alpine", "mykey"}, nil }
func (fakeHost) ContainerIDs() ([]string, error) { return []string{"1", "2", "17"}, nil }

func labels(items []CompletionItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

func TestCompletionHostAndFiles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "packs"), 0o755)
	os.WriteFile(filepath.Join(dir, "packs", "users.star"), []byte("def make_user(name):\n  return 'adduser ' + name\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "packs", "notes.txt"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "setup.plash"), nil, 0o644)
	uri := pathURI(filepath.Join(dir, "Plashfile"))
	c := newClient(t, Options{Host: fakeHost{}}, nil)
	c.open(uri, "--from-map \n--from-id 1\n--import packs/\n--eval-file\nse\n--eval-file packs/n\n--eval-file setup.plash\n")
	complete := func(line, char int) []string {
		var list CompletionList
		if err := c.call("textDocument/completion", CompletionParams{TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{uri}, Position: Position{line, char}}}, &list); err != nil {
			t.Fatal(err)
		}
		return labels(list.Items)
	}
	for _, tc := range []struct {
		line, char int
		want       []string
	}{
		{0, 11, []string{"lxc:alpine", "mykey"}},
		{1, 11, []string{"1", "2", "17"}},
		{2, 15, []string{"users.star"}},
		{4, 2, []string{"setup.plash"}},
		{5, 19, []string{"notes.txt"}},
	} {
		if got := complete(tc.line, tc.char); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("completion at %d:%d = %q, want %q", tc.line, tc.char, got, tc.want)
		}
	}
	// Definition and hover of a file argument.
	var locs []Location
	if err := c.call("textDocument/definition", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{uri}, Position: Position{6, 14}}, &locs); err != nil {
		t.Fatal(err)
	}
	if len(locs) != 1 || locs[0].URI != pathURI(filepath.Join(dir, "setup.plash")) {
		t.Errorf("definition of --eval-file argument = %+v", locs)
	}
}

func TestMissingFile(t *testing.T) {
	dir := t.TempDir()
	uri := pathURI(filepath.Join(dir, "Plashfile"))
	c := newClient(t, Options{}, nil)
	c.open(uri, "--from alpine\n--eval-file nothere.plash\n--import ./none.star\n")
	d := c.waitDiags(uri, 1)
	if len(d) != 2 || d[0].Code != RuleMissingFile || d[0].Range != rng(1, 12, 1, 25) || d[1].Range != rng(2, 9, 2, 20) {
		t.Errorf("diagnostics = %+v", d)
	}
}

func TestDirectivesAndCodeAction(t *testing.T) {
	c := newClient(t, Options{}, nil)
	uri := "file:///w/Plashfile"
	c.open(uri, "--from alpine\n--# check:ignore shell legacy line\n--run echo 'x\n--# check:ignore shel\n--run ok\n")
	d := c.waitDiags(uri, 1)
	if len(d) != 1 || d[0].Code != RuleDirective || d[0].Severity != SeverityWarning || !strings.Contains(d[0].Message, `did you mean "shell"`) {
		t.Fatalf("diagnostics = %+v", d)
	}
	var actions []CodeAction
	if err := c.call("textDocument/codeAction", CodeActionParams{TextDocument: TextDocumentIdentifier{uri}, Range: d[0].Range}, &actions); err != nil {
		t.Fatal(err)
	}
	if len(actions) != 1 || actions[0].Kind != "quickfix" {
		t.Fatalf("actions = %+v", actions)
	}
	edits := actions[0].Edit.Changes[uri]
	if len(edits) != 1 || edits[0].Range != rng(3, 0, 4, 0) || edits[0].NewText != "" {
		t.Errorf("edit = %+v", edits)
	}
}

func TestBadInput(t *testing.T) {
	c := newClient(t, Options{}, nil)
	// Wrong parameter types, unknown documents, out-of-range positions.
	if err := c.call("textDocument/hover", "not an object", nil); err == nil {
		t.Error("hover with a string for params succeeded")
	}
	if err := c.call("textDocument/hover", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{"file:///nope"}}, nil); err == nil {
		t.Error("hover of a document that is not open succeeded")
	}
	uri := "file:///w/Plashfile"
	c.open(uri, "--from alpine\n")
	c.change(uri, 2, TextDocumentContentChangeEvent{Range: &Range{Start: Position{99, 99}, End: Position{-5, 3}}, Text: "x"})
	for _, m := range []string{"textDocument/hover", "textDocument/completion", "textDocument/definition"} {
		if err := c.call(m, TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{uri}, Position: Position{1 << 30, -7}}, nil); err != nil {
			t.Errorf("%s far outside the text: %v", m, err)
		}
	}
	// Raw garbage on the wire: a JSON error response, and the server
	// keeps going.
	c.conn.mu.Lock()
	c.conn.w.Write([]byte("Content-Length: 5\r\n\r\n{nope"))
	c.conn.mu.Unlock()
	if err := c.call("textDocument/documentSymbol", DocumentSymbolParams{TextDocument: TextDocumentIdentifier{uri}}, nil); err != nil {
		t.Errorf("after garbage: %v", err)
	}
	var raw json.RawMessage
	if err := c.call("shutdown", nil, &raw); err != nil || string(raw) != "null" {
		t.Errorf("shutdown result = %s, %v; want null", raw, err)
	}
}

func TestFormatting(t *testing.T) {
	c := newClient(t, Options{Format: lang.FormatSource}, nil)
	uri := "file:///w/Plashfile"
	src := "--from   alpine\n\n\n--run\n--\\ echo hi\n"
	c.open(uri, src)
	var edits []TextEdit
	if err := c.call("textDocument/formatting", DocumentFormattingParams{TextDocument: TextDocumentIdentifier{uri}}, &edits); err != nil {
		t.Fatal(err)
	}
	want, err := lang.FormatSource("x", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) != 1 || edits[0].NewText != string(want) || edits[0].Range != rng(0, 0, 5, 0) {
		t.Fatalf("edits = %+v, want the whole text replaced by %q", edits, want)
	}
	// Formatted text: no edit. A file with syntax errors: an error.
	c.change(uri, 2, TextDocumentContentChangeEvent{Text: string(want)})
	if err := c.call("textDocument/formatting", DocumentFormattingParams{TextDocument: TextDocumentIdentifier{uri}}, &edits); err != nil || len(edits) != 0 {
		t.Errorf("formatting formatted text: %+v, %v", edits, err)
	}
	c.change(uri, 3, TextDocumentContentChangeEvent{Text: "oops\n"})
	if err := c.call("textDocument/formatting", DocumentFormattingParams{TextDocument: TextDocumentIdentifier{uri}}, &edits); err == nil {
		t.Error("formatting a file with syntax errors succeeded")
	}
}
