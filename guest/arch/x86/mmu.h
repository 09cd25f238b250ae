/*
 * Kernel page tables: the boot-time direct map and MMIO mappings.
 * (User address spaces and vmalloc belong to guest/mm/.)
 */
#ifndef GUEST_ARCH_X86_MMU_H
#define GUEST_ARCH_X86_MMU_H

#include "memlayout.h"
#include "include/types.h"

/* Page-table entry bits. */
#define PTE_P     (1ull << 0)
#define PTE_W     (1ull << 1)
#define PTE_U     (1ull << 2)
#define PTE_PWT   (1ull << 3)
#define PTE_PCD   (1ull << 4)
#define PTE_A     (1ull << 5)
#define PTE_D     (1ull << 6)
#define PTE_PS    (1ull << 7)   /* in a PD or PDPT entry: 2 MiB / 1 GiB page */
#define PTE_G     (1ull << 8)
#define PTE_NX    (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

/* The one kernel PML4 (head.S): slot 511 maps the image, slot 273 the
 * direct map; slots 0-255 are free for user space once mmu_init() ran. */
extern uint64_t kernel_pml4[512];

/* Build the direct map of every RAM/ACPI range of the boot memory map and
 * drop the boot identity map. Needs bootinfo and bootmem. */
void mmu_init(void);
/* Map phys [start, end) at PAGE_OFFSET + phys, rounded out to 2 MiB, with
 * 1 GiB pages where possible. Used at boot and for hot-added memory. */
void mmu_map_direct(phys_addr_t start, phys_addr_t end);
/* Uncached mapping of device registers, inside the direct map. */
void *ioremap(phys_addr_t pa, size_t size);
/* Cached mapping of firmware data (ACPI tables) wherever it lies. */
void *memremap(phys_addr_t pa, size_t size);
/* Where page-table pages come from once bootmem is retired: guest/mm sets
 * this (returns the physical address of a zeroed page, 0 if none). */
void mmu_set_table_allocator(phys_addr_t (*alloc)(void));
bool mmu_has_gbpages(void);

#endif
