package remote

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plash-go/plash/runtime/tarball"
)

// ImportURL imports the root file system archive at rawURL (http, https or
// file; any format tarball reads) as a new child of 0, remembered in the
// map as url:URL (url:URL:SIGNATURE_URL when signed). When sigURL is not
// empty the download is verified against the detached OpenPGP signature
// there, and a bad signature fails before anything is imported. The
// download goes to a temporary file in the store's tmp, removed whatever
// happens.
func (r *Remote) ImportURL(ctx context.Context, rawURL, sigURL string) (string, error) {
	args := []string{rawURL}
	if sigURL != "" {
		args = append(args, sigURL)
	}
	return r.cached(MapKey("url", args...), func() (string, error) {
		id, err := r.importURL(ctx, rawURL, sigURL)
		if err != nil {
			return "", fmt.Errorf("importing %s: %w", rawURL, ctxErr(ctx, err))
		}
		return id, nil
	})
}

func (r *Remote) importURL(ctx context.Context, rawURL, sigURL string) (string, error) {
	tmp, cleanup, err := r.tempDir("download")
	if err != nil {
		return "", err
	}
	defer cleanup()
	f, err := os.Create(filepath.Join(tmp, "archive"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	r.logf("fetching %s", rawURL)
	if _, err := r.Fetch.Download(ctx, rawURL, f); err != nil {
		return "", err
	}
	if sigURL != "" {
		sig, err := r.Fetch.Get(ctx, sigURL, maxSignature)
		if err != nil {
			return "", fmt.Errorf("fetching signature %s: %w", sigURL, err)
		}
		keyring, err := r.keyring()
		if err != nil {
			return "", err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", err
		}
		if err := Verify(keyring, ctxReader{ctx, f}, sig); err != nil {
			return "", fmt.Errorf("%w (signature %s)", err, sigURL)
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	id, err := tarball.Import(r.Store, ctxReader{ctx, f})
	return id, trimPrefix(err, "importing: ")
}

// trimPrefix drops a gerund that our own wrapping repeats.
func trimPrefix(err error, prefix string) error {
	if err == nil || !strings.HasPrefix(err.Error(), prefix) {
		return err
	}
	return &trimmedError{strings.TrimPrefix(err.Error(), prefix), err}
}

type trimmedError struct {
	msg string
	err error
}

func (e *trimmedError) Error() string { return e.msg }
func (e *trimmedError) Unwrap() error { return e.err }
