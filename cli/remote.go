//go:build !slim

package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/plash-go/plash/runtime/remote"
	"github.com/plash-go/plash/runtime/store"
)

// newRemote returns the image importer of the commands and macros: progress
// bars and notes on stderr only when it is a terminal.
func newRemote(s *store.Store) *remote.Remote {
	r := &remote.Remote{Store: s, Fetch: &remote.Fetcher{}}
	if term.IsTerminal(int(os.Stderr.Fd())) {
		r.Fetch.Progress = os.Stderr
		r.Log = os.Stderr
	}
	return r
}

// interruptible returns a context cancelled by SIGINT, SIGTERM or SIGHUP,
// so that a download in progress stops and removes its temporary files
// instead of dying with them.
func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
}

// remoteErr gives an interrupted import the status of a shell's SIGINT.
func remoteErr(err error) error {
	if errors.Is(err, remote.ErrInterrupted) {
		return Exit(130, err)
	}
	return storeErr(err)
}

// runImport runs an import command after its arguments are checked: the
// store opened, the user namespace entered, SIGINT stopping the download;
// imp imports with r and the new id is printed.
func runImport(refresh bool, imp func(ctx context.Context, r *remote.Remote) (string, error)) error {
	s, err := openStoreUserns()
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	r := newRemote(s)
	r.Refresh = refresh
	id, err := imp(ctx, r)
	if err != nil {
		return remoteErr(err)
	}
	fmt.Println(id)
	return nil
}

// runExport is export-oci and push: [OPTIONS] CONTAINER DEST, where
// CONTAINER is an id or build arguments (see exportTarget); tag, when not
// nil, takes --tag. export writes the container to DEST.
func runExport(args []string, tag *string, usage string, export func(r *remote.Remote, ctx context.Context, id, dest string, cfg remote.ImageConfig) error) error {
	cfg, args, err := exportFlags(args, tag)
	if err != nil {
		return err
	}
	args, hint, err := exportTarget(args)
	if err != nil {
		return err
	}
	if len(args) != 2 {
		return Usagef("usage: %s", usage)
	}
	if err := store.CheckID(args[0]); err != nil {
		return storeErr(err)
	}
	s, err := openStoreUserns()
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	if cfg.Entrypoint == nil {
		cfg.Entrypoint = hint
	}
	return remoteErr(export(newRemote(s), ctx, args[0], args[1], cfg))
}

// importFlags takes the leading options of the import commands: --refresh,
// and --keyring FILE where keyring is not nil (import-url).
func importFlags(args []string, keyring *string) (refresh bool, rest []string, err error) {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		opt, val, hasVal := strings.Cut(args[0], "=")
		switch {
		case opt == "--refresh" && !hasVal:
			refresh = true
		case opt == "--keyring" && keyring != nil:
			if !hasVal {
				if len(args) < 2 {
					return false, nil, Usagef("--keyring needs a file")
				}
				args = args[1:]
				val = args[0]
			}
			*keyring = val
		case opt == "--":
			return refresh, args[1:], nil
		default:
			return false, nil, Usagef("unknown option %s", args[0])
		}
		args = args[1:]
	}
	return refresh, args, nil
}

// exportFlags takes the options of export-oci and push.
func exportFlags(args []string, tag *string) (cfg remote.ImageConfig, rest []string, err error) {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		opt, val, hasVal := strings.Cut(args[0], "=")
		take := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if len(args) < 2 {
				return "", Usagef("%s needs a value", opt)
			}
			args = args[1:]
			return args[0], nil
		}
		switch {
		case opt == "--":
			return cfg, args[1:], nil
		case opt == "--entrypoint":
			v, err := take()
			if err != nil {
				return cfg, nil, err
			}
			cfg.Entrypoint = []string{v}
		case opt == "--tag" && tag != nil:
			v, err := take()
			if err != nil {
				return cfg, nil, err
			}
			*tag = v
		default:
			// Build arguments in place of the container (--from ...).
			return cfg, args, nil
		}
		args = args[1:]
	}
	return cfg, args, nil
}

// exportTarget takes the CONTAINER argument of export-oci and push: an id,
// or build arguments up to "--" as builtArgs takes them, in which case the
// build's exec hint is returned too, to become the image's entrypoint.
func exportTarget(args []string) (rest []string, entrypoint []string, err error) {
	if len(args) == 0 || !isBuildArgs(args[0]) {
		return args, nil, nil
	}
	macros, rest := splitBuildArgs(args)
	p, err := buildArgs(macros, false)
	if err != nil {
		return nil, nil, err
	}
	if os.Geteuid() != 0 {
		// As builtArgs: the command line re-executed in the user
		// namespace takes this plan, hints included.
		s, err := openStore()
		if err != nil {
			return nil, nil, err
		}
		if err := handOver(s, p); err != nil {
			return nil, nil, err
		}
	}
	if v, ok := p.HintValue("exec"); ok && v != "" {
		entrypoint = []string{v}
	}
	return append([]string{p.ID}, rest...), entrypoint, nil
}
