/*
 * Device interrupts: a handler per GSI, routed through the IOAPIC to
 * vector IRQ_VECTOR_BASE + GSI on the boot CPU.
 */
#ifndef GUEST_ARCH_X86_IRQ_H
#define GUEST_ARCH_X86_IRQ_H

#include "include/types.h"

/* Runs with interrupts off. A level-triggered source must be quiesced
 * before returning (the EOI follows). */
typedef void (*irq_handler_t)(void *ctx);

/* Route @gsi with the given trigger/polarity and install @fn.
 * 0, -EINVAL (no such GSI / vector), -EBUSY (already taken). */
int irq_request_gsi(unsigned int gsi, bool level, bool active_low,
		    irq_handler_t fn, void *ctx);
/* Same for an ISA IRQ, translated through the MADT's overrides. */
int irq_request_isa(unsigned int isa_irq, irq_handler_t fn, void *ctx);
/* Mask @gsi at the IOAPIC and forget its handler. */
void irq_free_gsi(unsigned int gsi);

/* entry path: run the handler for @vector (traps.c). */
void irq_dispatch(unsigned int vector);

#endif
