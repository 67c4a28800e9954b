package eval

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/plash-go/plash/lang"
	"github.com/plash-go/plash/stdlib"
)

// fileOptions are the Starlark dialect of macro packs: while loops, sets
// and top-level control flow are allowed (the step budget stops endless
// loops); recursion is not.
var fileOptions = &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true}

// predeclared are the names every pack sees besides Starlark's universe.
var predeclared = starlark.StringDict{
	"layer":        starlark.NewBuiltin("layer", builtinLayer),
	"hint":         starlark.NewBuiltin("hint", builtinHint),
	"env":          starlark.NewBuiltin("env", builtinEnv),
	"macro":        starlark.NewBuiltin("macro", builtinMacro),
	"define_macro": starlark.NewBuiltin("define_macro", builtinDefineMacro),
	"quote":        starlark.NewBuiltin("quote", builtinQuote),
	"split":        starlark.NewBuiltin("split", builtinSplit),
	"render":       starlark.NewBuiltin("render", builtinRender),
}

// opValue is an Op as a Starlark value. Its attributes are kind, text,
// name and value.
type opValue struct{ op Op }

var _ starlark.HasAttrs = (*opValue)(nil)

func (v *opValue) String() string {
	return fmt.Sprintf("op(%s, %q)", v.op.Kind, v.op.Chunk())
}
func (v *opValue) Type() string          { return "op" }
func (v *opValue) Freeze()               {}
func (v *opValue) Truth() starlark.Bool  { return true }
func (v *opValue) Hash() (uint32, error) { return starlark.String(v.String()).Hash() }
func (v *opValue) AttrNames() []string   { return []string{"kind", "name", "text", "value"} }
func (v *opValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "kind":
		return starlark.String(v.op.Kind.String()), nil
	case "text":
		return starlark.String(v.op.Text), nil
	case "name":
		return starlark.String(v.op.Name), nil
	case "value":
		if v.op.Kind == Hint && !v.op.HasValue {
			return starlark.None, nil
		}
		return starlark.String(v.op.Value), nil
	}
	return nil, nil
}

func expanderOf(th *starlark.Thread) (*expander, error) {
	x, _ := th.Local(localKey).(*expander)
	if x == nil {
		return nil, errors.New("only callable while a macro runs")
	}
	return x, nil
}

// newOpValue makes an op value with the origin of the running macro.
func newOpValue(th *starlark.Thread, op Op) (starlark.Value, error) {
	x, err := expanderOf(th)
	if err != nil {
		return nil, err
	}
	return &opValue{op: x.newOp(op)}, nil
}

func builtinLayer(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	return newOpValue(th, Op{Kind: Layer})
}

// hintOp is the op of a hint: the layer hint is a Layer op and an image
// hint an Image op, so that consumers see one form whichever way a
// Plashfile wrote it.
func hintOp(name string, value string, hasValue bool) (Op, error) {
	if name == "" || strings.ContainsAny(name, "=\n") {
		return Op{}, fmt.Errorf("invalid hint name %q", name)
	}
	if hasValue && strings.Contains(value, "\n") {
		return Op{}, fmt.Errorf("hint value must be one line, got %q", value)
	}
	switch {
	case name == "layer" && !hasValue:
		return Op{Kind: Layer}, nil
	case name == "image" && hasValue:
		return Op{Kind: Image, Value: value}, nil
	case !hasValue:
		return Op{Kind: Hint, Name: name}, nil
	}
	return Op{Kind: Hint, Name: name, Value: value, HasValue: true}, nil
}

func builtinHint(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	// The common calls, hint(NAME) and hint(NAME, VALUE) with strings,
	// without UnpackArgs and its allocations.
	if len(kwargs) == 0 && (len(args) == 1 || len(args) == 2) {
		if name, ok := args[0].(starlark.String); ok {
			var value starlark.String
			hasValue := len(args) == 2 && args[1] != starlark.None
			if hasValue {
				value, ok = args[1].(starlark.String)
			}
			if ok {
				op, err := hintOp(string(name), string(value), hasValue)
				if err != nil {
					return nil, fmt.Errorf("hint: %v", err)
				}
				return newOpValue(th, op)
			}
		}
	}
	var name string
	var value starlark.Value = starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &name, "value?", &value); err != nil {
		return nil, err
	}
	var v string
	if value != starlark.None {
		s, ok := starlark.AsString(value)
		if !ok {
			return nil, fmt.Errorf("hint: value must be a string or None, got %s", value.Type())
		}
		v = s
	}
	op, err := hintOp(name, v, value != starlark.None)
	if err != nil {
		return nil, fmt.Errorf("hint: %v", err)
	}
	return newOpValue(th, op)
}

