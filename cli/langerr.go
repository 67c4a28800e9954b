package cli

import (
	"errors"

	"github.com/plash-go/plash/lang"
)

// prettyErrors returns, when err is (or wraps) a lang.ErrorList or a
// *lang.Error, one message per language error for a terminal: the
// FILE:LINE:COL: MSG line, then the source line and a caret under the
// column. It returns nil for other errors.
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
	msgs := make([]string, len(list))
	for i, e := range list {
		msgs[i] = e.Pretty(nil)
	}
	return msgs
}
