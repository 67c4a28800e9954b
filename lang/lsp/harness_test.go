package lsp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// client is a language client over pipes, driving a Server the way an
// editor does.
type client struct {
	t    *testing.T
	srv  *Server
	conn *conn
	log  *syncBuffer
	done chan error

	mu      sync.Mutex
	nextID  int
	pending map[int]chan *message
	diags   map[string]PublishDiagnosticsParams
	diagCh  chan PublishDiagnosticsParams
	closed  bool
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// newClient starts a server and initializes it. The test fails if the
// server logged a panic.
func newClient(t *testing.T, opts Options, caps map[string]any) *client {
	t.Helper()
	c := startClient(t, opts)
	if caps == nil {
		caps = map[string]any{}
	}
	var res InitializeResult
	if err := c.call("initialize", map[string]any{"processId": nil, "rootUri": nil, "capabilities": caps}, &res); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	c.notify("initialized", map[string]any{})
	return c
}

// startClient starts a server without initializing it.
func startClient(t *testing.T, opts Options) *client {
	t.Helper()
	cr, sw := io.Pipe()
	sr, cw := io.Pipe()
	log := &syncBuffer{}
	if opts.Log == nil {
		opts.Log = log
	}
	if opts.Debounce == 0 {
		opts.Debounce = -1 // check at once: tests wait for the result, not the clock
	}
	c := &client{
		t: t, log: log, conn: newConn(cr, cw), done: make(chan error, 1),
		pending: map[int]chan *message{}, diags: map[string]PublishDiagnosticsParams{},
		diagCh: make(chan PublishDiagnosticsParams, 1024),
	}
	c.srv = NewServer(sr, sw, opts)
	go func() {
		err := c.srv.Serve()
		sw.Close()
		c.done <- err
	}()
	go c.readLoop()
	t.Cleanup(func() {
		c.mu.Lock()
		closed := c.closed
		c.mu.Unlock()
		if !closed {
			cw.Close()
			select {
			case <-c.done:
			case <-time.After(10 * time.Second):
				t.Errorf("server did not stop after the stream closed")
			}
		}
		if strings.Contains(log.String(), "panic") {
			t.Errorf("server log shows a panic:\n%s", log.String())
		}
	})
	return c
}

func (c *client) readLoop() {
	for {
		body, err := c.conn.read()
		if err != nil {
			return
		}
		var m message
		if err := json.Unmarshal(body, &m); err != nil {
			c.t.Errorf("server sent invalid JSON: %v: %s", err, body)
			return
		}
		if m.Method == "textDocument/publishDiagnostics" {
			var p PublishDiagnosticsParams
			json.Unmarshal(m.Params, &p)
			c.mu.Lock()
			c.diags[p.URI] = p
			c.mu.Unlock()
			c.diagCh <- p
			continue
		}
		if m.Method != "" {
			continue
		}
		var id int
		json.Unmarshal(m.ID, &id)
		c.mu.Lock()
		ch := c.pending[id]
		delete(c.pending, id)
		c.mu.Unlock()
		if ch != nil {
			ch <- &m
		}
	}
}

// call sends a request and decodes its result into result.
func (c *client) call(method string, params, result any) error {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan *message, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	if err := c.conn.write(request{JSONRPC: "2.0", ID: id, Method: method, Params: params}); err != nil {
		return err
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return m.Error
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-time.After(20 * time.Second):
		return fmt.Errorf("%s: no response", method)
	}
}

func (c *client) notify(method string, params any) {
	if err := c.conn.write(notification{JSONRPC: "2.0", Method: method, Params: params}); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) open(uri, text string) {
	c.notify("textDocument/didOpen", DidOpenTextDocumentParams{TextDocument: TextDocumentItem{URI: uri, LanguageID: "plash", Version: 1, Text: text}})
}

func (c *client) change(uri string, version int, changes ...TextDocumentContentChangeEvent) {
	c.notify("textDocument/didChange", DidChangeTextDocumentParams{
		TextDocument:   VersionedTextDocumentIdentifier{URI: uri, Version: version},
		ContentChanges: changes,
	})
}

// waitDiags waits for the diagnostics of a version of a document.
func (c *client) waitDiags(uri string, version int) []Diagnostic {
	c.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		c.mu.Lock()
		p, ok := c.diags[uri]
		c.mu.Unlock()
		if ok && (p.Version == nil || *p.Version >= version) {
			return p.Diagnostics
		}
		select {
		case <-c.diagCh:
		case <-deadline:
			c.t.Fatalf("no diagnostics for %s version %d", uri, version)
		}
	}
}

// shutdown ends the session properly and returns Serve's result.
func (c *client) shutdown() error {
	if err := c.call("shutdown", nil, nil); err != nil {
		c.t.Fatalf("shutdown: %v", err)
	}
	c.notify("exit", nil)
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	select {
	case err := <-c.done:
		return err
	case <-time.After(10 * time.Second):
		c.t.Fatal("server did not exit")
	}
	return nil
}

func rng(l1, c1, l2, c2 int) Range {
	return Range{Start: Position{l1, c1}, End: Position{l2, c2}}
}
