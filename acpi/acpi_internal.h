/*
 * Internals of acpi/: the built blob and the builders shared between
 * tables.c, fadt.c, madt.c and dsdt*.c. The table layouts themselves (ACPI
 * 6.4, chapter 5) are in abi/acpi.h, the one definition the guest's reader
 * also uses.
 */
#ifndef ACPI_ACPI_INTERNAL_H
#define ACPI_ACPI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "abi/acpi.h"
#include "acpi/acpi.h"
#include "acpi/aml_internal.h"

#define ACPI_OEM_ID           "MEMVSR"
#define ACPI_OEM_TABLE_ID     "MEMVISOR"
#define ACPI_OEM_REVISION     1
#define ACPI_CREATOR_ID       "MVSR"
#define ACPI_CREATOR_REVISION 1

/* The tables in blob order; also the index into acpi_blob.table[]. */
enum acpi_table_id {
	ACPI_T_RSDP,
	ACPI_T_XSDT,
	ACPI_T_FACP,
	ACPI_T_FACS,
	ACPI_T_DSDT,
	ACPI_T_APIC,
	ACPI_T_SRAT,
	ACPI_T_NR,
};

struct acpi_blob {
	uint8_t *data;          /* the tables, contiguous, RSDP at offset 0 */
	size_t size;            /* bytes used */
	gpa_t base;             /* guest-physical address of data[0] */
	struct {
		size_t off;     /* offset of the table in data */
		size_t len;     /* its length */
	} table[ACPI_T_NR];
};

/* tables.c */
uint8_t acpi_checksum(const void *data, size_t len);
void acpi_header_init(struct acpi_table_header *h, const char sig[4],
		      uint32_t length, uint8_t revision);
/* Sets h->checksum so the @h->length bytes at @h sum to zero. */
void acpi_header_seal(struct acpi_table_header *h);

/* fadt.c: the FADT (@dsdt, @facs: their guest-physical addresses). */
size_t acpi_fadt_size(void);
void acpi_fadt_build(void *out, const struct acpi_config *cfg, gpa_t facs,
		     gpa_t dsdt);
void acpi_facs_build(void *out);

/* madt.c: MADT and SRAT; the sizes first so the blob can be laid out. */
size_t acpi_madt_size(const struct acpi_config *cfg);
void acpi_madt_build(void *out, const struct acpi_config *cfg);
size_t acpi_srat_size(const struct acpi_config *cfg);
void acpi_srat_build(void *out, const struct acpi_config *cfg);

/* dsdt.c: the DSDT's AML into @a (initialised by the caller). 0 or -errno. */
int acpi_dsdt_build(struct aml *a, const struct acpi_config *cfg);

#endif
