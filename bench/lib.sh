# Shared helpers for bench/*.sh (source it: . "$(dirname "$0")/lib.sh").

# row MEASURE PLASH_SECONDS PEER_NAME PEER_SECONDS TARGET_RATIO
# prints one table row for bench/run.
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5"; }

# skip MEASURE REASON TARGET: a row for a measure that cannot run here.
skip() { printf '%s\tskip\t%s\t-\t%s\n' "$1" "$2" "$3"; }

# median SECONDS... : the median of the given numbers.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# hyper_median RUNS CMD: median wall time in seconds of CMD (a shell string)
# over RUNS runs, measured by hyperfine.
hyper_median() {
	local runs=$1; shift
	local json; json=$(mktemp)
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$json" "$@" >/dev/null 2>&1 || { rm -f "$json"; return 1; }
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$json" 2>/dev/null ||
		grep -o '"median": *[0-9.e-]*' "$json" | head -1 | sed 's/.*: *//'
	rm -f "$json"
}
