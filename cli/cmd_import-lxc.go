package cli

func init() {
	Register(&Command{
		Name:    "import-lxc",
		Usage:   "plash import-lxc [--refresh] NAME",
		Summary: "Import an image of images.linuxcontainers.org; print its id.",
		Help: `NAME is a distribution (alpine, debian, ubuntu, ...: its newest stable
release), DIST:RELEASE (debian:bookworm, alpine:3.20) or a release code
name (bookworm). The newest build for this machine's architecture is
taken from the index LXC's download template reads; the signatures of
the index and of the image are always verified against the LXC
image-signing key built into plash
(fingerprint E7FB0CAEC8173D669066514CBAEFF88C22F6E216). An unknown NAME
lists the available ones.

PLASH_LXC_URL sets the image server (default
https://images.linuxcontainers.org). The import is remembered in the map
(key lxc:NAME); --refresh imports it again.`,
		Run: runImportLXC,
	})
}
