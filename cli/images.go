//go:build !slim

package cli

import (
	"context"

	"github.com/plash-go/plash/runtime/remote"
	"github.com/plash-go/plash/runtime/store"
)

// storeImages resolves --from-lxc (and --from NAME), --from-url,
// --from-docker and --from-github with runtime/remote, each import
// remembered in the map so the second use makes no request.

// buildPlashfile builds the Plashfile that --from-github fetched, as
// `plash build --eval-file` would with origin as the file name in
// messages, and returns the container id (set in init below).
var buildPlashfile remote.Builder

func init() {
	buildPlashfile = func(ctx context.Context, src []byte, origin string) (string, error) {
		// A fetched Plashfile has no directory of its own: --import FILE
		// is relative to the working directory.
		p, err := buildSource(origin, src, "", true)
		if err != nil {
			return "", err
		}
		return p.ID, nil
	}
}

// withRemote opens the store and runs f with an importer and a context
// that SIGINT, SIGTERM and SIGHUP cancel.
func withRemote(f func(ctx context.Context, r *remote.Remote) (string, error)) (string, error) {
	s, err := store.Open()
	if err != nil {
		return "", err
	}
	ctx, stop := interruptible()
	defer stop()
	return f(ctx, newRemote(s))
}

func (storeImages) FromLXC(name string) (string, error) {
	return withRemote(func(ctx context.Context, r *remote.Remote) (string, error) {
		return r.ImportLXC(ctx, name)
	})
}

func (storeImages) FromURL(url string) (string, error) {
	return withRemote(func(ctx context.Context, r *remote.Remote) (string, error) {
		return r.ImportURL(ctx, url, "")
	})
}

func (storeImages) FromDocker(image string) (string, error) {
	return withRemote(func(ctx context.Context, r *remote.Remote) (string, error) {
		return r.ImportDocker(ctx, image)
	})
}

// FromGitHub gets file "plashfile" when the Plashfile named none (eval's
// default): that is the default file, which falls back to "Plashfile" and
// is remembered as github:USER%REPO, as the original did.
func (storeImages) FromGitHub(repo, file string) (string, error) {
	if file == "plashfile" {
		file = ""
	}
	return withRemote(func(ctx context.Context, r *remote.Remote) (string, error) {
		return r.FromGitHub(ctx, repo, file, buildPlashfile)
	})
}
