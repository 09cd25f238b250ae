/*
 * PIT channel 0 in mode 2 (rate generator) at HZ: three port writes, no
 * calibration. ISA IRQ 0 usually arrives on GSI 2 (the MADT's override).
 * Its count can be latched and read (three port accesses) as a clock for
 * calibrating the TSC (kernel/tsc.c).
 */
#include "arch/x86/pit.h"
#include "arch/x86/io.h"
#include "arch/x86/irq.h"
#include "kernel/time.h"

#define PIT_CH0       0x40
#define PIT_CMD       0x43
#define PIT_CMD_CH0_LOHI_MODE2 0x34
#define PIT_CMD_CH0_LATCH      0x00

static void pit_irq(void *ctx)
{
	time_tick();
}

unsigned int pit_period(void)
{
	return (PIT_HZ + HZ / 2) / HZ;
}

unsigned int pit_read_count(void)
{
	unsigned int lo, hi;

	outb(PIT_CMD_CH0_LATCH, PIT_CMD);
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return lo | hi << 8;
}

int pit_init(void)
{
	unsigned int div = pit_period();
	int err = irq_request_isa(0, pit_irq, NULL);

	if (err)
		return err;
	outb(PIT_CMD_CH0_LOHI_MODE2, PIT_CMD);
	outb(div & 0xff, PIT_CH0);
	outb(div >> 8, PIT_CH0);
	return 0;
}
