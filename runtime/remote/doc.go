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
//
// Environment: PLASH_LXC_URL is the LXC image server (default
// https://images.linuxcontainers.org), PLASH_GITHUB_URL the server of raw
// GitHub files (default https://raw.githubusercontent.com). Tests only:
// PLASH_TEST_KEYRING names an OpenPGP keyring file that replaces the
// embedded LXC key, so that tests can sign fixtures with a key they
// generate; signatures are verified in every case.
package remote
