/*
 * memblock: the boot-time allocator, used until the buddy allocator runs.
 *
 * Two sorted arrays of physical ranges: memory (RAM from the PVH/E820 map,
 * each with its node and MEMBLOCK_KNOWN_ZERO if the VMM guarantees it is
 * zero-filled) and reserved (the kernel image, boot data, and everything
 * memblock itself handed out).  Free memory is memory minus reserved.
 *
 * Allocation is top-down first fit, optionally within [start, end): sparse.c
 * uses this to put each boot section's memmap inside that section.  What
 * memblock hands out is never given back; reserved ranges flagged
 * MEMBLOCK_RSRV_MEMMAP hold memmaps and are left unmarked in their struct
 * pages (the section knows them), the others get PG_reserved.
 *
 * memblock_free_all() gives every free range to the buddy as naturally
 * aligned blocks of up to MAX_ORDER-1: O(blocks), no per-page work.
 * memblock_mark_reserved_pages() sets PG_reserved range by range
 * (sparse_mark_reserved): per page, but only on reserved pages (the first
 * MiB and the kernel image, ~600 pages), a few instructions each.
 *
 * Locking: none; boot runs on one CPU.
 */
#include "mm_internal.h"

struct memblock memblock;	/* the ranges; zero = empty */

static phys_addr_t region_end(const struct memblock_region *r)
{
	return r->base + r->size;
}

static void memblock_merge(struct memblock_type *type)
{
	unsigned int i = 0;

	while (i + 1 < type->cnt) {
		struct memblock_region *a = &type->regions[i];
		struct memblock_region *b = &type->regions[i + 1];

		if (region_end(a) < b->base || a->nid != b->nid ||
		    a->flags != b->flags) {
			i++;
			continue;
		}
		a->size = max(region_end(a), region_end(b)) - a->base;
		type->cnt--;
		for (unsigned int j = i + 1; j < type->cnt; j++)
			type->regions[j] = type->regions[j + 1];
	}
}

static int memblock_add_range(struct memblock_type *type, phys_addr_t base,
			      phys_addr_t size, int nid, unsigned int flags)
{
	unsigned int i, pos = 0;

	if (!size)
		return 0;
	if (type->cnt == MEMBLOCK_MAX_REGIONS) {
		mm_log(MM_LOG_ERR, "memblock: too many regions");
		return -ENOSPC;
	}
	while (pos < type->cnt && type->regions[pos].base <= base)
		pos++;
	for (i = type->cnt; i > pos; i--)
		type->regions[i] = type->regions[i - 1];
	type->regions[pos] = (struct memblock_region){
		.base = base, .size = size, .nid = nid, .flags = flags,
	};
	type->cnt++;
	memblock_merge(type);
	return 0;
}

int memblock_add_node(phys_addr_t base, phys_addr_t size, int nid,
		      unsigned int flags)
{
	if (nid < 0 || nid >= MAX_NUMNODES)
		return -EINVAL;
	return memblock_add_range(&memblock.memory, base, size, nid, flags);
}

int memblock_add(phys_addr_t base, phys_addr_t size)
{
	return memblock_add_node(base, size, 0, 0);
}

int memblock_reserve(phys_addr_t base, phys_addr_t size)
{
	return memblock_add_range(&memblock.reserved, base, size, 0, 0);
}

/* The reserved region overlapping [base, base + size), or NULL. */
static const struct memblock_region *reserved_overlap(phys_addr_t base,
						      phys_addr_t size)
{
	const struct memblock_type *rsv = &memblock.reserved;

	for (unsigned int i = 0; i < rsv->cnt; i++) {
		const struct memblock_region *r = &rsv->regions[i];

		if (r->base < base + size && base < region_end(r))
			return r;
	}
	return NULL;
}

/* Highest fit of @size at @align in [lo, hi) avoiding reserved; 0 = none. */
static phys_addr_t find_in_range(phys_addr_t lo, phys_addr_t hi,
				 phys_addr_t size, phys_addr_t align)
{
	const struct memblock_region *r;
	phys_addr_t cand;

	while (hi >= lo + size) {
		cand = ALIGN_DOWN(hi - size, align);
		if (cand < lo)
			return 0;
		r = reserved_overlap(cand, size);
		if (!r)
			return cand;
		hi = r->base;
	}
	return 0;
}

