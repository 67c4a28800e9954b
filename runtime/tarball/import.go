package tarball

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/plash-go/plash/runtime/store"
	"golang.org/x/sys/unix"
)

// Import extracts the archive r into a new container on top of the empty
// root container and returns its id. On any error no container and no
// temporary directory are left behind.
func Import(s *store.Store, r io.Reader) (id string, err error) {
	return ImportWith(s, r, Options{})
}

// ImportWith is Import with extraction options.
func ImportWith(s *store.Store, r io.Reader, opts Options) (id string, err error) {
	node, err := s.TempDir("import")
	if err != nil {
		return "", err
	}
	defer s.RemoveTemp(node)
	root := filepath.Join(node, "_data", "root")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	if err := Extract(root, r, opts); err != nil {
		return "", err
	}
	if err := EmptyResolvConf(root); err != nil {
		return "", err
	}
	return s.Publish("0", node)
}

// EmptyResolvConf makes /etc/resolv.conf of the root file system an empty
// regular file (whatever it was: a link into /run, a file with the
// builder's name servers), so that the host's can be mounted over it.
func EmptyResolvConf(root string) error {
	x, err := newExtractor(root, Options{})
	if err != nil {
		return err
	}
	defer x.close()
	efd, err := x.dir("etc", true)
	if err != nil {
		return fmt.Errorf("making /etc/resolv.conf: %w", err)
	}
	if err := x.remove(efd, "resolv.conf"); err != nil {
		return fmt.Errorf("making /etc/resolv.conf: %w", &os.PathError{Op: "remove", Path: "/etc/resolv.conf", Err: err})
	}
	fd, err := unix.Openat(efd, "resolv.conf", unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return fmt.Errorf("making /etc/resolv.conf: %w", &os.PathError{Op: "create", Path: "/etc/resolv.conf", Err: err})
	}
	unix.Fchmod(fd, 0o644)
	return unix.Close(fd)
}
