/*
 * ACPI fixed-hardware power management: the SCI, the power button, GPE0
 * event dispatch and soft-off (S5).
 */
#ifndef GUEST_DRIVERS_PM_H
#define GUEST_DRIVERS_PM_H

#include "include/compiler.h"
#include "include/types.h"

/* Handler for GPE0 status bit @bit; runs in the SCI handler after the
 * status bit was cleared. */
typedef void (*gpe_handler_t)(unsigned int bit, void *ctx);

/* Enter ACPI mode if needed, enable the power button, route the SCI.
 * Needs acpi_init() and the IOAPIC. 0 or -ENODEV (no FADT/PM1 block). */
int pm_init(void);
/* Install @fn for GPE0 bit @bit and enable it. 0, -EINVAL, -EBUSY. */
int pm_gpe_register(unsigned int bit, gpe_handler_t fn, void *ctx);
/* Power off through ACPI S5 (SLP_TYP from \_S5, SLP_EN in PM1x_CNT). */
void pm_poweroff(void) __noreturn;

#endif
