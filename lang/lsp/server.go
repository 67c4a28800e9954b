package lsp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// Host gives the server data from the host that completion offers: the
// keys of the map (for --from-map) and the container ids (for --from-id).
// The cli package implements it over the store; it may be nil.
type Host interface {
	MapKeys() ([]string, error)
	ContainerIDs() ([]string, error)
}

// Options configure a server.
type Options struct {
	Host      Host      // host data for completion; may be nil
	Semantics Semantics // the evaluator; nil checks syntax and shell only
	// Format formats a Plashfile (lang.Format); nil disables formatting.
	Format func(name string, src []byte) ([]byte, error)
	// Debounce is how long the server waits after the last change before
	// it checks a document; 0 means the default of 50 ms, negative means
	// no wait.
	Debounce time.Duration
	Log      io.Writer // where internal errors are logged; nil discards
	Version  string    // reported in serverInfo
}

// DefaultDebounce is the wait after the last change before a check.
const DefaultDebounce = 50 * time.Millisecond

// Server is a language server for Plashfiles. Serve runs it.
type Server struct {
	opts    Options
	conn    *conn
	checker Checker

	mu          sync.Mutex
	docs        map[string]*document
	initialized bool
	shutdown    bool
	utf8        bool
	published   map[string]map[string]bool // doc URI -> other URIs it published to
	wg          sync.WaitGroup             // running checks
	closed      bool

	// OnCheck, when set, is called after each check of a document with
	// the time the check took (for tests and benchmarks).
	OnCheck func(uri string, version int, d time.Duration)
}

// document is one open document.
type document struct {
	uri     string
	name    string // file name used in positions (the path for file: URIs)
	version int
	text    *text
	timer   *time.Timer
	res     *Result // the last check, of resText
	resText *text
}

// NewServer returns a server speaking over r and w.
func NewServer(r io.Reader, w io.Writer, opts Options) *Server {
	if opts.Debounce == 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	return &Server{
		opts:      opts,
		conn:      newConn(r, w),
		checker:   Checker{Semantics: opts.Semantics},
		docs:      map[string]*document{},
		published: map[string]map[string]bool{},
	}
}

// ErrExitWithoutShutdown is returned by Serve when the client sent exit
// without shutdown first; the process should exit with status 1.
var ErrExitWithoutShutdown = errors.New("exit without shutdown")

// Serve reads and answers messages until the client sends exit or closes
// the stream. It returns nil after shutdown and exit.
func (s *Server) Serve() error {
	defer s.stop()
	for {
		body, err := s.conn.read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var m message
		if err := json.Unmarshal(body, &m); err != nil {
			s.conn.write(errorResponse{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: &rpcError{Code: codeParseError, Message: "parsing message: " + err.Error()}})
			continue
		}
		if m.Method == "exit" {
			s.mu.Lock()
			down := s.shutdown
			s.mu.Unlock()
			if !down {
				return ErrExitWithoutShutdown
			}
			return nil
		}
		s.handle(&m)
	}
}

// stop cancels pending checks and waits for running ones.
func (s *Server) stop() {
	s.mu.Lock()
	s.closed = true
	for _, d := range s.docs {
		s.cancel(d)
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// handle answers one message; a panic in a handler becomes an error
// response (for a request) and a log line, never a crash.
func (s *Server) handle(m *message) {
	isRequest := len(m.ID) > 0 && string(m.ID) != "null"
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(s.opts.Log, "plash lsp: panic in %s: %v\n%s", m.Method, r, debug.Stack())
			if isRequest {
				s.reply(m.ID, nil, &rpcError{Code: codeInternalError, Message: fmt.Sprintf("internal error in %s: %v", m.Method, r)})
			}
		}
	}()
	if m.Method == "" {
		return // a response to a request of ours; we send none that need one
	}
	result, err := s.dispatch(m.Method, m.Params)
	if !isRequest {
		if err != nil {
			fmt.Fprintf(s.opts.Log, "plash lsp: %s: %v\n", m.Method, err)
		}
		return
	}
	var rerr *rpcError
	if err != nil && !errors.As(err, &rerr) {
		rerr = &rpcError{Code: codeRequestFailed, Message: err.Error()}
	}
	s.reply(m.ID, result, rerr)
}

