/*
 * Unit tests for acpi/: the AML emitter's encodings byte for byte, and the
 * built tables read back the way a guest reads them (RSDP -> XSDT -> each
 * table, by address), with raw offsets from the ACPI spec rather than the
 * builder's own structs, so a layout mistake in one is not hidden by the
 * same mistake in the other. Last, the tables are dumped and fed to iasl -d.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acpi/acpi.h"
#include "acpi/aml_internal.h"
#include "hotplug/hotplug_internal.h"
#include "pc/pc.h"
#include "vmm/platform.h"

#define BASE PLAT_ACPI_GPA

/* ------------------------------------------------------------ helpers */

static uint16_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint8_t sum8(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* Configurations exercised by the loop tests. */
static const struct test_cfg {
	unsigned int ncpus, nodes, slots;
} test_cfgs[] = {
	{ 1, 1, 0 }, { 4, 1, 0 }, { 8, 1, 0 },
	{ 1, 2, 0 }, { 4, 2, 4 }, { 8, 2, 32 },
};

/* The DSDT parts the VM's devices add (pc/ and hotplug/), as vm.c
 * collects them; the hotplug config must outlive the build. */
static void add_device_parts(struct acpi_config *c, unsigned int slots)
{
	static struct hotplug_config hc[8];
	static unsigned int next;
	struct hotplug_config *h = &hc[next++ % 8];
	struct errmsg e = { .msg = "" };

	ck_assert_int_eq(pm_device.acpi(NULL, c, &e), 0);
	ck_assert_int_eq(pvpanic_device.acpi(NULL, c, &e), 0);
	ck_assert_int_eq(uart_device.acpi(NULL, c, &e), 0);
	hotplug_config_init(h);
	h->slots = slots;
	ck_assert_int_eq(memhp_acpi_dsdt(h, c, &e), 0);
}

static struct acpi_config make_cfg(const struct test_cfg *t)
{
	struct acpi_config c = {
		.ncpus = t->ncpus, .nr_nodes = t->nodes,
	};

	c.mem[c.nr_mem++] = (struct acpi_mem_range){ 0, PLAT_LOWMEM_END, 0, 0 };
	if (t->nodes == 1) {
		c.mem[c.nr_mem++] = (struct acpi_mem_range){
			PLAT_HIGHMEM_START, 512 * MiB - PLAT_HIGHMEM_START, 0, 0 };
	} else {
		c.mem[c.nr_mem++] = (struct acpi_mem_range){
			PLAT_HIGHMEM_START, 256 * MiB - PLAT_HIGHMEM_START, 0, 0 };
		c.mem[c.nr_mem++] = (struct acpi_mem_range){
			256 * MiB, 256 * MiB, 1, 0 };
	}
	c.mem[c.nr_mem++] = (struct acpi_mem_range){
		PLAT_4G, 4 * GiB, t->nodes - 1, 1 };
	add_device_parts(&c, t->slots);
	return c;
}

/* The tables as the guest finds them. */
struct tables {
	const uint8_t *rsdp, *xsdt, *facp, *facs, *dsdt, *apic, *srat;
};

/* Host pointer for [gpa, gpa + len) inside the blob; fails the test if the
 * range is not inside it. */
static const uint8_t *at(const struct acpi_blob *b, uint64_t gpa, size_t len)
{
	ck_assert_uint_ge(gpa, BASE);
	ck_assert_uint_le(gpa - BASE + len, acpi_blob_size(b));
	return (const uint8_t *)acpi_blob_data(b) + (gpa - BASE);
}

static const uint8_t *table_at(const struct acpi_blob *b, uint64_t gpa,
			       const char *sig)
{
	const uint8_t *h = at(b, gpa, 36);

	ck_assert_mem_eq(h, sig, 4);
	at(b, gpa, le32(h + 4));
	ck_assert_uint_eq(sum8(h, le32(h + 4)), 0);
	return h;
}

static void walk(const struct acpi_blob *b, struct tables *t)
{
	const uint8_t *e;
	unsigned int i, n;

	memset(t, 0, sizeof(*t));
	t->rsdp = at(b, acpi_blob_rsdp(b), 36);
	t->xsdt = table_at(b, le64(t->rsdp + 24), "XSDT");
	n = (le32(t->xsdt + 4) - 36) / 8;
	for (i = 0; i < n; i++) {
		e = at(b, le64(t->xsdt + 36 + 8 * i), 36);
		if (!memcmp(e, "FACP", 4))
			t->facp = table_at(b, le64(t->xsdt + 36 + 8 * i), "FACP");
		else if (!memcmp(e, "APIC", 4))
			t->apic = table_at(b, le64(t->xsdt + 36 + 8 * i), "APIC");
		else if (!memcmp(e, "SRAT", 4))
			t->srat = table_at(b, le64(t->xsdt + 36 + 8 * i), "SRAT");
		else
			ck_abort_msg("unexpected XSDT entry %.4s", e);
	}
	ck_assert_ptr_nonnull(t->facp);
	t->dsdt = table_at(b, le64(t->facp + 140), "DSDT");
	t->facs = at(b, le64(t->facp + 132), 64);
	ck_assert_mem_eq(t->facs, "FACS", 4);
}

static struct acpi_blob *build(const struct test_cfg *tc)
{
	struct acpi_config c = make_cfg(tc);
	struct acpi_blob *b = acpi_build(&c, BASE);

	ck_assert_ptr_nonnull(b);
	return b;
}

/* AML bytes of a finished emitter must equal @want. */
#define ck_aml(a, ...) do { \
	const uint8_t want_[] = { __VA_ARGS__ }; \
	ck_assert_int_eq(aml_finish(a), 0); \
	ck_assert_uint_eq((a)->len, sizeof(want_)); \
	ck_assert_mem_eq((a)->buf, want_, sizeof(want_)); \
} while (0)

