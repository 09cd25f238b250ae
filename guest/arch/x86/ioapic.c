/*
 * I/O APIC driver.
 *
 * Registers are reached indirectly: write the index to IOREGSEL (+0x00),
 * then read or write IOWIN (+0x10). Redirection entry n is the register
 * pair 0x10 + 2n (low: vector, delivery, polarity, trigger, mask) and
 * 0x11 + 2n (high: destination APIC ID in bits 56-63). Pins come out of
 * reset masked, so boot only touches the pins it routes (the high half is
 * written first, the low half, which unmasks, last).
 */
#include "arch/x86/ioapic.h"
#include "arch/x86/io.h"
#include "arch/x86/mmu.h"
#include "drivers/acpi.h"
#include "include/errno.h"

#define IOREGSEL      0x00
#define IOWIN         0x10
#define IOAPIC_VER    0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))

#define RTE_LEVEL     (1u << 15)
#define RTE_ACTIVE_LOW (1u << 13)
#define RTE_MASKED    (1u << 16)

struct ioapic {
	volatile uint8_t *base;
	uint32_t gsi_base;
	uint32_t nr_pins;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned int nr_ioapics;

static uint32_t ioapic_read(struct ioapic *io, uint32_t reg)
{
	mmio_write32(io->base + IOREGSEL, reg);
	return mmio_read32(io->base + IOWIN);
}

static void ioapic_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	mmio_write32(io->base + IOREGSEL, reg);
	mmio_write32(io->base + IOWIN, v);
}

int ioapic_init(void)
{
	unsigned int i;

	for (i = 0; i < acpi.nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];

		io->base = ioremap(acpi.ioapics[i].addr, PAGE_SIZE);
		io->gsi_base = acpi.ioapics[i].gsi_base;
		io->nr_pins = ((ioapic_read(io, IOAPIC_VER) >> 16) & 0xff) + 1;
	}
	nr_ioapics = acpi.nr_ioapics;
	return nr_ioapics ? 0 : -ENODEV;
}

/* The IOAPIC serving @gsi, with *pin set; NULL if none. */
static struct ioapic *ioapic_for_gsi(unsigned int gsi, unsigned int *pin)
{
	unsigned int i;

	for (i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];

		if (gsi >= io->gsi_base && gsi < io->gsi_base + io->nr_pins) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

int ioapic_route(unsigned int gsi, unsigned int vector, bool level,
		 bool active_low, uint32_t apic_id)
{
	unsigned int pin;
	struct ioapic *io = ioapic_for_gsi(gsi, &pin);
	uint32_t lo = vector & 0xff;

	if (!io)
		return -EINVAL;
	if (level)
		lo |= RTE_LEVEL;
	if (active_low)
		lo |= RTE_ACTIVE_LOW;
	ioapic_write(io, IOAPIC_REDTBL(pin) + 1, apic_id << 24);
	ioapic_write(io, IOAPIC_REDTBL(pin), lo);
	return 0;
}

void ioapic_mask(unsigned int gsi)
{
	unsigned int pin;
	struct ioapic *io = ioapic_for_gsi(gsi, &pin);

	if (io)
		ioapic_write(io, IOAPIC_REDTBL(pin), RTE_MASKED);
}
