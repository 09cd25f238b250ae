/*
 * I/O APICs, as listed in the MADT.
 */
#ifndef GUEST_ARCH_X86_IOAPIC_H
#define GUEST_ARCH_X86_IOAPIC_H

#include "include/types.h"

/* Map every IOAPIC; their pins stay masked (reset state) until routed. */
int ioapic_init(void);
/* Program @gsi's redirection entry: @vector, fixed delivery, physical
 * destination @apic_id; unmasked. 0 or -EINVAL if no IOAPIC has @gsi. */
int ioapic_route(unsigned int gsi, unsigned int vector, bool level,
		 bool active_low, uint32_t apic_id);
void ioapic_mask(unsigned int gsi);

#endif
