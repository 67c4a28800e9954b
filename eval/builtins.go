package eval

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// builtins are the macros written in Go: those that touch the host
// (through Config) or change the macro table.
func builtins() []*Macro {
	ms := []*Macro{
		{Name: "import", Doc: "import macro packs: FILE.star relative to the Plashfile, or NAME from PLASH_MACRO_PATH or the standard library", MinArgs: 1, MaxArgs: -1, builtin: biImport},
		{Name: "reset-imports", Doc: "forget the imported macros, keeping the built-in ones", builtin: biResetImports},
		{Name: "eval-file", Doc: "evaluate a file's content as macros", MinArgs: 1, MaxArgs: 1, builtin: biEvalFile},
		{Name: "eval-string", Doc: "evaluate macros passed as a string (split like a shell does)", MinArgs: 1, MaxArgs: 1, builtin: biEvalString},
		{Name: "eval-stdin", Doc: "evaluate macros read from standard input", builtin: biEvalStdin},
		{Name: "run-stdin", Doc: "run shell text read from standard input", builtin: biRunStdin},
		{Name: "import-env", Doc: "import environment variables from the host: VAR or VAR:NAME", MaxArgs: -1, builtin: biImportEnv},
		{Name: "hash-path", Doc: "rebuild when anything under the paths changes (content, new files, permissions)", MinArgs: 1, MaxArgs: -1, builtin: biHashPath},
		{Name: "invalidate-layer", Doc: "invalidate the cache of the current layer", builtin: biInvalidateLayer},
		{Name: "from", Doc: "use an image: an id when all digits, else an image from images.linuxcontainers.org", MinArgs: 1, MaxArgs: 1, builtin: biFrom},
		{Name: "from-id", Doc: "use the container with this id as image", MinArgs: 1, MaxArgs: 1, builtin: biFromID},
		{Name: "from-map", Doc: "use the container a map key points to", MinArgs: 1, MaxArgs: 1, builtin: biFromMap},
		{Name: "from-lxc", Doc: "use an image from images.linuxcontainers.org", MinArgs: 1, MaxArgs: 1, builtin: imageMacro(func(im Images, a []string) (string, error) { return im.FromLXC(a[0]) })},
		{Name: "from-url", Doc: "import a root filesystem tarball from a URL", MinArgs: 1, MaxArgs: 1, builtin: imageMacro(func(im Images, a []string) (string, error) { return im.FromURL(a[0]) })},
		{Name: "from-docker", Doc: "use an image from a docker registry", MinArgs: 1, MaxArgs: 1, builtin: imageMacro(func(im Images, a []string) (string, error) { return im.FromDocker(a[0]) })},
		{Name: "from-github", Doc: "build and use a file (default plashfile) from a GitHub repository USER/REPO", MinArgs: 1, MaxArgs: 2, builtin: imageMacro(func(im Images, a []string) (string, error) {
			file := "plashfile"
			if len(a) > 1 {
				file = a[1]
			}
			return im.FromGitHub(a[0], file)
		})},
	}
	for _, m := range ms {
		m.Pack = "builtin"
	}
	return ms
}

func biImport(x *expander, args []string) ([]Op, error) {
	for _, ref := range args {
		p, err := x.importPack(ref)
		if err != nil {
			return nil, err
		}
		for _, m := range p.macros {
			x.table.set(m)
		}
	}
	return nil, nil
}

func biResetImports(x *expander, args []string) ([]Op, error) {
	x.table = x.base.share()
	return nil, nil
}

// expandHome expands a leading ~ with $HOME.
func (x *expander) expandHome(name string) (string, error) {
	if name == "~" || strings.HasPrefix(name, "~/") {
		home, ok := x.lookupEnv("HOME")
		if !ok || home == "" {
			return "", fmt.Errorf("expanding %s: HOME is not set", name)
		}
		name = home + name[1:]
	}
	return name, nil
}

// readFile reads a file through the host.
func (x *expander) readFile(name string) ([]byte, error) {
	if x.cfg.Files == nil {
		return nil, fmt.Errorf("reading %s: no file access", name)
	}
	return x.cfg.Files.ReadFile(name)
}

func (x *expander) lookupEnv(name string) (string, bool) {
	if x.cfg.LookupEnv == nil {
		return "", false
	}
	return x.cfg.LookupEnv(name)
}

func (x *expander) readStdin() ([]byte, error) {
	if x.cfg.Stdin == nil {
		return nil, errors.New("no standard input available")
	}
	b, err := io.ReadAll(x.cfg.Stdin)
	if err != nil {
		return nil, fmt.Errorf("reading standard input: %w", err)
	}
	return b, nil
}

func biEvalFile(x *expander, args []string) ([]Op, error) {
	name, err := x.expandHome(args[0])
	if err != nil {
		return nil, err
	}
	src, err := x.readFile(name)
	if errors.Is(err, ErrSourceCycle) {
		x.tooDeep = err // one clear error, as for nesting too deep
	}
	if err != nil {
		return nil, err
	}
	return x.nested(args[0], filepath.Dir(name), src)
}

func biEvalString(x *expander, args []string) ([]Op, error) {
	words, err := Split(args[0])
	if err != nil {
		return nil, fmt.Errorf("splitting %q: %v", args[0], err)
	}
	// As the original: the words become the lines of a Plashfile.
	return x.nested("<eval-string>", x.dir, []byte(strings.Join(words, "\n")))
}