/* ------------------------------------------------------------ AML */

START_TEST(test_pkglen_encode)
{
	static const struct {
		uint32_t len;
		unsigned int n;
		uint8_t b[4];
	} v[] = {
		{ 0x00, 1, { 0x00 } },
		{ 0x3f, 1, { 0x3f } },
		{ 0x40, 2, { 0x40, 0x04 } },
		{ 0x123, 2, { 0x43, 0x12 } },
		{ 0xfff, 2, { 0x4f, 0xff } },
		{ 0x1000, 3, { 0x80, 0x00, 0x01 } },
		{ 0xfffff, 3, { 0x8f, 0xff, 0xff } },
		{ 0x100000, 4, { 0xc0, 0x00, 0x00, 0x01 } },
		{ 0x0fffffff, 4, { 0xcf, 0xff, 0xff, 0xff } },
	};
	uint8_t out[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		memset(out, 0xaa, sizeof(out));
		ck_assert_uint_eq(aml_pkglen_encode(out, v[i].len), v[i].n);
		ck_assert_mem_eq(out, v[i].b, v[i].n);
	}
	ck_assert_uint_eq(aml_pkglen_encode(out, 0x10000000), 0);
}
END_TEST

/* A Scope(\) whose body is @body bytes: the PkgLength picked on close. */
START_TEST(test_pkglen_emitted)
{
	static const struct {
		size_t body;            /* bytes after the PkgLength */
		unsigned int n;         /* expected PkgLength bytes */
	} v[] = {
		{ 2, 1 }, { 62, 1 }, { 63, 2 }, { 0xffd, 2 }, { 0xffe, 3 },
		{ 0xffffc, 3 }, { 0xffffd, 4 }, { 0x200000, 4 },
	};
	unsigned int i, k;
	uint32_t len;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct aml a;
		uint8_t *pad = calloc(1, v[i].body);

		ck_assert_ptr_nonnull(pad);
		aml_init(&a);
		aml_scope_open(&a, "\\");       /* NameString: 5C 00 */
		aml_bytes(&a, pad, v[i].body - 2);
		aml_close(&a);
		ck_assert_int_eq(aml_finish(&a), 0);
		ck_assert_uint_eq(a.buf[0], 0x10);
		ck_assert_uint_eq((a.buf[1] >> 6) + 1, v[i].n);
		len = v[i].n == 1 ? a.buf[1] : a.buf[1] & 0x0f;
		for (k = 1; k < v[i].n; k++)
			len |= (uint32_t)a.buf[1 + k] << (4 + 8 * (k - 1));
		ck_assert_uint_eq(len, v[i].body + v[i].n);
		ck_assert_uint_eq(a.len, 1 + v[i].n + v[i].body);
		ck_assert_uint_eq(a.buf[1 + v[i].n], 0x5c);
		aml_release(&a);
		free(pad);
	}
}
END_TEST

