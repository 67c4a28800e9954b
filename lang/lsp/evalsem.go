package lsp

import (
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/plash-go/plash/eval"
	"github.com/plash-go/plash/lang"
)

// EvalSemantics is the Semantics of the real evaluator, made safe for an
// editor: files are read but never written, standard input is empty,
// images resolve to placeholders instead of being downloaded, each call
// runs under a small step budget, file reads are bounded (an --eval-file
// cycle stops), and a panic becomes a finding.
type EvalSemantics struct {
	// MacroPath is the colon-separated PLASH_MACRO_PATH, split.
	MacroPath []string
	// LookupEnv reads the environment (import-env, ~ in paths); nil
	// means none is set.
	LookupEnv func(string) (string, bool)
	// MaxSteps is the step budget of each call; 0 means 1,000,000 (about
	// a tenth of a second).
	MaxSteps uint64
	// MapKeys, when set, lists the map keys so that --from-map of an
	// unset key is reported, as a build would.
	MapKeys func() ([]string, error)
	// Log receives the stack of an internal error (a panic in the
	// evaluator, reported as a finding); nil means standard error.
	Log io.Writer

	mu sync.Mutex // one evaluation at a time: the evaluator is not documented as safe for concurrent use

	cacheMu sync.Mutex
	cache   map[string][]eval.Op // ops by call and macro table (see Eval)
}

// EditorMaxSteps is the default step budget of one call in the editor.
const EditorMaxSteps = 1_000_000

// limits of the file reads of one evaluation.
const (
	maxSameFileReads = 16
	maxFileReads     = 5000
	maxReadBytes     = 64 << 20
	maxFileSize      = 16 << 20
)

var errReadBudget = errors.New("plash check: read budget exhausted")

// budgetFiles reads the host's files within limits.
type budgetFiles struct {
	dir   string // relative names are relative to it: the Plashfile's directory
	mu    sync.Mutex
	reads map[string]int
	n     int
	bytes int64
}

func (b *budgetFiles) charge(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n++
	b.reads[name]++
	if b.reads[name] > maxSameFileReads {
		return fmt.Errorf("%s read %d times: %w", name, maxSameFileReads, eval.ErrSourceCycle)
	}
	if b.n > maxFileReads || b.bytes > maxReadBytes {
		return errReadBudget
	}
	return nil
}

func (b *budgetFiles) abs(name string) string {
	if filepath.IsAbs(name) || b.dir == "" {
		return name
	}
	return filepath.Join(b.dir, name)
}

func (b *budgetFiles) ReadFile(name string) ([]byte, error) {
	name = b.abs(name)
	if err := b.charge(filepath.Clean(name)); err != nil {
		return nil, err
	}
	// Only regular files of a sane size: /dev/zero, a FIFO or standard
	// input must not hang or exhaust the editor.
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("reading %s: not a regular file", name)
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("reading %s: %w", name, errReadBudget)
	}
	data, err := os.ReadFile(name)
	b.mu.Lock()
	b.bytes += int64(len(data))
	b.mu.Unlock()
	return data, err
}

func (b *budgetFiles) Stat(name string) (fs.FileInfo, error)  { return os.Stat(b.abs(name)) }
func (b *budgetFiles) Lstat(name string) (fs.FileInfo, error) { return os.Lstat(b.abs(name)) }
func (b *budgetFiles) ReadDir(name string) ([]fs.DirEntry, error) {
	name = b.abs(name)
	if err := b.charge("dir:" + filepath.Clean(name)); err != nil {
		return nil, err
	}
	return os.ReadDir(name)
}

// editorImages resolves the from-* macros to placeholders: an editor never
// downloads an image.
type editorImages struct{ keys func() ([]string, error) }

func (editorImages) FromID(id string) (string, error)       { return id, nil }
func (editorImages) FromLXC(name string) (string, error)    { return "<lxc:" + name + ">", nil }
func (editorImages) FromURL(url string) (string, error)     { return "<url:" + url + ">", nil }
func (editorImages) FromDocker(img string) (string, error)  { return "<docker:" + img + ">", nil }
func (editorImages) FromGitHub(r, f string) (string, error) { return "<github:" + r + ">", nil }
func (im editorImages) FromMap(key string) (string, error) {
	if im.keys != nil {
		if keys, err := im.keys(); err == nil {
			found := false
			for _, k := range keys {
				found = found || k == key
			}
			if !found {
				return "", fmt.Errorf("%w: %s", eval.ErrMapKeyNotFound, key)
			}
		}
	}
	return "<map:" + key + ">", nil
}

