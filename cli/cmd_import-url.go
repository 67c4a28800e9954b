package cli

func init() {
	Register(&Command{
		Name:    "import-url",
		Usage:   "plash import-url [--refresh] [--keyring FILE] URL [SIGNATURE_URL]",
		Summary: "Import a root file system archive from a URL; print its id.",
		Help: `URL is http, https or file; the archive may be plain tar, gzip, xz,
bzip2 or zstd. With SIGNATURE_URL the download is verified against that
detached OpenPGP signature before anything is imported: by default it must
be made by the LXC image-signing key built into plash; --keyring FILE
trusts the keys of that OpenPGP keyring (binary or armored) instead. A
progress bar shows on a terminal.

The import is remembered in the map (key url:URL with / as %), so the same
URL again prints the same id without downloading; --refresh downloads it
again.`,
		Run: runImportURL,
	})
}
