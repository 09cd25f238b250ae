/*
 * TSC calibration and conversion.
 *
 * The TSC's rate is measured once, lazily, against the PIT's count
 * (channel 0 counts down at PIT_HZ and reloads every tick): with
 * interrupts off, read the count and the TSC, poll the count until
 * CAL_PIT_CYCLES (50 ms) have passed - each poll is three port accesses,
 * far more often than the 10 ms wrap - and read the TSC again.  The
 * count is computed by the VMM from the host clock, so unlike counting
 * ticks this is immune to late or re-injected timer interrupts; a read's
 * latency (tens of us) against 50 ms is under 0.1%.
 *
 * Conversion: ns = cycles * ns_mult >> 32, with a 128-bit product so
 * that hours of cycles do not overflow.
 */
#include "kernel/tsc.h"
#include "arch/x86/cpu.h"
#include "arch/x86/pit.h"

#define CAL_PIT_CYCLES	(PIT_HZ / 20)

static uint64_t khz;			/* 0 until calibrated */
static uint64_t ns_mult;		/* ns per cycle, 32.32 fixed point */

static void tsc_calibrate(void)
{
	uint64_t flags = cpu_irq_save(), t0, t1, elapsed = 0;
	unsigned int period = pit_period(), prev, cur;

	prev = pit_read_count();
	t0 = rdtsc();
	while (elapsed < CAL_PIT_CYCLES) {
		cur = pit_read_count();
		elapsed += (prev + period - cur) % period;
		prev = cur;
	}
	t1 = rdtsc();
	cpu_irq_restore(flags);
	khz = (t1 - t0) * PIT_HZ / elapsed / 1000;
	if (!khz)
		khz = 1;
	ns_mult = (1000000ull << 32) / khz;
}

uint64_t tsc_khz(void)
{
	if (!khz)
		tsc_calibrate();
	return khz;
}

uint64_t tsc_cycles_to_ns(uint64_t cycles)
{
	if (!khz)
		tsc_calibrate();
	return (uint64_t)(((unsigned __int128)cycles * ns_mult) >> 32);
}

uint64_t ktime_get_ns(void)
{
	return tsc_cycles_to_ns(rdtsc());
}