/*
 * Allocate @size bytes at @align within [start, end), top-down, and
 * reserve them with @rsrv_flags.  Returns the physical address, 0 if none.
 */
phys_addr_t memblock_phys_alloc_range(phys_addr_t size, phys_addr_t align,
				      phys_addr_t start, phys_addr_t end,
				      unsigned int rsrv_flags)
{
	const struct memblock_type *mem = &memblock.memory;
	phys_addr_t lo, hi, pa;

	BUG_ON(memblock.done);
	start = max(start, (phys_addr_t)PAGE_SIZE);	/* 0 means failure */
	for (unsigned int i = mem->cnt; i-- > 0;) {
		lo = max(mem->regions[i].base, start);
		hi = min(region_end(&mem->regions[i]), end);
		if (hi <= lo)
			continue;
		pa = find_in_range(lo, hi, size, align);
		if (pa) {
			if (memblock_add_range(&memblock.reserved, pa, size, 0,
					       rsrv_flags))
				return 0;
			return pa;
		}
	}
	return 0;
}

/* True if [base, base + size) lies in one known-zero RAM region. */
bool memblock_is_known_zero(phys_addr_t base, phys_addr_t size)
{
	const struct memblock_type *mem = &memblock.memory;

	for (unsigned int i = 0; i < mem->cnt; i++) {
		const struct memblock_region *r = &mem->regions[i];

		if (base >= r->base && base + size <= region_end(r))
			return r->flags & MEMBLOCK_KNOWN_ZERO;
	}
	return false;
}

/* Zeroed memory from anywhere; NULL if none.  Zeroes only if needed. */
void *memblock_alloc(phys_addr_t size, phys_addr_t align)
{
	phys_addr_t pa = memblock_phys_alloc_range(size, align, 0,
						   ~(phys_addr_t)0, 0);

	if (!pa)
		return NULL;
	if (!memblock_is_known_zero(pa, size))
		memset(__va(pa), 0, size);
	return __va(pa);
}

/* Call @fn on each free (memory minus reserved) byte range of @r. */
static void for_each_free_range(const struct memblock_region *r,
				void (*fn)(phys_addr_t s, phys_addr_t e,
					   unsigned int flags))
{
	const struct memblock_type *rsv = &memblock.reserved;
	phys_addr_t cur = r->base, end = region_end(r);

	for (unsigned int i = 0; i < rsv->cnt && cur < end; i++) {
		const struct memblock_region *x = &rsv->regions[i];

		if (region_end(x) <= cur)
			continue;
		if (x->base >= end)
			break;
		if (x->base > cur)
			fn(cur, x->base, r->flags);
		cur = max(cur, region_end(x));
	}
	if (cur < end)
		fn(cur, end, r->flags);
}

static void free_one_range(phys_addr_t s, phys_addr_t e, unsigned int flags)
{
	free_pages_range_core(PFN_UP(s), PFN_DOWN(e),
			      flags & MEMBLOCK_KNOWN_ZERO);
}

/* Give all free boot memory to the buddy; memblock is closed after. */
void memblock_free_all(void)
{
	for (unsigned int i = 0; i < memblock.memory.cnt; i++)
		for_each_free_range(&memblock.memory.regions[i],
				    free_one_range);
	memblock.done = true;
}

/* PG_reserved on reserved pages that have descriptors, memmaps excepted. */
void memblock_mark_reserved_pages(void)
{
	const struct memblock_type *rsv = &memblock.reserved;

	for (unsigned int i = 0; i < rsv->cnt; i++) {
		const struct memblock_region *r = &rsv->regions[i];

		if (!(r->flags & MEMBLOCK_RSRV_MEMMAP))
			sparse_mark_reserved(PFN_DOWN(r->base),
					     PFN_UP(region_end(r)));
	}
}

#ifdef MM_HOST
void memblock_host_reset(void)
{
	memset(&memblock, 0, sizeof(memblock));
}
#endif
