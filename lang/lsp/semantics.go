package lsp

import (
	"github.com/plash-go/plash/eval"
	"github.com/plash-go/plash/lang"
)

// Semantics is what the checker and the server need from the evaluator.
// Package eval is pure, so an implementation over it lives here (see
// evalsem.go); tests may give their own.
type Semantics interface {
	// Eval evaluates a parsed file within a step budget and reports what
	// it found. It must return, whatever the file and its packs do.
	Eval(f *lang.File, calls []*lang.Call) *EvalResult
}

// EvalResult is what evaluating a file told.
type EvalResult struct {
	Findings []*Finding
	// Macros are the macros callable in the file: the built-ins and those
	// of the packs it imports.
	Macros []*Macro
	ops    []callOps                // the ops of each call that made some, in order
	opsOf  map[*lang.Call][]eval.Op // the ops of each evaluated call
}

// setOps records the ops a call expanded to.
func (r *EvalResult) setOps(c *lang.Call, ops []eval.Op) {
	r.opsOf[c] = ops
	if len(ops) > 0 {
		r.ops = append(r.ops, callOps{c, ops})
	}
}

// Preview returns the shell text a call expands to; ok is false when the
// call was not evaluated (it or a call before it failed).
func (r *EvalResult) Preview(c *lang.Call) (text string, ok bool) {
	if r == nil {
		return "", false
	}
	ops, ok := r.opsOf[c]
	if !ok {
		return "", false
	}
	return eval.Script(ops), true
}

// Macro describes one macro for completion, hover and go-to-definition.
type Macro struct {
	Name      string
	Pack      string        // "builtin", or the pack's name or path
	Doc       string        // the docstring
	Signature string        // e.g. "write_file(file, *lines)"
	Def       lang.Position // where it is defined; Filename "" when unknown
}

// Lookup returns the macro of that name, or nil.
func (r *EvalResult) Lookup(name string) *Macro {
	if r == nil {
		return nil
	}
	for _, m := range r.Macros {
		if m.Name == name {
			return m
		}
	}
	return nil
}
