#!/usr/bin/env bash
# Run one libFuzzer harness quietly: tests/fuzz/run.sh BUILDDIR NAME SECONDS
#
# Seeds come from tests/fuzz/corpus/NAME (read only); inputs the fuzzer finds
# go to BUILDDIR/corpus/NAME (libFuzzer writes to its first corpus
# directory), crashes to BUILDDIR/crashes/. On success one line: name, runs,
# seconds. On a crash: the end of the log and the crash file, exit 1.
set -u
dir=$1 name=$2 secs=$3
bin=$dir/fuzz_$name
seeds=tests/fuzz/corpus/$name
found=$dir/corpus/$name
crashes=$dir/crashes
log=$dir/log/$name.log
mkdir -p "$found" "$crashes" "$dir/log"

start=$(date +%s.%N)
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$crashes/$name-" \
	"$found" "$seeds" >"$log" 2>&1
rc=$?
end=$(date +%s.%N)

if [ $rc -ne 0 ]; then
	echo "FUZZ $name: FAILED (exit $rc), log $log" >&2
	grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5 >&2
	art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	echo "FUZZ $name: crash input ${art:-(none written)}" >&2
	echo "  reproduce: $bin ${art:-}" >&2
	exit 1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
awk -v n="$name" -v r="${runs:-?}" -v s="$start" -v e="$end" \
	'BEGIN { printf "  FUZZ    %-12s %9s runs in %4.1f s\n", n, r, e - s }'
