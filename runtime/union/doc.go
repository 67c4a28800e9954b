// Package union mounts a stack of read-only layers, optionally with a
// writable changes directory on top, as one file system: native overlay
// (through the new mount API, fsopen/fsconfig with one "lowerdir+" per
// layer, so that stacks of hundreds of layers mount; on kernels before 6.8
// through mount(2) with short relative paths and a clear refusal before the
// options exceed the one page the kernel copies), fuse-overlayfs, or
// unionfs-fuse with -o cow. Paths reach the kernel as separate values where
// the API allows it; where they must go into an option string they are
// checked against a conservative character set first and refused
// otherwise. Inside a changes directory the writable layer is data/ and
// overlay's work directory is work/, the layout of the original plash. In
// a user namespace overlay is mounted with userxattr (InUserNS): its
// markers are then user.overlay.* attributes; OpaqueXattrs and MarkerXattr
// name every union's markers for the exporters.
package union
