package eval

import (
	"errors"
	"fmt"

	"github.com/plash-go/plash/lang"
)

// ErrorKind classifies an error of the evaluator.
type ErrorKind string

// The kinds of errors. UnknownMacro, Arity and PackFailed are found by the
// resolve pass (before any macro runs) and concern the Plashfile call
// itself; the others are a call failing while it expands.
const (
	UnknownMacro ErrorKind = "unknown-macro" // no macro of that name
	Arity        ErrorKind = "arity"         // wrong number of arguments for the macro's signature
	PackFailed   ErrorKind = "pack"          // an --import argument: the pack is missing or fails to load
	MacroFailed  ErrorKind = "macro"         // a macro failed while expanding
	MapKey       ErrorKind = "map-key"       // --from-map names a key the map does not have
	StepBudget   ErrorKind = "step-budget"   // a macro ran out of execution steps (an endless loop?)
	Nesting      ErrorKind = "nesting"       // nested sources (eval-file, ...) went too deep
)

// Resolve reports whether errors of kind k come from the resolve pass.
func (k ErrorKind) Resolve() bool { return k == UnknownMacro || k == Arity || k == PackFailed }

// Error is an error of the evaluator with what a tool needs to act on it.
// Eval and EvalCalls return a lang.ErrorList whose *lang.Error elements
// wrap an *Error (find it with errors.As); the printed text is the same:
// FILE:LINE:COL: MSG.
type Error struct {
	Kind ErrorKind
	Pos  lang.Position // the Plashfile call, or the argument, the error is reported at
	Msg  string        // what is printed after Pos
	// Name is the macro not found or given the wrong number of
	// arguments, or the pack reference of a failed import.
	Name string
	// Suggest is, for UnknownMacro, the known macro nearest to Name ("did
	// you mean"), or "".
	Suggest string
	// Stack is, for a failure while expanding, the macros from the
	// Plashfile call to the one that failed.
	Stack []string
	// StarPos is where in a .star file the failure happened, and StarMsg
	// what happened there; StarPos is zero when no pack is involved.
	StarPos lang.Position
	StarMsg string
	Err     error // the cause, or nil
}

func (e *Error) Error() string { return e.lang().Error() }
func (e *Error) Unwrap() error { return e.Err }

// lang returns the error as an element of a lang.ErrorList.
func (e *Error) lang() *lang.Error { return &lang.Error{Pos: e.Pos, Msg: e.Msg, Err: e} }

// list returns errs as a lang.ErrorList.
func list(errs ...*Error) lang.ErrorList {
	out := make(lang.ErrorList, len(errs))
	for i, e := range errs {
		out[i] = e.lang()
	}
	return out
}

// notFound is the error of a call to a macro the table does not have.
func notFound(t *table, pos lang.Position, name string) *Error {
	e := &Error{Kind: UnknownMacro, Pos: pos, Name: name, Suggest: t.suggest(name)}
	e.Msg = fmt.Sprintf("macro '%s' not found", name)
	if e.Suggest != "" {
		e.Msg += fmt.Sprintf(" (did you mean '%s'?)", e.Suggest)
	}
	return e
}

// callError is a macro failing: MACRO: ERR. err may be another callError
// (a macro the macro called) or a lang.ErrorList (a nested source).
type callError struct {
	macro string
	err   error
}

func (e *callError) Error() string { return e.macro + ": " + e.err.Error() }
func (e *callError) Unwrap() error { return e.err }

// starFailure is a failure inside a .star file: at pos (zero when
// unknown), msg.
type starFailure struct {
	pos   lang.Position
	msg   string
	steps bool  // the step budget ran out
	err   error // the Starlark error
}

func (e *starFailure) Error() string {
	if e.pos == (lang.Position{}) {
		return e.msg
	}
	return FormatPos(e.pos) + ": " + e.msg
}

func (e *starFailure) Unwrap() error { return e.err }

// nestingError is a source nested more than maxNesting deep.
type nestingError struct{ name string }

func (e *nestingError) Error() string {
	return fmt.Sprintf("%s: sources nested more than %d deep (does it evaluate itself?)", e.name, maxNesting)
}

// mapKeyError is --from-map of a key the map does not have; it wraps the
// error of Images.FromMap (ErrMapKeyNotFound).
type mapKeyError struct {
	key string
	err error
}

func (e *mapKeyError) Error() string { return fmt.Sprintf("map '%s' not found", e.key) }
func (e *mapKeyError) Unwrap() error { return e.err }

// importError is the error of an --import argument at pos.
func importError(pos lang.Position, ref string, err error) *Error {
	e := &Error{Kind: PackFailed, Pos: pos, Msg: "import: " + err.Error(), Name: ref, Err: err}
	e.setStar(err)
	return e
}

// setStar fills StarPos and StarMsg from the outermost .star failure in
// err's chain.
func (e *Error) setStar(err error) {
	var sf *starFailure
	if errors.As(err, &sf) && sf.pos != (lang.Position{}) {
		e.StarPos, e.StarMsg = sf.pos, sf.msg
	}
}

// positioned turns the error of a call at pos into an ErrorList: one
// error per error of a nested source, each prefixed with the chain of
// macros that led to it.
func positioned(pos lang.Position, err error) lang.ErrorList {
	var ev *Error
	if errors.As(err, &ev) && ev.Kind == Arity && ev.Pos == (lang.Position{}) && err == error(ev) {
		// The Plashfile call itself has the wrong arity (a macro the
		// resolve pass could not see).
		ev.Pos = pos
		return list(ev)
	}
	var stack []string
	prefix := ""
	cause := err
	for {
		ce, ok := cause.(*callError)
		if !ok {
			break
		}
		stack = append(stack, ce.macro)
		prefix += ce.macro + ": "
		cause = ce.err
	}
	if el, ok := cause.(lang.ErrorList); ok {
		out := make([]*Error, len(el))
		for i, e := range el {
			out[i] = &Error{Kind: MacroFailed, Pos: pos, Msg: prefix + e.Error(), Stack: stack, Err: e}
			out[i].setStar(e)
		}
		return list(out...)
	}
	e := &Error{Kind: MacroFailed, Pos: pos, Msg: prefix + cause.Error(), Stack: stack, Err: err}
	e.setStar(err)
	var sf *starFailure
	var ne *nestingError
	switch {
	case errors.As(err, &ne):
		e.Kind = Nesting
	case errors.As(err, &sf) && sf.steps:
		e.Kind = StepBudget
	case errors.Is(err, ErrMapKeyNotFound):
		e.Kind = MapKey
	}
	return list(e)
}
