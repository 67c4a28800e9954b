# The errors users see, with their exit statuses.
plash nodepath 1 2>err; expect 1 $?
grep -q 'first run `plash init`' err || fail "uninitialized: $(cat err)"
plash init
plash nodepath x 2>err; expect 2 $?
grep -q "container id must be integer, got 'x'" err || fail "$(cat err)"
plash nodepath 99 2>err; expect 3 $?
grep -q "no container '99'" err || fail "$(cat err)"
plash build --run true 2>err; expect 2 $?
grep -q 'no image specified' err || fail "$(cat err)"
plash eval --no-such-macro 2>err; [ $? != 0 ] || fail "unknown macro accepted"
grep -q "macro 'no-such-macro' not found" err || fail "$(cat err)"