// validName reports whether s is a shell variable name.
func validName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func builtinEnv(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name, value string
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 2, &name, &value); err != nil {
		return nil, err
	}
	if !validName(name) {
		return nil, fmt.Errorf("env: invalid variable name %q", name)
	}
	return newOpValue(th, Op{Kind: Env, Name: name, Value: value})
}

func builtinQuote(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) == 1 && len(kwargs) == 0 {
		if s, ok := args[0].(starlark.String); ok {
			if q := Quote(string(s)); q != string(s) {
				return starlark.String(q), nil
			}
			return s, nil // a safe word: no new value
		}
	}
	var s string
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &s); err != nil {
		return nil, err
	}
	return starlark.String(Quote(s)), nil
}

func builtinSplit(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s string
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &s); err != nil {
		return nil, err
	}
	words, err := Split(s)
	if err != nil {
		return nil, fmt.Errorf("split: %v", err)
	}
	l := make([]starlark.Value, len(words))
	for i, w := range words {
		l[i] = starlark.String(w)
	}
	return starlark.NewList(l), nil
}

// builtinMacro calls another macro: macro(NAME, ARGS...) returns its ops
// as a tuple, which a macro can return (alone or in a list).
func builtinMacro(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, err := expanderOf(th)
	if err != nil {
		return nil, err
	}
	if len(kwargs) > 0 {
		return nil, errors.New("macro: unexpected keyword arguments")
	}
	if len(args) == 0 {
		return nil, errors.New("macro: missing the macro name")
	}
	strs := make([]string, len(args))
	for i, a := range args {
		s, ok := starlark.AsString(a)
		if !ok {
			return nil, fmt.Errorf("macro: argument %d must be a string, got %s", i+1, a.Type())
		}
		strs[i] = s
	}
	m := x.table.get(strs[0])
	if m == nil {
		return nil, errors.New(notFound(x.table, lang.Position{}, strs[0]).Msg)
	}
	ops, err := x.call(m, strs[1:], Frame{Macro: m.Name, Pos: langPos(th.CallFrame(1).Pos)}, nil)
	if err != nil {
		return nil, err
	}
	t := make(starlark.Tuple, len(ops))
	for i := range ops {
		t[i] = &opValue{op: ops[i]}
	}
	return t, nil
}

// builtinDefineMacro defines a macro for the rest of the evaluation:
// define_macro(NAME, FUNCTION, DOC).
func builtinDefineMacro(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, err := expanderOf(th)
	if err != nil {
		return nil, err
	}
	var name, doc string
	var fn starlark.Callable
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &name, "function", &fn, "doc?", &doc); err != nil {
		return nil, err
	}
	if name == "" || strings.HasPrefix(name, "-") || strings.ContainsAny(name, " \t\n") {
		return nil, fmt.Errorf("define_macro: invalid macro name %q", name)
	}
	if doc == "" {
		if f, ok := fn.(*starlark.Function); ok {
			doc = f.Doc()
		}
	}
	m := &Macro{Name: name, Doc: doc, Pack: "defpm", fn: fn}
	m.signature(fn)
	x.table.set(m)
	return starlark.None, nil
}

// builtinRender returns the shell-script form of a macro result.
func builtinRender(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, err := expanderOf(th)
	if err != nil {
		return nil, err
	}
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	ops, err := x.appendOps(nil, v)
	if err != nil {
		return nil, fmt.Errorf("render: %v", err)
	}
	return starlark.String(Script(ops)), nil
}

