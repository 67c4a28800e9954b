package eval

import (
	"fmt"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plash-go/plash/lang"
)

// plashfile10k is a Plashfile of 10,000 macro calls of the common kinds.
func plashfile10k() []byte {
	var b strings.Builder
	b.WriteString("#!/usr/bin/env plash-exec\n--from-id 1\n")
	for i := 1; b.Len() >= 0 && i < 10000; i++ {
		switch i % 8 {
		case 0:
			fmt.Fprintf(&b, "--apt pkg%d 'with space'\n", i)
		case 1:
			fmt.Fprintf(&b, "--run\necho step %d\ntouch /f%d\n", i, i)
		case 2:
			fmt.Fprintf(&b, "--layer\n")
		case 3:
			fmt.Fprintf(&b, "--write-file /etc/f%d\nline one\nline 'two'\n", i)
		case 4:
			fmt.Fprintf(&b, "-x echo%d\n", i)
		case 5:
			fmt.Fprintf(&b, "--hint use-env VAR%d\n", i)
		case 6:
			fmt.Fprintf(&b, "--pip3 mod%d\n", i)
		case 7:
			fmt.Fprintf(&b, "--entrypoint /bin/e%d\n", i)
		}
	}
	return []byte(b.String())
}

// BenchmarkEval10k parses, resolves and expands a 10,000-call Plashfile
// and renders its script (target: under 50 ms).
func BenchmarkEval10k(b *testing.B) {
	src := plashfile10k()
	if _, err := stdTable(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	// As plash eval and plash build run it.
	defer debug.SetGCPercent(debug.SetGCPercent(GCPercent))
	b.ResetTimer()
	cpu0 := cpuTime()
	defer func() { b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op") }()
	for i := 0; i < b.N; i++ {
		f, err := lang.Parse("Plashfile", src)
		if err != nil {
			b.Fatal(err)
		}
		ops, err := Eval(f, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(Script(ops)) == 0 {
			b.Fatal("empty script")
		}
	}
}

// BenchmarkStdlibLoad is what loading the standard library costs a
// process once (compiling and running the embedded .star files).
func BenchmarkStdlibLoad(b *testing.B) {
	for i := 0; i < b.N; i++ {
		t := newTable()
		x := &expander{cfg: &Config{}, packs: map[string]*pack{}, maxSteps: DefaultMaxSteps, base: t, table: t}
		for _, name := range []string{"core.star", "pm.star", "shortcuts.star"} {
			src, _ := stdlibFile(name)
			if p := x.exec(x.newThread(name), name, stdPrefix+name, src); p.err != nil {
				b.Fatal(p.err)
			}
		}
	}
}

// BenchmarkStdlibLoadCompiled is what loading the standard library costs
// a process from its embedded compiled form (stdlib/*.starc), as stdTable
// does.
func BenchmarkStdlibLoadCompiled(b *testing.B) {
	for i := 0; i < b.N; i++ {
		t := newTable()
		x := &expander{cfg: &Config{}, packs: map[string]*pack{}, maxSteps: DefaultMaxSteps, base: t, table: t}
		for _, name := range []string{"core.star", "pm.star", "shortcuts.star"} {
			src, _ := stdlibFile(name)
			prog := stdProgram(name, src)
			if prog == nil {
				b.Fatalf("%s: no compiled form", name)
			}
			if p := x.execProgram(x.newThread(name), name, stdPrefix+name, prog); p.err != nil {
				b.Fatal(p.err)
			}
		}
	}
}

// BenchmarkRunX is the evaluation of `plash eval --run x` in process.
func BenchmarkRunX(b *testing.B) {
	for i := 0; i < b.N; i++ {
		f, _ := lang.ParseArgs([]string{"--run", "x"})
		if _, err := Eval(f, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime is the CPU time (user and system) the process used so far: on a
// busy machine a fairer measure than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
