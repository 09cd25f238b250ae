/*
 * The guest kernel's ACPI reader (guest/drivers/acpi.c, acpi_aml.c) on the
 * host, over tables memvisor builds (tests/fuzz/corpus/acpi/, acpi_build()
 * blobs placed at 0xe0000), through the fuzz harness's memory model
 * (tests/fuzz/acpi_shim/acpi_host.h). Each malformed case is one the fuzzer
 * found: the reader must stay inside the length a table or entry declares.
 */
#include <check.h>
#include <stdio.h>

#include "acpi_host.h"

extern Suite *guest_acpi_suite(void);

#define SEED "tests/fuzz/corpus/acpi/two_nodes_four_slots"

static uint8_t img[8192];
static size_t img_len;
static struct acpi_host_answers ans;

static void load_seed(void)
{
	FILE *f = fopen(SEED, "rb");

	ck_assert_msg(f, "cannot open %s (run from the top of the tree)", SEED);
	img_len = fread(img, 1, sizeof(img), f);
	fclose(f);
	ck_assert_uint_gt(img_len, sizeof(struct acpi_table_rsdp));
}

static void *at(uint64_t pa)
{
	ck_assert(pa >= ACPI_HOST_BASE && pa - ACPI_HOST_BASE < img_len);
	return img + (pa - ACPI_HOST_BASE);
}

/* The table with signature @sig in the XSDT. */
static struct acpi_table_header *xsdt_table(const char *sig)
{
	struct acpi_table_rsdp *r = at(ACPI_HOST_BASE);
	struct acpi_table_header *x = at(r->xsdt_address), *h;
	unsigned int i, n = (x->length - sizeof(*x)) / 8;
	uint64_t pa;

	for (i = 0; i < n; i++) {
		memcpy(&pa, (uint8_t *)(x + 1) + 8 * i, 8);
		h = at(pa);
		if (!memcmp(h->signature, sig, 4))
			return h;
	}
	ck_abort_msg("no %s", sig);
	return NULL;
}

/* The offset of the last entry of a MADT/SRAT-style table. */
static size_t last_entry(struct acpi_table_header *h, size_t skip)
{
	size_t off = skip, last = 0;

	while (off < h->length) {
		last = off;
		off += ((struct acpi_subtable_header *)((uint8_t *)h + off))->length;
	}
	return last;
}

START_TEST(reads_memvisor_tables)
{
	load_seed();
	ck_assert_int_eq(acpi_host_run(img, img_len, &ans), 0);
	ck_assert(acpi.has_fadt && acpi.has_madt && acpi.has_srat);
	ck_assert_uint_eq(acpi.nr_cpus, 2);
	ck_assert_uint_eq(acpi.nr_nodes, 2);
	ck_assert_uint_eq(acpi.nr_mem_affinity, 3);
	ck_assert_uint_eq(acpi.pm.sci_int, 9);
	ck_assert_int_eq(ans.sleep_ret[5], 0);
	ck_assert_int_eq(ans.mdnr_ret, 0);
	ck_assert_uint_eq(ans.mdnr, 4);
}
END_TEST

/* A DSDT whose length is implausible (> 64 MiB) is not used: acpi_sleep_type
 * used to scan that many bytes from it. */
START_TEST(implausible_dsdt_length)
{
	struct acpi_table_fadt *f;

	load_seed();
	f = (struct acpi_table_fadt *)xsdt_table(ACPI_SIG_FADT);
	((struct acpi_table_header *)at(f->x_dsdt ? f->x_dsdt : f->dsdt))->length =
		0x4d015f53;
	ck_assert_int_eq(acpi_host_run(img, img_len, &ans), 0);
	ck_assert_uint_eq(acpi.pm.dsdt, 0);
	ck_assert_int_eq(ans.sleep_ret[5], -ENOENT);
	ck_assert_int_eq(ans.mdnr_ret, -ENOENT);
}
END_TEST

/* An FADT cut after its DSDT field: what lies past its length is not read
 * (the SCI was read from the bytes after the table). */
START_TEST(short_fadt)
{
	struct acpi_table_fadt *f;

	load_seed();
	f = (struct acpi_table_fadt *)xsdt_table(ACPI_SIG_FADT);
	ck_assert_uint_ne(f->sci_int, 0);
	f->header.length = offsetof(struct acpi_table_fadt, dsdt) + 4;
	ck_assert_int_eq(acpi_host_run(img, img_len, &ans), 0);
	ck_assert(acpi.has_fadt);
	ck_assert_uint_eq(acpi.pm.sci_int, 0);
	ck_assert_uint_eq(acpi.pm.pm1a_evt, 0);
	ck_assert_int_eq(ans.sleep_ret[5], 0);  /* the DSDT is still found */
}
END_TEST

/* SRAT and MADT entries shorter than their type: skipped, not read past
 * (a 2-byte memory affinity entry at the end of the SRAT was read as 40). */
START_TEST(short_entries)
{
	struct acpi_table_header *srat, *madt;
	size_t off;

	load_seed();
	srat = xsdt_table(ACPI_SIG_SRAT);
	off = last_entry(srat, sizeof(struct acpi_table_srat));
	ck_assert_uint_eq(img[(uint8_t *)srat - img + off], ACPI_SRAT_TYPE_MEMORY_AFFINITY);
	((struct acpi_subtable_header *)((uint8_t *)srat + off))->length = 2;
	srat->length = off + 2;
	madt = xsdt_table(ACPI_SIG_MADT);
	off = last_entry(madt, sizeof(struct acpi_table_madt));
	((struct acpi_subtable_header *)((uint8_t *)madt + off))->length = 2;
	madt->length = off + 2;
	ck_assert_int_eq(acpi_host_run(img, img_len, &ans), 0);
	ck_assert_uint_eq(acpi.nr_mem_affinity, 2);
	/* A MADT with only its header has no LAPIC address or flags. */
	load_seed();
	madt = xsdt_table(ACPI_SIG_MADT);
	madt->length = sizeof(struct acpi_table_header);
	ck_assert_int_eq(acpi_host_run(img, img_len, &ans), 0);
	ck_assert(acpi.has_madt);
	ck_assert_uint_eq(acpi.lapic_addr, 0);
	ck_assert_uint_eq(acpi.nr_cpus, 0);
}
END_TEST

/* A proximity domain past the nodes the kernel holds is ignored: it used to
 * set nr_nodes to domain + 1 and reach node_data[] out of bounds. */
START_TEST(srat_node_beyond_max)
{
	struct acpi_table_header *srat;
	struct acpi_srat_mem_affinity *m;

	load_seed();
	srat = xsdt_table(ACPI_SIG_SRAT);
	m = (void *)((uint8_t *)srat + last_entry(srat, sizeof(struct acpi_table_srat)));
	ck_assert_uint_eq(m->header.type, ACPI_SRAT_TYPE_MEMORY_AFFINITY);
	m->proximity = 1000;
	ck_assert_int_eq(acpi_host_run(img, img_len, &ans), 0);
	ck_assert_uint_eq(acpi.nr_mem_affinity, 2);
	ck_assert_uint_le(acpi.nr_nodes, ACPI_MAX_NODES);
}
END_TEST

Suite *guest_acpi_suite(void)
{
	Suite *s = suite_create("guest_acpi");
	TCase *tc = tcase_create("reader");

	tcase_add_test(tc, reads_memvisor_tables);
	tcase_add_test(tc, implausible_dsdt_length);
	tcase_add_test(tc, short_fadt);
	tcase_add_test(tc, short_entries);
	tcase_add_test(tc, srat_node_beyond_max);
	suite_add_tcase(s, tc);
	return s;
}
