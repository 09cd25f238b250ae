/*
 * PVH start_info parsing.
 *
 * The VMM leaves struct hvm_start_info (abi/pvh.h) and its memory map
 * somewhere in low memory. At this point only the kernel-image mapping
 * (phys 0..1 GiB at __START_KERNEL_map) exists, so the structures are read
 * through it and copied into boot_info; the memory map has a handful of
 * entries, so this is cheap.
 */
#include "kernel/bootinfo.h"
#include "kernel/panic.h"
#include "kernel/string.h"
#include "memlayout.h"
#include "abi/pvh.h"

struct boot_info boot_info;

static const void *early_ptr(phys_addr_t pa, size_t size, const char *what)
{
	if (pa + size < pa || pa + size > KERNEL_IMAGE_SIZE)
		panic("PVH: %s at %#lx is beyond the first GiB", what,
		      (unsigned long)pa);
	return __va_early(pa);
}

static void copy_memmap(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *m;
	unsigned int i, n = si->memmap_entries;

	if (si->version < 1 || !si->memmap_paddr || !n)
		panic("PVH: start_info v%u has no memory map", si->version);
	if (n > BOOT_MEMMAP_MAX)
		n = BOOT_MEMMAP_MAX;
	m = early_ptr(si->memmap_paddr, n * sizeof(*m), "memory map");
	for (i = 0; i < n; i++) {
		boot_info.memmap[i].addr = m[i].addr;
		boot_info.memmap[i].size = m[i].size;
		boot_info.memmap[i].type = m[i].type;
	}
	boot_info.nr_memmap = n;
}

void bootinfo_init(phys_addr_t start_info_pa)
{
	const struct hvm_start_info *si =
		early_ptr(start_info_pa, sizeof(*si), "start_info");

	if (si->magic != XEN_HVM_START_MAGIC_VALUE)
		panic("PVH: bad start_info magic %#x", si->magic);
	boot_info.start_info_pa = start_info_pa;
	boot_info.rsdp_pa = si->rsdp_paddr;
	copy_memmap(si);
	if (si->cmdline_paddr)
		strlcpy(boot_info.cmdline,
			early_ptr(si->cmdline_paddr, 1, "cmdline"),
			sizeof(boot_info.cmdline));
}
