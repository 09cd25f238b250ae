/*
 * Local APIC (xAPIC, MMIO) of the boot CPU.
 */
#ifndef GUEST_ARCH_X86_APIC_H
#define GUEST_ARCH_X86_APIC_H

#include "include/types.h"

/* Map and enable the LAPIC at the MADT's address; LINT0 masked. */
int lapic_init(void);
void lapic_eoi(void);
/* APIC ID of the boot CPU (read once at init). */
uint32_t lapic_id(void);

#endif
