package lang

import (
	"fmt"
	"strings"
	"testing"
)

// benchSource generates a Plashfile of n lines mixing every line kind.
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

func BenchmarkLex(b *testing.B) {
	src := benchSource(100000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		lexFile("Plashfile", string(src))
	}
}