func (s *Server) reply(id json.RawMessage, result any, err *rpcError) {
	if err != nil {
		s.conn.write(errorResponse{JSONRPC: "2.0", ID: id, Error: err})
		return
	}
	s.conn.write(response{JSONRPC: "2.0", ID: id, Result: result})
}

func (s *Server) notify(method string, params any) {
	s.conn.write(notification{JSONRPC: "2.0", Method: method, Params: params})
}

func decode(params json.RawMessage, v any) error {
	if len(params) == 0 {
		return &rpcError{Code: codeInvalidParams, Message: "missing params"}
	}
	if err := json.Unmarshal(params, v); err != nil {
		return &rpcError{Code: codeInvalidParams, Message: "invalid params: " + err.Error()}
	}
	return nil
}

// handlers maps each method to its handler.
var handlers = map[string]func(s *Server, params json.RawMessage) (any, error){
	"initialize":                       (*Server).initialize,
	"initialized":                      func(*Server, json.RawMessage) (any, error) { return nil, nil },
	"shutdown":                         (*Server).shutdownRequest,
	"textDocument/didOpen":             (*Server).didOpen,
	"textDocument/didChange":           (*Server).didChange,
	"textDocument/didClose":            (*Server).didClose,
	"textDocument/didSave":             (*Server).didSave,
	"textDocument/documentSymbol":      (*Server).documentSymbol,
	"textDocument/foldingRange":        (*Server).foldingRange,
	"textDocument/semanticTokens/full": (*Server).semanticTokens,
	"textDocument/formatting":          (*Server).formatting,
	"textDocument/codeAction":          (*Server).codeAction,
	"textDocument/completion":          (*Server).completion,
	"textDocument/hover":               (*Server).hover,
	"textDocument/definition":          (*Server).definition,
	"$/cancelRequest":                  func(*Server, json.RawMessage) (any, error) { return nil, nil },
	"$/setTrace":                       func(*Server, json.RawMessage) (any, error) { return nil, nil },
	"workspace/didChangeConfiguration": func(*Server, json.RawMessage) (any, error) { return nil, nil },
}

func (s *Server) dispatch(method string, params json.RawMessage) (any, error) {
	h, ok := handlers[method]
	if !ok {
		return nil, &rpcError{Code: codeMethodNotFound, Message: "method not supported: " + method}
	}
	s.mu.Lock()
	init, down := s.initialized, s.shutdown
	s.mu.Unlock()
	if !init && method != "initialize" {
		return nil, &rpcError{Code: codeNotInitialized, Message: "server not initialized"}
	}
	if down && method != "shutdown" {
		return nil, &rpcError{Code: codeInvalidRequest, Message: "server is shutting down"}
	}
	return h(s, params)
}

func (s *Server) initialize(params json.RawMessage) (any, error) {
	var p InitializeParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.initialized {
		return nil, &rpcError{Code: codeInvalidRequest, Message: "initialize sent twice"}
	}
	s.initialized = true
	res := InitializeResult{ServerInfo: ServerInfo{Name: "plash", Version: s.opts.Version}}
	enc := "utf-16"
	for _, e := range p.Capabilities.General.PositionEncodings {
		if e == "utf-8" {
			enc = "utf-8"
		}
	}
	for _, e := range p.Capabilities.OffsetEncoding {
		if e == "utf-8" {
			enc = "utf-8"
			res.OffsetEncoding = "utf-8"
		}
	}
	s.utf8 = enc == "utf-8"
	res.Capabilities = ServerCapabilities{
		PositionEncoding: enc,
		TextDocumentSync: TextDocumentSyncOptions{OpenClose: true, Change: SyncIncremental, Save: SaveOptions{}},
		CompletionProvider: &CompletionOptions{
			TriggerCharacters: []string{"-", "/", " "},
		},
		HoverProvider:              true,
		DefinitionProvider:         true,
		DocumentSymbolProvider:     true,
		DocumentFormattingProvider: s.opts.Format != nil,
		FoldingRangeProvider:       true,
		CodeActionProvider:         &CodeActionOptions{CodeActionKinds: []string{"quickfix"}},
		SemanticTokensProvider: &SemanticTokensOptions{
			Legend: SemanticTokensLegend{TokenTypes: tokenTypes, TokenModifiers: tokenModifiers},
			Full:   true,
		},
	}
	return res, nil
}

