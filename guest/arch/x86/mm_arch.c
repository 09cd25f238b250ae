/*
 * The guest side of guest/mm's arch interface (mm/mm_arch.h): interrupt
 * state, CPU id, page clear/copy, the kernel PML4, TLB flushes, logging
 * and panics. Kernel mappings themselves are guest/mm's map_kernel_page().
 * One CPU for now: arch_cpu_id() is 0, arch_on_each_cpu() runs locally and
 * TLB flushes are local.
 *
 * Includes guest/mm headers, so none of memlayout.h/mmu.h/bug.h here
 * (they define the same names): kpgtable.h is the narrow way in.
 */
#include "mm/mm.h"
#include "mm/mm_arch.h"
#include "arch/x86/cpu.h"
#include "arch/x86/kpgtable.h"
#include "arch/x86/mm_glue.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/vsprintf.h"

unsigned long arch_local_irq_save(void)
{
	return cpu_irq_save();
}

void arch_local_irq_restore(unsigned long flags)
{
	cpu_irq_restore(flags);
}

unsigned int arch_cpu_id(void)
{
	return 0;
}

void arch_cpu_relax(void)
{
	__asm__ __volatile__("pause");
}

void arch_clear_page(void *va)
{
	memset(va, 0, PAGE_SIZE);
}

/* Page-table pages for kernel mappings, from the buddy allocator. */
static phys_addr_t mm_table_page(void)
{
	unsigned long va = get_zeroed_page(GFP_KERNEL);

	return va ? __pa((void *)va) : 0;
}

void arch_copy_page(void *dst, const void *src)
{
	memcpy(dst, src, PAGE_SIZE);
}

phys_addr_t arch_kernel_pgd_phys(void)
{
	return kpgtable_pgd_phys();
}

bool arch_has_nx(void)
{
	return kpgtable_has_nx();
}

/* One CPU: @mm is either loaded here or not loaded anywhere (and then a
 * later CR3 load starts clean). INVLPG on a non-loaded mm is harmless. */
void arch_flush_tlb_page(struct mm_struct *mm, unsigned long va)
{
	invlpg(va);
}

void arch_flush_tlb_mm(struct mm_struct *mm)
{
	kpgtable_flush_user();
}

int arch_map_page(unsigned long va, phys_addr_t pa, unsigned int prot)
{
	return map_kernel_page(va, pa, prot);
}

void arch_unmap_page(unsigned long va)
{
	unmap_kernel_page(va);
}

void arch_flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	kpgtable_flush(start, end);
}

void arch_on_each_cpu(void (*fn)(void *arg), void *arg)
{
	unsigned long flags = cpu_irq_save();

	fn(arg);
	cpu_irq_restore(flags);
}

void mm_arch_use_buddy_for_page_tables(void)
{
	mmu_set_table_allocator(mm_table_page);
}

void mm_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

void mm_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(fmt, ap);
}
