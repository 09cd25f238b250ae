/*
 * acpi/: builds the ACPI tables memvisor gives its guest.
 *
 * The tables are laid out contiguously for placement at a guest-physical
 * base (PLAT_ACPI_GPA), RSDP first: RSDP -> XSDT -> FADT (-> FACS, DSDT),
 * MADT, SRAT. The DSDT is real AML produced by the emitter in aml.c.
 *
 * With mem_slots > 0 the DSDT also describes the DIMM slots the way QEMU's
 * pc machine does (docs/specs/acpi_mem_hotplug.rst): a controller
 * \_SB.MHPD on I/O PLAT_MEMHP_PORT, one PNP0C80 device \_SB.MPxx per slot
 * (xx = slot number in hex) with _STA/_CRS/_PXM/_OST/_EJ0, and
 * \_GPE._E03 (PLAT_GPE_MEMHP) scanning the slots for insert/remove events.
 */
#ifndef ACPI_ACPI_H
#define ACPI_ACPI_H

#include <stddef.h>
#include <stdint.h>
#include "vmm/types.h"

#define ACPI_MAX_MEM_RANGES 8
#define ACPI_MAX_CPUS       255   /* xAPIC ids 0..254; 255 is broadcast */
#define ACPI_MAX_MEM_SLOTS  256   /* as QEMU's memory hotplug interface */

/* A RAM range in the SRAT. */
struct acpi_mem_range {
	gpa_t base;
	uint64_t size;
	uint32_t node;        /* proximity domain */
	int hotpluggable;     /* SRAT "hot pluggable" flag */
};

struct acpi_config {
	unsigned int ncpus;                              /* one LAPIC each, ids 0..n-1 */
	unsigned int nr_mem;
	struct acpi_mem_range mem[ACPI_MAX_MEM_RANGES];  /* for the SRAT */
	unsigned int nr_nodes;                           /* proximity domains, >= 1 */
	unsigned int mem_slots;                          /* DIMM slots (PNP0C80), 0: none */
};

struct acpi_blob;

/* Build every table for placement at guest-physical @base. NULL on failure:
 * out of memory, or a bad config (ncpus not in 1..ACPI_MAX_CPUS, nr_mem not
 * in 1..ACPI_MAX_MEM_RANGES, an empty range or one in a node >= nr_nodes,
 * mem_slots > ACPI_MAX_MEM_SLOTS, @base not 16-byte aligned or the
 * PLAT_ACPI_SIZE window at @base not below 4 GiB). */
struct acpi_blob *acpi_build(const struct acpi_config *cfg, gpa_t base);
void acpi_blob_free(struct acpi_blob *blob);

const void *acpi_blob_data(const struct acpi_blob *blob);
size_t acpi_blob_size(const struct acpi_blob *blob);
gpa_t acpi_blob_rsdp(const struct acpi_blob *blob);

/* Write each table to @dir as its own binary file (xsdt.dat,
 * facp.dat, facs.dat, dsdt.dat, apic.dat, srat.dat), creating @dir if
 * needed. 0 or -errno. */
int acpi_dump(const struct acpi_blob *blob, const char *dir);

#endif
