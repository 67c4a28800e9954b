package cli

import (
	"errors"

	"github.com/plash-go/plash/runtime/ns"
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

// openStoreUserns opens the data directory and then enters the user
// namespace (enterUserns), for the commands that write files owned by
// other users.
func openStoreUserns() (*store.Store, error) {
	s, err := openStore()
	if err != nil {
		return nil, err
	}
	if err := enterUserns(); err != nil {
		return nil, err
	}
	return s, nil
}

// enterUserns is called by the commands that create or remove files owned
// by other users (import-tar, export-tar, rm, clean, purge, shrink,
// add-layer, data): unprivileged, it re-executes the command in a user
// namespace where the caller is root and the subordinate ids are mapped.
var enterUserns = ns.Enter
