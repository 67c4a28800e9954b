// Package runtime is the host side of plash: everything that touches the
// file system, namespaces and the network lives in its subpackages.
//
//	store      the data directory: ids, index links, the map, layers, locks
//	tarball    import and export of root filesystems as tar archives
//	ns         user and mount namespaces, id mapping (newuidmap/newgidmap)
//	union      union mounts: overlay, fuse-overlayfs, unionfs-fuse
//	container  running containers: run, runopts, create, mount, sudo
//	remote     image sources: URLs, LXC images, OCI registries, GitHub
//	build      building a program's layers with the cache
//
// Packages lang and eval never import runtime; runtime reaches them only by
// implementing the small interfaces eval declares.
package runtime
