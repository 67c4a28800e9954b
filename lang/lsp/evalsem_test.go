package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evalClient starts a server with the real evaluator, in a directory with
// a Plashfile and the given files.
func evalClient(t *testing.T, files map[string]string) (*client, string, string) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := newClient(t, Options{Semantics: &EvalSemantics{MaxSteps: 200_000}, Host: fakeHost{}}, nil)
	return c, dir, pathURI(filepath.Join(dir, "Plashfile"))
}

func hoverText(t *testing.T, c *client, uri string, line, char int) string {
	t.Helper()
	var h *Hover
	if err := c.call("textDocument/hover", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{uri}, Position: Position{line, char}}, &h); err != nil {
		t.Fatal(err)
	}
	if h == nil {
		return ""
	}
	return h.Contents.Value
}

func TestUnknownMacroAndQuickFix(t *testing.T) {
	c, _, uri := evalClient(t, nil)
	c.open(uri, "--from alpine\n--apkk git\n-x ls\n")
	d := c.waitDiags(uri, 1)
	if len(d) != 1 || d[0].Code != RuleUnknownMacro || d[0].Range != rng(1, 0, 1, 6) || d[0].Message != "macro 'apkk' not found (did you mean 'apk'?)" {
		t.Fatalf("diagnostics = %+v", d)
	}
	var actions []CodeAction
	if err := c.call("textDocument/codeAction", CodeActionParams{TextDocument: TextDocumentIdentifier{uri}, Range: rng(1, 3, 1, 3)}, &actions); err != nil {
		t.Fatal(err)
	}
	if len(actions) != 1 || actions[0].Title != "Change to --apk" {
		t.Fatalf("actions = %+v", actions)
	}
	if e := actions[0].Edit.Changes[uri]; len(e) != 1 || e[0].Range != rng(1, 2, 1, 6) || e[0].NewText != "apk" {
		t.Errorf("edit = %+v", e)
	}
	// The rest is still evaluated: -x has a preview.
	if h := hoverText(t, c, uri, 2, 1); !strings.Contains(h, "Expands to:\n```sh\nls\n```") {
		t.Errorf("hover of -x = %q", h)
	}
}

func TestArity(t *testing.T) {
	c, _, uri := evalClient(t, nil)
	c.open(uri, "--from alpine extra more\n--write-file\n")
	d := c.waitDiags(uri, 1)
	if len(d) != 2 {
		t.Fatalf("diagnostics = %+v", d)
	}
	if d[0].Code != RuleArity || d[0].Range != rng(0, 14, 0, 24) || !strings.Contains(d[0].Message, "from takes exactly 1 argument (3 given)") {
		t.Errorf("extra arguments: %+v", d[0])
	}
	if d[1].Code != RuleArity || d[1].Range != rng(1, 0, 1, 12) || !strings.Contains(d[1].Message, "(0 given)") {
		t.Errorf("missing argument: %+v", d[1])
	}
}

