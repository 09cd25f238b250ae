/*
 * The guest kernel's address space (x86-64, 4-level paging, 48-bit).
 *
 *   0x0000000000000000 +-------------------------------+
 *                      | user space (later: tasks)     |  PML4 0..255
 *   0x00007fffffffffff +-------------------------------+
 *                      | non-canonical hole            |
 *   0xffff888000000000 +-------------------------------+ PAGE_OFFSET
 *                      | direct map of all RAM:        |  PML4 273, one PDPT:
 *                      | virt = PAGE_OFFSET + phys     |  up to 512 GiB;
 *                      | 1 GiB pages when the CPU has  |  MMIO is mapped here
 *                      | them, else 2 MiB pages        |  too, uncached
 *                      |                               |  (ioremap)
 *   0xffffc90000000000 +-------------------------------+ VMALLOC_START
 *                      | vmalloc window (guest/mm/)    |  PML4 402, one PDPT:
 *                      |                               |  512 GiB, its PDPT
 *                      |                               |  made at boot
 *   0xffffc97fffffffff +-------------------------------+ VMALLOC_END
 *                      | unused                        |
 *   0xffffffff80000000 +-------------------------------+ __START_KERNEL_map
 *                      | kernel image: virt =          |  PML4 511, PDPT 510,
 *                      | __START_KERNEL_map + phys,    |  one PD of 2 MiB
 *                      | image loaded at phys 1 MiB;   |  pages mapping
 *                      | first KERNEL_IMAGE_SIZE of    |  phys 0..1 GiB
 *                      | physical memory               |
 *   0xffffffffc0000000 +-------------------------------+
 *
 * Physical memory as the kernel uses it:
 *   0 .. 1 MiB          firmware, hvm_start_info, ACPI RSDP: reserved,
 *                        never handed out (see kernel/bootmem.c)
 *   1 MiB .. _end        kernel image (.text, .rodata, .data, .bss with the
 *                        page tables, stacks, log buffer)
 *   _end ..              early (bump) allocations, then free RAM
 *
 * Early boot (arch/x86/head.S) also identity-maps phys 0..1 GiB at virtual
 * 0 so the 32-bit entry stub survives turning paging on; mmu_init() drops it,
 * leaving the lower half empty for user space.
 */
#ifndef GUEST_MEMLAYOUT_H
#define GUEST_MEMLAYOUT_H

#ifdef __ASSEMBLY__
#define _AC(x, s)       x
#else
#define __AC(x, s)      x##s
#define _AC(x, s)       __AC(x, s)
#endif

#define PAGE_SHIFT      12
#define PAGE_SIZE       (_AC(1, UL) << PAGE_SHIFT)
#define PMD_SHIFT       21                         /* one PD entry: 2 MiB */
#define PMD_SIZE        (_AC(1, UL) << PMD_SHIFT)
#define PUD_SHIFT       30                         /* one PDPT entry: 1 GiB */
#define PUD_SIZE        (_AC(1, UL) << PUD_SHIFT)
#define PGDIR_SHIFT     39                         /* one PML4 entry: 512 GiB */

#define KERNEL_PHYS_BASE   _AC(0x100000, UL)               /* image at 1 MiB */
#define __START_KERNEL_map _AC(0xffffffff80000000, UL)
#define KERNEL_IMAGE_SIZE  _AC(0x40000000, UL)             /* mapped by boot PD */

#define PAGE_OFFSET        _AC(0xffff888000000000, UL)
#define DIRECT_MAP_SIZE    _AC(0x8000000000, UL)            /* 512 GiB, one PDPT */

#define VMALLOC_START      _AC(0xffffc90000000000, UL)
#define VMALLOC_END        _AC(0xffffc97fffffffff, UL)

#define USER_START         _AC(0x0000000000001000, UL)
#define USER_END           _AC(0x0000800000000000, UL)      /* exclusive */

#define LOW_MEM_END        _AC(0x100000, UL)                /* reserved below */

#ifndef __ASSEMBLY__
#include "include/types.h"

/* Physical to direct-map virtual. Valid for any mapped physical address. */
static inline void *__va(phys_addr_t pa)
{
	return (void *)(pa + PAGE_OFFSET);
}

/* Virtual (direct map or kernel image) to physical. */
static inline phys_addr_t __pa(const void *va)
{
	uintptr_t v = (uintptr_t)va;

	if (v >= __START_KERNEL_map)
		return v - __START_KERNEL_map;
	return v - PAGE_OFFSET;
}

/* Kernel-image view of low physical memory: valid before the direct map
 * exists, for pa < KERNEL_IMAGE_SIZE only. */
static inline void *__va_early(phys_addr_t pa)
{
	return (void *)(pa + __START_KERNEL_map);
}
#endif

#endif
