/*
 * Internals of acpi/: the table layouts (ACPI 6.4, chapter 5), the built
 * blob, and the builders shared between tables.c, madt.c and dsdt*.c.
 *
 * All structures are packed and little-endian, exactly as the guest reads
 * them; the host is x86-64.
 */
#ifndef ACPI_ACPI_INTERNAL_H
#define ACPI_ACPI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "acpi/acpi.h"
#include "acpi/aml_internal.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "acpi/ writes tables in host byte order: little-endian hosts only"
#endif

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

/* Common header of every table but the RSDP and the FACS. */
struct acpi_header {
	char signature[4];
	uint32_t length;        /* whole table, header included */
	uint8_t revision;
	uint8_t checksum;       /* whole table sums to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

struct acpi_rsdp {
	char signature[8];      /* "RSD PTR " */
	uint8_t checksum;       /* first 20 bytes sum to 0 */
	char oem_id[6];
	uint8_t revision;       /* 2: ACPI 2.0+, XSDT valid */
	uint32_t rsdt_address;  /* 0: no RSDT */
	uint32_t length;        /* 36 */
	uint64_t xsdt_address;
	uint8_t ext_checksum;   /* all 36 bytes sum to 0 */
	uint8_t reserved[3];
} __attribute__((packed));

/* Generic Address Structure. */
struct acpi_gas {
	uint8_t space_id;       /* ACPI_GAS_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;    /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;
} __attribute__((packed));

#define ACPI_GAS_SYSTEM_MEMORY 0
#define ACPI_GAS_SYSTEM_IO     1

struct acpi_facs {
	char signature[4];      /* "FACS" */
	uint32_t length;        /* 64 */
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;        /* 2 */
	uint8_t reserved[3];
	uint32_t ospm_flags;
	uint8_t reserved2[24];
} __attribute__((packed));

/* MADT: header, then interrupt controller structures. */
struct acpi_madt {
	struct acpi_header h;
	uint32_t lapic_address;
	uint32_t flags;         /* bit 0: PCAT_COMPAT (dual 8259s present) */
} __attribute__((packed));

/* SRAT: header, then affinity structures. */
struct acpi_srat {
	struct acpi_header h;
	uint32_t reserved1;     /* must be 1, for backward compatibility */
	uint64_t reserved2;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_header) == 36, "acpi_header");
_Static_assert(sizeof(struct acpi_rsdp) == 36, "acpi_rsdp");
_Static_assert(sizeof(struct acpi_gas) == 12, "acpi_gas");
_Static_assert(sizeof(struct acpi_facs) == 64, "acpi_facs");
_Static_assert(sizeof(struct acpi_madt) == 44, "acpi_madt");
_Static_assert(sizeof(struct acpi_srat) == 48, "acpi_srat");

/* tables.c */
uint8_t acpi_checksum(const void *data, size_t len);
void acpi_header_init(struct acpi_header *h, const char sig[4],
		      uint32_t length, uint8_t revision);
/* Sets h->checksum so the @h->length bytes at @h sum to zero. */
void acpi_header_seal(struct acpi_header *h);

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

/* dsdt_memhp.c: the memory hotplug devices (QEMU's 0x0a00 interface). */
void acpi_dsdt_memhp(struct aml *a, const struct acpi_config *cfg);
void acpi_dsdt_memhp_gpe(struct aml *a, const struct acpi_config *cfg);

#endif
