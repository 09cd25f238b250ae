/*
 * What the VMM told us at boot (PVH struct hvm_start_info), copied out of
 * low memory so nothing has to keep that memory reserved.
 */
#ifndef GUEST_KERNEL_BOOTINFO_H
#define GUEST_KERNEL_BOOTINFO_H

#include "include/types.h"

#define BOOT_MEMMAP_MAX   64
#define BOOT_CMDLINE_MAX  256

/* e820 types (same values as abi/pvh.h's XEN_HVM_MEMMAP_TYPE_*). */
#define BOOT_MEM_RAM      1
#define BOOT_MEM_RESERVED 2
#define BOOT_MEM_ACPI     3
#define BOOT_MEM_NVS      4

struct boot_memmap_entry {
	phys_addr_t addr;
	uint64_t size;
	uint32_t type;
};

struct boot_info {
	phys_addr_t start_info_pa;      /* where hvm_start_info was */
	phys_addr_t rsdp_pa;            /* 0: not given, scan for it */
	unsigned int nr_memmap;
	struct boot_memmap_entry memmap[BOOT_MEMMAP_MAX];
	char cmdline[BOOT_CMDLINE_MAX];
};

/* Read-only after bootinfo_init(). */
extern struct boot_info boot_info;

/* Parse hvm_start_info at @start_info_pa (must lie in the first GiB, as
 * every VMM puts it). Panics on a bad magic or a missing memory map. */
void bootinfo_init(phys_addr_t start_info_pa);

/* RAM and firmware-table ranges: what the direct map covers. */
static inline bool boot_memmap_is_memory(const struct boot_memmap_entry *e)
{
	return e->type == BOOT_MEM_RAM || e->type == BOOT_MEM_ACPI ||
	       e->type == BOOT_MEM_NVS;
}

#endif
