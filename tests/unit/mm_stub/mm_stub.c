/*
 * Host stub of guest/mm's arch interface: simulated physical memory, a
 * recorded kernel page table for vmalloc, logging through stderr, printf
 * through libc.  See mm_stub.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "guest/mm/mm_internal.h"

char *mm_host_membase;
unsigned int mm_stub_cpu;
unsigned long mm_stub_nr_warnings;

/* Open-addressing table va -> pa of arch_map_page() mappings. */
#define MAP_SLOTS	(1UL << 18)
#define EMPTY_VA	0UL
#define DEAD_VA		1UL

struct map_slot {
	unsigned long va;
	phys_addr_t pa;
};

static struct map_slot *map_table;
static unsigned long nr_mapped;
static long fail_map_after = -1;

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
	free(map_table);
	map_table = calloc(MAP_SLOTS, sizeof(*map_table));
	if (!map_table)
		abort();
	nr_mapped = 0;
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

static unsigned long slot_of(unsigned long va)
{
	return (va >> PAGE_SHIFT) * 0x9e3779b97f4a7c15UL >> 46 &
	       (MAP_SLOTS - 1);
}

static struct map_slot *find_slot(unsigned long va)
{
	for (unsigned long i = slot_of(va);; i = (i + 1) & (MAP_SLOTS - 1)) {
		if (map_table[i].va == va)
			return &map_table[i];
		if (map_table[i].va == EMPTY_VA)
			return NULL;
	}
}

int arch_map_page(unsigned long va, phys_addr_t pa, unsigned int prot)
{
	unsigned long i;

	(void)prot;
	if (fail_map_after == 0)
		return -ENOMEM;
	if (fail_map_after > 0)
		fail_map_after--;
	if (va & ~PAGE_MASK || find_slot(va))
		return -EEXIST;
	if (nr_mapped >= MAP_SLOTS / 2)
		return -ENOMEM;
	for (i = slot_of(va); map_table[i].va > DEAD_VA;
	     i = (i + 1) & (MAP_SLOTS - 1))
		;
	map_table[i].va = va;
	map_table[i].pa = pa;
	nr_mapped++;
	return 0;
}

void arch_unmap_page(unsigned long va)
{
	struct map_slot *s = find_slot(va);

	if (s) {
		s->va = DEAD_VA;
		nr_mapped--;
	}
}

bool mm_stub_lookup(unsigned long va, phys_addr_t *pa)
{
	struct map_slot *s = find_slot(va & PAGE_MASK);

	if (!s)
		return false;
	if (pa)
		*pa = s->pa + (va & ~PAGE_MASK);
	return true;
}

unsigned long mm_stub_nr_mapped(void)
{
	return nr_mapped;
}

void arch_flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	(void)start;
	(void)end;
}

void arch_clear_page(void *va)
{
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

int mm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int mm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
