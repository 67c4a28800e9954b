// Package tarball imports and exports root file systems as tar archives.
// Extract unpacks plain, gzip, xz, bzip2 and zstd archives (recognised by
// their content) so that nothing is ever written outside the target root:
// every path is resolved inside the root by the kernel (openat2 with
// RESOLVE_IN_ROOT) and every file is created relative to a directory file
// descriptor, so neither "..", absolute names, symlinks in the archive nor
// hard links can escape. Owners, modes, times, extended attributes and hard
// links are kept; device nodes that cannot be made are counted and reported
// in one line. Import turns an archive into a new container of the store;
// Export writes the merged file system of a container (its layers with the
// union file systems' deletion markers applied) as a tar stream that GNU
// tar reads.
package tarball
