package cli

import "github.com/plash-go/plash/runtime/store"

func init() {
	Register(&Command{
		Name:    "push",
		Usage:   "plash push [--entrypoint PATH] ID REFERENCE",
		Summary: "Push a container as an image to an OCI or Docker registry.",
		Help: `REFERENCE names the image, e.g. registry.example.com/team/app:1.0 or
localhost:5000/app. The image has one layer per plash layer of the
container, as export-oci writes it. Credentials come from the docker
configuration (~/.docker/config.json, $DOCKER_CONFIG, credential helpers);
registries on localhost or a loopback address are spoken to over plain
HTTP. --entrypoint sets the image's entrypoint (by default the container's
exec hint, when known).`,
		Run: func(args []string) error {
			cfg, args, err := exportFlags(args, nil)
			if err != nil {
				return err
			}
			if args, err = builtArgs(args); err != nil {
				return err
			}
			if len(args) != 2 {
				return Usagef("usage: plash push [--entrypoint PATH] ID REFERENCE")
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
				cfg.Entrypoint = execHint(s, args[0])
			}
			return remoteErr(newRemote(s).Push(ctx, args[0], args[1], cfg))
		},
	})
}
