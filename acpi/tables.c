/*
 * The ACPI blob: validates the configuration, lays the tables out and fills
 * them, and writes them out for inspection.
 *
 * Layout, one contiguous buffer placed at guest-physical @base:
 *
 *	RSDP (36 bytes, at base, 16-byte aligned)
 *	XSDT (-> FACP, APIC, SRAT)
 *	FACP (-> FACS, DSDT)
 *	FACS (64-byte aligned, as the spec requires)
 *	DSDT (AML from dsdt.c)
 *	APIC (the MADT)
 *	SRAT
 *
 * The sizes are known before anything is written (the DSDT is generated
 * first), so the offsets are fixed in one pass and each table is filled once,
 * pointing at the others' final addresses, then checksummed. Every pointer is
 * 32-bit reachable: the blob must lie below 4 GiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi/acpi_internal.h"
#include "vmm/platform.h"

#define XSDT_REVISION   1
#define XSDT_ENTRIES    3       /* FACP, APIC, SRAT */

static const char *const acpi_file[ACPI_T_NR] = {
	[ACPI_T_XSDT] = "xsdt.dat",
	[ACPI_T_FACP] = "facp.dat",
	[ACPI_T_FACS] = "facs.dat",
	[ACPI_T_DSDT] = "dsdt.dat",
	[ACPI_T_APIC] = "apic.dat",
	[ACPI_T_SRAT] = "srat.dat",
};

/* Alignment of each table in the blob. */
static const size_t acpi_align[ACPI_T_NR] = {
	[ACPI_T_RSDP] = 16, [ACPI_T_XSDT] = 16, [ACPI_T_FACP] = 16,
	[ACPI_T_FACS] = 64, [ACPI_T_DSDT] = 16, [ACPI_T_APIC] = 16,
	[ACPI_T_SRAT] = 16,
};

uint8_t acpi_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return (uint8_t)-sum;
}

void acpi_header_init(struct acpi_table_header *h, const char sig[4],
		      uint32_t length, uint8_t revision)
{
	memcpy(h->signature, sig, 4);
	h->length = length;
	h->revision = revision;
	h->checksum = 0;
	memcpy(h->oem_id, ACPI_OEM_ID, 6);
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, 8);
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, 4);
	h->creator_revision = ACPI_CREATOR_REVISION;
}

void acpi_header_seal(struct acpi_table_header *h)
{
	h->checksum = 0;
	h->checksum = acpi_checksum(h, h->length);
}

static bool acpi_config_is_valid(const struct acpi_config *cfg, gpa_t base)
{
	unsigned int i;

	if (!cfg->ncpus || cfg->ncpus > ACPI_MAX_CPUS || !cfg->nr_nodes ||
	    !cfg->nr_mem || cfg->nr_mem > ACPI_MAX_MEM_RANGES ||
	    cfg->nr_parts > ACPI_MAX_DSDT_PARTS || base % 16 ||
	    base + PLAT_ACPI_SIZE > PLAT_4G)
		return false;
	for (i = 0; i < cfg->nr_mem; i++) {
		const struct acpi_mem_range *r = &cfg->mem[i];

		if (r->node >= cfg->nr_nodes || !r->size ||
		    r->base + r->size < r->base)
			return false;
	}
	return true;
}

/* Fix every table's offset from its length. -E2BIG if over PLAT_ACPI_SIZE. */
static int acpi_layout(struct acpi_blob *b)
{
	size_t off = 0;
	int t;

	for (t = 0; t < ACPI_T_NR; t++) {
		off = (off + acpi_align[t] - 1) & ~(acpi_align[t] - 1);
		b->table[t].off = off;
		off += b->table[t].len;
	}
	if (off > PLAT_ACPI_SIZE)
		return -E2BIG;
	b->size = off;
	return 0;
}

static gpa_t acpi_gpa(const struct acpi_blob *b, enum acpi_table_id t)
{
	return b->base + b->table[t].off;
}

static void *acpi_ptr(struct acpi_blob *b, enum acpi_table_id t)
{
	return b->data + b->table[t].off;
}

static void acpi_xsdt_build(struct acpi_blob *b)
{
	struct acpi_table_header *h = acpi_ptr(b, ACPI_T_XSDT);
	const enum acpi_table_id entry[XSDT_ENTRIES] = {
		ACPI_T_FACP, ACPI_T_APIC, ACPI_T_SRAT,
	};
	unsigned int i;

	acpi_header_init(h, ACPI_SIG_XSDT, b->table[ACPI_T_XSDT].len,
			 XSDT_REVISION);
	for (i = 0; i < XSDT_ENTRIES; i++) {
		uint64_t addr = acpi_gpa(b, entry[i]);

		/* Entries follow the header unaligned: copy, don't cast. */
		memcpy((uint8_t *)(h + 1) + 8 * i, &addr, 8);
	}
	acpi_header_seal(h);
}

