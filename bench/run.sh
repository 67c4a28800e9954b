#!/usr/bin/env bash
# bench/run.sh: the hot path `plash run ID /bin/true` against bwrap and
# unshare+chroot on the same busybox root file system, as root and as the
# unprivileged test user (PLASH_TEST_USER, default plashtest). Median wall
# times from hyperfine; target: plash at most 1.25 times bwrap. The "cpu"
# rows are hyperfine's mean user+system time (children included), which
# a loaded machine disturbs less than the wall time.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
runs=${RUNS:-200}
user=${PLASH_TEST_USER:-plashtest}

# hyper_both RUNS CMD: "MEDIAN_WALL CPU" in seconds of CMD over RUNS runs.
hyper_both() {
	local runs=$1; shift
	local json; json=$(mktemp)
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$json" "$@" >/dev/null 2>&1 || { rm -f "$json"; return 1; }
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["median"], r["user"]+r["system"])' "$json"
	rm -f "$json"
}
export -f hyper_both

for t in hyperfine bwrap unshare; do
	if ! command -v $t >/dev/null; then
		skip "run /bin/true (root)" "no $t" 1.25
		exit 0
	fi
done
if [ "$(id -u)" != 0 ]; then
	skip "run /bin/true" "needs root (to also run as $user)" 1.25
	exit 0
fi

tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
scripts/mkbusybox "$tmp/busybox.tar" >&2
chmod 644 "$tmp/busybox.tar"
plash=$(command -v plash)

# As root, with overlay.
export PLASH_DATA=$tmp/root PLASH_INIT_UNION_TASTE=overlay
plash init
id=$(plash import-tar "$tmp/busybox.tar")
root=$PLASH_DATA/index/$id/_data/root
read -r p pc < <(hyper_both "$runs" "$plash run $id /bin/true")
read -r b bc < <(hyper_both "$runs" "bwrap --bind $root / --dev /dev --proc /proc /bin/true")
read -r u uc < <(hyper_both "$runs" "unshare -m chroot $root /bin/true")
row "run /bin/true (root)" "$p" "bwrap" "$b" 1.25
row "run /bin/true (root)" "$p" "unshare -m chroot" "$u" 2
row "run /bin/true cpu (root)" "$pc" "bwrap" "$bc" 1.25
row "run /bin/true cpu (root)" "$pc" "unshare -m chroot" "$uc" 2

# Unprivileged: a user namespace mapped from /etc/subuid.
if id "$user" >/dev/null 2>&1 && grep -q "^$user:" /etc/subuid && command -v setpriv >/dev/null; then
	as() { setpriv --reuid="$user" --regid="$user" --clear-groups env HOME="$tmp" PLASH_DATA="$tmp/user" PLASH_INIT_UNION_TASTE=overlay "$@"; }
	mkdir "$tmp/user" && chown "$user" "$tmp/user"
	as "$plash" init
	uid=$(as "$plash" import-tar "$tmp/busybox.tar")
	uroot=$tmp/user/index/$uid/_data/root
	read -r p pc < <(as bash -c "hyper_both $runs '$plash run $uid /bin/true'")
	read -r b bc < <(as bash -c "hyper_both $runs 'bwrap --unshare-user --bind $uroot / --dev /dev --proc /proc /bin/true'")
	read -r u uc < <(as bash -c "hyper_both $runs 'unshare -rm chroot $uroot /bin/true'")
	row "run /bin/true (unprivileged)" "$p" "bwrap --unshare-user" "$b" 1.25
	row "run /bin/true (unprivileged)" "$p" "unshare -rm chroot" "$u" 2
	row "run /bin/true cpu (unprivileged)" "$pc" "bwrap --unshare-user" "$bc" 1.25
	row "run /bin/true cpu (unprivileged)" "$pc" "unshare -rm chroot" "$uc" 2
	# bwrap and unshare -r map only the caller; plash also maps the
	# /etc/subuid ranges, with newuidmap and newgidmap. unshare --map-auto
	# (util-linux 2.38) does that mapping too.
	if as unshare --map-auto --map-root-user true 2>/dev/null; then
		read -r a ac < <(as bash -c "hyper_both $runs 'unshare --map-auto --map-root-user -m chroot $uroot /bin/true'")
		row "run /bin/true (unprivileged)" "$p" "unshare --map-auto -rm chroot" "$a" 1.25
		row "run /bin/true cpu (unprivileged)" "$pc" "unshare --map-auto -rm chroot" "$ac" 1.25
	else
		skip "run /bin/true (unprivileged)" "unshare has no --map-auto" 1.25
	fi
else
	skip "run /bin/true (unprivileged)" "no user $user with /etc/subuid range" 1.25
fi
