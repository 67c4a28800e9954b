# plash init lays out the data directory as the original did.
plash init || fail "plash init"
for d in index map layer tmp mnt config layer/0/_data/root; do
	[ -d "$PLASH_DATA/$d" ] || fail "no $d"
done
[ -L "$PLASH_DATA/index/0" ] || fail "no index/0 link"
