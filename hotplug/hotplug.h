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

#include <stdint.h>

#include "vmm/device.h"
#include "vmm/error.h"

extern const struct device_ops memhp_device;

/* ------------------------------------------------------------ the rules
 * What a DIMM's id and size must be, written once for every edge that
 * takes one: --dimm, QMP object-add and device_add, `memvisor ctl`. Each
 * returns 0, or -EINVAL with @e saying what is wrong in the user's words
 * (the caller names the option or command). Ids follow QEMU's rule: a
 * letter, then letters, digits, '-', '.' or '_'. A DIMM "ID" has its
 * backend named "mem-ID", so its id leaves room for that prefix.
 */
#define MEMHP_ID_MAX          64            /* QEMU-style id, with the NUL */
#define MEMHP_DIMM_ALIGN      (128ull << 20) /* one guest memory section */
#define HOTPLUG_BACKEND_PREFIX "mem-"
#define HOTPLUG_ID_MAX_LEN     (MEMHP_ID_MAX - 1)                 /* 63 */
#define HOTPLUG_DIMM_ID_MAX_LEN (HOTPLUG_ID_MAX_LEN - 4)          /* 59 */

int hotplug_dimm_id_check(const char *id, struct errmsg *e);
/* A memory backend's id (object-add): the same rule, up to 63 characters. */
int hotplug_backend_id_check(const char *id, struct errmsg *e);
/* A DIMM's size: a non-zero multiple of MEMHP_DIMM_ALIGN (128 MiB). */
int hotplug_dimm_size_check(uint64_t size, struct errmsg *e);

#endif
