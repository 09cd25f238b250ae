/*
 * Local APIC, xAPIC mode (MMIO at the MADT's address, normally 0xfee00000).
 *
 * Set up with four register accesses (each an exit): read the ID (for
 * IOAPIC destinations), accept all priorities (TPR 0), mask LINT0 (so
 * nothing from a legacy 8259 PIC, through ExtINT, can reach the CPU: the
 * PIC itself need not be touched), and software-enable the APIC with the
 * spurious vector 0xff. The LAPIC timer stays masked (reset state); the
 * periodic tick comes from the PIT, which needs no calibration.
 */
#include "arch/x86/apic.h"
#include "arch/x86/idt.h"
#include "arch/x86/io.h"
#include "arch/x86/mmu.h"
#include "drivers/acpi.h"
#include "include/errno.h"

#define APIC_ID       0x020
#define APIC_TPR      0x080
#define APIC_EOI      0x0b0
#define APIC_SVR      0x0f0
#define APIC_LVT_LINT0 0x350

#define SVR_ENABLE    0x100
#define LVT_MASKED    0x10000

static volatile uint8_t *lapic_base;
static uint32_t boot_apic_id;

static inline void lapic_write(unsigned int reg, uint32_t v)
{
	mmio_write32(lapic_base + reg, v);
}

static inline uint32_t lapic_read(unsigned int reg)
{
	return mmio_read32(lapic_base + reg);
}

int lapic_init(void)
{
	if (!acpi.lapic_addr)
		return -ENODEV;
	lapic_base = ioremap(acpi.lapic_addr, PAGE_SIZE);
	boot_apic_id = lapic_read(APIC_ID) >> 24;
	lapic_write(APIC_TPR, 0);
	lapic_write(APIC_LVT_LINT0, LVT_MASKED);
	lapic_write(APIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
	return 0;
}

void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	return boot_apic_id;
}
