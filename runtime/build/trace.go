package build

import (
	"io"
	"strconv"
	"strings"
)

// The shell runs with PS4 set to traceMark + the visible prompt; the
// marker carries $LINENO where the shell expands it there (bash, busybox
// ash; dash leaves it empty). tracer removes the markers from the output
// and remembers the last traced command and its line.
const (
	markStart = '\x01'
	markEnd   = '\x02'
)

// prelude is what the layer shell reads before the layer: as the original,
// "export PATH" (some distributions' profiles do not) and "set -ex", after
// the PS4 that marks trace lines.
func prelude(ps4 string) string {
	return "PS4='\x01$LINENO\x02" + ps4 + "'\nexport PATH\nset -ex\n"
}

// preludeLines is the number of lines prelude adds before the layer.
const preludeLines = 3

// tracer passes the layer's output through to w, without the trace
// markers, noting the traced commands.
type tracer struct {
	w       io.Writer
	state   int // 0 output, 1 in marker, 2 in a trace line
	lineno  []byte
	cmd     []byte
	traces  []trace
	scratch []byte
}

type trace struct {
	line int    // $LINENO, 0 when unknown
	cmd  string // the command as the shell traced it, after the prompt
}

func (t *tracer) Write(b []byte) (int, error) {
	out := t.scratch[:0]
	for _, c := range b {
		switch t.state {
		case 0:
			if c == markStart {
				t.state, t.lineno = 1, t.lineno[:0]
				continue
			}
		case 1:
			if c == markEnd {
				t.state, t.cmd = 2, t.cmd[:0]
			} else {
				t.lineno = append(t.lineno, c)
			}
			continue
		case 2:
			if c == '\n' {
				n, _ := strconv.Atoi(string(t.lineno))
				t.traces = append(t.traces, trace{line: n, cmd: string(t.cmd)})
				t.state = 0
			} else if c == markStart {
				n, _ := strconv.Atoi(string(t.lineno))
				t.traces = append(t.traces, trace{line: n, cmd: string(t.cmd)})
				t.state, t.lineno = 1, t.lineno[:0]
				continue
			} else {
				t.cmd = append(t.cmd, c)
			}
		}
		out = append(out, c)
	}
	t.scratch = out
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// flush ends a trace line the output left open.
func (t *tracer) flush() {
	if t.state == 2 {
		n, _ := strconv.Atoi(string(t.lineno))
		t.traces = append(t.traces, trace{line: n, cmd: string(t.cmd)})
	}
	t.state = 0
}

// failed locates the failing command of a layer from the traces: the last
// traced command, at the line $LINENO gave, else at the line found by
// following the traced commands through the layer's lines in order. It
// returns the line (0-based in the layer text, -1 when unknown) and the
// command.
func (t *tracer) failed(ps4, text string) (int, string) {
	t.flush()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	cur := -1
	cmd := ""
	for _, tr := range t.traces {
		c := stripPrompt(tr.cmd, ps4)
		cmd = c
		if tr.line > preludeLines && tr.line-preludeLines-1 < len(lines) {
			cur = tr.line - preludeLines - 1
			continue
		}
		if tr.line > 0 && tr.line <= preludeLines {
			continue // the prelude's own commands
		}
		if i := findLine(lines, max(cur, 0), c); i >= 0 {
			cur = i
		}
	}
	if cur < 0 && len(lines) > 0 {
		cur = 0
	}
	return cur, cmd
}

// stripPrompt removes the visible part of PS4 (which the shell may
// repeat for nested levels) from a trace.
func stripPrompt(s, ps4 string) string {
	for ps4 != "" && strings.HasPrefix(s, ps4) {
		s = s[len(ps4):]
	}
	return strings.TrimSpace(s)
}

// findLine returns the first line from from on that a traced command
// plausibly comes from, -1 if none. The shell traces words after
// expansion and requotes them its own way, so both are compared without
// quotes and with single spaces: a line containing the command, else a
// line starting with the same word.
func findLine(lines []string, from int, cmd string) int {
	c := normalize(cmd)
	if c == "" {
		return -1
	}
	for i := from; i < len(lines); i++ {
		if strings.Contains(normalize(lines[i]), c) {
			return i
		}
	}
	first := strings.Fields(c)[0]
	for i := from; i < len(lines); i++ {
		if f := strings.Fields(normalize(lines[i])); len(f) > 0 && f[0] == first {
			return i
		}
	}
	return -1
}

func normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\'', '"', '\\', '$':
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
