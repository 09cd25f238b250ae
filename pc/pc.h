/*
 * pc/: the PC platform devices, as on QEMU's pc machine (I/O ports and IRQs
 * in vmm/platform.h), each a device of its own behind the device interface
 * (vmm/device.h):
 *
 *   pm.c       ACPI PM1a event/control, PM timer, GPE0, SCI; the VM's ACPI
 *              event controller; \_S5 in the DSDT
 *   pvpanic.c  QEMU's pvpanic port; \_SB.PEVT in the DSDT
 *   uart.c     16550A COM1 on the console; \_SB.COM1 in the DSDT
 *
 * None of them has flags or QMP commands of its own; QMP's
 * system_powerdown reaches the PM block through vm_power_button().
 */
#ifndef PC_PC_H
#define PC_PC_H

#include "vmm/device.h"

extern const struct device_ops pm_device;
extern const struct device_ops pvpanic_device;
extern const struct device_ops uart_device;

#endif
