# plash build: layers cached under the original's keys, silent when cached.
plash init >/dev/null
img=$(busybox_image)
can_run "$img"
id=$(plash build -f "$img" --run 'touch /a' --layer --run 'touch /b' 2>err) || fail "build: $(cat err)"
[ "$(grep -c '^--:$' err)" = 2 ] || fail "want two --: lines: $(cat err)"
again=$(plash build -f "$img" --run 'touch /a' --layer --run 'touch /b' 2>err)
expect "$id" "$again"
[ -s err ] && fail "a cached build printed: $(cat err)"
key=$(printf '%s:touch /a\n' "$img" | sha1sum | cut -d' ' -f1)
[ -n "$(plash map "$key")" ] || fail "no map entry $key"
plash run "$id" ls /a /b >/dev/null || fail "the layers' files are missing"
plash build -f "$img" --run false 2>err; expect 1 $?
grep -q 'layer failed: false exited with status 1' err || fail "$(cat err)"
