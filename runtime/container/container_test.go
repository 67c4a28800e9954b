package container

import (
	"reflect"
	"strings"
	"testing"
)

func TestIsAssignment(t *testing.T) {
	for w, want := range map[string]bool{
		"A=1": true, "_x=": true, "ab_9=v=w": true,
		"=x": false, "9a=1": false, "a-b=1": false, "ls": false, "/bin/a=b": false,
	} {
		if got := isAssignment(w); got != want {
			t.Errorf("isAssignment(%q) = %v, want %v", w, got, want)
		}
	}
}

func TestShellOf(t *testing.T) {
	passwd := "daemon:x:1:1::/:/usr/sbin/nologin\nroot:x:0:0:root:/root:/bin/ash\nbad line\n"
	if sh := shellOf(strings.NewReader(passwd), "0"); sh != "/bin/ash" {
		t.Fatalf("shellOf root = %q", sh)
	}
	if sh := shellOf(strings.NewReader(passwd), "7"); sh != "" {
		t.Fatalf("shellOf missing user = %q", sh)
	}
}

func TestHostEnv(t *testing.T) {
	t.Setenv("TERM", "vt100")
	t.Setenv("DISPLAY", "")
	t.Setenv("SECRET", "s")
	t.Setenv("FOO", "f")
	t.Setenv("PLASH_EXPORT", "FOO::UNSET_VAR:TERM")
	env, exports := hostEnv()
	if got := strings.Join(env, " "); strings.Contains(got, "SECRET") || !strings.Contains(got, "TERM=vt100") || !strings.Contains(got, "FOO=f") || !strings.Contains(got, "DISPLAY=") {
		t.Errorf("env = %q", got)
	}
	if !reflect.DeepEqual(exports, []string{"FOO=f", "TERM=vt100"}) {
		t.Errorf("exports = %q, want FOO and TERM", exports)
	}
	if strings.Count(strings.Join(env, " "), "TERM=") != 1 {
		t.Errorf("TERM twice in %q", env)
	}
}