func (s *EvalSemantics) config(dir string) *eval.Config {
	steps := s.MaxSteps
	if steps == 0 {
		steps = EditorMaxSteps
	}
	lookup := s.LookupEnv
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	return &eval.Config{
		Files:     &budgetFiles{dir: dir, reads: map[string]int{}},
		Stdin:     strings.NewReader(""),
		LookupEnv: lookup,
		NewUUID:   func() string { return "00000000-0000-4000-8000-000000000000" },
		Images:    editorImages{keys: s.MapKeys},
		Dir:       dir,
		MacroPath: s.MacroPath,
		MaxSteps:  steps,
	}
}

// maxReruns bounds how often a file is evaluated again without the calls
// in error, to check the calls after them.
const maxReruns = 4

// Eval evaluates the calls. Calls the resolve pass rejects are reported
// and left out, and so is a call that fails while expanding, so that the
// calls after it are still expanded (for previews and shell checks).
func (s *EvalSemantics) Eval(f *lang.File, calls []*lang.Call) (res *EvalResult) {
	res = &EvalResult{opsOf: map[*lang.Call][]eval.Op{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			pos := lang.Position{Filename: f.Name, Line: 1, Column: 1}
			res.Findings = append(res.Findings, &Finding{Start: pos, End: pos, Rule: RuleMacro,
				Msg: fmt.Sprintf("internal error evaluating the file: %v (please report it)", r)})
			log := s.Log
			if log == nil {
				log = os.Stderr
			}
			fmt.Fprintf(log, "plash lsp: panic in eval: %v\n%s", r, debug.Stack())
		}
	}()
	dir := filepath.Dir(f.Name)
	if abs, err := filepath.Abs(dir); err == nil {
		// Absolute, so that the evaluator's paths (dir joined with an
		// --import argument) and the plain ones (--eval-file) both resolve
		// against the file's directory in budgetFiles.
		dir = abs
	}
	res.Macros = s.macros(f, calls, dir)
	byPos := map[[2]int]*lang.Call{}
	for _, c := range calls {
		p := callPos(c)
		byPos[[2]int{p.Line, p.Column}] = c
	}
	// Calls whose expansion is cached (same macro, same arguments, same
	// macro table before them) are not evaluated again: after an edit only
	// the changed calls and those that change the table run.
	keys := map[*lang.Call]string{}
	var live []*lang.Call
	fp := fnv.New64a()
	fp.Write([]byte(dir))
	s.cacheMu.Lock()
	if s.cache == nil || len(s.cache) > maxCached {
		s.cache = map[string][]eval.Op{}
	}
	for _, c := range calls {
		switch {
		case c.Name == "import" || c.Name == "reset-imports" || c.Name == "defpm":
			writeCall(fp, c)
			if c.Name == "import" {
				for _, a := range c.Args {
					if p := resolveFile(dir, "import", a.Value); p != "" {
						if fi, err := os.Stat(p); err == nil {
							fmt.Fprintf(fp, "%s\x00%d\x00%d\x00", p, fi.Size(), fi.ModTime().UnixNano())
						}
					}
				}
			}
			live = append(live, c)
		case builtinNames()[c.Name]:
			live = append(live, c) // reaches the host: always evaluated
		default:
			h := fnv.New64a()
			h.Write(fp.Sum(nil))
			writeCall(h, c)
			k := string(h.Sum(nil))
			if ops, ok := s.cache[k]; ok {
				res.setOps(c, ops)
				continue
			}
			keys[c] = k
			live = append(live, c)
		}
	}
	s.cacheMu.Unlock()
	store := func(evaluated []*lang.Call, ops []eval.Op) {
		got := s.previews(res, evaluated, ops, byPos)
		s.cacheMu.Lock()
		defer s.cacheMu.Unlock()
		for _, c := range evaluated {
			if k, ok := keys[c]; ok {
				s.cache[k] = got[c]
			}
		}
	}
	first := true
	for run := 0; run <= maxReruns && len(live) > 0; run++ {
		ops, err := eval.EvalCalls(live, s.config(dir))
		if err == nil {
			store(live, ops)
			break
		}
		var el lang.ErrorList
		if !errors.As(err, &el) {
			pos := lang.Position{Filename: f.Name, Line: 1, Column: 1}
			res.Findings = append(res.Findings, &Finding{Start: pos, End: pos, Rule: RuleMacro, Msg: err.Error()})
			break
		}
		drop := map[*lang.Call]bool{}
		dropArg := map[*lang.Call]map[int]bool{}
		for _, le := range el {
			e := evalError(le)
			c := callContaining(live, e.Pos)
			if c != nil && c.Name == "import" && e.Kind == eval.PackFailed {
				// Leave out the broken pack, keep the others.
				if dropArg[c] == nil {
					dropArg[c] = map[int]bool{}
				}
				dropArg[c][e.Pos.Offset] = true
			} else if c != nil {
				drop[c] = true
			}
			if first || !e.Kind.Resolve() {
				res.Findings = append(res.Findings, s.findings(f, c, e)...)
			}
		}
		if !evalError(el[0]).Kind.Resolve() {
			// An expansion failure: the ops before it are lost; evaluate
			// the calls before it again for their previews.
			if c := callContaining(live, el[0].Pos); c != nil {
				var before []*lang.Call
				for _, k := range live {
					if k == c {
						break
					}
					before = append(before, k)
				}
				if ops, err := eval.EvalCalls(before, s.config(dir)); err == nil {
					store(before, ops)
				}
			}
		}
		first = false
		var next []*lang.Call
		changed := false
		for _, c := range live {
			switch {
			case drop[c]:
				changed = true
			case dropArg[c] != nil:
				k := *c
				k.Args = nil
				for _, a := range c.Args {
					if !dropArg[c][a.Pos.Offset] {
						k.Args = append(k.Args, a)
					}
				}
				next = append(next, &k)
				changed = true
			default:
				next = append(next, c)
			}
		}
		if !changed {
			break
		}
		live = next
	}
	return res
}

