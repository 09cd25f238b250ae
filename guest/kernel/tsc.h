/*
 * Time from the TSC (kernel/tsc.c): calibrated once, against the PIT's
 * count, the first time anything asks (not at boot: it takes 50 ms).
 */
#ifndef GUEST_KERNEL_TSC_H
#define GUEST_KERNEL_TSC_H

#include "include/types.h"

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* TSC frequency in kHz (calibrates on first use). */
uint64_t tsc_khz(void);
/* @cycles of the TSC in nanoseconds. */
uint64_t tsc_cycles_to_ns(uint64_t cycles);
/* Nanoseconds since the TSC started (CLOCK_MONOTONIC). */
uint64_t ktime_get_ns(void);

#endif
