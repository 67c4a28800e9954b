package eval

import (
	"errors"
	"slices"
	"testing"

	"github.com/plash-go/plash/lang"
)

// The evaluator's errors carry their kind and details, and print exactly
// as the lang.ErrorList does: tools classify them without reading text.
func TestErrorStructure(t *testing.T) {
	files := mapFiles{
		"p.star":     "def outer():\n    return macro('inner')\ndef inner():\n    return macro('apkk')\ndef two(a, b):\n    return a\ndef spin():\n    while True:\n        pass\ndef m():\n    return macro('from-map', 'k')\n",
		"bad.star":   "def f(:\n",
		"self.plash": "--eval-file self.plash\n",
		"inc.plash":  "--nope\n",
	}
	cfg := func() *Config { return &Config{Files: files, Images: fakeImages{}, MaxSteps: 1000} }
	for _, c := range []struct {
		args    []string
		msg     string // the printed error
		kind    ErrorKind
		name    string
		suggest string
		stack   []string
		starPos string
		starMsg string
	}{
		{args: []string{"--apkk", "a"}, msg: "<args>:1:1: macro 'apkk' not found (did you mean 'apk'?)",
			kind: UnknownMacro, name: "apkk", suggest: "apk"},
		{args: []string{"--zzzzzz"}, msg: "<args>:1:1: macro 'zzzzzz' not found", kind: UnknownMacro, name: "zzzzzz"},
		{args: []string{"--from", "1", "2"}, msg: "<args>:1:10: from takes exactly 1 argument (2 given)", kind: Arity, name: "from"},
		{args: []string{"--import", "p.star", "--two", "a"}, msg: "<args>:1:17: two takes exactly 2 arguments (1 given)", kind: Arity, name: "two"},
		{args: []string{"--import", "bad.star"}, msg: "<args>:1:10: import: bad.star:1:8: got ':', want ')'",
			kind: PackFailed, name: "bad.star", starPos: "bad.star:1:8", starMsg: "got ':', want ')'"},
		{args: []string{"--import", "none.star"}, msg: "<args>:1:10: import: reading macro pack: open none.star: no such file",
			kind: PackFailed, name: "none.star"},
		{args: []string{"--import", "p.star", "--outer"}, msg: "<args>:1:17: outer: inner: p.star:4:17: macro 'apkk' not found (did you mean 'apk'?)",
			kind: MacroFailed, stack: []string{"outer", "inner"}, starPos: "p.star:4:17", starMsg: "macro 'apkk' not found (did you mean 'apk'?)"},
		{args: []string{"--import", "p.star", "--spin"}, msg: "<args>:1:17: spin: p.star:7:1: stopped after 1000 execution steps (an endless loop?)",
			kind: StepBudget, stack: []string{"spin"}, starPos: "p.star:7:1", starMsg: "stopped after 1000 execution steps (an endless loop?)"},
		{args: []string{"--from-map", "k"}, msg: "<args>:1:1: from-map: map 'k' not found", kind: MapKey, stack: []string{"from-map"}},
		{args: []string{"--import", "p.star", "--m"}, msg: "<args>:1:17: m: from-map: map 'k' not found", kind: MapKey, stack: []string{"m", "from-map"}},
		{args: []string{"--eval-file", "self.plash"}, msg: "<args>:1:1: eval-file: self.plash: sources nested more than 64 deep (does it evaluate itself?)",
			kind: Nesting, stack: []string{"eval-file"}},
		{args: []string{"--eval-file", "inc.plash"}, msg: "<args>:1:1: eval-file: inc.plash:1:1: macro 'nope' not found", kind: MacroFailed, stack: []string{"eval-file"}},
		{args: []string{"--from-url", "u"}, msg: "<args>:1:1: from-url: no", kind: MacroFailed, stack: []string{"from-url"}},
	} {
		_, err := evalArgs(t, cfg(), c.args...)
		var el lang.ErrorList
		if !errors.As(err, &el) || len(el) != 1 {
			t.Errorf("%q: want one error, got %v", c.args, err)
			continue
		}
		var e *Error
		if !errors.As(el[0], &e) {
			t.Errorf("%q: %v is not an *Error", c.args, el[0])
			continue
		}
		star := ""
		if e.StarPos != (lang.Position{}) {
			star = FormatPos(e.StarPos)
		}
		if el[0].Error() != c.msg || e.Error() != c.msg || e.Kind != c.kind || e.Name != c.name || e.Suggest != c.suggest ||
			!slices.Equal(e.Stack, c.stack) || star != c.starPos || e.StarMsg != c.starMsg || e.Pos != el[0].Pos {
			t.Errorf("%q:\ngot  %q kind=%s name=%q suggest=%q stack=%q star=%q %q\nwant %q kind=%s name=%q suggest=%q stack=%q star=%q %q",
				c.args, el[0].Error(), e.Kind, e.Name, e.Suggest, e.Stack, star, e.StarMsg,
				c.msg, c.kind, c.name, c.suggest, c.stack, c.starPos, c.starMsg)
		}
		if e.Kind.Resolve() != (c.kind == UnknownMacro || c.kind == Arity || c.kind == PackFailed) {
			t.Errorf("%q: Resolve() of %s", c.args, e.Kind)
		}
	}
}

// A cause returned by the host stays reachable through the error.
func TestErrorCause(t *testing.T) {
	_, err := evalArgs(t, &Config{Images: fakeImages{}}, "--from-map", "k")
	if !errors.Is(err, ErrMapKeyNotFound) {
		t.Errorf("%v does not wrap ErrMapKeyNotFound", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Kind != MapKey {
		t.Errorf("errors.As on the list: %#v", e)
	}
}