// maxCached bounds the expansion cache; it is emptied when full.
const maxCached = 50000

// writeCall writes a call's name and arguments to a hash.
func writeCall(h hash.Hash, c *lang.Call) {
	n := len(c.Name) + 1
	for _, a := range c.Args {
		n += len(a.Value) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, c.Name...)
	for _, a := range c.Args {
		b = append(b, 0)
		b = append(b, a.Value...)
	}
	h.Write(append(b, 1))
}

// builtinNames are the macros written in Go: they reach the host (files,
// environment), so their expansion is never cached.
var builtinNames = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	ms, _ := eval.Macros(nil, "builtin")
	for _, b := range ms {
		m[b.Name] = true
	}
	return m
})

// evalError returns the structure of an error of the evaluator; an error
// without one (none is expected) is a macro failure.
func evalError(e *lang.Error) *eval.Error {
	var ee *eval.Error
	if errors.As(e, &ee) {
		return ee
	}
	return &eval.Error{Kind: eval.MacroFailed, Pos: e.Pos, Msg: e.Msg, Err: e.Err}
}

// callPos is where eval reports a call: its macro token, or the letter
// for the later letters of "-abc".
func callPos(c *lang.Call) lang.Position {
	if c.NamePos.Offset <= c.Pos.Offset+2 {
		return c.Pos
	}
	return c.NamePos
}

// callContaining returns the call whose text holds a position.
func callContaining(calls []*lang.Call, p lang.Position) *lang.Call {
	var best *lang.Call
	for _, c := range calls {
		if c.Pos.Line > p.Line || (c.Pos.Line == p.Line && c.Pos.Column > p.Column) {
			break
		}
		if callPos(c).Line == p.Line && callPos(c).Column == p.Column {
			return c
		}
		best = c
	}
	return best
}

