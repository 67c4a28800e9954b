# Executable Plashfiles with plash-exec.
command -v plash-exec >/dev/null || skip "plash-exec is not installed"
plash init >/dev/null
img=$(busybox_image)
can_run "$img"
printf '#!/usr/bin/env plash-exec\n--from %s\n--entrypoint-script\necho "args: $*"\nexit 5\n' "$img" > prog
chmod 755 prog
out=$(./prog a b 2>/dev/null); expect 5 $?
expect "args: a b" "$out"
