/*
 * Page-table and TLB services for guest/mm's arch layer (arch/x86/mm_arch.c).
 * Deliberately free of memlayout.h so that files including guest/mm
 * headers (which define PAGE_SIZE, __va... themselves) can use it.
 */
#ifndef GUEST_ARCH_X86_KPGTABLE_H
#define GUEST_ARCH_X86_KPGTABLE_H

#include "include/types.h"

/* Physical address of kernel_pml4, the PML4 the kernel runs on. */
phys_addr_t kpgtable_pgd_phys(void);
/* Is EFER.NXE on (may entries set bit 63)? */
bool kpgtable_has_nx(void);
/* Flush this CPU's TLB entries for [start, end), global ones included. */
void kpgtable_flush(uintptr_t start, uintptr_t end);
/* Flush this CPU's non-global (user) TLB entries. */
void kpgtable_flush_user(void);
/* Also in mmu.h: where direct-map page tables come from after boot. */
void mmu_set_table_allocator(phys_addr_t (*alloc)(void));

#endif
