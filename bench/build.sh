#!/usr/bin/env bash
# bench/build.sh: a fully cached rebuild of a 20-layer Plashfile
# (plash build --eval-file, every layer a cache hit) side by side with the
# cheapest way to enter a container, `unshare -m chroot ROOT /bin/true`,
# measured in one hyperfine run. Target: at most 2 times the baseline (the
# original plash took about 2 s, some 770 times it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
measure="cached rebuild, 20 layers"
peer="unshare -m chroot /bin/true"
if [ "$(id -u)" != 0 ]; then skip "$measure" "needs root (unshare -m)" 2; exit 0; fi
for tool in hyperfine busybox unshare; do
	command -v $tool >/dev/null || { skip "$measure" "no $tool" 2; exit 0; }
done

work=$(mktemp -d /var/tmp/plash-bench-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
export PLASH_DATA=$work/data PLASH_INIT_UNION_TASTE=overlay

# A busybox root file system.
mkdir -p "$work/rootfs/bin" "$work/rootfs/etc" "$work/rootfs/proc" "$work/rootfs/sys" "$work/rootfs/dev" "$work/rootfs/tmp"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
for applet in sh true echo cat ls; do ln -s busybox "$work/rootfs/bin/$applet"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$work/rootfs/etc/passwd"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
plash init >/dev/null
base=$(plash import-tar "$work/rootfs.tar")
root=$(plash nodepath "$base")/_data/root

{
	echo "--from $base"
	for i in $(seq 1 20); do
		printf -- '--run\necho layer %s > /layer%s\n--layer\n' "$i" "$i"
	done
} >"$work/Plashfile"
id=$(plash build --eval-file "$work/Plashfile" 2>/dev/null)
[ "$(plash build --eval-file "$work/Plashfile" 2>&1)" = "$id" ] || { echo "the rebuild is not fully cached" >&2; exit 1; }

json=$work/hyperfine.json
hyperfine -N --warmup 5 --runs "${RUNS:-200}" --export-json "$json" \
	"plash build --eval-file $work/Plashfile" "unshare -m chroot $root /bin/true" >&2
read -r plash_s peer_s < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(r[0]["median"], r[1]["median"])' "$json")
row "$measure" "$plash_s" "$peer" "$peer_s" 2
