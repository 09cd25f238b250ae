/*
 * In-guest benchmarks (kernel/bench.c): the `bench` shell command.
 */
#ifndef GUEST_KERNEL_BENCH_H
#define GUEST_KERNEL_BENCH_H

/* Register `bench mm` and `bench syscall`. */
void bench_init(void);

#endif
