/*
 * The guest's ACPI reader (guest/drivers/acpi.c, acpi_aml.c) built for the
 * host, over a byte image of guest-physical memory: for fuzz_acpi.c and
 * tests/unit/test_guest_acpi.c only. Include this header in exactly one
 * file of a program, compiled with -Itests/fuzz/acpi_shim -Iguest (this
 * directory first, so that arch/x86/mmu.h is the host stand-in).
 *
 * The reader's two files are #included, so that their static state can be
 * reset between images. The memory model:
 *
 *   memremap(pa, n)  a pointer into an exact-size copy of the image, which
 *                    sits at ACPI_HOST_BASE (PLAT_ACPI_GPA, where memvisor
 *                    puts its tables, RSDP first), so ASan reports a read
 *                    past the end of "memory"; a range outside the image
 *                    ends the run (longjmp): the guest would map whatever
 *                    is there, and there is nothing to check.
 *   __va(pa)         the BIOS area 0xe0000-0xfffff that the RSDP scan
 *                    reads: a zero-padded copy of the same bytes.
 */
#ifndef TESTS_FUZZ_ACPI_HOST_H
#define TESTS_FUZZ_ACPI_HOST_H

#include <setjmp.h>
#include <stdlib.h>

#include "../../../guest/drivers/acpi.c"
#include "../../../guest/drivers/acpi_aml.c"
#include "kernel/printk.h"

#define ACPI_HOST_BASE     0xe0000ull   /* PLAT_ACPI_GPA */
#define ACPI_HOST_BIOS_END 0x100000ull

struct boot_info boot_info;
int console_loglevel;

static uint8_t *acpi_host_ram;          /* the image, exact size */
static size_t acpi_host_len;
static uint8_t acpi_host_bios[ACPI_HOST_BIOS_END - ACPI_HOST_BASE];
static jmp_buf acpi_host_outside;

void *memremap(phys_addr_t pa, size_t n)
{
	if (pa < ACPI_HOST_BASE || pa - ACPI_HOST_BASE > acpi_host_len ||
	    n > acpi_host_len - (pa - ACPI_HOST_BASE))
		longjmp(acpi_host_outside, 1);
	return acpi_host_ram + (pa - ACPI_HOST_BASE);
}

void *__va(phys_addr_t pa)
{
	if (pa < ACPI_HOST_BASE || pa > ACPI_HOST_BIOS_END)
		abort();                /* the reader uses __va for the scan only */
	return acpi_host_bios + (pa - ACPI_HOST_BASE);
}

phys_addr_t __pa(const void *p)
{
	return ACPI_HOST_BASE + (phys_addr_t)((const uint8_t *)p - acpi_host_bios);
}

void bootmem_reserve(phys_addr_t base, uint64_t n)
{
}

void printk(int level, const char *fmt, ...)
{
}

/* What the kernel asks once the tables are read. */
struct acpi_host_answers {
	const void *hpet;
	struct irq_route isa[16];
	int sleep_ret[6];
	uint8_t slp_typ_a[6], slp_typ_b[6];
	int mdnr_ret;
	uint64_t mdnr;
};

/*
 * Read the tables in @data/@size (at ACPI_HOST_BASE, RSDP first; the BIOS
 * area scan if there is none there) into `acpi`, then ask the questions
 * into @ans. acpi_init()'s result, or 1 if the reader left the image.
 */
static int acpi_host_run(const uint8_t *data, size_t size,
			 struct acpi_host_answers *ans)
{
	volatile int ret = 1;
	unsigned int i;

	acpi_host_ram = malloc(size ? size : 1);
	if (!acpi_host_ram)
		abort();
	memcpy(acpi_host_ram, data, size);
	acpi_host_len = size;
	memset(&acpi, 0, sizeof(acpi));
	memset(tables, 0, sizeof(tables));
	nr_tables = 0;
	memset(acpi_host_bios, 0, sizeof(acpi_host_bios));
	memcpy(acpi_host_bios, data,
	       size < sizeof(acpi_host_bios) ? size : sizeof(acpi_host_bios));
	boot_info.rsdp_pa = ACPI_HOST_BASE;
	memset(ans, 0, sizeof(*ans));
	if (!setjmp(acpi_host_outside)) {
		ret = acpi_init();
		if (!ret) {
			ans->hpet = acpi_find_table("HPET");
			for (i = 0; i < 16; i++)
				acpi_isa_irq_route(i, &ans->isa[i]);
			for (i = 0; i <= 5; i++)
				ans->sleep_ret[i] = acpi_sleep_type(i,
					&ans->slp_typ_a[i], &ans->slp_typ_b[i]);
			ans->mdnr_ret = acpi_dsdt_name_int("MDNR", &ans->mdnr);
		}
	}
	free(acpi_host_ram);
	acpi_host_ram = NULL;
	return ret;
}

#endif