// findings turns an error of the evaluator into findings.
func (s *EvalSemantics) findings(f *lang.File, c *lang.Call, e *eval.Error) []*Finding {
	start := e.Pos
	end := start
	if c != nil {
		if start.Offset == callPos(c).Offset {
			start, end = c.NamePos, c.NameEnd
			if c.NamePos.Offset == c.Pos.Offset+2 {
				start = c.Pos // include the dashes of --name
			}
		} else {
			for _, a := range c.Args {
				if a.Pos.Offset == e.Pos.Offset {
					end = a.End
					if e.Kind == eval.Arity {
						end = c.Args[len(c.Args)-1].End // every extra argument
					}
				}
			}
		}
	}
	fd := &Finding{Start: start, End: end, Rule: RuleMacro, Msg: e.Msg}
	star, starMsg := e.StarPos, e.StarMsg
	if !filepath.IsAbs(f.Name) && filepath.IsAbs(star.Filename) {
		// Report paths the way the checked file was named.
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, star.Filename); err == nil && !strings.HasPrefix(rel, "..") {
				fd.Msg = strings.Replace(fd.Msg, star.Filename, rel, 1)
				starMsg = strings.Replace(starMsg, star.Filename, rel, 1)
				star.Filename = rel
			}
		}
	}
	switch e.Kind {
	case eval.UnknownMacro:
		fd.Rule = RuleUnknownMacro
		if e.Suggest != "" && c != nil {
			fd.Fixes = []Fix{renameFix(c, e.Suggest)}
			if fd.Fixes[0].Edits == nil {
				fd.Fixes = nil
			}
		}
	case eval.Arity:
		fd.Rule = RuleArity
	case eval.PackFailed:
		fd.Rule = RulePack
		if star.Filename == "" {
			break
		}
		if _, err := os.Stat(star.Filename); err == nil {
			// The place in the pack, and the import that led there.
			fd.Related = []Related{{Pos: star, Msg: starMsg}}
			return []*Finding{fd, {Start: star, End: star, Rule: RulePack, Msg: starMsg,
				Related: []Related{{Pos: e.Pos, Msg: "imported here"}}}}
		}
	case eval.MapKey:
		fd.Rule, fd.Severity = RuleMapKey, Warning
	default:
		if errors.Is(e, errReadBudget) {
			return nil // too much to read in the editor: no verdict
		}
	}
	return []*Finding{fd}
}

// renameFix is the fix that calls name instead of c's macro; it has no
// edits when there is no simple rewrite.
func renameFix(c *lang.Call, name string) Fix {
	fix := Fix{Title: fmt.Sprintf("Change to %s", labelOf(name)), Edits: []Edit{{Start: c.NamePos, End: c.NameEnd, New: name}}}
	if len(c.Name) > 1 && len(name) == 1 || len(c.Name) == 1 && len(name) > 1 {
		// A one-letter name is written -x, a longer one --name.
		fix.Edits[0] = Edit{Start: c.Pos, End: c.NameEnd, New: labelOf(name)}
		if c.Stanza != nil && len(lang.MacroName(c.Stanza.Head.Value)) > 1 {
			fix.Edits = nil // inside a -abc group: no simple rewrite
		}
	}
	return fix
}

func labelOf(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// previews fills the expansion previews of the calls that were
// evaluated, and returns the ops of each.
func (s *EvalSemantics) previews(res *EvalResult, calls []*lang.Call, ops []eval.Op, byPos map[[2]int]*lang.Call) map[*lang.Call][]eval.Op {
	group := map[*lang.Call][]eval.Op{}
	for _, op := range ops {
		if len(op.Origin.Stack) == 0 {
			continue
		}
		p := op.Origin.Stack[0].Pos
		c := byPos[[2]int{p.Line, p.Column}]
		if c == nil {
			continue
		}
		group[c] = append(group[c], op)
	}
	out := map[*lang.Call][]eval.Op{}
	for _, c := range calls {
		orig := c
		if p := callPos(c); byPos[[2]int{p.Line, p.Column}] != nil {
			orig = byPos[[2]int{p.Line, p.Column}] // c may be a copy without a broken pack
		}
		ops := group[orig]
		out[c] = ops
		res.setOps(orig, ops)
	}
	return out
}

// macros lists the macros callable in the file: the standard ones, those
// of the packs it imports, and those it defines with defpm.
func (s *EvalSemantics) macros(f *lang.File, calls []*lang.Call, dir string) []*Macro {
	cfg := s.config(dir)
	var out []*Macro
	seen := map[string]bool{}
	add := func(ms []*eval.Macro, file string) {
		for _, m := range ms {
			if seen[m.Name] {
				continue
			}
			seen[m.Name] = true
			out = append(out, describe(m, file))
		}
	}
	if ms, err := eval.Macros(cfg, ""); err == nil {
		add(ms, "")
	}
	for _, c := range calls {
		switch c.Name {
		case "import":
			for _, a := range c.Args {
				if ms, err := eval.Macros(cfg, a.Value); err == nil {
					add(ms, resolveFile(dir, "import", a.Value))
				}
			}
		case "defpm":
			if len(c.Args) > 0 && !seen[c.Args[0].Value] {
				seen[c.Args[0].Value] = true
				out = append(out, &Macro{Name: c.Args[0].Value, Pack: "defpm", Doc: "install packages with " + c.Args[0].Value,
					Signature: "--" + c.Args[0].Value + " [packages...]", Def: c.Args[0].Pos})
			}
		}
	}
	return out
}

// callOps are the ops one call made.
type callOps struct {
	call *lang.Call
	ops  []eval.Op
}
