// Package eval expands a parsed Plashfile into primitive operations. A macro
// call (from package lang) names a macro: a Starlark function from the
// embedded standard library (package stdlib) or from a macro pack the
// Plashfile imports, or a Go builtin for the few macros that touch the host.
// Expansion first resolves every call (unknown names with "did you mean"
// suggestions, wrong argument counts checked against the Starlark
// signature, all errors at once with positions), then runs the macros, each
// under an execution-step budget, collecting a flat list of Ops (image,
// layer, run, env, hint), each remembering the Plashfile call and the stack
// of macros that produced it. Script renders the ops as the shell script the
// original plash printed, byte for byte; MarshalJSON gives them with their
// origins. Everything on the host (files, standard input, the environment,
// fresh ids, image resolution) is reached only through the interfaces in
// Config, which the caller (package cli, or a test) provides: eval never
// imports runtime.
package eval