START_TEST(test_integers)
{
	static const struct {
		uint64_t v;
		size_t n;
		uint8_t b[9];
	} v[] = {
		{ 0, 1, { 0x00 } },
		{ 1, 1, { 0x01 } },
		{ UINT64_MAX, 1, { 0xff } },
		{ 2, 2, { 0x0a, 0x02 } },
		{ 0xff, 2, { 0x0a, 0xff } },
		{ 0x100, 3, { 0x0b, 0x00, 0x01 } },
		{ 0xffff, 3, { 0x0b, 0xff, 0xff } },
		{ 0x10000, 5, { 0x0c, 0x00, 0x00, 0x01, 0x00 } },
		{ 0xfee00000, 5, { 0x0c, 0x00, 0x00, 0xe0, 0xfe } },
		{ 0x100000000ull, 9, { 0x0e, 0, 0, 0, 0, 1, 0, 0, 0 } },
		{ 0xfffffffffffffffeull, 9,
		  { 0x0e, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct aml a;

		aml_init(&a);
		aml_int(&a, v[i].v);
		ck_assert_int_eq(aml_finish(&a), 0);
		ck_assert_uint_eq(a.len, v[i].n);
		ck_assert_mem_eq(a.buf, v[i].b, v[i].n);
		aml_release(&a);
	}
}
END_TEST

START_TEST(test_names)
{
	static const struct {
		const char *path;
		size_t n;
		const char *b;
	} v[] = {
		{ "_HID", 4, "_HID" },
		{ "PEP", 4, "PEP_" },
		{ "\\", 2, "\x5c\x00" },
		{ "\\_SB", 5, "\x5c_SB_" },
		{ "\\_SB.PCI0", 10, "\x5c\x2e_SB_PCI0" },
		{ "\\_SB.PCI0.ISA", 15, "\x5c\x2f\x03_SB_PCI0ISA_" },
		{ "^^FOO", 6, "^^FOO_" },
		{ "^A.B", 10, "^\x2e" "A___B___" },
		{ "MP0A", 4, "MP0A" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct aml a;

		aml_init(&a);
		aml_name(&a, v[i].path);
		ck_assert_int_eq(aml_finish(&a), 0);
		ck_assert_uint_eq(a.len, v[i].n);
		ck_assert_mem_eq(a.buf, v[i].b, v[i].n);
		aml_release(&a);
	}
}
END_TEST

START_TEST(test_bad_names)
{
	static const char *const bad[] = {
		"_hid", "TOOLONG", "0ABC", "\\_SB..X", "\\_SB.", "A-B", ".X",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct aml a;

		aml_init(&a);
		aml_name(&a, bad[i]);
		ck_assert_msg(aml_finish(&a) == -EINVAL, "accepted %s", bad[i]);
		aml_release(&a);
	}
}
END_TEST

START_TEST(test_eisaid)
{
	struct aml a;

	ck_assert_uint_eq(aml_eisaid_value("PNP0C80"), 0x800cd041);
	ck_assert_uint_eq(aml_eisaid_value("PNP0501"), 0x0105d041);
	ck_assert_uint_eq(aml_eisaid_value("PNP0A06"), 0x060ad041);
	ck_assert_uint_eq(aml_eisaid_value("pnp0c80"), 0);
	ck_assert_uint_eq(aml_eisaid_value("PNP0C8"), 0);
	ck_assert_uint_eq(aml_eisaid_value("PNP0G80"), 0);
	aml_init(&a);
	aml_eisaid(&a, "PNP0C80");
	ck_aml(&a, 0x0c, 0x41, 0xd0, 0x0c, 0x80);
	aml_release(&a);
}
END_TEST

START_TEST(test_data_objects)
{
	const uint8_t data[3] = { 0xde, 0xad, 0x01 };
	struct aml a;

	aml_init(&a);
	aml_string(&a, "QEMU0001");
	ck_aml(&a, 0x0d, 'Q', 'E', 'M', 'U', '0', '0', '0', '1', 0x00);
	aml_release(&a);

	aml_init(&a);
	aml_buffer(&a, data, sizeof(data));
	/* BufferOp PkgLength(6) BufferSize(ByteConst 3) bytes */
	ck_aml(&a, 0x11, 0x06, 0x0a, 0x03, 0xde, 0xad, 0x01);
	aml_release(&a);

	/* Name (\_S5, Package (4) { 0, 0, 0, 0 }) */
	aml_init(&a);
	aml_name_decl(&a, "\\_S5");
	aml_package_open(&a, 4);
	aml_int(&a, 0);
	aml_int(&a, 0);
	aml_int(&a, 0);
	aml_int(&a, 0);
	aml_close(&a);
	ck_aml(&a, 0x08, 0x5c, '_', 'S', '5', '_',
	       0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00);
	aml_release(&a);

	aml_init(&a);
	aml_local(&a, 0);
	aml_local(&a, 7);
	aml_arg(&a, 0);
	aml_arg(&a, 6);
	ck_aml(&a, 0x60, 0x67, 0x68, 0x6e);
	aml_release(&a);
}
END_TEST

START_TEST(test_method_if_else)
{
	struct aml a;

	/* Method (_STA, 0, NotSerialized) { Return (0x0B) } */
	aml_init(&a);
	aml_method_return_int(&a, "_STA", 0x0b);
	ck_aml(&a, 0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0b);
	aml_release(&a);

	/* Method (M, 2, Serialized) { If (Arg0 == 1) { Return (2) }
	 *                             Else { Notify (\_SB.MP00, Arg1) } } */
	aml_init(&a);
	aml_method_open(&a, "M", 2, true);
	aml_if_open(&a);
	aml_op(&a, AML_LEQUAL);
	aml_arg(&a, 0);
	aml_int(&a, 1);
	aml_op(&a, AML_RETURN);
	aml_int(&a, 2);
	aml_close(&a);
	aml_else_open(&a);
	aml_op(&a, AML_NOTIFY);
	aml_name(&a, "\\_SB.MP00");
	aml_arg(&a, 1);
	aml_close(&a);
	aml_close(&a);
	ck_aml(&a, 0x14, 0x1c, 'M', '_', '_', '_', 0x0a,
	       0xa0, 0x07, 0x93, 0x68, 0x01, 0xa4, 0x0a, 0x02,
	       0xa1, 0x0d, 0x86, 0x5c, 0x2e, '_', 'S', 'B', '_',
	       'M', 'P', '0', '0', 0x69);
	aml_release(&a);
}
END_TEST

START_TEST(test_region_field)
{
	struct aml a;

	aml_init(&a);
	aml_opregion(&a, "HPMR", AML_SPACE_SYSTEM_IO, 0x0a00, 0x18);
	ck_aml(&a, 0x5b, 0x80, 'H', 'P', 'M', 'R', 0x01,
	       0x0b, 0x00, 0x0a, 0x0a, 0x18);
	aml_release(&a);

	/* Field (HPMR, ByteAcc, NoLock, WriteAsZeros)
	 *     { Offset (0x14), MES, 1, MINS, 1 } */
	aml_init(&a);
	aml_field_open(&a, "HPMR", AML_BYTE_ACC, false, AML_WRITE_AS_ZEROS);
	aml_field_offset(&a, 0x14);
	aml_field_unit(&a, "MES", 1);
	aml_field_unit(&a, "MINS", 1);
	aml_close(&a);
	ck_aml(&a, 0x5b, 0x81, 0x13, 'H', 'P', 'M', 'R', 0x41,
	       0x00, 0x40, 0x0a, 'M', 'E', 'S', '_', 0x01,
	       'M', 'I', 'N', 'S', 0x01);
	aml_release(&a);

	/* A unit outside a Field, or a backwards Offset, is refused. */
	aml_init(&a);
	aml_field_unit(&a, "MES", 1);
	ck_assert_int_eq(aml_finish(&a), -EINVAL);
	aml_release(&a);
	aml_init(&a);
	aml_field_open(&a, "HPMR", AML_BYTE_ACC, false, AML_PRESERVE);
	aml_field_unit(&a, "MRBL", 32);
	aml_field_offset(&a, 2);
	aml_close(&a);
	ck_assert_int_eq(aml_finish(&a), -EINVAL);
	aml_release(&a);
}
END_TEST

START_TEST(test_mutex_ops)
{
	struct aml a;

	aml_init(&a);
	aml_mutex(&a, "MLCK", 0);
	aml_acquire(&a, "MLCK", 0xffff);
	aml_release_mutex(&a, "MLCK");
	aml_create_field(&a, 64, "MR64", 14, "MINA");
	ck_aml(&a, 0x5b, 0x01, 'M', 'L', 'C', 'K', 0x00,
	       0x5b, 0x23, 'M', 'L', 'C', 'K', 0xff, 0xff,
	       0x5b, 0x27, 'M', 'L', 'C', 'K',
	       0x8f, 'M', 'R', '6', '4', 0x0a, 0x0e, 'M', 'I', 'N', 'A');
	aml_release(&a);
}
END_TEST

START_TEST(test_restemplate)
{
	struct aml a;
	uint8_t want[] = {
		0x11, 0x10, 0x0a, 0x0d,
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08,
		0x22, 0x10, 0x00,
		0x79, 0x00,
	};

	/* ResourceTemplate () { IO (Decode16, 0x3f8, 0x3f8, 0, 8)
	 *                       IRQNoFlags () {4} } */
	want[16] = -sum8(want + 4, 12);
	aml_init(&a);
	aml_restemplate_open(&a);
	aml_res_io(&a, 0x3f8, 0x3f8, 0, 8);
	aml_res_irq_noflags(&a, 4);
	aml_close(&a);
	ck_assert_int_eq(aml_finish(&a), 0);
	ck_assert_uint_eq(a.len, sizeof(want));
	ck_assert_mem_eq(a.buf, want, sizeof(want));
	ck_assert_uint_eq(sum8(a.buf + 4, a.len - 4), 0);
	aml_release(&a);

	/* A template patched at run time: EndTag checksum 0. */
	aml_init(&a);
	aml_restemplate_open_patched(&a);
	aml_res_io(&a, 0x3f8, 0x3f8, 0, 8);
	aml_res_irq_noflags(&a, 4);
	aml_close(&a);
	want[16] = 0;
	ck_assert_int_eq(aml_finish(&a), 0);
	ck_assert_mem_eq(a.buf, want, sizeof(want));
	aml_release(&a);

	/* A descriptor outside a template is refused. */
	aml_init(&a);
	aml_res_io(&a, 0x3f8, 0x3f8, 0, 8);
	ck_assert_int_eq(aml_finish(&a), -EINVAL);
	aml_release(&a);
}
END_TEST

START_TEST(test_address_descriptors)
{
	const struct aml_res_mem m = {
		.min_fixed = true, .max_fixed = true, .cache = AML_CACHEABLE,
		.read_write = true, .min = 0x100000000ull,
		.max = 0x13fffffffull, .length = 0x40000000,
	};
	const struct aml_res_irq irq = { .edge = false, .active_low = false };
	struct aml a;
	const uint8_t *d;

	aml_init(&a);
	aml_restemplate_open(&a);
	aml_res_qword_memory(&a, &m);
	aml_res_interrupt(&a, &irq, 9);
	aml_close(&a);
	ck_assert_int_eq(aml_finish(&a), 0);
	/* BufferOp PkgLength(1 byte) ByteConst(size), then descriptors. */
	ck_assert_uint_eq(a.buf[1], 1 + 2 + 46 + 9 + 2);
	ck_assert_uint_eq(a.buf[2], 0x0a);
	ck_assert_uint_eq(a.buf[3], 46 + 9 + 2);
	d = a.buf + 4;
	ck_assert_uint_eq(d[0], 0x8a);
	ck_assert_uint_eq(le16(d + 1), 43);
	ck_assert_uint_eq(d[3], 0);             /* memory */
	ck_assert_uint_eq(d[4], 0x0d);          /* MAF MIF consumer */
	ck_assert_uint_eq(d[5], 0x03);          /* cacheable, RW */
	ck_assert_uint_eq(le64(d + 14), m.min); /* _MIN, as MCRS expects */
	ck_assert_uint_eq(le64(d + 22), m.max); /* _MAX */
	ck_assert_uint_eq(le64(d + 38), m.length); /* _LEN */
	d += 46;
	ck_assert_uint_eq(d[0], 0x89);
	ck_assert_uint_eq(le16(d + 1), 6);
	ck_assert_uint_eq(d[3], 0x01);          /* consumer, level, high */
	ck_assert_uint_eq(d[4], 1);
	ck_assert_uint_eq(le32(d + 5), 9);
	ck_assert_uint_eq(d[9], 0x79);
	ck_assert_uint_eq(sum8(a.buf + 4, a.len - 4), 0);
	aml_release(&a);

	aml_init(&a);
	aml_restemplate_open(&a);
	aml_res_dword_memory(&a, &m);           /* min above 4 GiB */
	aml_close(&a);
	ck_assert_int_eq(aml_finish(&a), -EINVAL);
	aml_release(&a);
}
END_TEST

START_TEST(test_unbalanced)
{
	struct aml a;

	aml_init(&a);
	aml_scope_open(&a, "\\_SB");
	ck_assert_int_eq(aml_finish(&a), -EINVAL);
	aml_release(&a);

	aml_init(&a);
	aml_close(&a);
	ck_assert_int_eq(aml_finish(&a), -EINVAL);
	aml_release(&a);

	aml_init(&a);
	aml_local(&a, 8);
	ck_assert_int_eq(aml_finish(&a), -EINVAL);
	aml_release(&a);
}
END_TEST

/* ------------------------------------------------------------ tables */

START_TEST(test_rsdp)
{
	struct acpi_blob *b = build(&test_cfgs[0]);
	struct tables t;

	walk(b, &t);
	ck_assert_uint_eq(acpi_blob_rsdp(b), BASE);
	ck_assert_uint_eq(acpi_blob_rsdp(b) % 16, 0);
	ck_assert_mem_eq(t.rsdp, "RSD PTR ", 8);
	ck_assert_uint_eq(sum8(t.rsdp, 20), 0);
	ck_assert_uint_eq(sum8(t.rsdp, 36), 0);
	ck_assert_mem_eq(t.rsdp + 9, "MEMVSR", 6);
	ck_assert_uint_eq(t.rsdp[15], 2);               /* revision */
	ck_assert_uint_eq(le32(t.rsdp + 16), 0);        /* no RSDT */
	ck_assert_uint_eq(le32(t.rsdp + 20), 36);
	acpi_blob_free(b);
}
END_TEST

START_TEST(test_checksums_and_layout)
{
	struct acpi_blob *b = build(&test_cfgs[_i]);
	const uint8_t *p[6];
	struct tables t;
	unsigned int i, j;

	walk(b, &t);        /* checks every table's checksum on the way */
	ck_assert_uint_le(acpi_blob_size(b), PLAT_ACPI_SIZE);
	ck_assert_uint_eq((BASE + (t.facs - t.rsdp)) % 64, 0);
	ck_assert_uint_eq(le32(t.facs + 4), 64);
	/* No two tables overlap. */
	p[0] = t.xsdt; p[1] = t.facp; p[2] = t.dsdt;
	p[3] = t.apic; p[4] = t.srat; p[5] = t.facs;
	for (i = 0; i < 6; i++) {
		size_t li = i == 5 ? 64 : le32(p[i] + 4);

		ck_assert(p[i] >= t.rsdp + 36);
		for (j = 0; j < 6; j++) {
			if (i != j)
				ck_assert(p[j] >= p[i] + li || p[j] < p[i]);
		}
		/* Common header: OEM ids. */
		if (i < 5) {
			ck_assert_mem_eq(p[i] + 10, "MEMVSR", 6);
			ck_assert_mem_eq(p[i] + 16, "MEMVISOR", 8);
		}
	}
	acpi_blob_free(b);
}
END_TEST

START_TEST(test_xsdt)
{
	struct acpi_blob *b = build(&test_cfgs[2]);
	const char *const sig[] = { "FACP", "APIC", "SRAT" };
	const uint8_t *data = acpi_blob_data(b);
	struct tables t;
	unsigned int i;

	walk(b, &t);
	ck_assert_uint_eq(le32(t.xsdt + 4), 36 + 8 * 3);
	for (i = 0; i < 3; i++) {
		uint64_t gpa = le64(t.xsdt + 36 + 8 * i);

		ck_assert_mem_eq(data + (gpa - BASE), sig[i], 4);
	}
	acpi_blob_free(b);
}
END_TEST

START_TEST(test_fadt)
{
	struct acpi_blob *b = build(&test_cfgs[_i]);
	const uint8_t *f;
	struct tables t;
	uint32_t flags;

	walk(b, &t);
	f = t.facp;
	ck_assert_uint_eq(le32(f + 4), 276);
	ck_assert_uint_eq(f[8], 6);
	/* FACS and DSDT, 32-bit and X_ alike. */
	ck_assert_uint_eq(le32(f + 36), le64(f + 132));
	ck_assert_uint_eq(le32(f + 40), le64(f + 140));
	ck_assert_uint_eq(le16(f + 46), PLAT_SCI_IRQ);
	ck_assert_uint_eq(le32(f + 48), 0);             /* SMI_CMD */
	ck_assert_uint_eq(f[52], 0);
	ck_assert_uint_eq(f[53], 0);
	ck_assert_uint_eq(le32(f + 56), PLAT_PM1A_EVT_PORT);
	ck_assert_uint_eq(le32(f + 64), PLAT_PM1A_CNT_PORT);
	ck_assert_uint_eq(le32(f + 76), PLAT_PM_TMR_PORT);
	ck_assert_uint_eq(le32(f + 80), PLAT_GPE0_PORT);
	ck_assert_uint_eq(f[88], PLAT_PM1A_EVT_LEN);
	ck_assert_uint_eq(f[89], PLAT_PM1A_CNT_LEN);
	ck_assert_uint_eq(f[91], PLAT_PM_TMR_LEN);
	ck_assert_uint_eq(f[92], PLAT_GPE0_LEN);
	ck_assert_uint_eq(le16(f + 109), 1u << 1);      /* 8042 */
	flags = le32(f + 112);
	ck_assert_uint_eq(flags & 0x1, 0x1);            /* WBINVD */
	ck_assert_uint_eq(flags & 0x4, 0x4);            /* PROC_C1 */
	ck_assert_uint_eq(flags & 0x10, 0);             /* fixed power button */
	ck_assert_uint_eq(flags & 0x20, 0x20);          /* no sleep button */
	ck_assert_uint_eq(flags & (1u << 20), 0);       /* not HW-reduced */
	/* X_ blocks: SystemIO, same address and width as the legacy ones. */
	ck_assert_uint_eq(f[148], 1);
	ck_assert_uint_eq(f[149], PLAT_PM1A_EVT_LEN * 8);
	ck_assert_uint_eq(le64(f + 152), PLAT_PM1A_EVT_PORT);
	ck_assert_uint_eq(f[172], 1);
	ck_assert_uint_eq(f[173], PLAT_PM1A_CNT_LEN * 8);
	ck_assert_uint_eq(le64(f + 176), PLAT_PM1A_CNT_PORT);
	ck_assert_uint_eq(f[208], 1);
	ck_assert_uint_eq(f[209], PLAT_PM_TMR_LEN * 8);
	ck_assert_uint_eq(le64(f + 212), PLAT_PM_TMR_PORT);
	ck_assert_uint_eq(f[220], 1);
	ck_assert_uint_eq(f[221], PLAT_GPE0_LEN * 8);
	ck_assert_uint_eq(le64(f + 224), PLAT_GPE0_PORT);
	acpi_blob_free(b);
}
END_TEST

START_TEST(test_madt)
{
	const struct test_cfg *tc = &test_cfgs[_i];
	struct acpi_blob *b = build(tc);
	unsigned int nlapic = 0, nioapic = 0, niso = 0, nnmi = 0;
	const uint8_t *m, *e, *end;
	struct tables t;

	walk(b, &t);
	m = t.apic;
	ck_assert_uint_eq(le32(m + 36), PLAT_LAPIC_GPA);
	ck_assert_uint_eq(le32(m + 40) & 1, 1);         /* PCAT_COMPAT */
	end = m + le32(m + 4);
	for (e = m + 44; e < end; e += e[1]) {
		ck_assert_uint_ge(e[1], 2);
		switch (e[0]) {
		case 0:
			ck_assert_uint_eq(e[1], 8);
			ck_assert_uint_eq(e[2], nlapic);        /* UID */
			ck_assert_uint_eq(e[3], nlapic);        /* APIC id */
			ck_assert_uint_eq(le32(e + 4), 1);      /* enabled */
			nlapic++;
			break;
		case 1:
			ck_assert_uint_eq(e[1], 12);
			ck_assert_uint_eq(le32(e + 4), PLAT_IOAPIC_GPA);
			ck_assert_uint_eq(le32(e + 8), 0);
			nioapic++;
			break;
		case 2:
			ck_assert_uint_eq(e[1], 10);
			ck_assert_uint_eq(e[2], 0);
			if (e[3] == 0) {
				ck_assert_uint_eq(le32(e + 4), 2);
			} else {
				ck_assert(e[3] == PLAT_SCI_IRQ ||
					  e[3] == PLAT_PCI_IRQ_LO ||
					  e[3] == PLAT_PCI_IRQ_HI);
				ck_assert_uint_eq(le32(e + 4), e[3]);
				ck_assert_uint_eq(le16(e + 8), 0x0d);
			}
			niso++;
			break;
		case 4:
			ck_assert_uint_eq(e[1], 6);
			ck_assert_uint_eq(e[2], 0xff);
			ck_assert_uint_eq(e[5], 1);
			nnmi++;
			break;
		default:
			ck_abort_msg("unexpected MADT entry type %u", e[0]);
		}
	}
	ck_assert_ptr_eq(e, end);
	ck_assert_uint_eq(nlapic, tc->ncpus);
	ck_assert_uint_eq(nioapic, 1);
	ck_assert_uint_eq(niso, 4);
	ck_assert_uint_eq(nnmi, 1);
	acpi_blob_free(b);
}
END_TEST

START_TEST(test_srat)
{
	const struct test_cfg *tc = &test_cfgs[_i];
	struct acpi_config c = make_cfg(tc);
	struct acpi_blob *b = build(tc);
	unsigned int ncpu = 0, nmem = 0;
	const uint8_t *s, *e, *end;
	struct tables t;

	walk(b, &t);
	s = t.srat;
	ck_assert_uint_eq(s[8], 3);
	ck_assert_uint_eq(le32(s + 36), 1);
	end = s + le32(s + 4);
	for (e = s + 48; e < end; e += e[1]) {
		if (e[0] == 0) {
			ck_assert_uint_eq(e[1], 16);
			ck_assert_uint_eq(e[2], 0);
			ck_assert_uint_eq(e[3], ncpu);
			ck_assert_uint_eq(le32(e + 4), 1);
			ncpu++;
		} else {
			const struct acpi_mem_range *r = &c.mem[nmem];

			ck_assert_uint_eq(e[0], 1);
			ck_assert_uint_eq(e[1], 40);
			ck_assert_uint_eq(le32(e + 2), r->node);
			ck_assert_uint_eq(le64(e + 8), r->base);
			ck_assert_uint_eq(le64(e + 16), r->size);
			ck_assert_uint_eq(le32(e + 28),
					  r->hotpluggable ? 3 : 1);
			nmem++;
		}
	}
	ck_assert_ptr_eq(e, end);
	ck_assert_uint_eq(ncpu, tc->ncpus);
	ck_assert_uint_eq(nmem, c.nr_mem);
	acpi_blob_free(b);
}
END_TEST

static unsigned int count_bytes(const uint8_t *p, size_t len,
				const void *pat, size_t n)
{
	unsigned int hits = 0;
	size_t i;

	for (i = 0; i + n <= len; i++)
		hits += !memcmp(p + i, pat, n);
	return hits;
}

START_TEST(test_dsdt_content)
{
	const struct test_cfg *tc = &test_cfgs[_i];
	const uint8_t pnp0c80[] = { 0x0c, 0x41, 0xd0, 0x0c, 0x80 };
	const uint8_t pnp0501[] = { 0x0c, 0x41, 0xd0, 0x05, 0x01 };
	const uint8_t s5[] = { 0x08, 0x5c, '_', 'S', '5', '_', 0x12, 0x06,
			       0x04, PLAT_SLP_TYP_S5, PLAT_SLP_TYP_S5, 0, 0 };
	struct acpi_blob *b = build(tc);
	struct tables t;
	size_t len;

	walk(b, &t);
	len = le32(t.dsdt + 4);
	ck_assert_uint_eq(t.dsdt[8], 2);        /* 64-bit integers */
	ck_assert_uint_eq(count_bytes(t.dsdt, len, s5, sizeof(s5)), 1);
	ck_assert_uint_eq(count_bytes(t.dsdt, len, "QEMU0001", 8), 1);
	ck_assert_uint_eq(count_bytes(t.dsdt, len, pnp0501, 5), 1);
	ck_assert_uint_eq(count_bytes(t.dsdt, len, "PEVT", 4), 1);
	ck_assert_uint_eq(count_bytes(t.dsdt, len, "ACPI0006", 8), 1);
	ck_assert_uint_eq(count_bytes(t.dsdt, len, pnp0c80, 5), tc->slots);
	ck_assert_uint_eq(count_bytes(t.dsdt, len, "_E03", 4),
			  tc->slots ? 1 : 0);
	acpi_blob_free(b);
}
END_TEST

START_TEST(test_bad_configs)
{
	const struct test_cfg tc = { 4, 2, 4 };
	struct acpi_config c;

	c = make_cfg(&tc);
	c.ncpus = 0;
	ck_assert_ptr_null(acpi_build(&c, BASE));
	c.ncpus = ACPI_MAX_CPUS + 1;
	ck_assert_ptr_null(acpi_build(&c, BASE));
	c = make_cfg(&tc);
	c.nr_nodes = 1;                 /* a range is in node 1 */
	ck_assert_ptr_null(acpi_build(&c, BASE));
	c.nr_nodes = 0;
	ck_assert_ptr_null(acpi_build(&c, BASE));
	c = make_cfg(&tc);
	c.nr_mem = 0;
	ck_assert_ptr_null(acpi_build(&c, BASE));
	c.nr_mem = ACPI_MAX_MEM_RANGES + 1;
	ck_assert_ptr_null(acpi_build(&c, BASE));
	c = make_cfg(&tc);
	c.nr_parts = ACPI_MAX_DSDT_PARTS + 1;
	ck_assert_ptr_null(acpi_build(&c, BASE));
	c = make_cfg(&tc);
	c.mem[1].size = 0;
	ck_assert_ptr_null(acpi_build(&c, BASE));
	c = make_cfg(&tc);
	ck_assert_ptr_null(acpi_build(&c, BASE + 8));   /* RSDP alignment */
	ck_assert_ptr_null(acpi_build(&c, PLAT_4G));    /* 32-bit pointers */
	ck_assert_ptr_null(acpi_build(NULL, BASE));
}
END_TEST

START_TEST(test_largest_config)
{
	const struct test_cfg tc = { ACPI_MAX_CPUS, 2, MEMHP_MAX_SLOTS };
	struct acpi_config c = make_cfg(&tc);
	struct acpi_blob *b;
	struct tables t;

	while (c.nr_mem < ACPI_MAX_MEM_RANGES) {
		c.mem[c.nr_mem] = c.mem[c.nr_mem - 1];
		c.mem[c.nr_mem].base += 4 * GiB;
		c.nr_mem++;
	}
	b = acpi_build(&c, BASE);
	ck_assert_ptr_nonnull(b);
	walk(b, &t);
	ck_assert_uint_le(acpi_blob_size(b), PLAT_ACPI_SIZE);
	acpi_blob_free(b);
}
END_TEST

/* ------------------------------------------------------------ dump, iasl */

static void rm_tree(const char *dir)
{
	char path[4096];
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		unlink(path);
	}
	closedir(dp);
	rmdir(dir);
}

static const char *const dump_files[] = {
	"xsdt.dat", "facp.dat", "facs.dat",
	"dsdt.dat", "apic.dat", "srat.dat",
};

START_TEST(test_dump)
{
	struct acpi_blob *b = build(&test_cfgs[4]);
	char tmpl[] = "/tmp/memvisor-acpi-XXXXXX", sub[64], path[128];
	struct stat st;
	unsigned int i;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(sub, sizeof(sub), "%s/tables", tmpl);
	ck_assert_int_eq(acpi_dump(b, sub), 0);         /* creates @sub */
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0755 & ~umask(022));
	for (i = 0; i < ARRAY_SIZE(dump_files); i++) {
		snprintf(path, sizeof(path), "%s/%s", sub, dump_files[i]);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_uint_gt(st.st_size, 0);
	}
	ck_assert_int_eq(acpi_dump(b, sub), 0);         /* exists: fine */
	snprintf(path, sizeof(path), "%s/rsdp.dat", sub);
	ck_assert_int_ne(stat(path, &st), 0);           /* not a table */
	snprintf(path, sizeof(path), "%s/xsdt.dat", sub);
	ck_assert_int_eq(acpi_dump(b, path), -ENOTDIR);
	rm_tree(sub);
	rmdir(tmpl);
	acpi_blob_free(b);
}
END_TEST

static bool has_iasl(void)
{
	return system("command -v iasl >/dev/null 2>&1") == 0;
}

/* Run "iasl @args" inside @dir; its output (stdout and stderr) in @out.
 * Returns iasl's exit status. */
static int run_iasl(const char *dir, const char *args, char *out,
		    size_t outsz)
{
	char cmd[512];
	size_t n = 0, r;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "cd '%s' && iasl %s 2>&1", dir, args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (n + 1 < outsz && (r = fread(out + n, 1, outsz - 1 - n, p)))
		n += r;
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* iasl's output names an error or a warning (its summary "0 Errors, 0
 * Warnings" does not count). */
static bool is_iasl_complaint(const char *out)
{
	static const char *const word[] = { "Error", "Warning" };
	unsigned int i;
	const char *p;

	for (i = 0; i < ARRAY_SIZE(word); i++)
		for (p = strstr(out, word[i]); p; p = strstr(p + 1, word[i]))
			if (!(p >= out + 2 && p[-1] == ' ' && p[-2] == '0'))
				return true;
	return false;
}

static uint8_t *read_file(const char *dir, const char *name, size_t *len)
{
	char path[256];
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return buf;
}

/*
 * Recompile iasl's disassembly of @table and compare with ours past the
 * common header (iasl puts its own compiler id there). A field iasl read
 * differently from what we meant shows up as a byte difference. For the
 * DSDT, compiled unoptimised (-oa), the only difference allowed is the
 * ResourceTemplate EndTag checksum, which iasl writes as 0 ("treat as
 * valid") and we compute.
 */
static void iasl_round_trip(const char *dir, const char *table, char *out,
			    size_t outsz)
{
	char args[128], dat[32], aml[32];
	size_t ours_len, rt_len, i, from;
	uint8_t *ours, *rt;
	bool dsdt = !strcmp(table, "dsdt");
	int rc;

	snprintf(args, sizeof(args), "%s -p rt_%s %s.dsl",
		 dsdt ? "-oa" : "", table, table);
	rc = run_iasl(dir, args, out, outsz);
	ck_assert_msg(rc == 0 && !is_iasl_complaint(out), "iasl %s: exit %d\n%s",
		      args, rc, out);
	snprintf(dat, sizeof(dat), "%s.dat", table);
	snprintf(aml, sizeof(aml), "rt_%s.aml", table);
	ours = read_file(dir, dat, &ours_len);
	rt = read_file(dir, aml, &rt_len);
	ck_assert_msg(rt_len == ours_len, "%s: iasl rebuilt %zu bytes, not %zu",
		      table, rt_len, ours_len);
	from = strcmp(table, "facs") ? 36 : 0;
	for (i = from; i < ours_len; i++) {
		if (rt[i] == ours[i] ||
		    (dsdt && rt[i] == 0 && ours[i - 1] == 0x79))
			continue;
		ck_abort_msg("%s: byte %zu is 0x%02x, iasl rebuilt 0x%02x",
			     table, i, ours[i], rt[i]);
	}
	free(ours);
	free(rt);
}

START_TEST(test_iasl)
{
	static const char *const rt_tables[] = {
		"xsdt", "facp", "facs", "dsdt", "apic", "srat",
	};
	struct acpi_blob *b = build(&test_cfgs[_i]);
	char tmpl[] = "/tmp/memvisor-acpi-XXXXXX", args[64];
	static char out[65536];
	unsigned int i;
	int rc;

	if (!has_iasl()) {
		fprintf(stderr, "test_acpi: iasl not installed (acpica-tools);"
			" skipping the iasl -d check\n");
		acpi_blob_free(b);
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	ck_assert_int_eq(acpi_dump(b, tmpl), 0);
	for (i = 0; i < ARRAY_SIZE(dump_files); i++) {
		snprintf(args, sizeof(args), "-d %s", dump_files[i]);
		rc = run_iasl(tmpl, args, out, sizeof(out));
		ck_assert_msg(rc == 0, "iasl -d %s: exit %d\n%s",
			      dump_files[i], rc, out);
		ck_assert_msg(!is_iasl_complaint(out), "iasl -d %s:\n%s",
			      dump_files[i], out);
	}
	for (i = 0; i < ARRAY_SIZE(rt_tables); i++)
		iasl_round_trip(tmpl, rt_tables[i], out, sizeof(out));
	rm_tree(tmpl);
	acpi_blob_free(b);
}
END_TEST


Suite *acpi_suite(void)
{
	Suite *s = suite_create("acpi");
	TCase *aml = tcase_create("aml");
	TCase *tables = tcase_create("tables");
	TCase *iasl = tcase_create("iasl");
	const int ncfg = ARRAY_SIZE(test_cfgs);

	tcase_add_test(aml, test_pkglen_encode);
	tcase_add_test(aml, test_pkglen_emitted);
	tcase_add_test(aml, test_integers);
	tcase_add_test(aml, test_names);
	tcase_add_test(aml, test_bad_names);
	tcase_add_test(aml, test_eisaid);
	tcase_add_test(aml, test_data_objects);
	tcase_add_test(aml, test_method_if_else);
	tcase_add_test(aml, test_region_field);
	tcase_add_test(aml, test_mutex_ops);
	tcase_add_test(aml, test_restemplate);
	tcase_add_test(aml, test_address_descriptors);
	tcase_add_test(aml, test_unbalanced);
	suite_add_tcase(s, aml);

	tcase_add_test(tables, test_rsdp);
	tcase_add_loop_test(tables, test_checksums_and_layout, 0, ncfg);
	tcase_add_test(tables, test_xsdt);
	tcase_add_loop_test(tables, test_fadt, 0, ncfg);
	tcase_add_loop_test(tables, test_madt, 0, ncfg);
	tcase_add_loop_test(tables, test_srat, 0, ncfg);
	tcase_add_loop_test(tables, test_dsdt_content, 0, ncfg);
	tcase_add_test(tables, test_bad_configs);
	tcase_add_test(tables, test_largest_config);
	tcase_add_test(tables, test_dump);
	suite_add_tcase(s, tables);

	tcase_add_loop_test(iasl, test_iasl, 0, ncfg);
	tcase_set_timeout(iasl, 60);
	suite_add_tcase(s, iasl);
	return s;
}
