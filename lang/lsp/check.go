package lsp

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/plash-go/plash/eval"
	"github.com/plash-go/plash/lang"
)

// Rule ids: every finding belongs to one, "plash check" prints it, and a
// "--# check:ignore RULE" directive names it (spec/check.md).
const (
	RuleSyntax       = "syntax"        // the file does not parse
	RuleUnknownMacro = "unknown-macro" // no macro of that name
	RuleArity        = "arity"         // wrong number of arguments
	RulePack         = "pack"          // an imported macro pack is broken
	RuleMacro        = "macro"         // a macro failed while expanding
	RuleShell        = "shell"         // shell syntax error in emitted text
	RuleMissingFile  = "missing-file"  // --eval-file or --import names no file
	RuleDirective    = "directive"     // a check directive is wrong or unused
	RuleMapKey       = "map-key"       // --from-map names a key the map does not have
)

// Rules lists every rule id with a one-line description.
var Rules = []struct{ ID, Doc string }{
	{RuleSyntax, "the Plashfile does not parse (cannot be silenced)"},
	{RuleUnknownMacro, "a call names a macro that does not exist"},
	{RuleArity, "a call passes more or fewer arguments than the macro's signature takes"},
	{RulePack, "a macro pack loaded with --import has an error"},
	{RuleMacro, "a macro failed while expanding"},
	{RuleShell, "the shell text a macro emits (--run, -x, --entrypoint-script, ...) has a syntax error"},
	{RuleMissingFile, "--eval-file or --import names a file that does not exist"},
	{RuleMapKey, "--from-map names a key this machine's map does not have (a warning: it may be set before the build)"},
	{RuleDirective, "a --# check:ignore directive names an unknown rule or silences nothing"},
}

func knownRule(id string) bool {
	for _, r := range Rules {
		if r.ID == id {
			return true
		}
	}
	return id == "all"
}

// Severity of a finding.
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Finding is one problem found in a source: where (Start and End in the
// file Start.Filename names, which is the checked file or, for a broken
// pack, the .star file), what, under which rule, and the fixes that
// resolve it.
type Finding struct {
	Start, End lang.Position
	Severity   Severity
	Rule       string
	Msg        string
	Fixes      []Fix
	Related    []Related
}

// Fix is a change that resolves a finding: edits of the checked file.
type Fix struct {
	Title string
	Edits []Edit
}

// Edit replaces the bytes [Start, End) of the checked file with New.
type Edit struct {
	Start, End lang.Position
	New        string
}

// Related is another place that explains a finding.
type Related struct {
	Pos lang.Position
	Msg string
}

// String formats a finding as FILE:LINE:COL: [warning: ]MSG [RULE].
func (f *Finding) String() string {
	name := f.Start.Filename
	if name == "" {
		name = lang.StdinName
	}
	sev := ""
	if f.Severity == Warning {
		sev = "warning: "
	}
	return fmt.Sprintf("%s:%d:%d: %s%s [%s]", name, f.Start.Line, f.Start.Column, sev, f.Msg, f.Rule)
}

// Checker finds the problems of Plashfiles. The zero value checks syntax,
// shell text and directives; Semantics adds what needs the evaluator.
type Checker struct {
	// Semantics, when set, evaluates a parsed file: unknown macros,
	// arity, packs, macro failures and emitted shell text by origin.
	Semantics Semantics
}

// Result is what a check of one source found, with the parse it made so
// that the server can answer other requests from it.
type Result struct {
	File     *lang.File
	Calls    []*lang.Call
	Findings []*Finding
	Eval     *EvalResult // nil without Semantics
}

// Check checks one source. name is used in positions. It never fails: a
// source that does not parse gives syntax findings.
func (c *Checker) Check(name string, src []byte) *Result {
	res := &Result{}
	f, err := lang.Parse(name, src)
	var errs lang.ErrorList
	if f == nil {
		if el, ok := err.(lang.ErrorList); ok {
			errs = el
		}
	} else {
		res.File = f
		res.Calls, errs = f.Calls()
	}
	for _, e := range errs {
		res.Findings = append(res.Findings, syntaxFinding(src, e))
	}
	if f != nil {
		res.Findings = append(res.Findings, checkShell(res.Calls)...)
		res.Findings = append(res.Findings, checkFiles(name, res.Calls)...)
		if c.Semantics != nil {
			res.Eval = c.Semantics.Eval(f, res.Calls)
			if res.Eval != nil {
				res.Findings = append(res.Findings, dedupe(res.Calls, res.Findings, res.Eval.Findings)...)
				res.Findings = append(res.Findings, checkOpsShell(res.Eval.ops)...)
			}
		}
		res.Findings = applyDirectives(f, src, res.Findings)
	}
	sortFindings(res.Findings)
	return res
}

func sortFindings(fs []*Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].Start, fs[j].Start
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// syntaxFinding turns a language error into a finding whose range covers
// the offending word (or the whole line for an argument before any macro).
func syntaxFinding(src []byte, e *lang.Error) *Finding {
	start := e.Pos
	end := start
	if start.Offset >= 0 && start.Offset <= len(src) {
		rest := src[start.Offset:]
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			rest = rest[:i]
		}
		rest = bytes.TrimRight(rest, "\r")
		n := len(rest)
		if len(rest) > 0 && rest[0] == '-' {
			if i := bytes.IndexAny(rest, " \t\v\f"); i >= 0 {
				n = i
			}
		}
		end = advance(start, n)
	}
	return &Finding{Start: start, End: end, Rule: RuleSyntax, Msg: e.Msg}
}

