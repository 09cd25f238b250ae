/*
 * SPARSEMEM: sections, their memmaps, and the pageblock bitmaps.
 *
 * Physical memory is cut into 128 MiB sections (SECTION_SIZE_BITS 27); a
 * memory block of the hotplug interface is one section.  A section that
 * holds RAM is "present": it has a memmap (its struct pages) covering its
 * valid pfn range, and a bitmap with the migratetype of each of its 64
 * pageblocks.  A present section is "online" when its pages are in the
 * buddy allocator (memory_hotplug.c, mm_init.c).
 *
 * Where memmaps live (see sparse.h for why it matters):
 *  - boot RAM (MEMMAP_EARLY): memblock places the memmap inside the section,
 *    sized for the valid range only; holes at either end of a section are
 *    outside the valid range, so no descriptor exists for them.  Holes in
 *    the middle get PG_reserved (a few pages in practice: 640 KiB - 1 MiB).
 *  - hot-added sections (MEMMAP_ON_MEMORY): the memmap is the first 2 MiB
 *    (512 pages) of the section itself; those pages are present but never
 *    managed, and their descriptors stay zero (pfn_is_memmap() tells).
 * Either way the memmap is zero-filled memory from the host (else memblock
 * zeroes it), and the all-zero struct page is valid: no per-page init.
 *
 * Invariants: a section's memmap lies in its own physical range; the
 * pageblock bitmap holds valid migratetypes for online sections.
 *
 * Locking: sections are added and removed under mem_hotplug_lock (callers),
 * read locklessly; the pageblock bitmap is written under zone->lock.
 */
#include "mm_internal.h"

struct mem_section *mem_section[NR_SECTION_ROOTS];	/* roots */

/* The section @nr, allocating its root page if needed; NULL on failure. */
struct mem_section *sparse_ensure_section(unsigned long nr)
{
	struct mem_section **root = &mem_section[nr / SECTIONS_PER_ROOT];

	if (nr >= NR_MEM_SECTIONS)
		return NULL;
	if (!*root) {
		if (mm_initialized)
			*root = (struct mem_section *)get_zeroed_page(GFP_KERNEL);
		else
			*root = memblock_alloc(PAGE_SIZE, PAGE_SIZE);
		if (!*root)
			return NULL;
	}
	return &(*root)[nr % SECTIONS_PER_ROOT];
}

void set_pfnblock_migratetype(pfn_t pfn, int mt)
{
	struct mem_section *ms = __pfn_to_section(pfn);
	unsigned int pb = (pfn & ~PAGE_SECTION_MASK) >> pageblock_order;
	unsigned int shift = pb % PB_PER_WORD * PB_BITS;
	unsigned long *word = &ms->pageblock_flags[pb / PB_PER_WORD];

	*word = (*word & ~(((1UL << PB_BITS) - 1) << shift)) |
		((unsigned long)mt << shift);
}

/* Set every pageblock of [start, end) (pageblock aligned) to @mt. */
void set_pageblock_range_migratetype(pfn_t start, pfn_t end, int mt)
{
	for (; start < end; start += pageblock_nr_pages)
		set_pfnblock_migratetype(start, mt);
}

/* Every pageblock of section @ms to @mt: PB_WORDS stores. */
static void set_section_migratetype(struct mem_section *ms, int mt)
{
	unsigned long pattern = 0x1111111111111111UL * (unsigned long)mt;

	for (unsigned int w = 0; w < PB_WORDS; w++)
		ms->pageblock_flags[w] = pattern;
}

void set_section_zones(struct mem_section *ms, struct zone *low,
		       unsigned int split, struct zone *zone)
{
	ms->zone_low = low;
	ms->zone_split = split;
	ms->zone = zone;
}

bool pfn_is_memmap(pfn_t pfn)
{
	struct mem_section *ms = __pfn_to_section(pfn);
	unsigned long off = pfn & ~PAGE_SECTION_MASK;

	return (ms->flags & SECTION_MEMMAP_ON_MEM) &&
	       off >= ms->valid_start &&
	       off < ms->valid_start + ms->nr_memmap_pages;
}

/* RAM pfns of section @nr: [*first, *last); node and zero-ness. */
static bool section_ram_range(unsigned long nr, pfn_t *first, pfn_t *last,
			      int *nid, bool *known_zero)
{
	pfn_t s = section_nr_to_pfn(nr), e = s + PAGES_PER_SECTION;
	const struct memblock_type *mem = &memblock.memory;
	bool found = false;

	*known_zero = true;
	for (unsigned int i = 0; i < mem->cnt; i++) {
		const struct memblock_region *r = &mem->regions[i];
		pfn_t rs = max(PFN_UP(r->base), s);
		pfn_t re = min(PFN_DOWN(r->base + r->size), e);

		if (rs >= re)
			continue;
		if (!found) {
			*first = rs;
			*nid = r->nid;
			found = true;
		}
		*last = re;
		if (!(r->flags & MEMBLOCK_KNOWN_ZERO))
			*known_zero = false;
	}
	return found;
}

/*
 * PG_reserved on the descriptors of [start, end) that exist, a section at
 * a time: one pass of a tight loop per section, not a pfn_valid() and
 * pfn_to_page() per page.  Boot only: ~600 pages (first MiB, the image).
 */
