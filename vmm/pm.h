/*
 * ACPI fixed hardware of the PIIX4-style PM block: PM1a event and control
 * registers, the PM timer, GPE0, and the SCI. Other modules raise GPEs
 * (hotplug: bit 3); QMP's system_powerdown presses the power button.
 */
#ifndef VMM_PM_H
#define VMM_PM_H

#include "vmm/error.h"

struct vm;
struct pm;

struct pm *pm_create(struct vm *vm, struct errmsg *e);
void pm_destroy(struct pm *pm);

/* Press the fixed-feature power button (PM1 PWRBTN_STS + SCI). */
void pm_power_button(struct pm *pm);
/* Set GPE0 status bit @bit and raise the SCI if the guest enabled it. */
void pm_gpe_raise(struct pm *pm, unsigned int bit);

/* QEMU's ISA pvpanic device: a guest write of bit 0 stops the VM. */
int pvpanic_create(struct vm *vm, struct errmsg *e);

#endif
