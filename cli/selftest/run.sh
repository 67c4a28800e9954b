# plash run: exit statuses, build arguments instead of CONTAINER.
plash init >/dev/null
img=$(busybox_image)
can_run "$img"
plash run "$img" sh -c 'exit 42'; expect 42 $?
plash run "$img" no-such-command 2>/dev/null; expect 127 $?
expect /x "$(plash --from "$img" --run 'touch /x' -- ls /x 2>/dev/null)"
