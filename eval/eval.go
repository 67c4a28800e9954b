package eval

import (
	"strings"

	"go.starlark.net/starlark"

	"github.com/plash-go/plash/lang"
)

// Eval expands a parsed source into ops. It first resolves every call,
// reporting all unknown macros and wrong argument counts at once, then
// expands the calls in order, stopping at the first macro that fails.
// Errors are a lang.ErrorList: FILE:LINE:COL: MSG lines.
func Eval(f *lang.File, cfg *Config) ([]Op, error) {
	calls, errs := f.Calls()
	if len(errs) > 0 {
		return nil, errs
	}
	return EvalCalls(calls, cfg)
}

// EvalCalls is Eval for calls already taken from a source.
func EvalCalls(calls []*lang.Call, cfg *Config) ([]Op, error) {
	x, err := newExpander(cfg)
	if err != nil {
		return nil, err
	}
	if errs := x.resolve(calls); len(errs) > 0 {
		return nil, errs
	}
	return x.expand(calls)
}

// Check runs only the resolve pass over a source: the errors Eval would
// report before running any macro, without touching the host except to
// read the macro packs the source imports.
func Check(f *lang.File, cfg *Config) lang.ErrorList {
	calls, errs := f.Calls()
	if len(errs) > 0 {
		return errs
	}
	x, err := newExpander(cfg)
	if err != nil {
		return lang.ErrorList{{Pos: lang.Position{Filename: f.Name}, Msg: err.Error()}}
	}
	return x.resolve(calls)
}

// expander is the state of one evaluation.
type expander struct {
	cfg   *Config
	base  *table // the standard library and the builtins
	table *table // the macros callable now
	packs map[string]*pack
	// mayDefine: a pack's source defines macros as it runs, which the
	// resolve pass cannot see.
	mayDefine bool
	stack     []Frame
	origin    Origin // origin of the current stack, when originOK
	originOK  bool
	thread    *starlark.Thread
	maxSteps  uint64
	over      bool           // the step budget ran out
	dir       string         // where --import FILE is found: the directory of the source being evaluated
	targs     starlark.Tuple // reused arguments of Starlark calls (copied by the callee)
	frames    []Frame        // the free part of the chunk origins' stacks are cut from
	chunk     int            // the size of the last chunk
	depth     int            // how many nested sources (eval-file, ...) are being evaluated
	tooDeep   error          // set when nesting went past maxNesting
}

// GCPercent is the garbage collector setting of a process that evaluates
// a program and prints it (plash eval): it allocates a little for
// every call and keeps most of it until the end, so fewer collections make
// a 10,000-call Plashfile about twice as fast. BenchmarkEval10k measures
// with it.
const GCPercent = 400

// maxNesting bounds nested sources, so that a file that evaluates itself
// fails with a clear error instead of exhausting memory.
const maxNesting = 64

const localKey = "plash.expander"

func newExpander(cfg *Config) (*expander, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	base, err := stdTable()
	if err != nil {
		return nil, err
	}
	x := &expander{cfg: cfg, base: base, table: base.share(), packs: map[string]*pack{}, maxSteps: cfg.MaxSteps, dir: cfg.Dir}
	if x.maxSteps == 0 {
		x.maxSteps = DefaultMaxSteps
	}
	return x, nil
}

// newThread returns a Starlark thread with a fresh step budget.
func (x *expander) newThread(name string) *starlark.Thread {
	th := &starlark.Thread{Name: name, Load: x.load}
	th.SetLocal(localKey, x)
	th.SetMaxExecutionSteps(x.maxSteps)
	th.OnMaxSteps = func(th *starlark.Thread) {
		x.over = true
		th.Cancel("too many steps")
	}
	return th
}

// callPos is where a call is reported: the start of its macro token, or
// for the later letters of "-abc" the letter itself.
func callPos(c *lang.Call) lang.Position {
	if c.NamePos.Offset <= c.Pos.Offset+2 {
		return c.Pos
	}
	return c.NamePos
}

// resolve checks every call against the macros that will be defined when
// it runs, following the calls that change the table (import,
// reset-imports, defpm) without running anything else.
func (x *expander) resolve(calls []*lang.Call) lang.ErrorList {
	var errs lang.ErrorList
	t := x.table.share()
	importFailed := false // unknown names may be the failed pack's
	for _, c := range calls {
		m := t.get(c.Name)
		if m == nil {
			if importFailed || x.mayDefine {
				// The failed pack's, or one a pack macro defines when
				// it runs (define_macro, defpm through macro()):
				// expansion says so if it is still unknown then.
				continue
			}
			errs = append(errs, notFound(t, callPos(c), c.Name).lang())
			continue
		}
		if e := m.checkArgs(len(c.Args)); e != nil {
			e.Pos = callPos(c)
			if m.MaxArgs >= 0 && len(c.Args) > m.MaxArgs {
				e.Pos = c.Args[m.MaxArgs].Pos
			}
			errs = append(errs, e.lang())
			continue
		}
		switch {
		case m == x.base.get("import"):
			for _, a := range c.Args {
				p, err := x.importPack(a.Value)
				if err != nil {
					errs = append(errs, importError(a.Pos, a.Value, err).lang())
					importFailed = true
					continue
				}
				for _, pm := range p.macros {
					t.set(pm)
				}
			}
		case m == x.base.get("reset-imports"):
			t = x.base.share()
		case m.defines:
			t.set(&Macro{Name: c.Args[0].Value, Pack: "defpm", MaxArgs: -1})
		}
	}
	return errs
}

