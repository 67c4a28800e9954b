package remote

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
)

// lxcKeyring is the public keyring of the LXC image-signing key
// (fingerprint E7FB0CAEC8173D669066514CBAEFF88C22F6E216), the key that signs
// every rootfs of images.linuxcontainers.org.
//
//go:embed lxc-trusted-keyring.gpg
var lxcKeyring []byte

// LXCFingerprint is the fingerprint of the embedded LXC image-signing key.
const LXCFingerprint = "E7FB0CAEC8173D669066514CBAEFF88C22F6E216"

// TestKeyringEnv names the environment variable that replaces the embedded
// keyring with the OpenPGP keyring file it names (binary or armored). Only
// tests set it, to verify signatures made with a key they generated; a
// signature is verified in every case.
const TestKeyringEnv = "PLASH_TEST_KEYRING"

// DefaultKeyring returns the keyring signatures are checked against: the
// embedded LXC signing key, or the file named by $PLASH_TEST_KEYRING.
func DefaultKeyring() (openpgp.EntityList, error) {
	if path := os.Getenv(TestKeyringEnv); path != "" {
		return ReadKeyring(path)
	}
	return parseKeyring(lxcKeyring)
}

// ReadKeyring reads an OpenPGP public keyring file, binary or armored.
func ReadKeyring(path string) (openpgp.EntityList, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading keyring: %w", err)
	}
	el, err := parseKeyring(b)
	if err != nil {
		return nil, fmt.Errorf("reading keyring %s: %w", path, err)
	}
	return el, nil
}

func parseKeyring(b []byte) (openpgp.EntityList, error) {
	var el openpgp.EntityList
	var err error
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("-----BEGIN")) {
		el, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(b))
	} else {
		el, err = openpgp.ReadKeyRing(bytes.NewReader(b))
	}
	if err == nil && len(el) == 0 {
		err = errors.New("no keys in keyring")
	}
	return el, err
}

// maxSignature bounds the size of a detached signature we read.
const maxSignature = 64 << 10

// Verify checks that sig (a detached OpenPGP signature, armored or binary)
// signs the content of signed with a key of keyring. It returns a one-line
// error naming what is wrong.
func Verify(keyring openpgp.EntityList, signed io.Reader, sig []byte) error {
	var r io.Reader = bytes.NewReader(sig)
	if bytes.HasPrefix(bytes.TrimSpace(sig), []byte("-----BEGIN")) {
		block, err := armor.Decode(bytes.NewReader(bytes.TrimSpace(sig)))
		if err != nil {
			return fmt.Errorf("bad signature: not an OpenPGP signature: %v", err)
		}
		r = block.Body
	}
	if _, err := openpgp.CheckDetachedSignature(keyring, signed, r, nil); err != nil {
		var se pgperrors.SignatureError
		switch {
		case errors.Is(err, pgperrors.ErrUnknownIssuer) || errors.Is(err, pgperrors.ErrKeyIncorrect):
			return errors.New("bad signature: not made by a trusted key")
		case errors.As(err, &se):
			return errors.New("bad signature: the content does not match it (changed or truncated)")
		}
		return fmt.Errorf("bad signature: %v", err)
	}
	return nil
}
