#!/usr/bin/env bash
# bench/import.sh: plash import-tar of a real root file system (a Debian
# bookworm minbase made by debootstrap, about 200 MB) against GNU tar -xf of
# the same archive into a fresh directory, and plash export-tar of the
# imported container against tar -cf of the extracted tree. Target: at most
# 1.2 times GNU tar's time.
#
# The root file system is made once and cached in $PLASH_BENCH_CACHE
# (default /var/tmp/plash-bench). Both sides work in the same directory:
# a tmpfs when running as root (so the disk's write-back does not drown the
# difference), else $PLASH_BENCH_CACHE/work.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
target=1.2
cache=${PLASH_BENCH_CACHE:-/var/tmp/plash-bench}
tarball=$cache/debian-minbase.tar
runs=${PLASH_BENCH_RUNS:-5}

command -v hyperfine >/dev/null || { skip "import-tar debian minbase" "no hyperfine" $target; skip "export-tar debian minbase" "no hyperfine" $target; exit 0; }

mirror() {
	local m
	m=$(grep -hoE '^URIs: *[^ ]+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1)
	[ -n "$m" ] || m=$(grep -hoE '^deb +[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v security | head -1)
	echo "${m:-http://deb.debian.org/debian}"
}

if [ ! -s "$tarball" ]; then
	if [ "$(id -u)" != 0 ] || ! command -v debootstrap >/dev/null; then
		skip "import-tar debian minbase" "needs root+debootstrap once" $target
		skip "export-tar debian minbase" "needs root+debootstrap once" $target
		exit 0
	fi
	mkdir -p "$cache"
	rm -rf "$cache/rootfs"
	echo "bench/import.sh: debootstrap --variant=minbase bookworm (once)" >&2
	debootstrap --variant=minbase bookworm "$cache/rootfs" "$(mirror)" >"$cache/debootstrap.log" 2>&1 ||
		{ skip "import-tar debian minbase" "debootstrap failed, see $cache/debootstrap.log" $target; exit 0; }
	tar -C "$cache/rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
	rm -rf "$cache/rootfs"
fi

work=$cache/work
mkdir -p "$work"
if [ "$(id -u)" = 0 ]; then
	mount -t tmpfs -o size=3g plash-bench "$work"
	trap 'cd /; umount "$work" 2>/dev/null || umount -l "$work"' EXIT
fi
cp "$tarball" "$work/in.tar"
export PLASH_DATA=$work/data
plash=$(command -v plash)

median_of() { # json file -> median seconds
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$1" 2>/dev/null ||
		grep -o '"median": *[0-9.e-]*' "$1" | head -1 | sed 's/.*: *//'
}
bench() { # PREPARE CMD -> median seconds
	local json; json=$(mktemp)
	hyperfine -N --warmup 1 --runs "$runs" --prepare "$1" --export-json "$json" "$2" >/dev/null 2>&1 || { rm -f "$json"; return 1; }
	median_of "$json"; rm -f "$json"
}

# import-tar against tar -xf
p=$(bench "sh -c '$plash purge --yes >/dev/null 2>&1; $plash init'" "$plash import-tar $work/in.tar")
g=$(bench "sh -c 'rm -rf $work/x; mkdir $work/x'" "tar -C $work/x -xf $work/in.tar")
row "import-tar debian minbase (200 MB)" "$p" "tar -xf" "$g" $target

# a gzip archive (made once) against tar -xzf
[ -s "$tarball.gz" ] || { gzip -c "$tarball" >"$tarball.gz.tmp" && mv "$tarball.gz.tmp" "$tarball.gz"; }
cp "$tarball.gz" "$work/in.tar.gz"
p=$(bench "sh -c '$plash purge --yes >/dev/null 2>&1; $plash init'" "$plash import-tar $work/in.tar.gz")
g=$(bench "sh -c 'rm -rf $work/x; mkdir $work/x'" "tar -C $work/x -xzf $work/in.tar.gz")
row "import-tar debian minbase .tar.gz" "$p" "tar -xzf" "$g" $target
rm -f "$work/in.tar.gz"

# export-tar against tar -cf, of the same tree
$plash purge --yes >/dev/null 2>&1; $plash init
id=$($plash import-tar "$work/in.tar")
rm -rf "$work/x"; mkdir "$work/x"; tar -C "$work/x" -xf "$work/in.tar"
p=$(bench "rm -f $work/out.tar" "$plash export-tar $id $work/out.tar")
g=$(bench "rm -f $work/out.tar" "tar -C $work/x -cf $work/out.tar .")
row "export-tar debian minbase (200 MB)" "$p" "tar -cf" "$g" $target
