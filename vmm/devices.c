/*
 * The devices every memvisor VM has, in the order they are created (and
 * their ACPI parts appear); destroyed in reverse. This is the one place
 * that names devices: adding one is a line here and its own folder.
 *
 *   pm_device       ACPI PM block, GPE0, SCI (the ACPI event controller,
 *                   first, so later devices can raise GPEs)
 *   pvpanic_device  QEMU's pvpanic port
 *   uart_device     COM1, the console
 *   memhp_device    DIMM slots and the ACPI memory hotplug controller
 *   balloon_device  virtio-balloon on PCI (its slot: the first free, 1)
 *   blk_device      a virtio-blk function per --drive (the next slots)
 *   ksm_device      memory merging with ksmd (last: registers the memory
 *                   the others made)
 */
#include "balloon/balloon.h"
#include "blk/blk.h"
#include "hotplug/hotplug.h"
#include "ksm/ksm.h"
#include "pc/pc.h"
#include "vmm/device.h"

const struct device_ops *const vm_devices[] = {
	&pm_device,
	&pvpanic_device,
	&uart_device,
	&memhp_device,
	&balloon_device,
	&blk_device,
	&ksm_device,
};

const unsigned int vm_nr_devices = sizeof(vm_devices) / sizeof(vm_devices[0]);

_Static_assert(sizeof(vm_devices) / sizeof(vm_devices[0]) <= VM_MAX_DEVICES,
	       "raise VM_MAX_DEVICES");
