package lang

import (
	"reflect"
	"strings"
	"testing"
)

// checkReference parses src with Parse and with the participle parser of
// the grammar of record and fails when the trees differ.
func checkReference(t testing.TB, src []byte) *File {
	t.Helper()
	f, _ := Parse("Plashfile", src)
	ref, err := parseReference("Plashfile", src, FileForm, lexFile("Plashfile", string(src)))
	if err != nil {
		t.Fatalf("participle rejects %q: %v", src, err)
	}
	if !reflect.DeepEqual(f, ref) {
		t.Fatalf("Parse and the participle grammar disagree on %q:\nParse:\n%s\nparticiple:\n%s", src, Dump(f), Dump(ref))
	}
	return f
}

func checkReferenceArgs(t testing.TB, words []string) *File {
	t.Helper()
	f, _ := ParseArgs(words)
	ref, err := parseReference(ArgsName, []byte(strings.Join(words, " ")), ArgsForm, lexArgs(words))
	if err != nil {
		t.Fatalf("participle rejects %q: %v", words, err)
	}
	if !reflect.DeepEqual(f, ref) {
		t.Fatalf("ParseArgs and the participle grammar disagree on %q:\nParseArgs:\n%s\nparticiple:\n%s", words, Dump(f), Dump(ref))
	}
	return f
}

func TestReference(t *testing.T) {
	for _, src := range []string{
		"", "\n", "\n\n", "--a", "-", "--", "#!/bin/sh\n--a b c\nx\n--\\ -y\n--\\\n--# c\n\n-xy z",
		"x\n--a", "--\\ y\n--b", "--a\r\nb\r\n", "  \n--a\n \t\n", "#!/x", "\r", "--a\n\r",
	} {
		checkReference(t, []byte(src))
	}
	for _, words := range [][]string{nil, {"--a"}, {"x"}, {"-", "--a", "-", "-xy", ""}} {
		checkReferenceArgs(t, words)
	}
}
