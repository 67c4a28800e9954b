// Package stdlib holds the built-in macros written in Starlark, embedded in
// the binary: core.star (layer, run, hint, write-file, write-script,
// entrypoint, entrypoint-script), pm.star (defpm and the package managers)
// and shortcuts.star (x l f A U F D C R G). Package eval loads the files in
// Default into every evaluation and finds the others by name for
// --import NAME. A public top-level function is a macro: its name with
// underscores written as dashes (a trailing underscore dropped, so from_ is
// --from), its docstring its help. The macros that touch the host are Go
// builtins in package eval.
package stdlib

import "embed"

// FS holds the .star files and their compiled forms NAME.starc, which
// package eval generates (go generate ./eval) and loads instead of
// compiling the sources on every start.
//
//go:embed *.star *.starc
var FS embed.FS

// Default lists the files loaded into every evaluation, in order.
var Default = []string{"core.star", "pm.star", "shortcuts.star"}
