package remote

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// DefaultGitHubURL serves the raw files of GitHub repositories.
const DefaultGitHubURL = "https://raw.githubusercontent.com"

// GitHubURL returns $PLASH_GITHUB_URL or DefaultGitHubURL.
func GitHubURL() string {
	if u := os.Getenv("PLASH_GITHUB_URL"); u != "" {
		return u
	}
	return DefaultGitHubURL
}

// maxPlashfile bounds the size of a fetched Plashfile.
const maxPlashfile = 8 << 20

// Builder builds Plashfile text and returns the id of the container it
// makes. origin names the file in messages. runtime/build provides it.
type Builder func(ctx context.Context, src []byte, origin string) (string, error)

// FetchGitHub returns the content of file in the default branch (HEAD) of
// the GitHub repository userRepo ("USER/REPO"), and the URL it came from.
// An empty file means "plashfile", falling back to "Plashfile".
func (r *Remote) FetchGitHub(ctx context.Context, userRepo, file string) ([]byte, string, error) {
	user, repo, ok := strings.Cut(userRepo, "/")
	if !ok || user == "" || repo == "" || strings.Contains(repo, "/") || user == ".." || repo == ".." || user == "." || repo == "." {
		return nil, "", fmt.Errorf("bad GitHub repository %q: want USER/REPO", userRepo)
	}
	files := []string{file}
	if file == "" {
		files = []string{"plashfile", "Plashfile"}
	}
	var err error
	var u string
	for _, f := range files {
		u = joinURL(GitHubURL(), user, repo, "HEAD", f)
		var b []byte
		b, err = r.Fetch.Get(ctx, u, maxPlashfile)
		if err == nil {
			return b, u, nil
		}
		err = ctxErr(ctx, err)
		if !IsNotFound(err) {
			break
		}
	}
	if IsNotFound(err) && file == "" {
		return nil, "", fmt.Errorf("fetching a Plashfile of %s: no plashfile or Plashfile in its default branch (%s: %v)", userRepo, u, err)
	}
	return nil, "", fmt.Errorf("fetching %s: %w", u, err)
}

// FromGitHub fetches a Plashfile from a GitHub repository (see
// FetchGitHub) and builds it with build, remembered in the map as
// github:USER%REPO (github:USER%REPO:FILE when file is given).
func (r *Remote) FromGitHub(ctx context.Context, userRepo, file string, build Builder) (string, error) {
	args := []string{userRepo}
	if file != "" {
		args = append(args, file)
	}
	return r.cached(MapKey("github", args...), func() (string, error) {
		src, origin, err := r.FetchGitHub(ctx, userRepo, file)
		if err != nil {
			return "", err
		}
		if build == nil {
			return "", fmt.Errorf("building %s: plash has no builder yet", origin)
		}
		id, err := build(ctx, src, origin)
		if err != nil {
			return "", fmt.Errorf("building %s: %w", origin, err)
		}
		return id, nil
	})
}
