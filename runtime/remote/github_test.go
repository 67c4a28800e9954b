package remote

import (
	"context"
	"strings"
	"testing"
)

func TestFromGitHub(t *testing.T) {
	fs := &fileServer{files: map[string][]byte{
		"/alice/tools/HEAD/plashfile":   []byte("--from alpine\n--apk git\n"),
		"/bob/app/HEAD/Plashfile":       []byte("--from debian\n"),
		"/bob/app/HEAD/build/plashfile": []byte("--from 1\n"),
	}}
	srv := serve(t, fs)
	t.Setenv("PLASH_GITHUB_URL", srv.URL)
	s := newStore(t)
	// The fake builder makes a container per build and records what it got.
	var built []string
	build := func(ctx context.Context, src []byte, origin string) (string, error) {
		built = append(built, origin+"\n"+string(src))
		dir := t.TempDir() + "/root"
		if err := mkdir(dir); err != nil {
			return "", err
		}
		return s.AddLayer("0", dir)
	}
	r := newRemote(s)
	ctx := context.Background()
	id, err := r.FromGitHub(ctx, "alice/tools", "", build)
	if err != nil {
		t.Fatal(err)
	}
	want := srv.URL + "/alice/tools/HEAD/plashfile\n--from alpine\n--apk git\n"
	if len(built) != 1 || built[0] != want {
		t.Errorf("built %q, want %q", built, want)
	}
	if got, ok, _ := s.MapGet("github:alice%tools"); !ok || got != id {
		t.Errorf("map github:alice%%tools = %q, %v; want %s", got, ok, id)
	}
	n := fs.requests.Load()
	if id2, err := r.FromGitHub(ctx, "alice/tools", "", build); err != nil || id2 != id || len(built) != 1 || fs.requests.Load() != n {
		t.Errorf("second use: %s, %v, %d builds, %d requests", id2, err, len(built), fs.requests.Load()-n)
	}
	// plashfile falls back to Plashfile.
	if _, err := r.FromGitHub(ctx, "bob/app", "", build); err != nil || !strings.HasPrefix(built[1], srv.URL+"/bob/app/HEAD/Plashfile\n") {
		t.Errorf("fallback: %v, %q", err, built)
	}
	// A named file.
	if _, err := r.FromGitHub(ctx, "bob/app", "build/plashfile", build); err != nil {
		t.Error(err)
	}
	if _, ok, _ := s.MapGet("github:bob%app:build%plashfile"); !ok {
		t.Errorf("%s not in the map", "github:bob%app:build%plashfile")
	}

	for _, tc := range []struct{ repo, file, want string }{
		{"carol/none", "", "fetching a Plashfile of carol/none: no plashfile or Plashfile in its default branch (" + srv.URL + "/carol/none/HEAD/Plashfile: HTTP 404 Not Found)"},
		{"bob/app", "nothere", "fetching " + srv.URL + "/bob/app/HEAD/nothere: HTTP 404 Not Found"},
		{"justone", "", `bad GitHub repository "justone": want USER/REPO`},
		{"a/b/c", "", `bad GitHub repository "a/b/c": want USER/REPO`},
	} {
		s2 := newStore(t)
		_, err := newRemote(s2).FromGitHub(ctx, tc.repo, tc.file, build)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s %s: got %v\nwant %s", tc.repo, tc.file, err, tc.want)
		}
		assertNothingLeft(t, s2)
	}
	// Without a builder the fetch happens and the error says why.
	s3 := newStore(t)
	_, err = newRemote(s3).FromGitHub(ctx, "alice/tools", "", nil)
	if err == nil || err.Error() != "building "+srv.URL+"/alice/tools/HEAD/plashfile: plash has no builder yet" {
		t.Errorf("no builder: %v", err)
	}
}
