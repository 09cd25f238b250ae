#!/bin/sh
# Build tests/bench/mm_bench and print callgrind instructions per
# alloc+free pair for each benchmark.  Usage: tests/bench/mm_bench.sh [ITERS]
set -e
cd "$(dirname "$0")/../.."
ITERS=${1:-100000}
OUT=build/mm_bench
mkdir -p build
# 8 GiB of simulated physical memory: valgrind cannot map the unit
# tests' 128 GiB, and the benches stay below 8 GiB.
cc -std=gnu11 -O2 -g -DMM_HOST -DMM_NDEBUG '-DMM_STUB_PHYS_SIZE=(8UL<<30)' \
	-I. -Itests/unit/mm_stub \
	-o $OUT guest/mm/*.c tests/unit/mm_stub/*.c tests/bench/mm_bench.c
# Instructions callgrind collects in function $1 of the bench run with
# the arguments after it.
collected() {
	op=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		--toggle-collect=$op $OUT "$@" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for b in empty order0 order0_zero order3 order9 kmalloc64; do
	ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		--toggle-collect=bench_$b $OUT $b "$ITERS" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
	echo "$b: $ir instructions / $ITERS = $((ir / ITERS)) per alloc+free"
done
# Page faults on known-zero memory: fault_op() alone is collected; the
# counts fit in the bench's 2 GiB of simulated RAM.
for spec in fault4k:20000 fault64k:2000 fault2m:200; do
	b=${spec%:*} n=${spec#*:}
	ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		--toggle-collect=fault_op $OUT $b "$n" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
	echo "$b: $ir instructions / $n = $((ir / n)) per fault"
done
# Onlining a hot-added 128 MiB section (memmap on the section itself).
ir=$(collected online_op online 8)
echo "online: $ir instructions / 8 = $((ir / 8)) per 128 MiB section"
# The balloon: inflate and deflate of 1 GiB in the driver's 32 MiB batches.
for op in inflate_op deflate_op; do
	ir=$(collected $op balloon 1024)
	echo "balloon ${op%_op}: $ir instructions / 1034 MiB = $((ir / 1034)) per MiB"
done
# Swap: ITERS MiB faulted in 2 MiB, 64 KiB or 4 KiB chunks, swapped out
# (swapout_op) and back in (swapin_op), per page; the bench prints how
# many pages moved (its warm-up included), which is what we divide by.
for spec in swap2m:64 swap64k:64 swap4k:16; do
	b=${spec%:*} n=${spec#*:}
	for op in swapout_op swapin_op; do
		log=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
			--toggle-collect=$op $OUT $b "$n" 2>&1)
		ir=$(echo "$log" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
		if [ $op = swapout_op ]; then
			pages=$(echo "$log" | sed -n 's/^swapped out \([0-9]*\) pages.*/\1/p')
		else
			pages=$(echo "$log" | sed -n 's/.*, in \([0-9]*\) pages$/\1/p')
		fi
		echo "$b ${op%_op}: $ir instructions / $pages pages = $((ir / pages)) per 4 KiB page"
	done
done
# The page cache: a 256 MiB disk filled in dd's 512-page reads
# (fill_op) and dropped (drop_op), per 4 KiB page.
for op in fill_op drop_op; do
	ir=$(collected $op filemap 256)
	echo "filemap ${op%_op}: $ir instructions / 65536 pages = $((ir / 65536)) per 4 KiB page"
done
# The balloon past free memory over a 64 MiB page cache read twice, plain
# (balloon_cache) or mapped by two tasks (balloon_mapped): what the
# driver's escalation costs per page it takes, now (one direct reclaim of
# up to 4096 pages per request) and before 1 Dec (the *1 variants: one
# page through the allocator's slow path, a 32-page reclaim, per step).
for b in balloon_cache balloon_cache1 balloon_mapped balloon_mapped1; do
	log=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		--toggle-collect=pressure_op $OUT $b 64 2>&1)
	ir=$(echo "$log" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
	pages=$(echo "$log" | sed -n 's/^balloon past free memory: \([0-9]*\) pages in \([0-9]*\) steps$/\1/p')
	steps=$(echo "$log" | sed -n 's/^balloon past free memory: \([0-9]*\) pages in \([0-9]*\) steps$/\2/p')
	echo "$b: $ir instructions / $pages pages = $((ir / pages)) per page, $steps requests to the host"
done
# A 64 MiB disk streamed through a 16 MiB cache (test_reclaim's third
# dd): the reader with its direct reclaim (stream_op) and kswapd's
# rounds between reads (kswapd_op), per page read; stream_direct: kswapd
# never runs, the reader reclaims for itself.
for b in stream stream_direct; do
	for op in stream_op kswapd_op; do
		log=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
			--toggle-collect=$op $OUT $b 64 2>&1)
		ir=$(echo "$log" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
		pages=$(echo "$log" | sed -n 's/^streamed \([0-9]*\) pages$/\1/p')
		echo "$b ${op%_op}: $ir instructions / $pages pages = $((ir / pages)) per 4 KiB page"
	done
done
