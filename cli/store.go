package cli

import (
	"errors"

	"github.com/plash-go/plash/runtime/store"
)

// storeErr gives store errors their exit status: a missing container
// exits 3, a malformed id is a usage error.
func storeErr(err error) error {
	var nc *store.NoContainerError
	var bad *store.BadIDError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &nc):
		return Exit(ExitNoContainer, err)
	case errors.As(err, &bad):
		return Exit(ExitUsage, err)
	}
	return err
}

// openStore opens the data directory for a command.
func openStore() (*store.Store, error) {
	s, err := store.Open()
	return s, storeErr(err)
}

// enterUserns is called by the commands that create or remove files owned
// by other users (import-tar, rm, clean, purge, shrink, add-layer, data).
// It is the hook for runtime/ns: until that exists it does nothing, and
// those commands work as root, or unprivileged with every file owned by
// the caller.
var enterUserns = func() error { return nil }
