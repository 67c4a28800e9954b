// Package build builds a program's layers with the layer cache. A Plan is
// what a build needs from an evaluation: the image to start from, the
// layers (the shell script split at each "### plash hint: layer" line, hint
// lines removed, empty layers dropped) with, for each line, the Plashfile
// call it came from, and the remaining hints (exec, use-env). Each layer's
// cache key is the original plash's: the sha1 hex of "<parent id>:<layer
// text>", kept in the store's map under that name, so data directories the
// old tool filled keep hitting. Cached reports whether every layer hits
// without touching a namespace or a mount; Build runs the missing layers
// with container.CreateFrom, one at a time, each as "sh -l" reading
// "export PATH", "set -ex" and the layer on its standard input, under a
// per-key flock so that concurrent builds of the same program build each
// layer once. A layer that fails is reported with the position and text of
// the call that produced the failing command, found from the shell's trace.
package build
