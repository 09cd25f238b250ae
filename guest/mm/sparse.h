/*
 * SPARSEMEM: physical memory in 128 MiB sections, each with its own memmap.
 *
 * mem_section is two-level (Linux's SPARSEMEM_EXTREME): a static array of
 * root pointers, each to one page of 32 struct mem_section, allocated when
 * the first section under it is added.  A section's memmap covers its
 * valid pfn range [valid_start, valid_end) (offsets in the section); pfns
 * outside it have no descriptor and pfn_valid() is false.
 *
 * The placement rule that makes page_to_pfn() cheap: a section's memmap
 * always lies inside that same section's physical range (memmap_on_memory
 * for hot-added DIMMs; for boot RAM the early allocator places it inside
 * the section).  So the section that describes a struct page is the section
 * that holds it, found from __pa(page) with one shift, and
 *
 *	pfn_to_page(pfn)  = section_mem_map + pfn * sizeof(struct page)
 *	page_to_pfn(page) = (page - section_mem_map) / sizeof(struct page)
 *
 * where section_mem_map is the memmap's address biased by its first pfn
 * (Linux's encoding), kept as an unsigned long so the bias may wrap.
 *
 * Zones: every pfn of a section belongs to ->zone, except those below
 * ->zone_split (an offset; non-zero only where a zone boundary falls inside
 * a section: 16 MiB, DMA/DMA32), which belong to ->zone_low.
 */
#ifndef GUEST_MM_SPARSE_H
#define GUEST_MM_SPARSE_H

#include "mm_types.h"

struct zone;
struct page;

#define SECTION_SIZE_BITS	27	/* 128 MiB */
#define MAX_PHYSMEM_BITS	44	/* 16 TiB of guest-physical space */
#define PFN_SECTION_SHIFT	(SECTION_SIZE_BITS - PAGE_SHIFT)
#define PAGES_PER_SECTION	(1UL << PFN_SECTION_SHIFT)
#define PAGE_SECTION_MASK	(~(PAGES_PER_SECTION - 1))
#define NR_MEM_SECTIONS		(1UL << (MAX_PHYSMEM_BITS - SECTION_SIZE_BITS))
#define SECTIONS_PER_ROOT	32UL
#define NR_SECTION_ROOTS	(NR_MEM_SECTIONS / SECTIONS_PER_ROOT)

#define pageblock_order		9
#define pageblock_nr_pages	(1UL << pageblock_order)
#define PAGEBLOCKS_PER_SECTION	(PAGES_PER_SECTION >> pageblock_order)
#define PB_BITS			4	/* bits per pageblock in the bitmap */
#define PB_PER_WORD		(64 / PB_BITS)
#define PB_WORDS		(PAGEBLOCKS_PER_SECTION / PB_PER_WORD)

/* Pages of a full section's memmap (memmap_on_memory): 512 = 2 MiB. */
#define SECTION_MEMMAP_PAGES	(PAGES_PER_SECTION * 64 / PAGE_SIZE)

/* mem_section.flags */
#define SECTION_PRESENT		0x1	/* has a memmap */
#define SECTION_ONLINE		0x2	/* its pages are in the buddy */
#define SECTION_MEMMAP_ON_MEM	0x4	/* memmap in its first pages */
#define SECTION_BOOT		0x8	/* boot RAM (memmap from memblock) */
#define SECTION_UNZEROED	0x10	/* contents not known zero */

enum memmap_location {
	MEMMAP_ON_MEMORY,	/* in the section's first 2 MiB (hot-add) */
	MEMMAP_EARLY,		/* from memblock, inside the section (boot) */
};

struct mem_section {
	unsigned long section_mem_map;	/* memmap - first_pfn, in bytes */
	struct zone *zone;		/* zone of pfns >= zone_split */
	struct zone *zone_low;		/* zone of pfns < zone_split */
	unsigned long flags;		/* SECTION_* */
	unsigned int zone_split;	/* offset where ->zone begins */
	unsigned int valid_start;	/* first offset with a descriptor */
	unsigned int valid_end;		/* last offset with one, + 1 */
	unsigned int nr_memmap_pages;	/* memmap_on_memory: at valid_start */
	int nid;			/* node */
	unsigned int __pad0;
	unsigned long pageblock_flags[PB_WORDS]; /* migratetype per block */
	unsigned long __pad1[5];
};

BUILD_BUG_ON(sizeof(struct mem_section) * SECTIONS_PER_ROOT != PAGE_SIZE);

extern struct mem_section *mem_section[NR_SECTION_ROOTS];

static inline unsigned long pfn_to_section_nr(pfn_t pfn)
{
	return pfn >> PFN_SECTION_SHIFT;
}

static inline pfn_t section_nr_to_pfn(unsigned long nr)
{
	return nr << PFN_SECTION_SHIFT;
}

/* The section, or NULL if its root was never allocated. */
static inline struct mem_section *__nr_to_section(unsigned long nr)
{
	struct mem_section *root;

	if (unlikely(nr >= NR_MEM_SECTIONS))
		return NULL;
	root = mem_section[nr / SECTIONS_PER_ROOT];
	if (unlikely(!root))
		return NULL;
	return &root[nr % SECTIONS_PER_ROOT];
}

/* Same, for a section known to exist (fast paths). */
static inline struct mem_section *__section(unsigned long nr)
{
	return &mem_section[nr / SECTIONS_PER_ROOT][nr % SECTIONS_PER_ROOT];
}

static inline struct mem_section *__pfn_to_section(pfn_t pfn)
{
	return __section(pfn_to_section_nr(pfn));
}

/* Section describing @page: the one holding the descriptor itself. */
static inline struct mem_section *__page_section(const struct page *page)
{
	return __section(__pa(page) >> SECTION_SIZE_BITS);
}

static inline bool pfn_valid(pfn_t pfn)
{
	struct mem_section *ms = __nr_to_section(pfn_to_section_nr(pfn));
	unsigned long off = pfn & ~PAGE_SECTION_MASK;

	return ms && (ms->flags & SECTION_PRESENT) &&
	       off >= ms->valid_start && off < ms->valid_end;
}

static inline struct page *pfn_to_page(pfn_t pfn)
{
	return (struct page *)(__pfn_to_section(pfn)->section_mem_map +
			       pfn * 64);
}

static inline pfn_t page_to_pfn(const struct page *page)
{
	return ((unsigned long)page - __page_section(page)->section_mem_map)
		/ 64;
}

static inline struct zone *page_zone(const struct page *page)
{
	struct mem_section *ms = __page_section(page);
	unsigned long off = (((unsigned long)page - ms->section_mem_map) / 64)
			    & ~PAGE_SECTION_MASK;

	return off >= ms->zone_split ? ms->zone : ms->zone_low;
}

static inline int page_to_nid(const struct page *page)
{
	return __page_section(page)->nid;
}

/* Migratetype of the pageblock holding @pfn (section @ms). */
static inline int get_pfnblock_migratetype(const struct mem_section *ms,
					   pfn_t pfn)
{
	unsigned int pb = (pfn & ~PAGE_SECTION_MASK) >> pageblock_order;

	return (ms->pageblock_flags[pb / PB_PER_WORD] >>
		(pb % PB_PER_WORD * PB_BITS)) & ((1U << PB_BITS) - 1);
}

void set_pfnblock_migratetype(pfn_t pfn, int mt);

/* sparse.c */
int sparse_add_section(int nid, pfn_t start_pfn, enum memmap_location loc);
int sparse_remove_section(pfn_t start_pfn);
void sparse_init(void);
bool pfn_is_memmap(pfn_t pfn);

#endif /* GUEST_MM_SPARSE_H */
