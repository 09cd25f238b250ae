/*
 * Early allocator (memblock-lite).
 *
 * Data: two small sorted arrays of [base, end) ranges, memory (the RAM
 * entries of the boot memory map, shrunk to whole pages) and reserved.
 * Allocation is a bump pointer, alloc_next, starting at the page-aligned
 * end of the kernel image in the RAM range that holds the image; the
 * reserved range of the kernel image simply grows to cover it. Nothing is
 * ever freed. All operations are O(ranges), not O(pages).
 *
 * The kernel's reserve -- handed to guest/mm's memblock as reserved, so
 * /proc/meminfo's MemTotal leaves it out, as Linux leaves out
 * memblock-reserved memory:
 *   - the first 1 MiB (firmware data, hvm_start_info, legacy holes);
 *   - the kernel image [1 MiB, _end): code, data and .bss, which holds the
 *     boot page tables, stacks and the 32 KiB log ring;
 *   - early allocations after _end (page directories for the direct map
 *     beyond 4 GiB without 1 GiB pages, and what guest/mm allocates here);
 *   - ACPI tables that lie inside RAM (QEMU puts them at the top of RAM),
 *     reserved by the ACPI reader.
 * On a 256 MiB guest that is about 1.3 MiB.
 */
#include "kernel/bootmem.h"
#include "kernel/bootinfo.h"
#include "kernel/panic.h"
#include "memlayout.h"

struct range_list {
	unsigned int n;
	struct mem_range r[BOOTMEM_MAX_RANGES];
};

static struct range_list memory, reserved;
static phys_addr_t alloc_next, alloc_limit;
static struct mem_range *kernel_reserve;        /* grows with alloc_next */
static bool retired;

extern char _end[];                     /* kernel.ld */

/* Absorb the ranges after @i that the grown range @i now reaches. */
static void range_coalesce(struct range_list *l, unsigned int i)
{
	unsigned int j;

	while (i + 1 < l->n && l->r[i + 1].base <= l->r[i].end) {
		if (l->r[i + 1].end > l->r[i].end)
			l->r[i].end = l->r[i + 1].end;
		for (j = i + 1; j + 1 < l->n; j++)
			l->r[j] = l->r[j + 1];
		l->n--;
	}
}

/* Insert [base, end) keeping the list sorted; merges with a neighbour it
 * overlaps or touches. */
static struct mem_range *range_add(struct range_list *l, phys_addr_t base,
				   phys_addr_t end)
{
	unsigned int i, j;

	for (i = 0; i < l->n && l->r[i].end < base; i++)
		;
	if (i < l->n && l->r[i].base <= end) {
		if (base < l->r[i].base)
			l->r[i].base = base;
		if (end > l->r[i].end)
			l->r[i].end = end;
		range_coalesce(l, i);
		return &l->r[i];
	}
	if (l->n == BOOTMEM_MAX_RANGES)
		panic("bootmem: too many ranges");
	for (j = l->n++; j > i; j--)
		l->r[j] = l->r[j - 1];
	l->r[i] = (struct mem_range){ base, end };
	return &l->r[i];
}

void bootmem_init(void)
{
	const struct boot_memmap_entry *e = boot_info.memmap;
	phys_addr_t kend = ALIGN_UP(__pa(_end), PAGE_SIZE);
	phys_addr_t base, end;
	unsigned int i;

	for (i = 0; i < boot_info.nr_memmap; i++, e++) {
		base = ALIGN_UP(e->addr, PAGE_SIZE);
		end = ALIGN_DOWN(e->addr + e->size, PAGE_SIZE);
		if (e->type == BOOT_MEM_RAM && base < end)
			range_add(&memory, base, end);
	}
	range_add(&reserved, 0, LOW_MEM_END);
	for (i = 0; i < memory.n; i++)
		if (memory.r[i].base <= KERNEL_PHYS_BASE && memory.r[i].end >= kend)
			alloc_limit = memory.r[i].end;
	if (!alloc_limit)
		panic("bootmem: the kernel image is not in RAM");
	alloc_next = kend;
	kernel_reserve = range_add(&reserved, KERNEL_PHYS_BASE, kend);
}

phys_addr_t bootmem_alloc(size_t size, size_t align)
{
	phys_addr_t pa = ALIGN_UP(alloc_next, align);

	if (retired)
		panic("bootmem_alloc after bootmem_retire");
	if (pa + size > alloc_limit || pa + size < pa)
		panic("bootmem: out of memory (%zu bytes)", size);
	alloc_next = pa + size;
	kernel_reserve->end = ALIGN_UP(alloc_next, PAGE_SIZE);
	return pa;
}

void bootmem_reserve(phys_addr_t base, uint64_t size)
{
	kernel_reserve = NULL;
	range_add(&reserved, ALIGN_DOWN(base, PAGE_SIZE),
		  ALIGN_UP(base + size, PAGE_SIZE));
	/* Merging may have moved the kernel's entry: find it again. */
	for (unsigned int i = 0; i < reserved.n; i++)
		if (reserved.r[i].base <= KERNEL_PHYS_BASE &&
		    reserved.r[i].end > KERNEL_PHYS_BASE)
			kernel_reserve = &reserved.r[i];
}

/* Emit the part of @m not covered by any reserved range. */
static void free_parts(const struct mem_range *m,
		       void (*fn)(const struct mem_range *r, void *arg), void *arg)
{
	phys_addr_t cur = m->base;
	struct mem_range part;
	unsigned int i;

	for (i = 0; i < reserved.n && cur < m->end; i++) {
		const struct mem_range *res = &reserved.r[i];

		if (res->end <= cur || res->base >= m->end)
			continue;
		if (res->base > cur) {
			part = (struct mem_range){ cur, res->base };
			fn(&part, arg);
		}
		cur = res->end;
	}
	if (cur < m->end) {
		part = (struct mem_range){ cur, m->end };
		fn(&part, arg);
	}
}

void bootmem_for_each_free(void (*fn)(const struct mem_range *r, void *arg),
			   void *arg)
{
	unsigned int i;

	for (i = 0; i < memory.n; i++)
		free_parts(&memory.r[i], fn, arg);
}

static void for_each_range(const struct range_list *l,
			   void (*fn)(const struct mem_range *r, void *arg),
			   void *arg)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		fn(&l->r[i], arg);
}

void bootmem_for_each_memory(void (*fn)(const struct mem_range *r, void *arg),
			     void *arg)
{
	for_each_range(&memory, fn, arg);
}

void bootmem_for_each_reserved(void (*fn)(const struct mem_range *r, void *arg),
			       void *arg)
{
	for_each_range(&reserved, fn, arg);
}

void bootmem_retire(void)
{
	retired = true;
}

uint64_t bootmem_ram_bytes(void)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < memory.n; i++)
		sum += memory.r[i].end - memory.r[i].base;
	return sum;
}

static void add_size(const struct mem_range *r, void *arg)
{
	*(uint64_t *)arg += r->end - r->base;
}

uint64_t bootmem_reserved_bytes(void)
{
	uint64_t free = 0;

	bootmem_for_each_free(add_size, &free);
	return bootmem_ram_bytes() - free;
}
