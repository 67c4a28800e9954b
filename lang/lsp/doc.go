// Package lsp is the editor mode of plash: a Language Server Protocol
// server over standard input and output, and the checker behind it that
// `plash check` also runs. The checker finds, with exact ranges and rule
// ids, the syntax errors of a Plashfile, the errors the evaluator reports
// (unknown macros with "did you mean" fixes, wrong argument counts, broken
// macro packs) and the shell syntax errors in the text that --run and
// similar macros emit, mapped back to the argument that holds them; a
// "--# check:ignore RULE" directive silences a rule inline. The server adds
// incremental text sync, debounced diagnostics, document symbols, folding
// by layer, semantic tokens, formatting, completion, hover and
// go-to-definition. It is pure like lang and eval: host data such as map
// keys and container ids comes through the small Host interface, which the
// cli package implements over the store.
package lsp