static void acpi_rsdp_build(struct acpi_blob *b)
{
	struct acpi_table_rsdp *r = acpi_ptr(b, ACPI_T_RSDP);

	memcpy(r->signature, ACPI_SIG_RSDP, 8);
	memcpy(r->oem_id, ACPI_OEM_ID, 6);
	r->revision = 2;
	r->rsdt_address = 0;
	r->length = sizeof(*r);
	r->xsdt_address = acpi_gpa(b, ACPI_T_XSDT);
	r->checksum = acpi_checksum(r, ACPI_RSDP_CHECKSUM_LENGTH);
	r->ext_checksum = acpi_checksum(r, sizeof(*r));
}

/* Fill every table at its final place; the DSDT bytecode comes in @dsdt. */
static void acpi_fill(struct acpi_blob *b, const struct acpi_config *cfg,
		      const struct aml *dsdt)
{
	struct acpi_table_header *h = acpi_ptr(b, ACPI_T_DSDT);

	acpi_header_init(h, ACPI_SIG_DSDT, b->table[ACPI_T_DSDT].len, 2);
	memcpy(h + 1, dsdt->buf, dsdt->len);
	acpi_header_seal(h);
	acpi_facs_build(acpi_ptr(b, ACPI_T_FACS));
	acpi_fadt_build(acpi_ptr(b, ACPI_T_FACP), cfg,
			acpi_gpa(b, ACPI_T_FACS), acpi_gpa(b, ACPI_T_DSDT));
	acpi_madt_build(acpi_ptr(b, ACPI_T_APIC), cfg);
	acpi_srat_build(acpi_ptr(b, ACPI_T_SRAT), cfg);
	acpi_xsdt_build(b);
	acpi_rsdp_build(b);
}

struct acpi_blob *acpi_build(const struct acpi_config *cfg, gpa_t base)
{
	struct acpi_blob *b;
	struct aml dsdt;

	if (!cfg || !acpi_config_is_valid(cfg, base))
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	aml_init(&dsdt);
	if (acpi_dsdt_build(&dsdt, cfg))
		goto fail;
	b->base = base;
	b->table[ACPI_T_RSDP].len = sizeof(struct acpi_table_rsdp);
	b->table[ACPI_T_XSDT].len = sizeof(struct acpi_table_header) +
				    8 * XSDT_ENTRIES;
	b->table[ACPI_T_FACP].len = acpi_fadt_size();
	b->table[ACPI_T_FACS].len = sizeof(struct acpi_table_facs);
	b->table[ACPI_T_DSDT].len = sizeof(struct acpi_table_header) + dsdt.len;
	b->table[ACPI_T_APIC].len = acpi_madt_size(cfg);
	b->table[ACPI_T_SRAT].len = acpi_srat_size(cfg);
	if (acpi_layout(b))
		goto fail;
	b->data = calloc(1, b->size);
	if (!b->data)
		goto fail;
	acpi_fill(b, cfg, &dsdt);
	aml_release(&dsdt);
	return b;
fail:
	aml_release(&dsdt);
	free(b);
	return NULL;
}

void acpi_blob_free(struct acpi_blob *blob)
{
	if (!blob)
		return;
	free(blob->data);
	free(blob);
}

const void *acpi_blob_data(const struct acpi_blob *blob)
{
	return blob->data;
}

size_t acpi_blob_size(const struct acpi_blob *blob)
{
	return blob->size;
}

gpa_t acpi_blob_rsdp(const struct acpi_blob *blob)
{
	return acpi_gpa(blob, ACPI_T_RSDP);
}

static int acpi_write_file(const char *dir, const char *name,
			   const uint8_t *data, size_t len)
{
	char path[4096];
	ssize_t n;
	int fd, err = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (len) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		data += n;
		len -= n;
	}
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int acpi_dump(const struct acpi_blob *blob, const char *dir)
{
	struct stat st;
	int t, err;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* The RSDP is a pointer structure, not a table with a header: iasl
	 * (before 2021) cannot read it, so the dump holds the tables only. */
	for (t = 0; t < ACPI_T_NR; t++) {
		if (t == ACPI_T_RSDP)
			continue;
		err = acpi_write_file(dir, acpi_file[t],
				      blob->data + blob->table[t].off,
				      blob->table[t].len);
		if (err)
			return err;
	}
	return 0;
}
