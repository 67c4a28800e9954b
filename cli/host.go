package cli

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/plash-go/plash/eval"
	"github.com/plash-go/plash/lang"
	"github.com/plash-go/plash/runtime/store"
)

// evalConfig is what evaluations of the command line reach on the host:
// the files (relative to the working directory), standard input, the
// environment, random ids and the images of the store. dir is where
// --import FILE is found ("" for the working directory).
func evalConfig(dir string) *eval.Config {
	var path []string
	if p := os.Getenv("PLASH_MACRO_PATH"); p != "" {
		path = strings.Split(p, ":")
	}
	return &eval.Config{
		Files:     osFiles{},
		Stdin:     os.Stdin,
		LookupEnv: os.LookupEnv,
		NewUUID:   newUUID,
		Images:    storeImages{},
		Dir:       dir,
		MacroPath: path,
	}
}

// evalArgs evaluates build arguments in the command-line form.
func evalArgs(args []string) ([]eval.Op, error) {
	f, err := lang.ParseArgs(args)
	if err != nil {
		return nil, err
	}
	return eval.Eval(f, evalConfig(""))
}

// evalSource evaluates a source in the file form; name is used in
// positions and its directory is where --import FILE is found.
func evalSource(name string, src []byte) ([]eval.Op, error) {
	f, err := lang.Parse(name, src)
	if err != nil {
		return nil, err
	}
	dir := ""
	if name != lang.StdinName {
		dir = filepath.Dir(name)
	}
	return eval.Eval(f, evalConfig(dir))
}

// osFiles is eval.Files on the real file system.
type osFiles struct{}

func (osFiles) ReadFile(name string) ([]byte, error)       { return os.ReadFile(name) }
func (osFiles) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (osFiles) Lstat(name string) (fs.FileInfo, error)     { return os.Lstat(name) }
func (osFiles) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// storeImages is eval.Images for the command line: ids and map keys from
// the store, the remote sources with runtime/remote (images.go).
type storeImages struct{}

// FromID checks that the container exists when the data directory is set
// up; without one (plash eval before plash init) the id is used as given,
// as the original did, and the build reports it.
func (storeImages) FromID(id string) (string, error) {
	s, err := store.Open()
	if errors.Is(err, store.ErrNotInitialized) {
		return id, nil
	}
	if err != nil {
		return "", err
	}
	if _, err := s.NodePath(id); err != nil {
		return "", err
	}
	return id, nil
}

func (storeImages) FromMap(key string) (string, error) {
	if err := store.CheckMapKey(key); err != nil {
		return "", err
	}
	s, err := store.Open()
	if err != nil {
		return "", err
	}
	id, ok, err := s.MapGet(key)
	if err != nil {
		return "", err
	}
	if !ok || id == "" {
		return "", eval.ErrMapKeyNotFound
	}
	return id, nil
}
