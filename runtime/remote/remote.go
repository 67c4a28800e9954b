package remote

import (
	"context"
	"fmt"
	"io"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/plash-go/plash/runtime/store"
)

// Remote imports images into a store from the sources of this package.
type Remote struct {
	Store *store.Store
	// Fetch gets URLs; its Progress, when set, shows download bars.
	Fetch *Fetcher
	// Log receives one-line notes about what is fetched (stderr); nil is
	// quiet.
	Log io.Writer
	// Keyring verifies signatures; nil means DefaultKeyring().
	Keyring openpgp.EntityList
	// Refresh ignores what the map remembers and imports again (the map
	// is then updated).
	Refresh bool
}

func (r *Remote) logf(format string, a ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, "plash: "+format+"\n", a...)
	}
}

func (r *Remote) keyring() (openpgp.EntityList, error) {
	if r.Keyring != nil {
		return r.Keyring, nil
	}
	return DefaultKeyring()
}

// MapKey is store.MapKey: the map entry remembering an import from
// source (url, lxc, docker, github) of args.
func MapKey(source string, args ...string) string { return store.MapKey(source, args...) }

// cached returns the container the map holds for key, or runs imp and
// remembers its result under key.
func (r *Remote) cached(key string, imp func() (string, error)) (string, error) {
	if !r.Refresh {
		id, ok, err := r.Store.MapGet(key)
		if err != nil {
			return "", err
		}
		if ok {
			return id, nil
		}
	}
	id, err := imp()
	if err != nil {
		return "", err
	}
	if err := r.Store.MapSet(key, id); err != nil {
		return "", fmt.Errorf("remembering %s as container %s: %w", key, id, err)
	}
	return id, nil
}

// tempDir makes a temporary directory in the store and returns it with its
// removal.
func (r *Remote) tempDir(prefix string) (string, func(), error) {
	dir, err := r.Store.TempDir(prefix)
	if err != nil {
		return "", nil, err
	}
	return dir, func() { r.Store.RemoveTemp(dir) }, nil
}

// ctxErr turns a cancellation into ErrInterrupted.
func ctxErr(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return ErrInterrupted
	}
	return err
}
