/*
 * ACPI memory hotplug: the guest driver for QEMU's memory hotplug register
 * block (I/O 0x0a00-0x0a17, event on GPE0 bit 3), as Linux's
 * drivers/acpi/acpi_memhotplug.c plus the AML QEMU ships for it.
 */
#ifndef GUEST_DRIVERS_MEMHP_H
#define GUEST_DRIVERS_MEMHP_H

/*
 * Find the controller (the DSDT's MDNR: number of slots), add the DIMMs
 * already plugged at boot, and take GPE0 bit 3. Needs acpi_init(), mm,
 * pm_init(). 0, or -ENODEV when the machine has no hotplug slots (then
 * nothing is registered).
 */
int memhp_init(void);

#endif