// appendOps converts what a macro returned and appends it to ops: None is
// nothing, a string is shell text, an op is itself, and a list or tuple is
// its elements in order, with consecutive strings joined as lines of one
// shell text.
func (x *expander) appendOps(ops []Op, v starlark.Value) ([]Op, error) {
	switch v := v.(type) {
	case starlark.NoneType:
		return ops, nil
	case starlark.String:
		return append(ops, x.newOp(Op{Kind: Run, Text: string(v)})), nil
	case *opValue:
		return append(ops, v.op), nil
	case starlark.Indexable: // list, tuple
		n := v.Len()
		for i := 0; i < n; i++ {
			e := v.Index(i)
			if s, ok := e.(starlark.String); ok {
				// A run of strings is one shell text.
				j := i + 1
				for j < n {
					if _, ok := v.Index(j).(starlark.String); !ok {
						break
					}
					j++
				}
				text := string(s)
				if j > i+1 {
					var b strings.Builder
					size := j - i - 1
					for k := i; k < j; k++ {
						size += len(v.Index(k).(starlark.String))
					}
					b.Grow(size)
					for k := i; k < j; k++ {
						if k > i {
							b.WriteByte('\n')
						}
						b.WriteString(string(v.Index(k).(starlark.String)))
					}
					text = b.String()
				}
				ops = append(ops, x.newOp(Op{Kind: Run, Text: text}))
				i = j - 1
				continue
			}
			var err error
			if ops, err = x.appendOps(ops, e); err != nil {
				return ops, err
			}
		}
		return ops, nil
	}
	return ops, fmt.Errorf("returned a value of type %s; a macro returns shell text (a string), a list of lines, None, or ops (layer(), env(), hint(), macro())", v.Type())
}

// langPos converts a Starlark position.
func langPos(p syntax.Position) lang.Position {
	if !p.IsValid() {
		return lang.Position{}
	}
	return lang.Position{Filename: p.Filename(), Line: int(p.Line), Column: int(p.Col)}
}

// starError turns the error of a Starlark macro into a callError: the
// innermost Starlark position and message, or the error of a macro it
// called.
func (x *expander) starError(name string, err error) error {
	var inner *callError
	if errors.As(err, &inner) {
		return &callError{macro: name, err: inner}
	}
	sf := &starFailure{msg: err.Error(), err: err}
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		sf.msg = strings.TrimPrefix(ee.Msg, "fail: ")
		for i := len(ee.CallStack) - 1; i >= 0; i-- {
			if p := ee.CallStack[i].Pos; p.IsValid() && p.Line > 0 && p.Filename() != "<builtin>" {
				sf.pos = langPos(p)
				break
			}
		}
		if x.over {
			const cancelled = "Starlark computation cancelled: too many steps"
			sf.steps = strings.Contains(sf.msg, cancelled)
			sf.msg = strings.Replace(sf.msg, cancelled,
				fmt.Sprintf("stopped after %d execution steps (an endless loop?)", x.maxSteps), 1)
		}
	}
	return &callError{macro: name, err: sf}
}

// pack is a loaded .star file.
type pack struct {
	name    string // as reported: the path or the standard library name
	globals starlark.StringDict
	macros  []*Macro
	err     error
	loading bool
}

// packMacros returns the public top-level functions defined in file.
func packMacros(name, file string, globals starlark.StringDict) []*Macro {
	var ms []*Macro
	for _, k := range globals.Keys() {
		if strings.HasPrefix(k, "_") {
			continue
		}
		fn, ok := globals[k].(*starlark.Function)
		if !ok || fn.Position().Filename() != file {
			continue
		}
		m := &Macro{Name: MacroName(k), Doc: fn.Doc(), Pack: name, fn: fn}
		m.signature(fn)
		ms = append(ms, m)
	}
	return ms
}

// stdlibFile reads a file of the standard library.
func stdlibFile(name string) ([]byte, error) { return fs.ReadFile(stdlib.FS, name) }

// stdPrefix names the standard library's files in positions.
const stdPrefix = "stdlib/"

// exec runs a pack's source. file is its name in positions and for
// relative loads.
func (x *expander) exec(th *starlark.Thread, name, file string, src []byte) *pack {
	if bytes.Contains(src, []byte("define_macro")) || bytes.Contains(src, []byte("defpm")) {
		// Its macros may define macros when they run: see resolve.
		x.mayDefine = true
	}
	_, prog, err := starlark.SourceProgramOptions(fileOptions, file, src, predeclared.Has)
	if err != nil {
		return &pack{name: name, err: x.packError(file, err)}
	}
	return x.execProgram(th, name, file, prog)
}

// execProgram runs a pack's compiled program, as exec does its source.
func (x *expander) execProgram(th *starlark.Thread, name, file string, prog *starlark.Program) *pack {
	p := &pack{name: name}
	g, err := prog.Init(th, predeclared)
	g.Freeze()
	if err != nil {
		p.err = x.packError(file, err)
		return p
	}
	p.globals = g
	p.macros = packMacros(name, file, g)
	return p
}

