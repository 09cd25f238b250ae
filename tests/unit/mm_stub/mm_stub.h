/*
 * Host implementation of guest/mm's arch interface (see guest/mm/mm_arch.h)
 * for the unit tests and the benchmark, plus the tests' control knobs.
 *
 * "Physical memory" is one MM_STUB_PHYS_SIZE anonymous MAP_NORESERVE
 * mapping at mm_host_membase (2 MiB aligned): untouched pages cost nothing
 * and read as zero, like fresh guest RAM.  __va(pa) = membase + pa.
 * arch_map_page() maps through guest/mm's page-table code into real
 * 4-level tables in that memory (the kernel PML4 is a buddy page), so the
 * tests walk what the guest would walk.  The "current CPU" is a variable
 * the tests may change; clears, copies and TLB flushes are counted.
 *
 * Included by guest/mm/mm_arch.h when MM_HOST is defined.  Unit tests run
 * with MM_DEBUG (poisoning, extra checks) unless MM_NDEBUG is defined (the
 * benchmark's build).
 */
#ifndef MM_STUB_H
#define MM_STUB_H

#ifndef MM_NDEBUG
#ifndef MM_DEBUG
#define MM_DEBUG 1
#endif
#endif

#include <errno.h>
#include <string.h>

#include "guest/mm/mm_types.h"

/* Simulated address space: 64G DIMMs.  tests/bench/mm_bench.sh asks for
 * less: valgrind cannot map 128 GiB, and its benches stay below 8 GiB. */
#ifndef MM_STUB_PHYS_SIZE
#define MM_STUB_PHYS_SIZE	(128UL << 30)
#endif

extern char *mm_host_membase;
extern unsigned int mm_stub_cpu;

static inline void *__va(phys_addr_t pa)
{
	return mm_host_membase + pa;
}

static inline phys_addr_t __pa(const void *va)
{
	return (phys_addr_t)((const char *)va - mm_host_membase);
}

static inline unsigned long arch_local_irq_save(void)
{
	return 0;
}

static inline void arch_local_irq_restore(unsigned long flags)
{
	(void)flags;
}

static inline unsigned int arch_cpu_id(void)
{
	return mm_stub_cpu;
}

static inline void arch_cpu_relax(void)
{
}

/* ---- for tests */

struct mm_stub_range {
	phys_addr_t base;	/* bytes */
	phys_addr_t size;	/* bytes */
	int nid;		/* node */
};

/*
 * Forget all mm state, give the simulated machine fresh zeroed memory,
 * add @n RAM ranges (known zero), reserve the "kernel image" at 1 MiB
 * (@kernel_bytes, may be 0) and run mm_init().
 */
void mm_stub_boot(const struct mm_stub_range *ranges, int n,
		  phys_addr_t kernel_bytes);
/* Reset only (no boot): tests that drive memblock themselves. */
void mm_stub_reset(void);
/* The physical address @va is mapped to; false if unmapped. */
bool mm_stub_lookup(unsigned long va, phys_addr_t *pa);
unsigned long mm_stub_nr_mapped(void);
/* Make the next arch_map_page() calls fail after @n successes (-1 off). */
void mm_stub_fail_map_after(long n);
/* Warnings and errors logged since the last reset. */
extern unsigned long mm_stub_nr_warnings;
/* Zero the simulated pages [pa, pa + size) (drop them: fresh memory). */
void mm_stub_discard(phys_addr_t pa, phys_addr_t size);
/* Calls of arch_clear_page(), arch_copy_page(), arch_flush_tlb_*()
 * since the last reset. */
extern unsigned long mm_stub_nr_clear_page;
extern unsigned long mm_stub_nr_copy_page;
extern unsigned long mm_stub_nr_tlb_flush;

#endif /* MM_STUB_H */
