/*
 * Fuzz the guest kernel's ACPI reader (guest/drivers/acpi.c and
 * acpi_aml.c), built for the host by acpi_shim/acpi_host.h: the input is
 * guest-physical memory at PLAT_ACPI_GPA (0xe0000), where memvisor puts its
 * tables, RSDP first; the seeds are tables acpi_build() made. After
 * acpi_init() the harness asks what the kernel asks later: a table by
 * signature, the ISA IRQ routes, the sleep types, a DSDT integer.
 */
#include "acpi_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acpi_host_answers ans;

	if (size <= MAX_INPUT)
		acpi_host_run(data, size, &ans);
	return 0;
}
