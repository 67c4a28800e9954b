package container

import (
	"errors"
	"io"
	"os"

	"github.com/plash-go/plash/runtime/store"
	"github.com/plash-go/plash/runtime/union"
)

// CreateFrom is Create with the command's standard input read from stdin
// (nil: plash's own): a build feeds each layer's script to "sh -l" this
// way, as the original did.
func CreateFrom(s *store.Store, parent string, cmd []string, stdin io.Reader, stdout, stderr io.Writer) (string, error) {
	if os.Geteuid() != 0 {
		return "", errNeedRoot
	}
	o := Options{Container: parent, Mounts: CreateMounts(), Cmd: cmd, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	var p prepared
	if err := p.prepare(s, o); err != nil {
		return "", err
	}
	dir, err := s.TempDir("create")
	if err != nil {
		return "", err
	}
	defer s.RemoveTemp(dir)
	p.changes = dir
	var id string
	code, err := p.run(s, o, func() error {
		var err error
		id, err = s.AddLayer(parent, union.Upper(dir))
		return err
	})
	var se *StartError
	if errors.As(err, &se) {
		// The command could not start (no /bin/sh): a failed build.
		return "", &BuildError{Code: code, Err: err}
	}
	if err != nil {
		return "", err
	}
	if code != 0 {
		return "", &BuildError{Code: code}
	}
	return id, nil
}
