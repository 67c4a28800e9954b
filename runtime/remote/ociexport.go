package remote

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/match"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	ggcrremote "github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
)

// ImageConfig is what an exported image says about how to run it.
type ImageConfig struct {
	Entrypoint []string // the exec hint, when known
	Cmd        []string
	Env        []string // default: a standard PATH
}

// defaultEnv is the environment Docker gives images without one.
var defaultEnv = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}

// Image is a container and its ancestors as an OCI image: one layer per
// plash layer (the root container 0, which is empty, is left out), each
// the tar of that container's own files with union whiteouts turned into
// OCI whiteouts. The layers are written, gzip-compressed, into a
// temporary directory of the store; call done when the image is no longer
// needed.
func (r *Remote) Image(ctx context.Context, id string, cfg ImageConfig) (img v1.Image, done func(), err error) {
	anc, err := r.Store.Ancestry(id)
	if err != nil {
		return nil, nil, err
	}
	if id == "0" {
		return nil, nil, errors.New("the root container 0 is empty: export a container built from an image")
	}
	tmp, cleanup, err := r.tempDir("export")
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			cleanup()
		}
	}()
	slices.Reverse(anc)
	var adds []mutate.Addendum
	var newest v1.Time
	for _, lid := range anc[1:] {
		if err := ctx.Err(); err != nil {
			return nil, nil, ErrInterrupted
		}
		root, err := r.Store.Root(lid)
		if err != nil {
			return nil, nil, err
		}
		l, err := newFileLayer(root, filepath.Join(tmp, "layer-"+lid+".tar.gz"))
		if err != nil {
			return nil, nil, fmt.Errorf("writing layer of container %s: %w", lid, err)
		}
		var created v1.Time
		// _data is written once, when the container is made (its node
		// directory changes with every child).
		if fi, err := os.Stat(filepath.Dir(root)); err == nil {
			created = v1.Time{Time: fi.ModTime().UTC().Truncate(1e9)}
			newest = created
		}
		adds = append(adds, mutate.Addendum{Layer: l, MediaType: types.OCILayer,
			History: v1.History{Created: created, CreatedBy: "plash container " + lid}})
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err = mutate.Append(base, adds...)
	if err != nil {
		return nil, nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, nil, err
	}
	cf = cf.DeepCopy()
	cf.OS = "linux"
	cf.Architecture = runtime.GOARCH
	if runtime.GOARCH == "arm" {
		cf.Variant = "v7"
	}
	cf.Created = newest
	cf.Config.Entrypoint = cfg.Entrypoint
	cf.Config.Cmd = cfg.Cmd
	cf.Config.Env = cfg.Env
	if cf.Config.Env == nil {
		cf.Config.Env = defaultEnv
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, nil, err
	}
	return img, cleanup, nil
}

// refNameAnnotation tags an image in an OCI layout.
const refNameAnnotation = "org.opencontainers.image.ref.name"

// ExportOCI writes container id as an image into the OCI image layout dir
// (created when missing, added to when it is a layout already), tagged tag
// (the org.opencontainers.image.ref.name annotation, so that
// "skopeo copy oci:DIR:TAG ..." finds it), replacing an image of that tag.
func (r *Remote) ExportOCI(ctx context.Context, id, dir, tag string, cfg ImageConfig) error {
	img, done, err := r.Image(ctx, id, cfg)
	if err != nil {
		return err
	}
	defer done()
	p, err := layout.FromPath(dir)
	if err != nil {
		if ents, rerr := os.ReadDir(dir); rerr == nil && len(ents) > 0 {
			return fmt.Errorf("exporting to %s: the directory is not empty and not an OCI image layout", dir)
		} else if rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return fmt.Errorf("exporting to %s: %w", dir, rerr)
		}
		if p, err = layout.Write(dir, empty.Index); err != nil {
			return fmt.Errorf("exporting to %s: %w", dir, err)
		}
	}
	if tag == "" {
		err = p.AppendImage(img)
	} else {
		// The image replaces one of the same tag.
		err = p.ReplaceImage(img, match.Annotation(refNameAnnotation, tag),
			layout.WithAnnotations(map[string]string{refNameAnnotation: tag}))
	}
	if err != nil {
		return fmt.Errorf("exporting to %s: %w", dir, err)
	}
	return nil
}

// Push writes container id as an image to the registry reference ref
// (e.g. registry.example.com/team/app:1.0). Credentials come from the
// docker config (~/.docker/config.json and its helpers); registries on
// localhost or a loopback address are spoken to over plain HTTP.
func (r *Remote) Push(ctx context.Context, id, ref string, cfg ImageConfig) error {
	nref, err := parseRef(ref)
	if err != nil {
		return err
	}
	img, done, err := r.Image(ctx, id, cfg)
	if err != nil {
		return err
	}
	defer done()
	err = ggcrremote.Write(nref, img, ggcrremote.WithContext(ctx),
		ggcrremote.WithAuthFromKeychain(authn.DefaultKeychain), ggcrremote.WithUserAgent("plash"))
	if err != nil {
		return fmt.Errorf("pushing %s: %w", ref, oneLine(ctxErr(ctx, err)))
	}
	return nil
}

// fileLayer is a gzip-compressed layer tar kept in a file, with its
// digests computed while it was written.
type fileLayer struct {
	path           string
	digest, diffID v1.Hash
	size           int64
}

func newFileLayer(dir, path string) (*fileLayer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zsum := sha256.New()
	counter := &countWriter{}
	zw, err := gzip.NewWriterLevel(io.MultiWriter(f, zsum, counter), gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	sum := sha256.New()
	if err := WriteLayerTar(dir, io.MultiWriter(zw, sum)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return &fileLayer{
		path:   path,
		digest: v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", zsum.Sum(nil))},
		diffID: v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", sum.Sum(nil))},
		size:   counter.n,
	}, nil
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func (l *fileLayer) Digest() (v1.Hash, error)             { return l.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error)             { return l.diffID, nil }
func (l *fileLayer) Size() (int64, error)                 { return l.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error)  { return types.OCILayer, nil }
func (l *fileLayer) Compressed() (io.ReadCloser, error)   { return os.Open(l.path) }
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) { return gunzipFile(l.path) }

func gunzipFile(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return readCloser{zr, func() error { zr.Close(); return f.Close() }}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }

// parseRef parses an image reference; registries on localhost or a
// loopback address are used over plain HTTP.
func parseRef(ref string) (name.Reference, error) {
	nref, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("bad image reference %q: %v", ref, err)
	}
	if isLoopback(nref.Context().RegistryStr()) {
		nref, err = name.ParseReference(ref, name.Insecure)
		if err != nil {
			return nil, fmt.Errorf("bad image reference %q: %v", ref, err)
		}
	}
	return nref, nil
}
