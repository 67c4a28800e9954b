//go:build slim

package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/plash-go/plash/runtime/ns"
	"github.com/plash-go/plash/runtime/store"
)

// The slim plash (go build -tags slim, what make builds) leaves out
// runtime/remote, whose dependencies (HTTP, OpenPGP, registries, progress
// bars) cost every plash process their package initialisation. Its remote
// image commands and the images a build imports run the full build of the
// same command, installed as plash-remote, as git runs its curl helpers.
// The commands keep their help (cmd_NAME.go); remembered imports are found
// in the map without the helper.

func runImportLXC(args []string) error    { return delegate("import-lxc", args) }
func runImportURL(args []string) error    { return delegate("import-url", args) }
func runImportDocker(args []string) error { return delegate("import-docker", args) }
func runExportOCI(args []string) error    { return delegate("export-oci", args) }
func runPush(args []string) error         { return delegate("push", args) }

func (storeImages) FromLXC(name string) (string, error) {
	return remoteImage(store.MapKey("lxc", name), "import-lxc", "--", name)
}

func (storeImages) FromURL(url string) (string, error) {
	return remoteImage(store.MapKey("url", url), "import-url", "--", url)
}

func (storeImages) FromDocker(image string) (string, error) {
	return remoteImage(store.MapKey("docker", image), "import-docker", "--", image)
}

// FromGitHub: file "plashfile" is eval's default, the default file of
// the repository (see images.go).
func (storeImages) FromGitHub(repo, file string) (string, error) {
	args := []string{repo}
	if file != "" && file != "plashfile" {
		args = append(args, file)
	}
	return remoteImage(store.MapKey("github", args...), append([]string{"_from-github"}, args...)...)
}

// errNoHelper is the error when plash-remote is missing.
var errNoHelper = errors.New("plash-remote not found next to plash or in PATH: the remote image commands need it (make install installs it)")

// remoteHelper finds plash-remote: next to this executable (symbolic links
// resolved), else in PATH.
func remoteHelper() (string, error) {
	if p, err := sibling("plash-remote"); err == nil {
		return p, nil
	}
	return "", errNoHelper
}

// delegate runs command name of plash-remote with args and the standard
// streams of this plash, and exits with its status.
func delegate(name string, args []string) error {
	path, err := remoteHelper()
	if err != nil {
		return err
	}
	cmd := exec.Command(path, append([]string{name}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	code, err := runHelper(cmd, nil)
	if err != nil {
		return err
	}
	if code != 0 {
		return Exit(code, nil) // plash-remote printed its error
	}
	return nil
}

// remoteImage returns the container the map holds for key, or runs
// plash-remote with args, which imports it and prints its id. The
// helper's error message comes back on descriptor 3 (envErrorFD) to be
// reported by the build, as the error of the macro asking for the image.
func remoteImage(key string, args ...string) (string, error) {
	s, err := store.Open()
	if err != nil {
		return "", err
	}
	if id, ok, err := s.MapGet(key); err != nil {
		return "", err
	} else if ok {
		return id, nil
	}
	path, err := remoteHelper()
	if err != nil {
		return "", err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return "", err
	}
	defer r.Close()
	var out bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, &out, os.Stderr
	cmd.ExtraFiles = []*os.File{w}
	cmd.Env = append(os.Environ(), envErrorFD+"=3")
	msgc := make(chan []byte, 1)
	code, err := runHelper(cmd, func() {
		w.Close()
		go func() {
			b, _ := io.ReadAll(r)
			msgc <- b
		}()
	})
	w.Close()
	if err != nil {
		return "", err
	}
	msg := strings.TrimSpace(string(<-msgc))
	if code != 0 {
		if msg == "" {
			msg = fmt.Sprintf("%s %s failed with status %d", path, strings.Join(args, " "), code)
		}
		return "", errors.New(msg)
	}
	// The id is the last line (a build's output goes to stderr anyway).
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	id := lines[len(lines)-1]
	if err := store.CheckID(id); err != nil {
		return "", fmt.Errorf("reading the id printed by %s %s: %w", path, strings.Join(args, " "), err)
	}
	return id, nil
}

// runHelper runs cmd and returns its exit status (128+N when killed by
// signal N). SIGINT, SIGTERM, SIGHUP and SIGQUIT do not stop this plash:
// they are passed on to the helper (as ns.Wait does for containers), so
// that it stops and cleans up, and its status is this plash's. started,
// when not nil, runs once the helper started.
func runHelper(cmd *exec.Cmd, started func()) (int, error) {
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("running plash-remote: %w", err)
	}
	if started != nil {
		started()
	}
	return ns.Wait(cmd)
}
