/*
 * Page-table and TLB services for guest/mm (which owns the page-table
 * walks, in mm/pgtable.c): the kernel PML4's address, NX support and TLB
 * flushes on this CPU. Kernel mappings are global (G), so a CR3 reload does
 * not drop them: a large kernel flush toggles CR4.PGE instead.
 */
#include "arch/x86/kpgtable.h"
#include "arch/x86/cpu.h"
#include "arch/x86/mmu.h"

#define FLUSH_ALL_PAGES 64      /* beyond this, flush everything */

phys_addr_t kpgtable_pgd_phys(void)
{
	return __pa(kernel_pml4);
}

bool kpgtable_has_nx(void)
{
	return rdmsr(MSR_EFER) & EFER_NXE;
}

void kpgtable_flush(uintptr_t start, uintptr_t end)
{
	uint64_t cr4;

	if ((end - start) >> PAGE_SHIFT > FLUSH_ALL_PAGES) {
		cr4 = read_cr4();
		write_cr4(cr4 & ~(uint64_t)X86_CR4_PGE);
		write_cr4(cr4);
		return;
	}
	for (start &= ~(PAGE_SIZE - 1); start < end; start += PAGE_SIZE)
		invlpg(start);
}

void kpgtable_flush_user(void)
{
	write_cr3(read_cr3());
}
