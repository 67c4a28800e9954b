package lsp

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/plash-go/plash/eval"
	"github.com/plash-go/plash/lang"
	"mvdan.cc/sh/v3/syntax"
)

// shellMacros are the built-in macros whose arguments are shell text, one
// line per argument: the text of each call is parsed as a script and every
// syntax error is mapped back to the argument line and column it comes
// from.
var shellMacros = map[string]bool{"run": true, "x": true}

// scriptMacros take the lines of a script file, checked only when the
// script is a shell script (no shebang, or a shebang naming a POSIX-like
// shell). skip is the number of leading arguments that are not lines.
var scriptMacros = map[string]int{"entrypoint-script": 0, "write-script": 1}

// shellParser is shared: a syntax.Parser is reusable but not concurrent,
// so each check makes its own through newShellParser.
func newShellParser() *syntax.Parser {
	return syntax.NewParser(syntax.Variant(syntax.LangBash))
}

// checkShell checks the shell text of the calls of the shell macros.
func checkShell(calls []*lang.Call) []*Finding {
	var out []*Finding
	var p *syntax.Parser
	check := func(c *lang.Call, args []*lang.Arg) {
		if len(args) == 0 {
			return
		}
		if p == nil {
			p = newShellParser()
		}
		if f := shellFinding(p, c, args); f != nil {
			out = append(out, f)
		}
	}
	for _, c := range calls {
		switch {
		case shellMacros[c.Name]:
			check(c, c.Args)
		case c.Name == "layer" || c.Name == "l":
			// --layer run a b: one layer per argument, each a script.
			if len(c.Args) > 1 && shellMacros[c.Args[0].Value] {
				for _, a := range c.Args[1:] {
					check(c, []*lang.Arg{a})
				}
			}
		default:
			skip, ok := scriptMacros[c.Name]
			if !ok || len(c.Args) <= skip {
				continue
			}
			lines := c.Args[skip:]
			if !isShellScript(lines[0].Value) {
				continue
			}
			check(c, lines)
		}
	}
	return out
}

// isShellScript reports whether a script whose first line is first is a
// shell script: no shebang, or one naming sh, bash, dash, ash, ksh, mksh
// or zsh (directly or through env).
func isShellScript(first string) bool {
	if !strings.HasPrefix(first, "#!") {
		return true
	}
	f := strings.Fields(first[2:])
	if len(f) == 0 {
		return false
	}
	prog := path.Base(f[0])
	if prog == "env" {
		i := 1
		for i < len(f) && strings.HasPrefix(f[i], "-") {
			i++
		}
		if i == len(f) {
			return false
		}
		prog = path.Base(f[i])
	}
	switch prog {
	case "sh", "bash", "dash", "ash", "ksh", "mksh", "zsh", "busybox":
		return true
	}
	return false
}

// shellFinding parses the arguments as lines of one script and returns the
// first syntax error, placed at its argument, or nil.
func shellFinding(p *syntax.Parser, c *lang.Call, args []*lang.Arg) *Finding {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(a.Value)
	}
	e := parseShell(p, b.String())
	if e == nil {
		return nil
	}
	line, col, msg := e.line, e.col, e.msg
	start, end := shellPos(args, line, col)
	return &Finding{
		Start: start, End: end, Rule: RuleShell,
		Msg: fmt.Sprintf("shell syntax error in --%s: %s", c.Name, msg),
	}
}

// shellPos maps a line and column of the joined script back to the
// argument they fall in: line n is argument n. The range covers the rest
// of the argument's word at that column.
func shellPos(args []*lang.Arg, line, col uint) (lang.Position, lang.Position) {
	i := int(line) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(args) {
		a := args[len(args)-1]
		return a.End, a.End
	}
	a := args[i]
	c := int(col) - 1
	if c < 0 {
		c = 0
	}
	if c > len(a.Value) {
		c = len(a.Value)
	}
	// Positions of an argument from argv words carry no line structure;
	// the byte column still lands on the argument's text.
	start := a.Pos
	start.Offset += c
	start.Column += c
	n := strings.IndexAny(a.Value[c:], " \t")
	if n < 0 {
		n = len(a.Value) - c
	}
	if n == 0 && c < len(a.Value) {
		n = 1
	}
	end := start
	end.Offset += n
	end.Column += n
	if c == len(a.Value) && c > 0 {
		// At the end of the text (reached EOF): underline the last byte.
		start.Offset--
		start.Column--
	}
	return start, end
}

// shellChecked reports whether checkShell checks a call's text itself.
func shellChecked(c *lang.Call) bool {
	if shellMacros[c.Name] {
		return true
	}
	if _, ok := scriptMacros[c.Name]; ok {
		return true
	}
	return (c.Name == "layer" || c.Name == "l") && len(c.Args) > 0 && shellMacros[c.Args[0].Value]
}

// checkOpsShell parses the shell text that the other macros (those of
// packs, the package managers, eval-file) made, and places an error on
// the argument whose text the failing line holds, else on the call.
func checkOpsShell(calls []callOps) []*Finding {
	var out []*Finding
	var p *syntax.Parser
	for _, co := range calls {
		c := co.call
		if shellChecked(c) {
			continue
		}
		for _, op := range co.ops {
			if op.Kind != eval.Run || op.Text == "" {
				continue
			}
			if p == nil {
				p = newShellParser()
			}
			e := parseShell(p, op.Text)
			if e == nil {
				continue
			}
			line, col, msg := e.line, e.col, e.msg
			lines := strings.Split(op.Text, "\n")
			text := ""
			if l := int(line) - 1; l >= 0 && l < len(lines) {
				text = lines[l]
			}
			start, end := c.NamePos, c.NameEnd
			if c.NamePos.Offset == c.Pos.Offset+2 {
				start = c.Pos
			}
			at := int(col) - 1
			for _, a := range c.Args {
				if a.Value == "" {
					continue
				}
				i := strings.Index(text, a.Value)
				if i >= 0 && at >= i && at <= i+len(a.Value) {
					k := min(at-i, len(a.Value)-1)
					start = advance(a.Pos, k)
					end = advance(start, 1)
					break
				}
			}
			out = append(out, &Finding{Start: start, End: end, Rule: RuleShell,
				Msg: fmt.Sprintf("shell syntax error in the text --%s emits (line %d: %q): %s", c.Name, line, text, msg)})
			break
		}
	}
	return out
}

// shellError is the first syntax error of a script.
type shellError struct {
	line, col uint
	msg       string
}

// shellCache remembers the verdict on each script text, so that after an
// edit only the changed scripts are parsed again.
var shellCache = struct {
	sync.Mutex
	m map[string]*shellError
}{m: map[string]*shellError{}}

const maxShellCache = 50000

// parseShell returns the first syntax error of a script, or nil.
func parseShell(p *syntax.Parser, script string) *shellError {
	shellCache.Lock()
	e, ok := shellCache.m[script]
	shellCache.Unlock()
	if ok {
		return e
	}
	_, err := p.Parse(strings.NewReader(script), "")
	var pe syntax.ParseError
	var le syntax.LangError
	switch {
	case err == nil:
	case errors.As(err, &pe):
		e = &shellError{pe.Pos.Line(), pe.Pos.Col(), pe.Text}
	case errors.As(err, &le):
		e = &shellError{le.Pos.Line(), le.Pos.Col(), le.Error()}
	}
	shellCache.Lock()
	if len(shellCache.m) > maxShellCache {
		shellCache.m = map[string]*shellError{}
	}
	shellCache.m[script] = e
	shellCache.Unlock()
	return e
}
