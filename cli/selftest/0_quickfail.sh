# plash runs at all: version, help, an unknown command.
plash --version >/dev/null || fail "plash --version"
plash help | grep -q '^build ' || fail "plash help does not list build"
plash no-such-command 2>err; expect 2 $?
grep -q 'no such command: no-such-command' err || fail "message: $(cat err)"
