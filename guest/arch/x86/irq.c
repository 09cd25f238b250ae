/*
 * Device interrupt routing and dispatch.
 *
 * One fixed mapping, no vector allocator: GSI n <-> vector 0x20 + n, always
 * delivered to the boot CPU in fixed/physical mode. irq_descs[] holds the
 * handler of each GSI; an interrupt on a vector without one is counted and
 * logged once (it cannot be quiesced, so it is also masked).
 */
#include "arch/x86/irq.h"
#include "arch/x86/apic.h"
#include "arch/x86/idt.h"
#include "arch/x86/ioapic.h"
#include "drivers/acpi.h"
#include "include/errno.h"
#include "kernel/printk.h"

#define NR_GSIS (IRQ_VECTOR_LAST - IRQ_VECTOR_BASE + 1)

struct irq_desc {
	irq_handler_t fn;
	void *ctx;
	uint64_t count;         /* interrupts handled */
};

static struct irq_desc irq_descs[NR_GSIS];

int irq_request_gsi(unsigned int gsi, bool level, bool active_low,
		    irq_handler_t fn, void *ctx)
{
	int err;

	if (gsi >= NR_GSIS)
		return -EINVAL;
	if (irq_descs[gsi].fn)
		return -EBUSY;
	irq_descs[gsi].fn = fn;
	irq_descs[gsi].ctx = ctx;
	idt_set_gate(IRQ_VECTOR_BASE + gsi, 0, 0);
	err = ioapic_route(gsi, IRQ_VECTOR_BASE + gsi, level, active_low,
			   lapic_id());
	if (err)
		irq_descs[gsi].fn = NULL;
	return err;
}

int irq_request_isa(unsigned int isa_irq, irq_handler_t fn, void *ctx)
{
	struct irq_route r;

	acpi_isa_irq_route(isa_irq, &r);
	return irq_request_gsi(r.gsi, r.level, r.active_low, fn, ctx);
}

void irq_free_gsi(unsigned int gsi)
{
	if (gsi >= NR_GSIS)
		return;
	ioapic_mask(gsi);
	irq_descs[gsi].fn = NULL;
}

void irq_dispatch(unsigned int vector)
{
	unsigned int gsi = vector - IRQ_VECTOR_BASE;
	struct irq_desc *d = &irq_descs[gsi];

	if (gsi >= NR_GSIS)
		return;
	d->count++;
	if (d->fn) {
		d->fn(d->ctx);
		return;
	}
	if (d->count == 1)
		pr_warn("irq: unexpected interrupt on GSI %u, masked\n", gsi);
	ioapic_mask(gsi);
}
