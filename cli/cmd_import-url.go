package cli

import "fmt"

func init() {
	Register(&Command{
		Name:    "import-url",
		Usage:   "plash import-url [--refresh] URL [SIGNATURE_URL]",
		Summary: "Import a root file system archive from a URL; print its id.",
		Help: `URL is http, https or file; the archive may be plain tar, gzip, xz,
bzip2 or zstd. With SIGNATURE_URL the download is verified against that
detached OpenPGP signature (made by the LXC image-signing key) before
anything is imported. A progress bar shows on a terminal.

The import is remembered in the map (key url:URL with / as %), so the same
URL again prints the same id without downloading; --refresh downloads it
again.`,
		Run: func(args []string) error {
			refresh, args, err := importFlags(args)
			if err != nil {
				return err
			}
			if len(args) < 1 || len(args) > 2 {
				return Usagef("usage: plash import-url [--refresh] URL [SIGNATURE_URL]")
			}
			sig := ""
			if len(args) == 2 {
				sig = args[1]
			}
			s, err := openStore()
			if err != nil {
				return err
			}
			if err := enterUserns(); err != nil {
				return err
			}
			ctx, stop := interruptible()
			defer stop()
			r := newRemote(s)
			r.Refresh = refresh
			id, err := r.ImportURL(ctx, args[0], sig)
			if err != nil {
				return remoteErr(err)
			}
			fmt.Println(id)
			return nil
		},
	})
}
