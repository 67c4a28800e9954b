package remote

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestEmbeddedKeyring(t *testing.T) {
	t.Setenv(TestKeyringEnv, "")
	el, err := DefaultKeyring()
	if err != nil {
		t.Fatal(err)
	}
	if len(el) != 1 {
		t.Fatalf("embedded keyring has %d keys, want 1", len(el))
	}
	if got := fmt.Sprintf("%X", el[0].PrimaryKey.Fingerprint); got != LXCFingerprint {
		t.Errorf("embedded key fingerprint %s, want %s", got, LXCFingerprint)
	}
}

func TestVerify(t *testing.T) {
	key, ring := testKey(t)
	other, _ := testKey(t)
	el, err := ReadKeyring(ring)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("root file system")
	good := sign(t, key, data)
	if err := Verify(el, bytes.NewReader(data), good); err != nil {
		t.Errorf("good signature: %v", err)
	}
	for _, tc := range []struct {
		name      string
		data, sig []byte
		want      string
	}{
		{"tampered content", []byte("root file systen"), good, "bad signature"},
		{"untrusted key", data, sign(t, other, data), "bad signature: not made by a trusted key"},
		{"not a signature", data, []byte("-----BEGIN PGP SIGNATURE-----\n\ngarbage\n-----END PGP SIGNATURE-----\n"), "bad signature"},
		{"empty", data, nil, "bad signature"},
	} {
		err := Verify(el, bytes.NewReader(tc.data), tc.sig)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line starting %q", tc.name, err, tc.want)
		}
	}
	// The embedded LXC key does not trust the test key.
	t.Setenv(TestKeyringEnv, "")
	lxc, _ := DefaultKeyring()
	if err := Verify(lxc, bytes.NewReader(data), good); err == nil {
		t.Error("the LXC keyring accepted a signature of the test key")
	}
	// The test override replaces the embedded keyring.
	t.Setenv(TestKeyringEnv, ring)
	el2, err := DefaultKeyring()
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(el2, bytes.NewReader(data), good); err != nil {
		t.Errorf("with %s: %v", TestKeyringEnv, err)
	}
}
