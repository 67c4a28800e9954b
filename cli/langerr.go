package cli

import (
	"errors"
	"os"

	"github.com/plash-go/plash/lang"
)

// prettyErrors returns, when err is (or wraps) a lang.ErrorList or a
// *lang.Error, one message per language error for a terminal: the
// FILE:LINE:COL: MSG line, then the source line and a caret under the
// column. The source line is the one the parser remembered, or else read
// from the file the position names. It returns nil for other errors.
func prettyErrors(err error) []string {
	var list lang.ErrorList
	var one *lang.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = lang.ErrorList{one}
	default:
		return nil
	}
	sources := map[string][]byte{}
	msgs := make([]string, len(list))
	for i, e := range list {
		msgs[i] = e.Pretty(nil)
		if msgs[i] != e.Error() {
			continue // the parser remembered the line
		}
		name := e.Pos.Filename
		if name == "" || name == lang.StdinName || name == lang.ArgsName {
			continue
		}
		src, ok := sources[name]
		if !ok {
			if fi, err := os.Stat(name); err == nil && fi.Mode().IsRegular() && fi.Size() < 16<<20 {
				src, _ = os.ReadFile(name)
			}
			sources[name] = src
		}
		if src != nil {
			msgs[i] = e.Pretty(src)
		}
	}
	return msgs
}
