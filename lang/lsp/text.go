package lsp

import (
	"sort"
	"unicode/utf16"
	"unicode/utf8"
)

// text is a document's content with the byte offset of each line start, to
// convert between byte offsets and protocol positions.
type text struct {
	src   []byte
	lines []int // byte offset of the start of each line
	utf8  bool  // positions count bytes rather than UTF-16 code units
}

func newText(src []byte, utf8Pos bool) *text {
	t := &text{src: src, utf8: utf8Pos, lines: make([]int, 1, 64)}
	for i, c := range src {
		if c == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	return t
}

// lineEnd returns the offset of the end of line n (before its newline).
func (t *text) lineEnd(n int) int {
	if n+1 < len(t.lines) {
		return t.lines[n+1] - 1
	}
	return len(t.src)
}

// offset converts a protocol position to a byte offset, clamping positions
// outside the text to its nearest end, as the protocol asks.
func (t *text) offset(p Position) int {
	if p.Line < 0 {
		return 0
	}
	if p.Line >= len(t.lines) {
		return len(t.src)
	}
	start, end := t.lines[p.Line], t.lineEnd(p.Line)
	if p.Character <= 0 {
		return start
	}
	if t.utf8 {
		if start+p.Character > end {
			return end
		}
		return start + p.Character
	}
	units := 0
	for i := start; i < end; {
		if units >= p.Character {
			return i
		}
		r, size := utf8.DecodeRune(t.src[i:end])
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		i += size
	}
	return end
}

// position converts a byte offset to a protocol position.
func (t *text) position(off int) Position {
	if off < 0 {
		off = 0
	}
	if off > len(t.src) {
		off = len(t.src)
	}
	line := sort.Search(len(t.lines), func(i int) bool { return t.lines[i] > off }) - 1
	start := t.lines[line]
	if t.utf8 {
		return Position{Line: line, Character: off - start}
	}
	return Position{Line: line, Character: utf16Len(t.src[start:off])}
}

// rng converts a pair of byte offsets to a protocol range.
func (t *text) rng(start, end int) Range {
	if end < start {
		end = start
	}
	return Range{Start: t.position(start), End: t.position(end)}
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s []byte) int {
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		if utf16.RuneLen(r) == 2 {
			n += 2
		} else {
			n++
		}
		s = s[size:]
	}
	return n
}

// applyChange applies one content change to src and returns the new text.
func applyChange(t *text, ch TextDocumentContentChangeEvent) []byte {
	if ch.Range == nil {
		return []byte(ch.Text)
	}
	start, end := t.offset(ch.Range.Start), t.offset(ch.Range.End)
	if end < start {
		start, end = end, start
	}
	out := make([]byte, 0, len(t.src)-(end-start)+len(ch.Text))
	out = append(out, t.src[:start]...)
	out = append(out, ch.Text...)
	return append(out, t.src[end:]...)
}