// The standard library's files are compiled at development time into
// stdlib/NAME.starc, embedded beside the sources, so that a process does
// not parse and compile them on every start. `go generate ./eval` writes
// them; TestStdlibCompiled fails when they are stale.
//
//go:generate go test -run ^TestStdlibCompiled$ . -args -update

// compiledMagic starts a .starc file, followed by the SHA-256 of the
// source it was compiled from and the program as starlark.Program.Write
// writes it.
const compiledMagic = "plash-starc\n"

// compileStd compiles a standard library file (NAME.star) into the
// .starc form.
func compileStd(name string, src []byte) ([]byte, error) {
	_, prog, err := starlark.SourceProgramOptions(fileOptions, stdPrefix+name, src, predeclared.Has)
	if err != nil {
		return nil, fmt.Errorf("compiling %s%s: %v", stdPrefix, name, err)
	}
	sum := sha256.Sum256(src)
	var b bytes.Buffer
	b.WriteString(compiledMagic)
	b.Write(sum[:])
	if err := prog.Write(&b); err != nil {
		return nil, fmt.Errorf("compiling %s%s: %v", stdPrefix, name, err)
	}
	return b.Bytes(), nil
}

// compiledName is the name of the compiled form of a .star file.
func compiledName(name string) string { return strings.TrimSuffix(name, ".star") + ".starc" }

// stdProgram returns the embedded compiled program of a standard library
// file, or nil when there is none, it is not the compiled form of src (a
// source edited without `go generate ./eval`) or this version of Starlark
// cannot read it: the caller then compiles the source.
func stdProgram(name string, src []byte) *starlark.Program {
	data, err := fs.ReadFile(stdlib.FS, compiledName(name))
	if err != nil || !bytes.HasPrefix(data, []byte(compiledMagic)) {
		return nil
	}
	data = data[len(compiledMagic):]
	sum := sha256.Sum256(src)
	if len(data) < len(sum) || !bytes.Equal(data[:len(sum)], sum[:]) {
		return nil
	}
	prog, err := starlark.CompiledProgram(bytes.NewReader(data[len(sum):]))
	if err != nil || prog.Filename() != stdPrefix+name {
		return nil
	}
	return prog
}

// packError formats the error of loading a pack with its position.
func (x *expander) packError(file string, err error) error {
	var el syntax.Error
	if errors.As(err, &el) {
		return &starFailure{pos: langPos(el.Pos), msg: el.Msg, err: err}
	}
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		var inner *callError
		if errors.As(err, &inner) {
			return inner
		}
		return x.starError(file, err).(*callError).err
	}
	return err
}

// findPack locates a pack: a reference with a slash or ending in .star is
// a file relative to dir; a name is NAME.star in the MacroPath
// directories, then in the standard library. It returns the cache key, the
// name used in positions and the source.
func (x *expander) findPack(ref, dir string) (key, file string, src []byte, err error) {
	if ref == "" {
		return "", "", nil, errors.New("empty macro pack name")
	}
	if strings.HasPrefix(ref, stdPrefix) {
		name := strings.TrimPrefix(ref, stdPrefix)
		src, err := fs.ReadFile(stdlib.FS, name)
		if err != nil {
			return "", "", nil, fmt.Errorf("no macro pack %q in the standard library", ref)
		}
		return "std:" + name, ref, src, nil
	}
	if strings.Contains(ref, "/") || strings.HasSuffix(ref, ".star") {
		p := ref
		if !filepath.IsAbs(p) && dir != "" {
			p = filepath.Join(dir, p)
		}
		if x.cfg.Files == nil {
			return "", "", nil, fmt.Errorf("reading %s: no file access", p)
		}
		src, err := x.cfg.Files.ReadFile(p)
		if err != nil {
			return "", "", nil, fmt.Errorf("reading macro pack: %w", err)
		}
		return "file:" + filepath.Clean(p), p, src, nil
	}
	if x.cfg.Files != nil {
		for _, d := range x.cfg.MacroPath {
			if d == "" {
				continue
			}
			p := filepath.Join(d, ref+".star")
			if src, err := x.cfg.Files.ReadFile(p); err == nil {
				return "file:" + filepath.Clean(p), p, src, nil
			}
		}
	}
	if src, err := fs.ReadFile(stdlib.FS, ref+".star"); err == nil {
		return "std:" + ref + ".star", stdPrefix + ref + ".star", src, nil
	}
	where := "the standard library"
	if len(x.cfg.MacroPath) > 0 {
		where = "PLASH_MACRO_PATH (" + strings.Join(x.cfg.MacroPath, ":") + ") and " + where
	}
	return "", "", nil, fmt.Errorf("no macro pack %q (looked for %s.star in %s)", ref, ref, where)
}