func biEvalStdin(x *expander, args []string) ([]Op, error) {
	src, err := x.readStdin()
	if err != nil {
		return nil, err
	}
	return x.nested("<stdin>", x.dir, src)
}

func biRunStdin(x *expander, args []string) ([]Op, error) {
	src, err := x.readStdin()
	if err != nil {
		return nil, err
	}
	return []Op{x.newOp(Op{Kind: Run, Text: string(src)})}, nil
}

func biImportEnv(x *expander, args []string) ([]Op, error) {
	var ops []Op
	for _, spec := range args {
		name, as, ok := strings.Cut(spec, ":")
		if !ok {
			as = name
		}
		if !validName(as) {
			return nil, fmt.Errorf("invalid variable name %q", as)
		}
		v, ok := x.lookupEnv(name)
		if !ok {
			continue
		}
		ops = append(ops, x.newOp(Op{Kind: Env, Name: as, Value: v}))
	}
	if len(ops) == 0 {
		// The original joined no lines into one empty chunk.
		ops = append(ops, x.newOp(Op{Kind: Run}))
	}
	return ops, nil
}

func biInvalidateLayer(x *expander, args []string) ([]Op, error) {
	if x.cfg.NewUUID == nil {
		return nil, errors.New("no source of random ids available")
	}
	return []Op{x.newOp(Op{Kind: Run, Text: ": invalidate cache with " + x.cfg.NewUUID()})}, nil
}

// biHashPath hashes, as the original did, every file under the paths in
// sorted order: its path as written, its permission bits as Python's
// oct() printed them, and the sha1 of its content.
func biHashPath(x *expander, args []string) ([]Op, error) {
	if x.cfg.Files == nil {
		return nil, errors.New("no file access")
	}
	fsys := x.cfg.Files
	var files []string
	var walk func(dir string) error
	walk = func(dir string) error {
		entries, err := fsys.ReadDir(dir)
		if err != nil {
			return err
		}
		var subdirs []string
		for _, e := range entries {
			p := dir + "/" + e.Name()
			isDir := e.IsDir()
			if e.Type()&fs.ModeSymlink != 0 {
				// Like os.walk: a link to a directory is neither a file
				// nor followed.
				if fi, err := fsys.Stat(p); err == nil && fi.IsDir() {
					continue
				}
			}
			if isDir {
				subdirs = append(subdirs, pyJoin(dir, e.Name()))
			} else {
				files = append(files, p)
			}
		}
		for _, d := range subdirs {
			if err := walk(d); err != nil {
				return err
			}
		}
		return nil
	}
	for _, p := range args {
		if fi, err := fsys.Stat(p); err == nil && fi.IsDir() {
			if err := walk(p); err != nil {
				return nil, err
			}
		} else {
			files = append(files, p)
		}
	}
	sort.Strings(files)
	h := sha1.New()
	for _, name := range files {
		fi, err := fsys.Lstat(name)
		if err != nil {
			return nil, err
		}
		data, err := fsys.ReadFile(name)
		if err != nil {
			return nil, err
		}
		sum := sha1.Sum(data)
		io.WriteString(h, name)
		io.WriteString(h, pyOctMode(fi.Mode()))
		io.WriteString(h, hex.EncodeToString(sum[:]))
	}
	return []Op{x.newOp(Op{Kind: Run, Text: ": hash: " + hex.EncodeToString(h.Sum(nil))})}, nil
}

// pyJoin is Python's os.path.join of two parts.
func pyJoin(a, b string) string {
	if a == "" || strings.HasSuffix(a, "/") {
		return a + b
	}
	return a + "/" + b
}

// pyOctMode is Python's oct(stat.S_IMODE(mode)): "0o644", "0o4755", "0o0"
// printed as "0o0".
func pyOctMode(m fs.FileMode) string {
	bits := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		bits |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		bits |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		bits |= 0o1000
	}
	return fmt.Sprintf("0o%o", bits)
}

// imageMacro is a from-* macro: the id Images gives, as an image op.
func imageMacro(get func(Images, []string) (string, error)) func(*expander, []string) ([]Op, error) {
	return func(x *expander, args []string) ([]Op, error) {
		if x.cfg.Images == nil {
			return nil, errors.New("image sources are not available here")
		}
		id, err := get(x.cfg.Images, args)
		if err != nil {
			return nil, err
		}
		return []Op{x.newOp(Op{Kind: Image, Value: id})}, nil
	}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func biFrom(x *expander, args []string) ([]Op, error) {
	if allDigits(args[0]) {
		return biFromID(x, args)
	}
	return imageMacro(func(im Images, a []string) (string, error) { return im.FromLXC(a[0]) })(x, args)
}

// biFromID is --from-id. Without image sources the id is used as given,
// as the original did.
func biFromID(x *expander, args []string) ([]Op, error) {
	if x.cfg.Images == nil {
		return []Op{x.newOp(Op{Kind: Image, Value: args[0]})}, nil
	}
	return imageMacro(func(im Images, a []string) (string, error) { return im.FromID(a[0]) })(x, args)
}

func biFromMap(x *expander, args []string) ([]Op, error) {
	ops, err := imageMacro(func(im Images, a []string) (string, error) { return im.FromMap(a[0]) })(x, args)
	if errors.Is(err, ErrMapKeyNotFound) {
		return nil, &mapKeyError{key: args[0], err: err}
	}
	return ops, err
}
