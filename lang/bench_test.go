package lang

import (
	"fmt"
	"strings"
	"testing"
)

// benchSource generates a Plashfile of n lines mixing every line kind, with
// short lines (about 15 bytes on average), the worst case for a parser
// whose cost is per line.
func benchSource(n int) []byte {
	var b strings.Builder
	b.WriteString("#!/usr/bin/env plash-exec\n")
	lines := 1
	for i := 0; lines < n; i++ {
		switch i % 6 {
		case 0:
			b.WriteString("--# install the tools of step " + fmt.Sprint(i) + "\n")
			lines++
		case 1:
			b.WriteString("--apt git vim curl build-essential\n")
			lines++
		case 2:
			b.WriteString("--run\ntouch /etc/config-" + fmt.Sprint(i) + "\necho 'hello world' > /tmp/x\n")
			lines += 3
		case 3:
			b.WriteString("--write-file /etc/motd\n--\\ -welcome\n--\\\n\n")
			lines += 4
		case 4:
			b.WriteString("-xl\nls -la /\n")
			lines += 2
		case 5:
			b.WriteString("--layer\n\n")
			lines += 2
		}
	}
	return []byte(b.String())
}

// BenchmarkParse parses a generated 100,000-line Plashfile. The target is
// at least 20 MB/s.
func BenchmarkParse(b *testing.B) {
	src := benchSource(100000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("Plashfile", src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseCalls is Parse followed by Calls, what a build does.
func BenchmarkParseCalls(b *testing.B) {
	src := benchSource(100000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		f, _ := Parse("Plashfile", src)
		if _, errs := f.Calls(); errs != nil {
			b.Fatal(errs)
		}
	}
}

// BenchmarkParseParticiple parses the same file with the participle parser
// of the grammar of record, for comparison (see parse.go).
func BenchmarkParseParticiple(b *testing.B) {
	src := benchSource(100000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseReference("Plashfile", src, FileForm, lexFile("Plashfile", string(src))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormat(b *testing.B) {
	src := benchSource(100000)
	f, err := Parse("Plashfile", src)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Format(f)
	}
}