// loadPack loads (once per evaluation) the pack ref, found from dir.
func (x *expander) loadPack(th *starlark.Thread, ref, dir string) (*pack, error) {
	key, file, src, err := x.findPack(ref, dir)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(key, "std:") {
		if p := stdPacks()[strings.TrimPrefix(key, "std:")]; p != nil {
			return p, p.err
		}
	}
	if p, ok := x.packs[key]; ok {
		if p.loading {
			return nil, fmt.Errorf("%s: cycle in load graph", file)
		}
		return p, p.err
	}
	p := &pack{loading: true}
	x.packs[key] = p
	name := ref
	if strings.HasPrefix(key, "std:") {
		name = strings.TrimSuffix(strings.TrimPrefix(key, "std:"), ".star")
	}
	*p = *x.exec(th, name, file, src)
	return p, p.err
}

// importPack loads a pack named in a Plashfile's --import.
func (x *expander) importPack(ref string) (*pack, error) {
	th := x.thread
	if th == nil || len(x.stack) == 0 {
		th = x.newThread("import " + ref)
	}
	return x.loadPack(th, ref, x.dir)
}

// load implements Starlark's load() for packs: the module is found
// relative to the loading file.
func (x *expander) load(th *starlark.Thread, module string) (starlark.StringDict, error) {
	from := th.CallFrame(0).Pos.Filename()
	if strings.HasPrefix(from, stdPrefix) && !strings.HasPrefix(module, stdPrefix) && strings.HasSuffix(module, ".star") && !strings.Contains(module, "/") {
		module = stdPrefix + module
	}
	p, err := x.loadPack(th, module, path.Dir(from))
	if err != nil {
		return nil, err
	}
	return p.globals, nil
}

// The standard library is loaded once per process and shared: its modules
// are frozen, and its macros reach the running evaluation through the
// thread.
var (
	stdOnce   sync.Once
	stdTab    *table
	stdPacksM map[string]*pack
	stdErr    error
)

func stdPacks() map[string]*pack {
	stdTable()
	return stdPacksM
}

func stdTable() (*table, error) {
	stdOnce.Do(func() {
		t := newTable()
		for _, b := range builtins() {
			t.set(b)
		}
		stdPacksM = map[string]*pack{}
		x := &expander{cfg: &Config{}, packs: map[string]*pack{}, maxSteps: DefaultMaxSteps, base: t, table: t}
		for _, name := range stdlib.Default {
			src, err := fs.ReadFile(stdlib.FS, name)
			if err != nil {
				stdErr = err
				return
			}
			th := x.newThread(name)
			var p *pack
			if prog := stdProgram(name, src); prog != nil {
				p = x.execProgram(th, strings.TrimSuffix(name, ".star"), stdPrefix+name, prog)
			} else {
				p = x.exec(th, strings.TrimSuffix(name, ".star"), stdPrefix+name, src)
			}
			if p.err != nil {
				stdErr = fmt.Errorf("loading the standard library: %v", p.err)
				return
			}
			stdPacksM[name] = p
			for _, m := range p.macros {
				if m.Name == "defpm" {
					m.defines = true
				}
				t.set(m)
			}
		}
		t.shared = true
		stdTab = t
	})
	if stdErr != nil {
		return nil, stdErr
	}
	return stdTab, nil
}

// Macros returns the macros of a pack, sorted by pack and name: with pack
// "" every macro an evaluation starts with (the standard library and the
// builtins), else the macros of that standard library pack (core, pm,
// shortcuts, builtin) or of the pack file or name --import would load.
func Macros(cfg *Config, packName string) ([]*Macro, error) {
	x, err := newExpander(cfg)
	if err != nil {
		return nil, err
	}
	var ms []*Macro
	std := false
	for _, m := range x.base.m {
		if packName == "" || m.Pack == packName {
			ms = append(ms, m)
			std = true
		}
	}
	if !std {
		p, err := x.importPack(packName)
		if err != nil {
			return nil, err
		}
		ms = append(ms, p.macros...)
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].Pack != ms[j].Pack {
			return ms[i].Pack < ms[j].Pack
		}
		return ms[i].Name < ms[j].Name
	})
	return ms, nil
}
