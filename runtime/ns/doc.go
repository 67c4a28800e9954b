// Package ns puts plash into the namespaces it needs. Enter is called at the
// start of every command that acts as root over the data directory: as root
// it does nothing, as a normal user it re-executes the same command line
// once, in a new user and mount namespace where uid/gid 0 is the caller and
// 1..N are the caller's ranges from /etc/subuid and /etc/subgid (written by
// newuidmap/newgidmap from the parent; when those are missing, only the
// caller is mapped and one line says what then fails), and exits with the
// child's status. Go cannot unshare a user namespace in a running,
// multithreaded process, so the child is a fresh exec of /proc/self/exe:
// created by clone with CLONE_NEWUSER|CLONE_NEWNS and ambient capabilities
// (so it stays capable across its exec before the maps exist), it waits in
// this package's init until the parent has written its maps. Start and Wait
// are the pieces for callers that do more than exit (plash run cleans up
// after its child); Wait forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT and
// turns a death by signal N into status 128+N. The hot path, plash run and
// runopts as a normal user, avoids even that one re-exec when plash is
// built with cgo: a C constructor (early_cgo_linux.go) unshares the user
// and mount namespace before the Go runtime starts its threads, and a
// forked helper maps it; Inside then reports true from the start.
package ns