void sparse_mark_reserved(pfn_t start, pfn_t end)
{
	while (start < end) {
		pfn_t sec = start & PAGE_SECTION_MASK;
		pfn_t next = min(end, sec + PAGES_PER_SECTION);
		const struct mem_section *ms =
			__nr_to_section(pfn_to_section_nr(start));
		struct page *page, *last;

		if (ms && (ms->flags & SECTION_PRESENT)) {
			page = pfn_to_page(max(start, sec + ms->valid_start));
			last = pfn_to_page(sec) + min(next - sec,
						      (pfn_t)ms->valid_end);
#pragma GCC unroll 4
			for (; page < last; page++)
				__SetPageReserved(page);
		}
		start = next;
	}
}

/* PG_reserved on pfns of [first, last) that are not RAM. */
static void mark_section_holes(pfn_t first, pfn_t last)
{
	const struct memblock_type *mem = &memblock.memory;
	pfn_t cur = first;

	for (unsigned int i = 0; i < mem->cnt && cur < last; i++) {
		pfn_t rs = PFN_UP(mem->regions[i].base);
		pfn_t re = PFN_DOWN(mem->regions[i].base +
				    mem->regions[i].size);

		if (cur < rs)
			sparse_mark_reserved(cur, min(rs, last));
		cur = max(cur, re);
	}
}

/* Boot: give section @nr a memmap inside itself. */
static void sparse_init_one(unsigned long nr)
{
	pfn_t first, last, sec = section_nr_to_pfn(nr);
	phys_addr_t size, pa;
	struct mem_section *ms;
	bool zero;
	int nid;

	if (!section_ram_range(nr, &first, &last, &nid, &zero))
		return;
	size = PAGE_ALIGN((last - first) * sizeof(struct page));
	pa = memblock_phys_alloc_range(size, PAGE_SIZE, PFN_PHYS(sec),
				       PFN_PHYS(sec + PAGES_PER_SECTION),
				       MEMBLOCK_RSRV_MEMMAP);
	ms = pa ? sparse_ensure_section(nr) : NULL;
	if (!ms) {
		mm_log(MM_LOG_WARN, "sparse: no room for the memmap of "
		       "section %lu, its RAM is unused", nr);
		return;
	}
	if (!memblock_is_known_zero(pa, size))
		memset(__va(pa), 0, size);
	ms->section_mem_map = (unsigned long)__va(pa) - first * 64;
	ms->valid_start = first - sec;
	ms->valid_end = last - sec;
	ms->nid = nid;
	ms->flags = SECTION_PRESENT | SECTION_BOOT |
		    (zero ? 0 : SECTION_UNZEROED);
	set_section_migratetype(ms, MIGRATE_MOVABLE);
	mark_section_holes(first, last);
}

/* Boot: create every section that holds memblock RAM. */
void sparse_init(void)
{
	const struct memblock_type *mem = &memblock.memory;
	unsigned long last = ~0UL;

	for (unsigned int i = 0; i < mem->cnt; i++) {
		const struct memblock_region *r = &mem->regions[i];
		unsigned long nr = pfn_to_section_nr(PFN_DOWN(r->base));
		unsigned long end = pfn_to_section_nr(PFN_DOWN(r->base +
							       r->size - 1));

		for (; nr <= end && nr < NR_MEM_SECTIONS; nr++) {
			if (nr != last)
				sparse_init_one(nr);
			last = nr;
		}
	}
	memblock_mark_reserved_pages();
}

/*
 * Hot-add: make the section starting at @start_pfn present on node @nid.
 * MEMMAP_ON_MEMORY puts the memmap in the section's first 2 MiB, which
 * must be zero-filled (a fresh DIMM).  MEMMAP_EARLY works only before
 * mm_init(): it adds the section's RAM to memblock, and sparse_init()
 * places the memmap.
 * O(1).  Returns 0, -EINVAL, -EEXIST or -ENOMEM.
 */
int sparse_add_section(int nid, pfn_t start_pfn, enum memmap_location loc)
{
	unsigned long nr = pfn_to_section_nr(start_pfn);
	struct mem_section *ms;

	if (!IS_ALIGNED(start_pfn, PAGES_PER_SECTION) || nid < 0 ||
	    nid >= MAX_NUMNODES || (loc == MEMMAP_EARLY && mm_initialized))
		return -EINVAL;
	ms = sparse_ensure_section(nr);
	if (!ms)
		return -ENOMEM;
	if (ms->flags & SECTION_PRESENT)
		return -EEXIST;
	if (loc == MEMMAP_EARLY)	/* sparse_init() will create it */
		return memblock_add_node(PFN_PHYS(start_pfn),
					 PFN_PHYS(PAGES_PER_SECTION), nid, 0);
	ms->section_mem_map = (unsigned long)__va(PFN_PHYS(start_pfn)) -
			      start_pfn * 64;
	ms->valid_start = 0;
	ms->valid_end = PAGES_PER_SECTION;
	ms->nr_memmap_pages = SECTION_MEMMAP_PAGES;
	ms->nid = nid;
	ms->flags = SECTION_PRESENT | SECTION_MEMMAP_ON_MEM;
	return 0;
}

/* Hot-remove: forget an offline section.  0, -EINVAL or -EBUSY. */
int sparse_remove_section(pfn_t start_pfn)
{
	struct mem_section *ms;

	if (!IS_ALIGNED(start_pfn, PAGES_PER_SECTION))
		return -EINVAL;
	ms = __nr_to_section(pfn_to_section_nr(start_pfn));
	if (!ms || !(ms->flags & SECTION_PRESENT))
		return -EINVAL;
	if (ms->flags & SECTION_ONLINE)
		return -EBUSY;
	memset(ms, 0, sizeof(*ms));
	return 0;
}

#ifdef MM_HOST
void sparse_host_reset(void)
{
	memset(mem_section, 0, sizeof(mem_section));
}
#endif
