#!/usr/bin/env bash
# bench/eval.sh: the macro evaluator as whole processes.
#   - `plash eval --run x` against a budget of 15 ms (loading the standard
#     library must not dominate start-up) and against `plash version` (the
#     bare start-up of the same binary; target at most 1.5 times);
#   - `plash eval --eval-file` of a 10,000-call Plashfile against a budget
#     of 50 ms (the in-process figure is BenchmarkEval10k in eval/).
# A budget row has the peer "budget" with the budget's seconds and target
# 1, so that its ratio is the fraction of the budget used. On a busy machine
# the wall clock says more about the neighbours than about plash, so the
# 10k-call row is also given as CPU time (user + system, mean).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
runs=${PLASH_BENCH_RUNS:-30}

command -v hyperfine >/dev/null || {
	skip "eval --run x" "no hyperfine" 1
	skip "eval 10k-call Plashfile" "no hyperfine" 1
	exit 0
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk 'BEGIN {
	print "--from-id 1"
	for (i = 1; i < 10000; i++) {
		k = i % 8
		if (k == 0) printf "--apt pkg%d \x27with space\x27\n", i
		else if (k == 1) printf "--run\necho step %d\ntouch /f%d\n", i, i
		else if (k == 2) print "--layer"
		else if (k == 3) printf "--write-file /etc/f%d\nline one\nline \x27two\x27\n", i
		else if (k == 4) printf "-x echo%d\n", i
		else if (k == 5) printf "--hint use-env VAR%d\n", i
		else if (k == 6) printf "--pip3 mod%d\n", i
		else printf "--entrypoint /bin/e%d\n", i
	}
}' >"$work/Plashfile"
[ "$(grep -c '^-' "$work/Plashfile")" = 10000 ] || { echo "bench/eval.sh: generator broke" >&2; exit 1; }
# No data directory: --from-id must not look for the container.
export PLASH_DATA=$work/data

# cpu_mean RUNS CMD: mean user+system seconds of CMD over RUNS runs.
cpu_mean() {
	local runs=$1; shift
	local json; json=$(mktemp)
	hyperfine -N --warmup 2 --runs "$runs" --export-json "$json" "$@" >/dev/null 2>&1 || { rm -f "$json"; return 1; }
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["user"]+r["system"])' "$json"
	rm -f "$json"
}

runx=$(hyper_median "$runs" "plash eval --run x")
version=$(hyper_median "$runs" "plash version")
big=$(hyper_median 10 "plash eval --eval-file $work/Plashfile")
row "eval --run x (process)" "$runx" "budget" 0.015 1
row "eval --run x vs bare start-up" "$runx" "plash version" "$version" 1.5
bigcpu=$(cpu_mean 10 "plash eval --eval-file $work/Plashfile")
row "eval 10k-call Plashfile (process)" "$big" "budget" 0.050 1
row "eval 10k-call Plashfile (process CPU)" "$bigcpu" "budget" 0.050 1
# The issue's measure: the expansion itself (parse, resolve, expand, render)
# in process, BenchmarkEval10k, median of 5.
exp=$(cd "$(dirname "$0")/.." && go test -run '^$' -bench '^BenchmarkEval10k$' -benchtime 10x -count 5 ./eval 2>/dev/null |
	awk '/^BenchmarkEval10k/ {print $3 / 1e9}' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
[ -n "$exp" ] && row "eval 10k-call expansion (in process)" "$exp" "budget" 0.050 1
