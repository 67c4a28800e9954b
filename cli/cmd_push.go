package cli

func init() {
	Register(&Command{
		Name:    "push",
		Usage:   "plash push [--entrypoint PATH] CONTAINER REFERENCE",
		Summary: "Push a container as an image to an OCI or Docker registry.",
		Help: `REFERENCE names the image, e.g. registry.example.com/team/app:1.0 or
localhost:5000/app. The image has one layer per plash layer of the
container, as export-oci writes it. Credentials come from the docker
configuration (~/.docker/config.json, $DOCKER_CONFIG, credential helpers);
registries on localhost or a loopback address are spoken to over plain
HTTP. CONTAINER is an id, or build arguments ending with --:
  plash push --from alpine --apk git --entrypoint /usr/bin/git -- localhost:5000/git
--entrypoint PATH (before CONTAINER) sets the image's entrypoint; without
it, the exec hint of CONTAINER's build arguments is used.`,
		Run: runPush,
	})
}
