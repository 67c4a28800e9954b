#!/usr/bin/env bash
# bench/run.sh: the hot path `plash run ID /bin/true` against bwrap and
# unshare+chroot on the same busybox root file system, as root and as the
# unprivileged test user (PLASH_TEST_USER, default plashtest). Median wall
# times from hyperfine; target: plash at most 1.25 times bwrap.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
runs=${RUNS:-200}
user=${PLASH_TEST_USER:-plashtest}

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
p=$(hyper_median "$runs" "$plash run $id /bin/true")
b=$(hyper_median "$runs" "bwrap --bind $root / --dev /dev --proc /proc /bin/true")
u=$(hyper_median "$runs" "unshare -m chroot $root /bin/true")
row "run /bin/true (root)" "$p" "bwrap" "$b" 1.25
row "run /bin/true (root)" "$p" "unshare -m chroot" "$u" 2

# Unprivileged: a user namespace mapped from /etc/subuid.
if id "$user" >/dev/null 2>&1 && grep -q "^$user:" /etc/subuid && command -v setpriv >/dev/null; then
	as() { setpriv --reuid="$user" --regid="$user" --clear-groups env HOME="$tmp" PLASH_DATA="$tmp/user" PLASH_INIT_UNION_TASTE=overlay "$@"; }
	mkdir "$tmp/user" && chown "$user" "$tmp/user"
	as "$plash" init
	uid=$(as "$plash" import-tar "$tmp/busybox.tar")
	uroot=$tmp/user/index/$uid/_data/root
	p=$(as bash -c ". bench/lib.sh; hyper_median $runs '$plash run $uid /bin/true'")
	b=$(as bash -c ". bench/lib.sh; hyper_median $runs 'bwrap --unshare-user --bind $uroot / --dev /dev --proc /proc /bin/true'")
	u=$(as bash -c ". bench/lib.sh; hyper_median $runs 'unshare -rm chroot $uroot /bin/true'")
	row "run /bin/true (unprivileged)" "$p" "bwrap --unshare-user" "$b" 1.25
	row "run /bin/true (unprivileged)" "$p" "unshare -rm chroot" "$u" 2
else
	skip "run /bin/true (unprivileged)" "no user $user with /etc/subuid range" 1.25
fi
