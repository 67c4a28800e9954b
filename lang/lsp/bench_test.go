package lsp

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// bigPlashfile is a realistic Plashfile of about n lines: package
// installs, multi-line --run scripts, files, layers and comments.
func bigPlashfile(n int) string {
	var b strings.Builder
	b.WriteString("#!/usr/bin/env plash-exec\n--from alpine\n")
	lines := 2
	for i := 0; lines < n; i++ {
		fmt.Fprintf(&b, "--# step %d\n--apk git curl pkg%d\n--run\nif [ -d /opt/%d ]; then\n  echo \"exists $HOME\" | tee -a /log\nfi\nmkdir -p /opt/%d && cd /opt/%d\n--write-file /etc/app%d.conf\nkey=value%d\nname=app\n-x ls /opt\n--layer\n", i, i, i, i, i, i, i)
		lines += 12
	}
	return b.String()
}

func TestBigPlashfileIsClean(t *testing.T) {
	res := (&Checker{Semantics: &EvalSemantics{}}).Check("Plashfile", []byte(bigPlashfile(5000)))
	if len(res.Findings) != 0 {
		t.Fatalf("the benchmark file has findings: %v", res.Findings[0])
	}
	if n := strings.Count(bigPlashfile(5000), "\n"); n < 5000 {
		t.Fatalf("%d lines", n)
	}
}

// BenchmarkCheck5000 is the check of a 5,000-line Plashfile with the
// evaluator: what runs after each edit once the debounce delay is over.
func BenchmarkCheck5000(b *testing.B) {
	src := []byte(bigPlashfile(5000))
	c := &Checker{Semantics: &EvalSemantics{}}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		c.Check("Plashfile", src)
	}
}

// BenchmarkEditToDiagnostics5000 is the whole round trip of one edit of a
// 5,000-line Plashfile through the protocol, without the debounce wait:
// didChange sent, the diagnostics of that version received.
func BenchmarkEditToDiagnostics5000(b *testing.B) {
	t := &testing.T{}
	c := newBenchClient(b, t)
	uri := "file:///bench/Plashfile"
	c.open(uri, bigPlashfile(5000))
	c.waitDiags(uri, 1)
	version := 1
	var checks time.Duration
	c.srv.OnCheck = func(_ string, _ int, d time.Duration) { checks += d }
	b.ResetTimer()
	for b.Loop() {
		version++
		// Toggle a character on line 2500: an unknown macro and back.
		text := "x"
		if version%2 == 1 {
			text = ""
		}
		r := Range{Start: Position{2501, 2}, End: Position{2501, 2}}
		if text == "" {
			r.End.Character = 3
		}
		c.change(uri, version, TextDocumentContentChangeEvent{Range: &r, Text: text})
		c.waitDiags(uri, version)
	}
	b.StopTimer()
	b.ReportMetric(float64(checks.Microseconds())/float64(b.N)/1000, "check-ms/op")
}

// BenchmarkCompletion5000 is a completion of macro names on a 5,000-line
// Plashfile right after an edit (no check of the new text has run yet).
func BenchmarkCompletion5000(b *testing.B) {
	t := &testing.T{}
	c := newBenchClient(b, t)
	c.srv.opts.Debounce = time.Hour // checks never run during the loop
	uri := "file:///bench/Plashfile"
	c.open(uri, bigPlashfile(5000))
	c.waitDiags(uri, 1)
	version := 1
	b.ResetTimer()
	for b.Loop() {
		version++
		r := Range{Start: Position{2501, 0}, End: Position{2501, 0}}
		c.change(uri, version, TextDocumentContentChangeEvent{Range: &r, Text: "--a\n"})
		var list CompletionList
		if err := c.call("textDocument/completion", CompletionParams{TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{uri}, Position: Position{2501, 3}}}, &list); err != nil {
			b.Fatal(err)
		}
		if len(list.Items) == 0 {
			b.Fatal("no completion")
		}
	}
}

// newBenchClient is newClient for a benchmark.
func newBenchClient(b *testing.B, t *testing.T) *client {
	cr, sw := io.Pipe()
	sr, cw := io.Pipe()
	c := &client{
		t: t, log: &syncBuffer{}, conn: newConn(cr, cw), done: make(chan error, 1),
		pending: map[int]chan *message{}, diags: map[string]PublishDiagnosticsParams{},
		diagCh: make(chan PublishDiagnosticsParams, 1<<16),
	}
	c.srv = NewServer(sr, sw, Options{Semantics: &EvalSemantics{}, Debounce: -1, Log: c.log})
	go func() { c.done <- c.srv.Serve() }()
	go c.readLoop()
	b.Cleanup(func() { cw.Close(); <-c.done })
	if err := c.call("initialize", map[string]any{"capabilities": map[string]any{}}, nil); err != nil {
		b.Fatal(err)
	}
	return c
}
