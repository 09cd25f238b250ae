/*
 * hotplug/: DIMM memory hotplug, host side: one device (memhp_device, see
 * vmm/device.h) behind the device interface.
 *
 * DIMM slots backed each by its own memfd and KVM memslot in a hotplug
 * region above RAM; the guest learns of them through QEMU's ACPI memory
 * hotplug register block (docs/specs/acpi_mem_hotplug.rst) at I/O
 * MEMHP_IO_BASE and GPE0 bit MEMHP_GPE_BIT (abi/memhp.h); the host drives
 * them through QMP with QEMU's command names (object-add, device_add
 * pc-dimm, device_del, object-del, query-memory-devices,
 * query-acpi-ospm-status).
 *
 * The device's flags (`memvisor run`): --slots N, --maxmem SIZE, --numa N,
 * --dimm SIZE[,node=N][,id=ID] (repeatable), with QEMU's meaning.
 *
 *   hotplug_internal.h   the rest, for hotplug/'s files and its tests
 */
#ifndef HOTPLUG_HOTPLUG_H
#define HOTPLUG_HOTPLUG_H

#include "vmm/device.h"

extern const struct device_ops memhp_device;

#endif
