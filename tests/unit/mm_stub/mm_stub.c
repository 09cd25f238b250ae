/*
 * Host stub of guest/mm's arch interface: simulated physical memory, real
 * x86-64 page tables in it (guest/mm/pgtable.c, the same code the guest
 * runs), logging through stderr, printf through libc.  See mm_stub.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "guest/mm/mm_internal.h"

char *mm_host_membase;
unsigned int mm_stub_cpu;
unsigned long mm_stub_nr_warnings;

static unsigned long nr_mapped;		/* kernel 4 KiB pages mapped */
static long fail_map_after = -1;	/* see mm_stub_fail_map_after() */
static phys_addr_t kernel_pgd;		/* init_mm's PML4, once allocated */
unsigned long mm_stub_nr_clear_page;	/* arch_clear_page() calls */
unsigned long mm_stub_nr_copy_page;	/* arch_copy_page() calls */
unsigned long mm_stub_nr_tlb_flush;	/* arch_flush_tlb_*() calls */

static void map_membase(void)
{
	const size_t align = 2UL << 20;
	char *p;

	if (mm_host_membase) {
		/* fresh zero pages, same addresses */
		if (madvise(mm_host_membase, MM_STUB_PHYS_SIZE,
			    MADV_DONTNEED))
			abort();
		return;
	}
	p = mmap(NULL, MM_STUB_PHYS_SIZE + align, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("mm_stub: mmap");
		abort();
	}
	mm_host_membase = (char *)ALIGN((unsigned long)p, align);
}

void mm_stub_reset(void)
{
	map_membase();
	nr_mapped = 0;
	kernel_pgd = 0;
	mm_stub_nr_clear_page = 0;
	mm_stub_nr_copy_page = 0;
	mm_stub_nr_tlb_flush = 0;
	fail_map_after = -1;
	mm_stub_cpu = 0;
	mm_stub_nr_warnings = 0;
	mm_host_reset();
}

void mm_stub_boot(const struct mm_stub_range *ranges, int n,
		  phys_addr_t kernel_bytes)
{
	mm_stub_reset();
	for (int i = 0; i < n; i++)
		if (memblock_add_node(ranges[i].base, ranges[i].size,
				      ranges[i].nid, MEMBLOCK_KNOWN_ZERO))
			abort();
	memblock_reserve(0, PAGE_SIZE);
	if (kernel_bytes)
		memblock_reserve(1UL << 20, kernel_bytes);
	/* the boot PML4, reserved like the guest's (in its image) */
	kernel_pgd = __pa(memblock_alloc(PAGE_SIZE, PAGE_SIZE));
	mm_init();
}

void mm_stub_discard(phys_addr_t pa, phys_addr_t size)
{
	if (madvise(mm_host_membase + pa, size, MADV_DONTNEED))
		abort();
}

void mm_stub_fail_map_after(long n)
{
	fail_map_after = n;
}

/*
 * Kernel mappings go through guest/mm's own page-table code, on simulated
 * memory: what the guest's arch_map_page() does too, minus the hardware.
 */
int arch_map_page(unsigned long va, phys_addr_t pa, unsigned int prot)
{
	int ret;

	if (fail_map_after == 0)
		return -ENOMEM;
	if (fail_map_after > 0)
		fail_map_after--;
	ret = map_kernel_page(va, pa, prot);
	if (!ret)
		nr_mapped++;
	return ret;
}

void arch_unmap_page(unsigned long va)
{
	if (mm_stub_lookup(va, NULL)) {
		unmap_kernel_page(va);
		nr_mapped--;
	}
}

bool mm_stub_lookup(unsigned long va, phys_addr_t *pa)
{
	return follow_phys(&init_mm, va, pa, NULL) == 0;
}

unsigned long mm_stub_nr_mapped(void)
{
	return nr_mapped;
}

/*
 * The stub machine's boot PML4: from memblock (mm_stub_boot), or for
 * tests that boot by hand, a page from the buddy.
 */
phys_addr_t arch_kernel_pgd_phys(void)
{
	if (!kernel_pgd) {
		struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

		if (!page)
			mm_panic("mm_stub: no memory for the kernel PML4");
		kernel_pgd = page_to_phys(page);
	}
	return kernel_pgd;
}

bool arch_has_nx(void)
{
	return true;
}

void arch_copy_page(void *dst, const void *src)
{
	mm_stub_nr_copy_page++;
	memcpy(dst, src, PAGE_SIZE);
}

void arch_flush_tlb_page(struct mm_struct *mm, unsigned long va)
{
	(void)mm;
	(void)va;
	mm_stub_nr_tlb_flush++;
}

void arch_flush_tlb_mm(struct mm_struct *mm)
{
	(void)mm;
	mm_stub_nr_tlb_flush++;
}

void arch_flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	(void)start;
	(void)end;
}

void arch_clear_page(void *va)
{
	mm_stub_nr_clear_page++;
	memset(va, 0, PAGE_SIZE);
}

void arch_on_each_cpu(void (*fn)(void *arg), void *arg)
{
	unsigned int saved = mm_stub_cpu;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		mm_stub_cpu = cpu;
		fn(arg);
	}
	mm_stub_cpu = saved;
}

void mm_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level <= MM_LOG_WARN)
		mm_stub_nr_warnings++;
	if (!getenv("MM_STUB_VERBOSE"))
		return;
	va_start(ap, fmt);
	fprintf(stderr, "mm<%d>: ", level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void mm_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "mm panic: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

