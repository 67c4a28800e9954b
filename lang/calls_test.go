package lang

import (
	"reflect"
	"strings"
	"testing"
)

// referenceCalls is Calls written plainly, one allocation at a time, from
// MacroName and Stanza.Args: Calls must build the same calls.
func referenceCalls(f *File) []*Call {
	calls := []*Call{}
	for _, s := range f.Stanzas {
		names := MacroName(s.Head.Value)
		if names == nil {
			continue
		}
		args := s.Args()
		end := s.Head.End
		if len(args) > 0 {
			end = args[len(args)-1].End
		}
		p := s.Head.Pos
		p.Offset++
		p.Column++
		if len(names) == 1 && strings.HasPrefix(s.Head.Value, "--") {
			p.Offset++
			p.Column++
		}
		for i, name := range names {
			c := &Call{Name: name, Pos: s.Head.Pos, End: end, NamePos: p, NameEnd: advance(p, name), Stanza: s}
			if i == len(names)-1 {
				c.Args = args
			} else {
				c.End = s.Head.End
			}
			calls = append(calls, c)
			p = c.NameEnd
		}
	}
	return calls
}

func checkCalls(t *testing.T, f *File) {
	t.Helper()
	got, _ := f.Calls()
	want := referenceCalls(f)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Calls differs from the reference:\n%s", dumpCalls(got, want))
	}
}

func dumpCalls(got, want []*Call) string {
	var b strings.Builder
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w *Call
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !reflect.DeepEqual(g, w) {
			b.WriteString("got  ")
			if g != nil {
				b.WriteString(g.Name)
				for _, a := range g.Args {
					b.WriteString(" " + a.Value)
				}
			}
			b.WriteString("\nwant ")
			if w != nil {
				b.WriteString(w.Name)
				for _, a := range w.Args {
					b.WriteString(" " + a.Value)
				}
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func TestCallsReference(t *testing.T) {
	for _, src := range []string{
		"",
		"#!/usr/bin/env plash-exec\n--from-id 1\n",
		"lead\n--a b c\nd\n--\\ -e\n--\\\n# c\n\n-xyz w\nv\n-é€ u\n--\n-\n--layer\n",
		"--a\n--b x\n-\xff\xfez\n",
	} {
		f, _ := Parse("Plashfile", []byte(src))
		checkCalls(t, f)
	}
	f, _ := ParseArgs([]string{"-ab", "x", "--c", "--", "y", "-d"})
	checkCalls(t, f)
}

func FuzzCalls(f *testing.F) {
	files, args := corpusSeeds(f)
	for _, s := range files {
		f.Add(s, false)
	}
	for _, s := range args {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, src []byte, argv bool) {
		if argv {
			pf, _ := ParseArgs(strings.Split(string(src), "\x00"))
			checkCalls(t, pf)
			return
		}
		pf, _ := Parse("Plashfile", src)
		checkCalls(t, pf)
	})
}
