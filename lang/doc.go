// Package lang holds the Plashfile language: its tokens, its grammar (built
// with participle), the typed syntax tree with full positions, the expansion
// of the tree into macro calls, the errors of the language and the canonical
// formatter.
//
// The same language arrives in two forms. The file form is a Plashfile (or
// standard input): line oriented, with a shebang, --# comments, --\ escapes
// and macro lines split on whitespace. The command-line form is a list of argv
// words, one token each. Both are lexed into the same token types and parsed
// by the same grammar into a *File; Calls then turns the tree into the flat
// list of macro calls that package eval expands. The participle grammar is
// the grammar of record (Grammar prints it, spec/spec.md quotes it); Parse
// runs a direct transcription of it that is an order of magnitude faster,
// and the tests and fuzz targets hold the two to the same trees. Nothing
// here touches the host: lang is pure, so the editor mode and the tests can
// use it freely.
package lang
