// Package remote holds plash's image sources and exports: root filesystem
// archives fetched from URLs (with optional OpenPGP signatures), images of
// images.linuxcontainers.org found through LXC's own index and always
// verified against the embedded LXC signing key, images pulled from OCI and
// Docker registries without a daemon (google/go-containerregistry), Plashfiles
// fetched from GitHub repositories, and the way back out: a container's layers
// written as an OCI image layout or pushed to a registry. Every import is
// remembered in the store's map (url:..., lxc:..., docker:..., github:...) so
// a second use makes no request, and a failed or interrupted import leaves no
// container and no temporary file behind.
package remote