// expand runs the calls in order.
func (x *expander) expand(calls []*lang.Call) ([]Op, error) {
	ops := make([]Op, 0, len(calls)+len(calls)/2)
	args := make([]string, 0, 8)
	var err error
	for _, c := range calls {
		pos := callPos(c)
		m := x.table.get(c.Name)
		if m == nil {
			// A macro pack defined names the resolve pass could not see.
			return nil, list(notFound(x.table, pos, c.Name))
		}
		args = args[:0]
		for _, a := range c.Args {
			args = append(args, a.Value)
		}
		if len(x.stack) == 0 {
			// Each call written in the Plashfile gets the whole budget.
			if x.thread == nil || x.over {
				x.thread = x.newThread("plash")
			}
			x.thread.Steps = 0
			x.over = false
		}
		ops, err = x.call(m, args, Frame{Macro: c.Name, Pos: pos}, ops)
		if err != nil {
			return nil, positioned(pos, err)
		}
	}
	return ops, nil
}

// call runs macro m with args as the frame on top of the stack and
// appends its ops to dst.
func (x *expander) call(m *Macro, args []string, fr Frame, dst []Op) ([]Op, error) {
	if e := m.checkArgs(len(args)); e != nil {
		return dst, e
	}
	x.stack = append(x.stack, fr)
	x.originOK = false
	ops, err := x.run(m, args, dst)
	x.stack = x.stack[:len(x.stack)-1]
	x.originOK = false
	return ops, err
}

func (x *expander) run(m *Macro, args []string, dst []Op) ([]Op, error) {
	if m.builtin != nil {
		ops, err := m.builtin(x, args)
		if err != nil {
			return dst, &callError{macro: m.Name, err: err}
		}
		return append(dst, ops...), nil
	}
	var targs starlark.Tuple
	_, reuse := m.fn.(*starlark.Function)
	if reuse {
		// A Starlark function copies its arguments on entry, so one
		// buffer serves every call, nested ones included.
		targs = x.targs[:0]
	}
	for _, a := range args {
		targs = append(targs, starlark.String(a))
	}
	if reuse {
		x.targs = targs
	}
	v, err := starlark.Call(x.thread, m.fn, targs, nil)
	if err != nil {
		return dst, x.starError(m.Name, err)
	}
	ops, err := x.appendOps(dst, v)
	if err != nil {
		return dst, &callError{macro: m.Name, err: err}
	}
	return ops, nil
}

// currentOrigin is the origin of an op made now.
func (x *expander) currentOrigin() Origin {
	if !x.originOK {
		n := len(x.stack)
		if len(x.frames) < n {
			// Chunks grow from 16 frames to 1024, so that a small
			// evaluation stays small.
			x.chunk = min(max(16, 2*x.chunk), 1024)
			x.frames = make([]Frame, max(x.chunk, n))
		}
		stack := x.frames[:n:n]
		x.frames = x.frames[n:]
		copy(stack, x.stack)
		x.origin = Origin{Stack: stack}
		if len(x.stack) > 0 {
			x.origin.Pos = x.stack[0].Pos
		}
		x.originOK = true
	}
	return x.origin
}

// newOp returns an op with the current origin.
func (x *expander) newOp(op Op) Op {
	op.Origin = x.currentOrigin()
	return op
}

// nested evaluates a source inside the current call (eval-file,
// eval-string, eval-stdin) and returns its ops as the original spliced its
// script in: followed by an empty line unless the script is empty or ends
// with one. Macros the source imports or defines stay inside it. dir is
// where its --import FILE is found.
func (x *expander) nested(name, dir string, src []byte) ([]Op, error) {
	if x.depth >= maxNesting {
		x.tooDeep = &nestingError{name: name}
		return nil, x.tooDeep
	}
	x.depth++
	defer func() { x.depth-- }()
	f, err := lang.Parse(name, src)
	if err != nil {
		return nil, err
	}
	calls, errs := f.Calls()
	if len(errs) > 0 {
		return nil, errs
	}
	saved, savedDir := x.table, x.dir
	x.table, x.dir = saved.share(), dir
	defer func() { x.table, x.dir = saved, savedDir }()
	if errs := x.resolve(calls); len(errs) > 0 {
		return nil, errs
	}
	ops, err := x.expand(calls)
	if x.tooDeep != nil {
		return nil, x.tooDeep // one clear error, not one line per level
	}
	if err != nil {
		return nil, err
	}
	// The original ran a second plash-eval and appended its output, which
	// ends with a newline, as one chunk.
	switch n := len(ops); {
	case n == 0:
		ops = append(ops, x.newOp(Op{Kind: Run}))
	case n == 1 && ops[0].Chunk() == "":
	case strings.HasSuffix(ops[n-1].Chunk(), "\n"):
	case ops[n-1].Chunk() == "":
	default:
		ops = append(ops, x.newOp(Op{Kind: Run}))
	}
	return ops, nil
}
