/*
 * The DSDT's AML, assembled from the devices' parts (struct acpi_dsdt_part,
 * added by each device's acpi hook, in device-table order). As ASL:
 *
 *	DefinitionBlock ("", "DSDT", 2, "MEMVSR", "MEMVISOR", 1) {
 *	    ...every part's top-level objects (\_S5, \_SB.MHPD, ...)
 *	    Scope (\_SB) { ...every part's devices (PEVT, COM1, ...) }
 *	    Scope (\_GPE) { Name (_HID, "ACPI0006") ...every part's _Exx }
 *	}
 *
 * The DSDT is revision 2, so AML integers are 64-bit. Devices follow QEMU's
 * pc machine, so a stock Linux guest binds the same drivers on both.
 */
#include <errno.h>

#include "acpi/acpi_internal.h"

int acpi_config_add_dsdt(struct acpi_config *ac,
			 const struct acpi_dsdt_part *part, struct errmsg *e)
{
	if (ac->nr_parts >= ACPI_MAX_DSDT_PARTS)
		return errmsg_set(e, -E2BIG, "too many DSDT parts (at most %d)",
				  ACPI_MAX_DSDT_PARTS);
	ac->parts[ac->nr_parts++] = *part;
	return 0;
}

int acpi_config_add_mem(struct acpi_config *ac,
			const struct acpi_mem_range *range, struct errmsg *e)
{
	if (ac->nr_mem >= ACPI_MAX_MEM_RANGES)
		return errmsg_set(e, -E2BIG, "too many SRAT memory ranges (at most %d)",
				  ACPI_MAX_MEM_RANGES);
	ac->mem[ac->nr_mem++] = *range;
	return 0;
}

/*
 * Give [@base, @base + @size) to @node: every range overlapping it is cut
 * into the part before, the part inside (now @node's) and the part after.
 */
int acpi_config_set_node(struct acpi_config *ac, gpa_t base, uint64_t size,
			 uint32_t node, struct errmsg *e)
{
	struct acpi_mem_range piece, *r;
	unsigned int i, n = ac->nr_mem;
	gpa_t lo, hi;

	for (i = 0; i < n; i++) {
		r = &ac->mem[i];
		lo = r->base > base ? r->base : base;
		hi = r->base + r->size < base + size ? r->base + r->size : base + size;
		if (lo >= hi || r->node == node)
			continue;
		piece = *r;
		if (hi < r->base + r->size) {           /* the part after */
			piece.base = hi;
			piece.size = r->base + r->size - hi;
			if (acpi_config_add_mem(ac, &piece, e))
				return -E2BIG;
		}
		piece.base = lo;                        /* the part inside */
		piece.size = hi - lo;
		piece.node = node;
		if (lo == r->base)
			*r = piece;
		else if (acpi_config_add_mem(ac, &piece, e))
			return -E2BIG;
		else
			r->size = lo - r->base;         /* the part before */
	}
	return 0;
}

int acpi_dsdt_build(struct aml *a, const struct acpi_config *cfg)
{
	const struct acpi_dsdt_part *p;
	unsigned int i;

	for (i = 0, p = cfg->parts; i < cfg->nr_parts; i++, p++)
		if (p->top)
			p->top(a, p->opaque);

	aml_scope_open(a, "\\_SB");
	for (i = 0, p = cfg->parts; i < cfg->nr_parts; i++, p++)
		if (p->sb)
			p->sb(a, p->opaque);
	aml_close(a);

	aml_scope_open(a, "\\_GPE");
	aml_name_string(a, "_HID", "ACPI0006");
	for (i = 0, p = cfg->parts; i < cfg->nr_parts; i++, p++)
		if (p->gpe)
			p->gpe(a, p->opaque);
	aml_close(a);
	return aml_finish(a);
}
