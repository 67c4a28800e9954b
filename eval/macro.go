package eval

import (
	"fmt"
	"sort"
	"strings"

	"go.starlark.net/starlark"
)

// Macro is a macro that a Plashfile can call.
type Macro struct {
	Name string
	Doc  string // the docstring; its first line is the one-line help
	Pack string // where it is defined: a standard library pack ("core"), "builtin", or a pack file
	// MinArgs and MaxArgs bound the number of arguments; MaxArgs < 0
	// means any number.
	MinArgs, MaxArgs int

	fn      starlark.Callable                              // a Starlark macro
	builtin func(x *expander, args []string) ([]Op, error) // a Go builtin
	defines bool                                           // defpm: its first argument names a new macro
}

// Summary is the first line of the macro's docstring.
func (m *Macro) Summary() string {
	doc := strings.TrimSpace(m.Doc)
	if i := strings.IndexByte(doc, '\n'); i >= 0 {
		doc = strings.TrimSpace(doc[:i])
	}
	return doc
}

// checkArgs returns an Arity error, without a position, when n
// arguments do not fit.
func (m *Macro) checkArgs(n int) *Error {
	if n >= m.MinArgs && (m.MaxArgs < 0 || n <= m.MaxArgs) {
		return nil
	}
	return &Error{Kind: Arity, Name: m.Name, Msg: fmt.Sprintf("%s takes %s (%d given)", m.Name, m.arity(), n)}
}

func (m *Macro) arity() string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case m.MaxArgs < 0:
		return "at least " + plural(m.MinArgs)
	case m.MinArgs == m.MaxArgs && m.MinArgs == 0:
		return "no arguments"
	case m.MinArgs == m.MaxArgs:
		return "exactly " + plural(m.MinArgs)
	case m.MinArgs+1 == m.MaxArgs:
		return fmt.Sprintf("%d or %s", m.MinArgs, plural(m.MaxArgs))
	default:
		return fmt.Sprintf("%d to %s", m.MinArgs, plural(m.MaxArgs))
	}
}

// signature fills MinArgs and MaxArgs from a Starlark function's
// parameters: required positional ones, optional ones, *args.
func (m *Macro) signature(fn starlark.Callable) {
	m.MinArgs, m.MaxArgs = 0, -1
	f, ok := fn.(*starlark.Function)
	if !ok {
		return
	}
	n := f.NumParams() - f.NumKwonlyParams()
	if f.HasVarargs() {
		n--
	}
	if f.HasKwargs() {
		n--
	}
	for i := 0; i < n; i++ {
		if f.ParamDefault(i) == nil {
			m.MinArgs = i + 1
		}
	}
	if !f.HasVarargs() {
		m.MaxArgs = n
	}
}

// MacroName is the macro name of a Starlark function name: underscores
// become dashes and a trailing underscore (for names Starlark reserves,
// from_) is dropped.
func MacroName(fn string) string {
	return strings.ReplaceAll(strings.TrimSuffix(fn, "_"), "_", "-")
}

// table maps macro names to macros. It is copied before a change, so that
// tables can be shared: the standard library's, a nested evaluation's.
type table struct {
	m      map[string]*Macro
	shared bool
}

func newTable() *table { return &table{m: make(map[string]*Macro, 64)} }

func (t *table) get(name string) *Macro { return t.m[name] }

func (t *table) set(m *Macro) {
	if t.shared {
		c := make(map[string]*Macro, len(t.m)+8)
		for k, v := range t.m {
			c[k] = v
		}
		t.m, t.shared = c, false
	}
	t.m[m.Name] = m
}

// share returns a table with the same macros that copies on change; t
// copies on its next change too.
func (t *table) share() *table {
	if !t.shared { // never written when shared: the standard library's is read by every evaluation
		t.shared = true
	}
	return &table{m: t.m, shared: true}
}

func (t *table) names() []string {
	names := make([]string, 0, len(t.m))
	for n := range t.m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// suggest returns the known name nearest to name, or "" when none is
// close: a case-insensitive match first, then the smallest edit distance
// within about a third of the name's length.
func (t *table) suggest(name string) string {
	best, bestD := "", 0
	max := (len(name) + 1) / 3
	for _, n := range t.names() {
		if strings.EqualFold(n, name) {
			return n
		}
		d := EditDistance(name, n)
		if d <= max && (best == "" || d < bestD) {
			best, bestD = n, d
		}
	}
	return best
}

// EditDistance is the Levenshtein distance of a and b (for "did you
// mean" suggestions).
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