// advance moves p over n bytes of one line.
func advance(p lang.Position, n int) lang.Position {
	p.Offset += n
	p.Column += n
	return p
}

// Errors reports whether any finding is an error.
func Errors(fs []*Finding) bool {
	for _, f := range fs {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// directive is one "--# check:ignore RULES" comment.
type directive struct {
	pos        lang.Position
	end        lang.Position
	rules      []string
	file       bool // check:ignore-file
	from, to   int  // lines covered (1-based, inclusive)
	used       map[string]bool
	diagnostic *Finding
}

const (
	directiveIgnore     = "check:ignore"
	directiveIgnoreFile = "check:ignore-file"
)

// parseDirective reads a comment line; ok is false when it is not a check
// directive.
func parseDirective(comment string) (rules []string, file, ok bool) {
	s := strings.TrimPrefix(comment, "--#")
	s = strings.TrimLeft(s, " \t")
	word, rest, _ := strings.Cut(s, " ")
	switch word {
	case directiveIgnore:
	case directiveIgnoreFile:
		file = true
	default:
		return nil, false, false
	}
	rest = strings.TrimLeft(rest, " \t")
	list, _, _ := strings.Cut(rest, " ") // the words after the list are a reason
	for _, r := range strings.Split(list, ",") {
		if r = strings.TrimSpace(r); r != "" {
			rules = append(rules, r)
		}
	}
	return rules, file, true
}

// directives finds the check directives of a file and the lines each
// covers: a directive covers the rest of the call whose argument lines it
// sits in when arguments follow it there, otherwise the whole next call;
// check:ignore-file covers the file.
func directives(f *lang.File, src []byte) []*directive {
	var ds []*directive
	lastLine := bytes.Count(src, []byte{'\n'}) + 1
	add := func(l *lang.Line, from, to int) {
		if l.Comment == nil {
			return
		}
		rules, file, ok := parseDirective(*l.Comment)
		if !ok {
			return
		}
		d := &directive{pos: l.Pos, end: advance(l.Pos, len(*l.Comment)), rules: rules, file: file, used: map[string]bool{}}
		if file {
			d.from, d.to = 1, lastLine
		} else {
			d.from, d.to = from, to
		}
		ds = append(ds, d)
	}
	stanzaSpan := func(i int) (int, int) {
		if i >= len(f.Stanzas) {
			return 0, -1
		}
		s := f.Stanzas[i]
		to := s.Head.Pos.Line
		for _, l := range s.Lines {
			if l.IsArg() {
				to = l.Pos.Line
			}
		}
		return s.Head.Pos.Line, to
	}
	for _, l := range f.Lead {
		from, to := stanzaSpan(0)
		add(l, from, to)
	}
	for i, s := range f.Stanzas {
		for j, l := range s.Lines {
			if l.Comment == nil {
				continue
			}
			lastArg := 0
			for _, k := range s.Lines[j+1:] {
				if k.IsArg() {
					lastArg = k.Pos.Line
				}
			}
			if lastArg > 0 {
				add(l, l.Pos.Line+1, lastArg)
			} else {
				from, to := stanzaSpan(i + 1)
				add(l, from, to)
			}
		}
	}
	return ds
}

// applyDirectives drops the findings that directives silence and adds
// findings for wrong or unused directives.
func applyDirectives(f *lang.File, src []byte, fs []*Finding) []*Finding {
	ds := directives(f, src)
	if len(ds) == 0 {
		return fs
	}
	out := fs[:0]
	for _, fd := range fs {
		silenced := false
		if fd.Rule != RuleSyntax && fd.Start.Filename == f.Name {
			for _, d := range ds {
				if fd.Start.Line < d.from || fd.Start.Line > d.to {
					continue
				}
				for _, r := range d.rules {
					if r == fd.Rule || r == "all" {
						d.used[r] = true
						silenced = true
					}
				}
			}
		}
		if !silenced {
			out = append(out, fd)
		}
	}
	for _, d := range ds {
		warn := func(msg string) {
			out = append(out, &Finding{Start: d.pos, End: d.end, Severity: Warning, Rule: RuleDirective, Msg: msg,
				Fixes: []Fix{{Title: "Remove the directive", Edits: []Edit{{Start: d.pos, End: lineAfter(src, d.end), New: ""}}}}})
		}
		kind := directiveIgnore
		if d.file {
			kind = directiveIgnoreFile
		}
		if len(d.rules) == 0 {
			warn(fmt.Sprintf("%s names no rule (write --# %s RULE[,RULE...], rules: %s)", kind, kind, ruleList()))
			continue
		}
		for _, r := range d.rules {
			switch {
			case r == RuleSyntax:
				warn("syntax errors cannot be silenced: the program cannot be evaluated")
			case !knownRule(r):
				msg := fmt.Sprintf("unknown rule %q in %s (rules: %s)", r, kind, ruleList())
				if s := suggest(r, ruleIDs()); s != "" {
					msg = fmt.Sprintf("unknown rule %q in %s (did you mean %q?)", r, kind, s)
				}
				warn(msg)
			case !d.used[r] && d.from <= d.to:
				warn(fmt.Sprintf("%s %s silences nothing here", kind, r))
			case d.from > d.to:
				warn(fmt.Sprintf("%s is followed by no call to silence", kind))
			}
		}
	}
	return out
}

// lineAfter returns the position after the newline that ends the line p is
// on, so that removing [start, lineAfter) removes a whole line.
func lineAfter(src []byte, p lang.Position) lang.Position {
	if p.Offset < len(src) && src[p.Offset] == '\r' {
		p = advance(p, 1)
	}
	if p.Offset < len(src) && src[p.Offset] == '\n' {
		p.Offset++
		p.Line++
		p.Column = 1
	}
	return p
}

func ruleIDs() []string {
	ids := make([]string, len(Rules))
	for i, r := range Rules {
		ids[i] = r.ID
	}
	return ids
}

func ruleList() string { return strings.Join(ruleIDs(), ", ") }

// suggest returns the candidate closest to name by edit distance, or ""
// when none is close.
func suggest(name string, candidates []string) string {
	best, bestD := "", len(name)/2+2
	for _, c := range candidates {
		if d := eval.EditDistance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// checkFiles reports --eval-file arguments, and --import arguments that
// are paths, naming no file. Files are relative to the checked file's
// directory, where plash-exec evaluates it.
func checkFiles(name string, calls []*lang.Call) []*Finding {
	var out []*Finding
	dir := filepath.Dir(name)
	for _, c := range calls {
		if c.Name != "eval-file" && c.Name != "import" {
			continue
		}
		for _, a := range c.Args {
			if c.Name == "import" && !strings.ContainsRune(a.Value, '/') && !strings.HasSuffix(a.Value, ".star") {
				continue // a pack name, looked up by the evaluator
			}
			if resolveFile(dir, c.Name, a.Value) == "" {
				out = append(out, &Finding{Start: a.Pos, End: a.End, Rule: RuleMissingFile,
					Msg: fmt.Sprintf("--%s: no such file: %s (paths are relative to the directory of %s)", c.Name, a.Value, filepath.Base(name))})
			}
		}
	}
	return out
}

// dedupe drops the evaluator's findings on calls where the checker
// already reported a missing file: the evaluator fails there for the same
// reason.
func dedupe(calls []*lang.Call, have, more []*Finding) []*Finding {
	var spans [][2]int
	for _, f := range have {
		if f.Rule != RuleMissingFile {
			continue
		}
		for _, c := range calls {
			if c.Pos.Offset <= f.Start.Offset && f.Start.Offset <= c.End.Offset {
				spans = append(spans, [2]int{c.Pos.Line, c.End.Line})
			}
		}
	}
	var out []*Finding
next:
	for _, f := range more {
		for _, sp := range spans {
			if f.Start.Line >= sp[0] && f.Start.Line <= sp[1] {
				continue next
			}
		}
		out = append(out, f)
	}
	return out
}
