package cli

func init() {
	Register(&Command{
		Name:    "import-docker",
		Usage:   "plash import-docker [--refresh] IMAGE",
		Summary: "Pull an image from an OCI or Docker registry; print its id.",
		Help: `IMAGE is a reference as docker takes it: alpine, alpine:3.20,
ghcr.io/OWNER/NAME:TAG, localhost:5000/app@sha256:... No daemon is used.
From a multi-arch image the one for this machine's platform is taken; its
layers (gzip, zstd or plain) are checked against their digests and applied
in order, whiteouts included, into one new container.

Credentials come from the docker configuration (~/.docker/config.json,
$DOCKER_CONFIG, credential helpers). Registries on localhost or a loopback
address are spoken to over plain HTTP. The import is remembered in the map
(key docker:IMAGE with / as %); --refresh pulls it again.`,
		Run: runImportDocker,
	})
}
