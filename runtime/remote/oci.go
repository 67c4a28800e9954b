package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	ggcrremote "github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/plash-go/plash/runtime/tarball"
)

// HostPlatform is the platform picked from multi-arch image indexes.
func HostPlatform() v1.Platform {
	p := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	if runtime.GOARCH == "arm" {
		p.Variant = "v7"
	}
	return p
}

// ImportDocker pulls image (a reference such as alpine, alpine:3.20,
// ghcr.io/owner/name@sha256:...) from its OCI or Docker registry and
// imports it as a new child of 0, remembered in the map as docker:IMAGE.
// From a multi-arch index the host's platform is taken. The layers are
// downloaded (and their digests checked) into the store's tmp first, then
// applied in order into one fresh root, whiteouts and opaque directories
// honoured; gzip, zstd and uncompressed layers are read.
func (r *Remote) ImportDocker(ctx context.Context, image string) (string, error) {
	return r.cached(MapKey("docker", image), func() (string, error) {
		id, err := r.pullDocker(ctx, image)
		if err != nil {
			return "", fmt.Errorf("pulling %s: %w", image, oneLine(ctxErr(ctx, err)))
		}
		return id, nil
	})
}

func (r *Remote) pullDocker(ctx context.Context, image string) (string, error) {
	ref, err := parseRef(image)
	if err != nil {
		return "", err
	}
	r.logf("pulling %s", ref.Name())
	img, err := ggcrremote.Image(ref,
		ggcrremote.WithContext(ctx),
		ggcrremote.WithAuthFromKeychain(authn.DefaultKeychain),
		ggcrremote.WithPlatform(HostPlatform()),
		ggcrremote.WithUserAgent("plash"))
	if err != nil {
		return "", err
	}
	layers, err := img.Layers()
	if err != nil {
		return "", err
	}
	tmp, cleanup, err := r.tempDir("pull")
	if err != nil {
		return "", err
	}
	defer cleanup()
	// Download every layer first: a corrupt or missing blob fails before
	// anything is extracted.
	files := make([]string, len(layers))
	for i, l := range layers {
		files[i] = filepath.Join(tmp, fmt.Sprintf("layer%d", i))
		if err := r.downloadLayer(ctx, l, files[i], i, len(layers)); err != nil {
			return "", err
		}
	}
	node, cleanNode, err := r.tempDir("import")
	if err != nil {
		return "", err
	}
	defer cleanNode()
	root := filepath.Join(node, "_data", "root")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return "", ErrInterrupted
		}
		if err := applyLayer(root, f); err != nil {
			return "", fmt.Errorf("applying layer %d of %d: %w", i+1, len(files), err)
		}
		os.Remove(f)
	}
	if err := tarball.EmptyResolvConf(root); err != nil {
		return "", err
	}
	return r.Store.Publish("0", node)
}

// downloadLayer writes the compressed blob of l to path. Reading it to the
// end checks its digest and size.
func (r *Remote) downloadLayer(ctx context.Context, l v1.Layer, path string, i, n int) error {
	digest, err := l.Digest()
	if err != nil {
		return err
	}
	size, _ := l.Size()
	rc, err := l.Compressed()
	if err != nil {
		return fmt.Errorf("layer %s: %w", digest, err)
	}
	defer rc.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var w io.Writer = f
	if r.Fetch != nil && r.Fetch.Progress != nil {
		bar := newBar(r.Fetch.Progress, size, fmt.Sprintf("layer %d/%d", i+1, n))
		defer bar.Finish()
		w = io.MultiWriter(f, bar)
	}
	if _, err := io.Copy(w, ctxReader{ctx, rc}); err != nil {
		return fmt.Errorf("layer %s: %w", digest, err)
	}
	if err := rc.Close(); err != nil {
		return fmt.Errorf("layer %s: %w", digest, err)
	}
	return f.Close()
}

// applyLayer extracts the layer tar in file (any compression) over root.
func applyLayer(root, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	return tarball.Extract(root, f, tarball.Options{Whiteouts: true})
}

// isLoopback reports whether a registry host (with optional port) is
// localhost or a loopback address.
func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// oneLine shortens go-containerregistry's errors to one line: a registry
// error's first diagnostic with the HTTP status.
func oneLine(err error) error {
	if err == nil {
		return nil
	}
	var te *transport.Error
	if errors.As(err, &te) {
		msg := fmt.Sprintf("HTTP %d", te.StatusCode)
		if len(te.Errors) > 0 {
			d := te.Errors[0]
			msg += ": " + strings.ToLower(string(d.Code))
			if d.Message != "" {
				msg += ": " + d.Message
			}
		} else if te.StatusCode != 0 {
			msg += " " + strings.ToLower(httpStatusText(te.StatusCode))
		}
		if te.Request != nil && te.Request.URL != nil {
			msg += " (" + te.Request.URL.Redacted() + ")"
		}
		return errors.New(msg)
	}
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
		return errors.New(s)
	}
	return err
}
