// Package spec holds the specification of the Plashfile language
// (spec.md) and its conformance corpus: testdata/lang/*.txtar, sources with
// their expected trees, calls, formatting and errors, checked against
// package lang; testdata/eval/*.txtar, checked against package eval; and
// testdata/cli/*.txtar, testscript scripts that run the real plash binary.
// The Go code here is the corpus loader (Case) the drivers share; the
// drivers themselves are the package's tests.
package spec
