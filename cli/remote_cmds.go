//go:build !slim

package cli

import (
	"context"
	"fmt"

	"github.com/plash-go/plash/runtime/remote"
)

// The Run functions of the remote image commands (registered in
// cmd_NAME.go with their help, shared with the slim build, where
// delegate_slim.go runs them in plash-remote instead).

// runImportLXC is the Run of import-lxc (cmd_import-lxc.go).
func runImportLXC(args []string) error {
	refresh, args, err := importFlags(args, nil)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return Usagef("usage: plash import-lxc [--refresh] NAME")
	}
	return runImport(refresh, func(ctx context.Context, r *remote.Remote) (string, error) {
		return r.ImportLXC(ctx, args[0])
	})
}

// runImportURL is the Run of import-url (cmd_import-url.go).
func runImportURL(args []string) error {
	keyring := ""
	refresh, args, err := importFlags(args, &keyring)
	if err != nil {
		return err
	}
	if len(args) < 1 || len(args) > 2 {
		return Usagef("usage: plash import-url [--refresh] [--keyring FILE] URL [SIGNATURE_URL]")
	}
	sig := ""
	if len(args) == 2 {
		sig = args[1]
	}
	if keyring != "" && sig == "" {
		return Usagef("--keyring is for checking a SIGNATURE_URL; none given")
	}
	return runImport(refresh, func(ctx context.Context, r *remote.Remote) (string, error) {
		if keyring != "" {
			if r.Keyring, err = remote.ReadKeyring(keyring); err != nil {
				return "", err
			}
		}
		return r.ImportURL(ctx, args[0], sig)
	})
}

// runImportDocker is the Run of import-docker (cmd_import-docker.go).
func runImportDocker(args []string) error {
	refresh, args, err := importFlags(args, nil)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return Usagef("usage: plash import-docker [--refresh] IMAGE")
	}
	return runImport(refresh, func(ctx context.Context, r *remote.Remote) (string, error) {
		return r.ImportDocker(ctx, args[0])
	})
}

// runExportOCI is the Run of export-oci (cmd_export-oci.go).
func runExportOCI(args []string) error {
	tag := "latest"
	return runExport(args, &tag, "plash export-oci [--tag TAG] [--entrypoint PATH] CONTAINER DIR",
		func(r *remote.Remote, ctx context.Context, id, dir string, cfg remote.ImageConfig) error {
			return r.ExportOCI(ctx, id, dir, tag, cfg)
		})
}

// runPush is the Run of push (cmd_push.go).
func runPush(args []string) error {
	return runExport(args, nil, "plash push [--entrypoint PATH] CONTAINER REFERENCE", (*remote.Remote).Push)
}

func init() {
	Register(&Command{
		Name:    "_from-github",
		Usage:   "plash _from-github USER/REPO [FILE]",
		Summary: "Build --from-github USER/REPO [FILE]; print the id (for the slim plash).",
		Hidden:  true,
		Run: func(args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return Usagef("usage: plash _from-github USER/REPO [FILE]")
			}
			file := ""
			if len(args) == 2 {
				file = args[1]
			}
			id, err := storeImages{}.FromGitHub(args[0], file)
			if err != nil {
				return err
			}
			fmt.Println(id)
			return nil
		},
	})
}
