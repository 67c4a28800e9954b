package remote

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// DefaultLXCURL is the image server LXC's download template uses.
const DefaultLXCURL = "https://images.linuxcontainers.org"

// LXCURL returns the LXC image server: $PLASH_LXC_URL or DefaultLXCURL.
func LXCURL() string {
	if u := os.Getenv("PLASH_LXC_URL"); u != "" {
		return u
	}
	return DefaultLXCURL
}

// lxcIndexPath is the index LXC's download template reads: one line per
// image, "distribution;release;architecture;variant;build;path".
const lxcIndexPath = "meta/1.0/index-system"

// LXCImage is one line of the LXC image index.
type LXCImage struct {
	Dist, Release, Arch, Variant, Build string
	Path                                string // directory of rootfs.tar.xz, relative to the server
}

// ParseLXCIndex parses the content of meta/1.0/index-system. As LXC's
// download template does, lines without the six fields are skipped; an
// index with no image at all is an error.
func ParseLXCIndex(b []byte) ([]LXCImage, error) {
	var imgs []LXCImage
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Split(strings.TrimSpace(sc.Text()), ";")
		if len(f) < 6 || f[0] == "" || f[1] == "" || f[4] == "" || f[5] == "" {
			continue
		}
		imgs = append(imgs, LXCImage{Dist: f[0], Release: f[1], Arch: f[2], Variant: f[3], Build: f[4], Path: f[5]})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(imgs) == 0 {
		return nil, fmt.Errorf("no images in it (want lines distribution;release;arch;variant;build;path)")
	}
	return imgs, nil
}

// LXCArch is the LXC name of the host architecture (amd64, arm64, armhf,
// i386, ppc64el, s390x, riscv64).
func LXCArch() string {
	switch runtime.GOARCH {
	case "arm":
		return "armhf"
	case "386":
		return "i386"
	case "ppc64le":
		return "ppc64el"
	}
	return runtime.GOARCH
}

// LXCNames maps the names plash accepts to images of arch, variant
// "default", newest build first:
//
//	DIST:RELEASE  e.g. debian:bookworm, alpine:3.20
//	DIST          the newest stable release of DIST (alpine, ubuntu, ...)
//	RELEASE       a release code name that only one distribution uses
//	              (bookworm, noble)
func LXCNames(imgs []LXCImage, arch string) map[string]LXCImage {
	names := map[string]LXCImage{}
	releases := map[string][]string{} // dist -> releases
	for _, img := range imgs {
		if img.Arch != arch || img.Variant != "default" {
			continue
		}
		key := img.Dist + ":" + img.Release
		if old, ok := names[key]; ok {
			if old.Build >= img.Build {
				continue
			}
		} else {
			releases[img.Dist] = append(releases[img.Dist], img.Release)
		}
		names[key] = img
	}
	codenames := map[string][]string{}
	for dist, rels := range releases {
		names[dist] = names[dist+":"+newestRelease(dist, rels)]
		for _, r := range rels {
			if isCodename(r) {
				codenames[r] = append(codenames[r], dist)
			}
		}
	}
	for r, dists := range codenames {
		if _, taken := names[r]; len(dists) == 1 && !taken {
			names[r] = names[dists[0]+":"+r]
		}
	}
	return names
}

// isCodename is true for release names like bookworm or noble, not for
// numbers or moving targets like current, edge and sid.
func isCodename(r string) bool {
	return r != "" && r[0] >= 'a' && r[0] <= 'z' && !unstable[r] && r != "current"
}

// unstable releases are never the default release of a distribution.
var unstable = map[string]bool{"edge": true, "sid": true, "rawhide": true, "tumbleweed": true, "devel": true, "testing": true, "unstable": true}

// debianOrder lists Debian's code names, oldest first.
var debianOrder = strings.Fields("buzz rex bo hamm slink potato woody sarge etch lenny squeeze wheezy jessie stretch buster bullseye bookworm trixie forky duke")

// newestRelease picks the newest stable release of a distribution: numeric
// versions by number, Debian code names by release order, Ubuntu code names
// alphabetically from focal (20.04) on, wrapping after z.
func newestRelease(dist string, rels []string) string {
	cands := make([]string, 0, len(rels))
	for _, r := range rels {
		if !unstable[r] {
			cands = append(cands, r)
		}
	}
	if len(cands) == 0 {
		cands = append(cands, rels...)
	}
	sort.Slice(cands, func(i, j int) bool { return releaseLess(dist, cands[i], cands[j]) })
	return cands[len(cands)-1]
}

