package store

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// MapKey is the map entry remembering an import from source (url, lxc,
// docker, github) of args: "SOURCE:ARG1:ARG2" with every "/" replaced by
// "%", as the original plash wrote them. Keys too long for a file name end
// in a hash instead. It lives here, not in runtime/remote, so that a plash
// built without the remote code (-tags slim) finds remembered imports.
func MapKey(source string, args ...string) string {
	key := strings.ReplaceAll(source+":"+strings.Join(args, ":"), "/", "%")
	if len(key) > 200 {
		sum := sha1.Sum([]byte(key))
		key = key[:150] + "~" + hex.EncodeToString(sum[:])
	}
	return key
}
