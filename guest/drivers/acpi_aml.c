/*
 * Just enough AML to read a sleep-state package from the DSDT.
 *
 * \_S5 is declared as  Name (_S5, Package () { SLP_TYPa, SLP_TYPb, ... }),
 * i.e. the bytes  NameOp(08) "_S5_" PackageOp(12) PkgLength NumElements
 * element...  where an element is ZeroOp(00), OneOp(01), OnesOp(ff), or
 * BytePrefix(0a)/WordPrefix(0b)/DWordPrefix(0c) and the constant. The
 * scan looks for "_S5_" directly followed by PackageOp: no interpreter.
 * PkgLength's first byte says in bits 7-6 how many bytes follow it.
 *
 * acpi_dsdt_name_int() finds  NameOp(08) NameSeg IntegerConstant  the same
 * way (e.g. the memory hotplug controller's MDNR, its number of slots).
 */
#include "abi/acpi.h"
#include "drivers/acpi.h"
#include "arch/x86/mmu.h"
#include "include/errno.h"
#include "kernel/string.h"

#define AML_ZERO_OP     0x00
#define AML_ONE_OP      0x01
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_NAME_OP     0x08
#define AML_PACKAGE_OP  0x12
#define AML_ONES_OP     0xff

/* Decode one integer element at *p (advanced past it). -EINVAL if the
 * element is not a constant integer. */
static int aml_integer(const uint8_t **p, const uint8_t *end, uint8_t *val)
{
	const uint8_t *q = *p;
	size_t len;

	if (q >= end)
		return -EINVAL;
	switch (*q) {
	case AML_ZERO_OP:
	case AML_ONE_OP:
	case AML_ONES_OP:
		*val = *q;
		len = 1;
		break;
	case AML_BYTE_PREFIX:
	case AML_WORD_PREFIX:
	case AML_DWORD_PREFIX:
		len = *q == AML_BYTE_PREFIX ? 2 : (*q == AML_WORD_PREFIX ? 3 : 5);
		if (q + len > end)      /* check before reading q[1] */
			return -EINVAL;
		*val = q[1];            /* SLP_TYP is 3 bits: the low byte */
		break;
	default:
		return -EINVAL;
	}
	if (q + len > end)
		return -EINVAL;
	*p = q + len;
	return 0;
}

/* Parse "PackageOp PkgLength NumElements a b" at @p. */
static int parse_package(const uint8_t *p, const uint8_t *end, uint8_t *a,
			 uint8_t *b)
{
	p++;                                    /* PackageOp */
	if (p >= end)
		return -EINVAL;
	p += 1 + (*p >> 6);                     /* PkgLength */
	if (p >= end || *p < 2)                 /* NumElements */
		return -EINVAL;
	p++;
	if (aml_integer(&p, end, a) || aml_integer(&p, end, b))
		return -EINVAL;
	return 0;
}

int acpi_sleep_type(unsigned int state, uint8_t *slp_typ_a, uint8_t *slp_typ_b)
{
	const struct acpi_table_header *dsdt;
	const uint8_t *p, *end;
	char name[4] = { '_', 'S', (char)('0' + state), '_' };

	if (!acpi.pm.dsdt || state > 5)
		return -ENOENT;
	dsdt = memremap(acpi.pm.dsdt, sizeof(*dsdt));
	dsdt = memremap(acpi.pm.dsdt, dsdt->length);
	p = (const uint8_t *)(dsdt + 1);
	end = (const uint8_t *)dsdt + dsdt->length;
	for (; p + 5 < end; p++) {
		if (p[0] != '_' || memcmp(p, name, 4) || p[4] != AML_PACKAGE_OP)
			continue;
		if (!parse_package(p + 4, end, slp_typ_a, slp_typ_b))
			return 0;
	}
	return -ENOENT;
}

/* The integer constant at @p (Zero, One, Ones or a prefixed constant). */
static int aml_const(const uint8_t *p, const uint8_t *end, uint64_t *val)
{
	unsigned int len, i;

	if (p >= end)
		return -EINVAL;
	switch (*p) {
	case AML_ZERO_OP:
	case AML_ONE_OP:
		*val = *p;
		return 0;
	case AML_ONES_OP:
		*val = ~0ull;
		return 0;
	case AML_BYTE_PREFIX:  len = 1; break;
	case AML_WORD_PREFIX:  len = 2; break;
	case AML_DWORD_PREFIX: len = 4; break;
	case AML_QWORD_PREFIX: len = 8; break;
	default:
		return -EINVAL;
	}
	if (p + 1 + len > end)
		return -EINVAL;
	for (*val = 0, i = 0; i < len; i++)
		*val |= (uint64_t)p[1 + i] << (8 * i);
	return 0;
}

int acpi_dsdt_name_int(const char *name, uint64_t *val)
{
	const struct acpi_table_header *dsdt;
	const uint8_t *p, *end;

	if (!acpi.pm.dsdt)
		return -ENOENT;
	dsdt = memremap(acpi.pm.dsdt, sizeof(*dsdt));
	dsdt = memremap(acpi.pm.dsdt, dsdt->length);
	p = (const uint8_t *)(dsdt + 1);
	end = (const uint8_t *)dsdt + dsdt->length;
	for (; p + 6 < end; p++) {
		if (p[0] != AML_NAME_OP || memcmp(p + 1, name, 4))
			continue;
		if (!aml_const(p + 5, end, val))
			return 0;
	}
	return -ENOENT;
}
