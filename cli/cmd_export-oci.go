package cli

import "github.com/plash-go/plash/runtime/store"

func init() {
	Register(&Command{
		Name:    "export-oci",
		Usage:   "plash export-oci [--tag TAG] [--entrypoint PATH] CONTAINER DIR",
		Summary: "Write a container as an image into an OCI image layout directory.",
		Help: `The image has one layer per plash layer of the container (its ancestry
without the empty root 0), so that Docker, Podman, skopeo or Kubernetes
can run what plash built. DIR is created when missing; an existing layout
gets the image added. The image is tagged TAG (default latest), e.g.
  plash export-oci 7 out && skopeo copy oci:out:latest docker-daemon:app:latest
CONTAINER is an id, or build arguments ending with --. --entrypoint PATH
(before CONTAINER) sets the image's entrypoint; without it, the exec hint
of CONTAINER's build arguments is used.`,
		Run: func(args []string) error {
			tag := "latest"
			cfg, args, err := exportFlags(args, &tag)
			if err != nil {
				return err
			}
			args, hint, err := exportTarget(args)
			if err != nil {
				return err
			}
			if len(args) != 2 {
				return Usagef("usage: plash export-oci [--tag TAG] [--entrypoint PATH] CONTAINER DIR")
			}
			if err := store.CheckID(args[0]); err != nil {
				return storeErr(err)
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
			if cfg.Entrypoint == nil {
				cfg.Entrypoint = hint
			}
			return remoteErr(newRemote(s).ExportOCI(ctx, args[0], args[1], tag, cfg))
		},
	})
}