func TestPackErrorsAndCompletion(t *testing.T) {
	c, dir, uri := evalClient(t, map[string]string{
		"users.star":  "def make_user(name, shell = None):\n    \"\"\"Add a user.\"\"\"\n    return 'adduser ' + quote(name)\n",
		"broken.star": "def ok():\n    return 'x'\n\ndef bad(:\n    pass\n",
	})
	c.open(uri, "--from alpine\n--import users.star broken.star\n--make-user bob\n")
	d := c.waitDiags(uri, 1)
	if len(d) != 1 || d[0].Code != RulePack || d[0].Range != rng(1, 20, 1, 31) || !strings.Contains(d[0].Message, "broken.star:4:10") {
		t.Fatalf("diagnostics in the Plashfile = %+v", d)
	}
	starURI := pathURI(filepath.Join(dir, "broken.star"))
	sd := c.waitDiags(starURI, 0)
	if len(sd) != 1 || sd[0].Range.Start != (Position{3, 9}) || sd[0].Code != RulePack {
		t.Fatalf("diagnostics in the pack = %+v", sd)
	}
	if len(sd[0].RelatedInformation) != 1 || sd[0].RelatedInformation[0].Location.URI != uri {
		t.Errorf("related information = %+v", sd[0].RelatedInformation)
	}
	// Completion keeps working with a broken pack, and offers the
	// macros of the good one with their docs.
	var list CompletionList
	if err := c.call("textDocument/completion", CompletionParams{TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{uri}, Position: Position{2, 2}}}, &list); err != nil {
		t.Fatal(err)
	}
	var mk, apk *CompletionItem
	for i, it := range list.Items {
		switch it.Label {
		case "--make-user":
			mk = &list.Items[i]
		case "--apk":
			apk = &list.Items[i]
		}
	}
	if mk == nil || apk == nil {
		t.Fatalf("completion lacks --make-user or --apk: %q", labels(list.Items))
	}
	if mk.Detail != "--make-user name [shell]" || !strings.Contains(mk.Documentation.Value, "Add a user.") {
		t.Errorf("--make-user item = %+v %+v", mk, mk.Documentation)
	}
	if mk.TextEdit.Range != rng(2, 0, 2, 2) {
		t.Errorf("completion replaces %+v, want the token typed so far", mk.TextEdit.Range)
	}
	// Definition of a pack macro and of a standard one.
	var locs []Location
	if err := c.call("textDocument/definition", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{uri}, Position: Position{2, 3}}, &locs); err != nil {
		t.Fatal(err)
	}
	if len(locs) != 1 || locs[0].URI != pathURI(filepath.Join(dir, "users.star")) || locs[0].Range.Start != (Position{0, 4}) {
		t.Errorf("definition of --make-user = %+v", locs)
	}
	if h := hoverText(t, c, uri, 2, 3); !strings.Contains(h, "adduser bob") || !strings.Contains(h, "Add a user.") {
		t.Errorf("hover of --make-user = %q", h)
	}
	// Fixing the pack and saving clears its diagnostics.
	os.WriteFile(filepath.Join(dir, "broken.star"), []byte("def ok():\n    return 'x'\n"), 0o644)
	c.notify("textDocument/didSave", DidSaveTextDocumentParams{TextDocument: TextDocumentIdentifier{uri}})
	for {
		p := <-c.diagCh
		if p.URI == starURI && len(p.Diagnostics) == 0 {
			break
		}
	}
}

func TestStdlibDefinitionAndHover(t *testing.T) {
	c, _, uri := evalClient(t, nil)
	c.open(uri, "--from alpine\n--apk git vim\n")
	h := hoverText(t, c, uri, 1, 3)
	for _, want := range []string{"--apk [packages...]", "apk add git vim", "*from pm*"} {
		if !strings.Contains(h, want) {
			t.Errorf("hover of --apk lacks %q:\n%s", want, h)
		}
	}
	var locs []Location
	if err := c.call("textDocument/definition", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{uri}, Position: Position{1, 3}}, &locs); err != nil {
		t.Fatal(err)
	}
	if len(locs) != 1 || !strings.HasSuffix(locs[0].URI, "/pm.star") {
		t.Fatalf("definition of --apk = %+v", locs)
	}
	b, err := os.ReadFile(uriName(locs[0].URI))
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Split(string(b), "\n")[locs[0].Range.Start.Line]
	if !strings.HasPrefix(line[locs[0].Range.Start.Character:], "apk(") {
		t.Errorf("definition points at %q", line)
	}
}

func TestLoopingMacroAndCycles(t *testing.T) {
	c, _, uri := evalClient(t, map[string]string{
		"spin.star":  "def spin():\n    while True:\n        pass\n",
		"self.plash": "--eval-file self.plash\n",
	})
	c.open(uri, "--from alpine\n--import spin.star\n--spin\n--run\necho after\n--eval-file self.plash\n")
	d := c.waitDiags(uri, 1)
	if len(d) != 2 || d[0].Code != RuleMacro || !strings.Contains(d[0].Message, "execution steps") || d[0].Range.Start.Line != 2 {
		t.Fatalf("diagnostics = %+v", d)
	}
	if d[1].Range.Start.Line != 5 || !strings.Contains(d[1].Message, "eval-file cycle") {
		t.Errorf("cycle diagnostic = %+v", d[1])
	}
	// The call after the failing one is still evaluated.
	if h := hoverText(t, c, uri, 3, 2); !strings.Contains(h, "```sh\necho after\n```") {
		t.Errorf("hover after the loop = %q", h)
	}
}

func TestShellInPackOutput(t *testing.T) {
	c, _, uri := evalClient(t, map[string]string{
		"p.star": "def greet(who):\n    return 'echo hello ' + who\n",
	})
	c.open(uri, "--from alpine\n--import p.star\n--greet\nworld'\n--apt 'x y'\n")
	d := c.waitDiags(uri, 1)
	if len(d) != 1 || d[0].Code != RuleShell || d[0].Range != rng(3, 5, 3, 6) {
		t.Fatalf("diagnostics = %+v", d)
	}
}