func releaseLess(dist, a, b string) bool {
	va, oka := versionNumbers(a)
	vb, okb := versionNumbers(b)
	switch {
	case oka && okb:
		for i := 0; i < len(va) && i < len(vb); i++ {
			if va[i] != vb[i] {
				return va[i] < vb[i]
			}
		}
		return len(va) < len(vb)
	case oka != okb:
		return !oka // numbered releases count as newer than named ones (e.g. "current")
	}
	switch dist {
	case "debian":
		ia, ib := indexOf(debianOrder, a), indexOf(debianOrder, b)
		if ia >= 0 && ib >= 0 {
			return ia < ib
		}
	case "ubuntu":
		return ubuntuRank(a) < ubuntuRank(b)
	}
	return a < b
}

func ubuntuRank(r string) int {
	return (int(r[0]-'a') - int('f'-'a') + 26) % 26
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// versionNumbers parses "3.20" or "24.04" or "9"; an x counts as 0 (as in
// "3.x").
func versionNumbers(s string) ([]int, bool) {
	var out []int
	for _, p := range strings.Split(s, ".") {
		if p == "x" {
			out = append(out, 0)
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// sortedNames returns the keys of names, sorted.
func sortedNames(names map[string]LXCImage) []string {
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ResolveLXC finds name in the index for arch, or returns an error listing
// the names that exist (those of the same distribution when the distribution
// is known).
func ResolveLXC(imgs []LXCImage, arch, name string) (LXCImage, error) {
	names := LXCNames(imgs, arch)
	if img, ok := names[name]; ok {
		return img, nil
	}
	if len(names) == 0 {
		return LXCImage{}, fmt.Errorf("no LXC images for architecture %s", arch)
	}
	all := sortedNames(names)
	if dist, rel, ok := strings.Cut(name, ":"); ok {
		var same []string
		for _, n := range all {
			if strings.HasPrefix(n, dist+":") {
				same = append(same, n)
			}
		}
		if len(same) > 0 {
			return LXCImage{}, fmt.Errorf("no LXC image %q: %s has no release %q for %s; available: %s", name, dist, rel, arch, strings.Join(same, " "))
		}
	}
	return LXCImage{}, fmt.Errorf("no LXC image %q for %s; available: %s", name, arch, strings.Join(all, " "))
}

// maxIndex bounds the size of the LXC index (the real one is about 50 KB).
const maxIndex = 16 << 20

// ImportLXC imports the image name (alpine, debian:bookworm, ubuntu, ...)
// of the LXC image server (LXCURL) for the host's architecture, remembered
// in the map as lxc:NAME. The signatures of the index and of the rootfs
// are always verified, against the embedded LXC signing key.
func (r *Remote) ImportLXC(ctx context.Context, name string) (string, error) {
	return r.cached(MapKey("lxc", name), func() (string, error) {
		base := LXCURL()
		idxURL := joinURL(base, lxcIndexPath)
		idx, err := r.Fetch.Get(ctx, idxURL, maxIndex)
		if err != nil {
			return "", fmt.Errorf("reading the LXC image index %s: %w", idxURL, ctxErr(ctx, err))
		}
		// The index is signed too (LXC's download template checks it):
		// it decides which build of which release is fetched.
		sig, err := r.Fetch.Get(ctx, idxURL+".asc", maxSignature)
		if err != nil {
			return "", fmt.Errorf("reading the signature of the LXC image index %s.asc: %w", idxURL, ctxErr(ctx, err))
		}
		keyring, err := r.keyring()
		if err != nil {
			return "", err
		}
		if err := Verify(keyring, bytes.NewReader(idx), sig); err != nil {
			return "", fmt.Errorf("reading the LXC image index %s: %w", idxURL, err)
		}
		imgs, err := ParseLXCIndex(idx)
		if err != nil {
			return "", fmt.Errorf("reading the LXC image index %s: %w", idxURL, err)
		}
		img, err := ResolveLXC(imgs, LXCArch(), name)
		if err != nil {
			return "", err
		}
		rootfs := joinURL(base, img.Path, "rootfs.tar.xz")
		r.logf("%s is %s %s (%s, build %s)", name, img.Dist, img.Release, img.Arch, img.Build)
		id, err := r.importURL(ctx, rootfs, rootfs+".asc")
		if err != nil {
			return "", fmt.Errorf("importing %s from %s: %w", name, rootfs, ctxErr(ctx, err))
		}
		return id, nil
	})
}
