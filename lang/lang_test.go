package lang

import (
	"reflect"
	"testing"
)

func TestMacroName(t *testing.T) {
	for _, c := range []struct {
		tok  string
		want []string
	}{
		{"--apk", []string{"apk"}},
		{"---x", []string{"-x"}},
		{"-abc", []string{"a", "b", "c"}},
		{"-a-b", []string{"a", "-", "b"}},
		{"-äx", []string{"ä", "x"}},
		{"-\xff", []string{"\xff"}},
		{"-", nil},
		{"--", nil},
		{"x", nil},
		{"", nil},
	} {
		if got := MacroName(c.tok); !reflect.DeepEqual(got, c.want) {
			t.Errorf("MacroName(%q) = %q, want %q", c.tok, got, c.want)
		}
	}
}

func TestQuoteGot(t *testing.T) {
	for in, want := range map[string]string{
		"x":        `'x'`,
		"it's":     `"it's"`,
		`it's "x"`: `'it\'s "x"'`,
		`a\b`:      `'a\\b'`,
		"a\tb\r\n": `'a\tb\r\n'`,
		"\x00\x7f": `'\x00\x7f'`,
		"\xff":     `'\xff'`,
		"é":        `'é'`,
		"":         `''`,
	} {
		if got := quoteGot(in); got != want {
			t.Errorf("quoteGot(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestPretty(t *testing.T) {
	_, err := Parse("P", []byte("--a\n\t\n"))
	if err != nil {
		t.Fatalf("a tab line is an argument, not an error: %v", err)
	}
	_, err = Parse("P", []byte("\tx\n--a\n-\n"))
	list, ok := err.(ErrorList)
	if !ok || len(list) != 2 {
		t.Fatalf("want two errors, got %v", err)
	}
	if got, want := list[0].Pretty(nil), "P:1:1: first token must be an action prefixed by two dashes (got '\\tx')\n    \tx\n    ^"; got != want {
		t.Errorf("Pretty:\n%s\nwant:\n%s", got, want)
	}
	if got, want := list[1].Pretty([]byte("\tx\n--a\n-\n")), list[1].Pretty(nil); got != want {
		t.Errorf("Pretty(src) = %q, Pretty(nil) = %q", got, want)
	}
	// Columns count bytes; the caret counts characters, and copies tabs.
	_, err = ParseArgs([]string{"--é", "\tü", "--"})
	e := err.(ErrorList)[0]
	if got, want := e.Pretty(nil), "<args>:1:10: missing macro name after '--' (a macro is --NAME or -LETTERS)\n    --é \tü --\n        \t  ^"; got != want {
		t.Errorf("Pretty:\n%q\nwant:\n%q", got, want)
	}
	// An error made elsewhere has no line until the file annotates it.
	f, _ := Parse("P", []byte("--a\n--b x\n"))
	other := &Error{Pos: f.Stanzas[1].Words[0].Pos, Msg: "b: no"}
	if got := other.Pretty(nil); got != "P:2:5: b: no" {
		t.Errorf("Pretty of a bare error = %q", got)
	}
	f.Annotate(ErrorList{other})
	if got, want := other.Pretty(nil), "P:2:5: b: no\n    --b x\n        ^"; got != want {
		t.Errorf("Pretty after Annotate = %q, want %q", got, want)
	}
	if got, want := f.Errorf(other.Pos, "b: %s", "no").Pretty(nil), other.Pretty(nil); got != want {
		t.Errorf("Errorf: %q, want %q", got, want)
	}
}

func TestCallsPositions(t *testing.T) {
	f, err := Parse("P", []byte("-xy a\r\nb\r\n--# c\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	calls, _ := f.Calls()
	if len(calls) != 2 || calls[0].Name != "x" || calls[1].Name != "y" {
		t.Fatalf("calls: %s", DumpCalls(calls))
	}
	if calls[0].Args != nil || calls[0].End.Offset != 3 {
		t.Errorf("x takes no arguments and ends with the token: %s", DumpCalls(calls))
	}
	if len(calls[1].Args) != 2 || calls[1].End.Offset != 8 || calls[1].NamePos.Offset != 2 {
		t.Errorf("y: %s", DumpCalls(calls))
	}
	if s := calls[1].Stanza; s != f.Stanzas[0] {
		t.Error("the calls do not point at their stanza")
	}
}
