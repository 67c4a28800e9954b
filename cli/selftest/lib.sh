# Helpers for the self-test scripts (sourced by each). Each script runs in
# a fresh temporary directory with its own PLASH_DATA; exit 0 passes, 77
# skips, anything else fails.

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# expect WANT GOT: compare two strings.
expect() { [ "$1" = "$2" ] || fail "want '$1', got '$2'"; }

# busybox_image: import a busybox root file system made from the host's
# busybox and print its id; skip when there is none.
busybox_image() {
	bb=$(command -v busybox) || skip "no busybox on this host"
	mkdir -p rootfs/bin rootfs/etc rootfs/tmp rootfs/proc rootfs/sys rootfs/dev rootfs/root rootfs/home
	cp "$bb" rootfs/bin/busybox
	for a in $(./rootfs/bin/busybox --list); do [ -e rootfs/bin/$a ] || ln -s busybox rootfs/bin/$a; done
	echo 'root:x:0:0:root:/root:/bin/sh' > rootfs/etc/passwd
	echo 'export PATH=/bin' > rootfs/etc/profile
	tar -C rootfs -cf rootfs.tar . || fail "making the root file system"
	plash import-tar rootfs.tar || fail "plash import-tar"
}

# can_run ID: skip unless containers can run here.
can_run() {
	plash run "$1" true 2>run.err || skip "containers can not run here: $(cat run.err)"
}
