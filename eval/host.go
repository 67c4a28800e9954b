package eval

import (
	"errors"
	"io"
	"io/fs"
)

// Config is everything an evaluation may reach outside itself. Every field
// is optional: a macro that needs a missing capability fails with an error
// saying so, which is how tests and tools (an editor computing ops) run
// evaluations without side effects.
type Config struct {
	// Files reads files: Plashfiles for eval-file, macro packs for
	// --import, and the trees hash-path hashes. Paths are as the user wrote
	// them (relative paths are relative to the implementation's working
	// directory).
	Files Files
	// Stdin is standard input, for eval-stdin and run-stdin.
	Stdin io.Reader
	// LookupEnv reads a host environment variable, for import-env and for
	// ~ in eval-file paths (HOME).
	LookupEnv func(name string) (string, bool)
	// NewUUID returns a fresh random UUID, for invalidate-layer.
	NewUUID func() string
	// Images resolves the from-* macros to container ids.
	Images Images
	// Dir is the directory relative to which --import FILE is found: the
	// directory of the Plashfile ("" means the working directory).
	Dir string
	// MacroPath lists directories searched for --import NAME (as NAME.star)
	// before the standard library: the colon-separated PLASH_MACRO_PATH.
	MacroPath []string
	// MaxSteps is the Starlark execution-step budget of each call written
	// in the Plashfile (with everything it expands to); 0 means
	// DefaultMaxSteps.
	MaxSteps uint64
}

// DefaultMaxSteps is the default execution-step budget of one call.
const DefaultMaxSteps = 1_000_000

// Files is read access to the host's files.
type Files interface {
	ReadFile(name string) ([]byte, error)
	Stat(name string) (fs.FileInfo, error)
	Lstat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
}

// Images turns the from-* macros into container ids. The runtime
// implements it (importing and caching images; it remembers imports in the
// map under keys like lxc:NAME, url:URL, docker:IMAGE and github:USER%REPO
// so that a second use does not download again); tests use fakes. Each
// method returns the id of the container to start from.
type Images interface {
	// FromID checks a container id given by --from-id (or an all-digit
	// --from) and returns it.
	FromID(id string) (string, error)
	// FromMap returns the container the map key points to, or an error
	// wrapping ErrMapKeyNotFound.
	FromMap(key string) (string, error)
	// FromLXC returns an image from images.linuxcontainers.org.
	FromLXC(name string) (string, error)
	// FromURL returns a root filesystem tarball downloaded from url.
	FromURL(url string) (string, error)
	// FromDocker returns an image from a docker/OCI registry.
	FromDocker(image string) (string, error)
	// FromGitHub builds file (default "plashfile") of a GitHub repository
	// "user/repo" from its default branch.
	FromGitHub(repo, file string) (string, error)
}

// ErrMapKeyNotFound is wrapped by Images.FromMap for an unset key.
var ErrMapKeyNotFound = errors.New("map key not found")

// ErrSourceCycle is what a Files implementation wraps in the error of a
// read it refuses because the same file was read too often (an
// --eval-file cycle): the evaluation then reports it once, not through
// every level of nesting.
var ErrSourceCycle = errors.New("does it evaluate itself (an --eval-file cycle)?")