func (s *Server) shutdownRequest(json.RawMessage) (any, error) {
	s.mu.Lock()
	s.shutdown = true
	for _, d := range s.docs {
		s.cancel(d)
	}
	s.mu.Unlock()
	return nil, nil
}

// uriName returns the file name a document is checked under: the path of
// a file: URI, else the URI itself.
func uriName(uri string) string {
	if u, err := url.Parse(uri); err == nil && u.Scheme == "file" {
		return filepath.FromSlash(u.Path)
	}
	return uri
}

// pathURI returns the file: URI of a path.
func pathURI(path string) string {
	if strings.Contains(path, "://") {
		return path
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

func (s *Server) didOpen(params json.RawMessage) (any, error) {
	var p DidOpenTextDocumentParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	uri := p.TextDocument.URI
	if old := s.docs[uri]; old != nil {
		s.cancel(old)
	}
	d := &document{uri: uri, name: uriName(uri), version: p.TextDocument.Version, text: newText([]byte(p.TextDocument.Text), s.utf8)}
	s.docs[uri] = d
	s.schedule(d, true)
	return nil, nil
}

func (s *Server) didChange(params json.RawMessage) (any, error) {
	var p DidChangeTextDocumentParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		return nil, fmt.Errorf("didChange of a document that is not open: %s", p.TextDocument.URI)
	}
	for _, ch := range p.ContentChanges {
		d.text = newText(applyChange(d.text, ch), s.utf8)
	}
	d.version = p.TextDocument.Version
	s.schedule(d, false)
	return nil, nil
}

func (s *Server) didSave(params json.RawMessage) (any, error) {
	var p DidSaveTextDocumentParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A saved pack or included file may change what open documents
	// report: check them all again.
	for _, d := range s.docs {
		d.res = nil
		s.schedule(d, true)
	}
	return nil, nil
}

func (s *Server) didClose(params json.RawMessage) (any, error) {
	var p DidCloseTextDocumentParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		return nil, nil
	}
	s.cancel(d)
	delete(s.docs, p.TextDocument.URI)
	// Clear what the document published.
	s.notify("textDocument/publishDiagnostics", PublishDiagnosticsParams{URI: d.uri, Diagnostics: []Diagnostic{}})
	for other := range s.published[d.uri] {
		s.notify("textDocument/publishDiagnostics", PublishDiagnosticsParams{URI: other, Diagnostics: []Diagnostic{}})
	}
	delete(s.published, d.uri)
	return nil, nil
}

// schedule checks a document after the debounce delay (at once when now
// is set), replacing any check already waiting. s.mu is held.
func (s *Server) schedule(d *document, now bool) {
	s.cancel(d)
	if s.closed || s.shutdown {
		return
	}
	delay := s.opts.Debounce
	if now || delay < 0 {
		delay = 0
	}
	version, t := d.version, d.text
	s.wg.Add(1)
	d.timer = time.AfterFunc(delay, func() {
		defer s.wg.Done()
		s.runCheck(d, version, t)
	})
}

// cancel stops the check waiting for a document, if any. s.mu is held.
func (s *Server) cancel(d *document) {
	if d.timer != nil && d.timer.Stop() {
		s.wg.Done() // the function will not run
	}
	d.timer = nil
}
