package cli

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
		Run: runExportOCI,
	})
}
