/*
 * PIT channel 0 in mode 2 (rate generator) at HZ: three port writes, no
 * calibration. ISA IRQ 0 usually arrives on GSI 2 (the MADT's override).
 */
#include "arch/x86/pit.h"
#include "arch/x86/io.h"
#include "arch/x86/irq.h"
#include "kernel/time.h"

#define PIT_CH0       0x40
#define PIT_CMD       0x43
#define PIT_HZ        1193182u
#define PIT_CMD_CH0_LOHI_MODE2 0x34

static void pit_irq(void *ctx)
{
	time_tick();
}

int pit_init(void)
{
	unsigned int div = (PIT_HZ + HZ / 2) / HZ;
	int err = irq_request_isa(0, pit_irq, NULL);

	if (err)
		return err;
	outb(PIT_CMD_CH0_LOHI_MODE2, PIT_CMD);
	outb(div & 0xff, PIT_CH0);
	outb(div >> 8, PIT_CH0);
	return 0;
}
