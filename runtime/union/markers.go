package union

import "strings"

// OpaqueXattrs mark a directory of an upper layer as opaque (set to "y"):
// the lower layers' content of that directory is hidden. overlay uses the
// trusted.* name as root and the user.* one in a user namespace
// (userxattr); fuse-overlayfs has its own.
var OpaqueXattrs = []string{"trusted.overlay.opaque", "user.overlay.opaque", "user.fuseoverlayfs.opaque"}

// MarkerXattr reports whether the extended attribute name is union file
// system bookkeeping (opaque markers, redirects, origins), not file
// content: exports leave it out.
func MarkerXattr(name string) bool {
	return strings.HasPrefix(name, "trusted.overlay.") || strings.HasPrefix(name, "user.overlay.") ||
		strings.HasPrefix(name, "user.fuseoverlayfs.")
}
