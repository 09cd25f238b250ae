/*
 * The arch interface of guest/mm: everything the memory manager needs from
 * the machine, and nothing else.  guest/mm contains no inline asm and never
 * touches hardware; it calls these.
 *
 * Two implementations exist:
 *  - the guest kernel (guest/arch/...), built with -DGUEST;
 *  - tests/unit/mm_stub/ for the host build (-DMM_HOST), where "physical
 *    memory" is one large zero-filled host mapping and __va(pa) is
 *    mm_host_membase + pa.
 *
 * Cheap primitives (address translation, irq save/restore, cpu id) are
 * static inlines on the host (mm_stub.h); on the guest, __va/__pa are
 * memlayout.h's inlines and the rest are out-of-line functions the guest
 * provides.
 *
 * Contract of each function is given at its declaration.
 */
#ifndef GUEST_MM_MM_ARCH_H
#define GUEST_MM_MM_ARCH_H

#include "mm_types.h"

#ifdef MM_HOST
/* The host build's arch layer (__va, __pa, irq, cpu id): a header the host
 * build puts on its include path (the unit tests' stub); product code names
 * no test file. */
#include <mm_host_arch.h>
#else

/* __va() and __pa() come from guest/memlayout.h. */

/* Disable interrupts on this CPU; returns the previous state (RFLAGS). */
unsigned long arch_local_irq_save(void);
/* Restore the interrupt state returned by arch_local_irq_save(). */
void arch_local_irq_restore(unsigned long flags);
/* Index of the running CPU, 0 .. NR_CPUS-1, stable while irqs are off. */
unsigned int arch_cpu_id(void);
/* Spin-wait hint (pause). */
void arch_cpu_relax(void);

/* The guest kernel's libc subset (the compiler may also emit calls). */
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
#endif /* MM_HOST */

/* Protection bits for arch_map_page(); the arch translates them to PTEs. */
#define MM_PROT_READ	0x1
#define MM_PROT_WRITE	0x2
#define MM_PROT_EXEC	0x4
#define MM_PROT_KERNEL	(MM_PROT_READ | MM_PROT_WRITE)

/* Fill one 4 KiB page (direct-map address, page aligned) with zeroes. */
void arch_clear_page(void *va);

/* Copy one 4 KiB page (direct-map addresses, page aligned): migration. */
void arch_copy_page(void *dst, const void *src);

/*
 * Physical address of the PML4 the kernel runs on: init_mm's pgd, whose
 * entries 256..511 every user PML4 copies (pgtable.c).  Called once, from
 * mm_init(), with the direct map of RAM in place.
 */
phys_addr_t arch_kernel_pgd_phys(void);

/* May page-table entries set NX (bit 63)?  True iff EFER.NXE is on. */
bool arch_has_nx(void);

struct mm_struct;

/*
 * Drop stale TLB entries of user address space @mm after guest/mm changed
 * or removed a present entry: for the page (4 KiB or 2 MiB) holding @va,
 * or for all of @mm.  Must cover every CPU that may have @mm loaded; a CPU
 * that loads it later starts clean (CR3 write, user entries are not G).
 */
void arch_flush_tlb_page(struct mm_struct *mm, unsigned long va);
void arch_flush_tlb_mm(struct mm_struct *mm);

/*
 * Map the 4 KiB page at kernel virtual address @va (vmalloc window) to
 * @pa with @prot (MM_PROT_*).  May allocate page-table pages with
 * alloc_page(GFP_KERNEL).  Returns 0 or -ENOMEM; -EEXIST if @va is mapped.
 * Both implementations are map_kernel_page() (pgtable.c) plus whatever
 * the arch needs around it; arch_unmap_page() is unmap_kernel_page().
 */
int arch_map_page(unsigned long va, phys_addr_t pa, unsigned int prot);

/* Remove the mapping of @va, if any.  No TLB flush: see below. */
void arch_unmap_page(unsigned long va);

/* Flush kernel TLB entries of [start, end) on every CPU. */
void arch_flush_tlb_kernel_range(unsigned long start, unsigned long end);

/*
 * Run @fn(@arg) on every online CPU (on each, with interrupts disabled)
 * and wait until all have returned.  Used to drain per-CPU page lists.
 */
void arch_on_each_cpu(void (*fn)(void *arg), void *arg);

/* Log a line at level MM_LOG_*; the format is printf's, no newline. */
void mm_log(int level, const char *fmt, ...) __printf(2, 3);

/* Print a message and stop the machine.  Never returns. */
void mm_panic(const char *fmt, ...) __printf(1, 2) __noreturn;

/*
 * vsnprintf into @buf, the C99 function (libc's on the host, the guest
 * kernel's lib): always NUL-terminates when @size > 0 and returns the
 * length the full output would have.  guest/mm uses the conversions
 * %d %i %u %x %s %c %% %p with the flags '-' '0', a field width (digits
 * or '*'), and the length modifiers l and z.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__printf(3, 0);

#define BUG()	mm_panic("BUG at %s:%d", __FILE__, __LINE__)
#define BUG_ON(cond)							\
	do {								\
		if (unlikely(cond))					\
			mm_panic("BUG at %s:%d: %s", __FILE__, __LINE__,	\
				 #cond);				\
	} while (0)
#define WARN_ON(cond)							\
	({								\
		bool __w = !!(cond);					\
		if (unlikely(__w))					\
			mm_log(MM_LOG_WARN, "WARNING at %s:%d: %s",	\
			       __FILE__, __LINE__, #cond);		\
		__w;							\
	})

#ifdef MM_DEBUG
#define VM_BUG_ON(cond)	BUG_ON(cond)
#else
#define VM_BUG_ON(cond)	do { (void)sizeof(cond); } while (0)
#endif

#endif /* GUEST_MM_MM_ARCH_H */
