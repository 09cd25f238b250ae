/*
 * Declarations shared between the files of guest/mm and its unit tests;
 * not for the rest of the kernel (use mm.h).
 */
#ifndef GUEST_MM_MM_INTERNAL_H
#define GUEST_MM_MM_INTERNAL_H

#include "mm.h"

/* alloc_flags: how far an allocation may dip into the reserves. */
#define ALLOC_WMARK_MIN		WMARK_MIN
#define ALLOC_WMARK_LOW		WMARK_LOW
#define ALLOC_WMARK_HIGH	WMARK_HIGH
#define ALLOC_NO_WATERMARKS	0x04
#define ALLOC_WMARK_MASK	(ALLOC_NO_WATERMARKS - 1)
#define ALLOC_HARDER		0x10	/* __GFP_ATOMIC: min - min/4 */
#define ALLOC_HIGH		0x20	/* __GFP_HIGH: min - min/2 */

/* ---- memblock.c: the early (boot) allocator */
#define MEMBLOCK_MAX_REGIONS	128
#define MEMBLOCK_RSRV_MEMMAP	0x100	/* reserved: holds a memmap */

struct memblock_region {
	phys_addr_t base;	/* first byte */
	phys_addr_t size;	/* bytes */
	int nid;		/* node (memory regions) */
	unsigned int flags;	/* MEMBLOCK_* */
};

struct memblock_type {
	unsigned int cnt;	/* regions in use, sorted by base */
	struct memblock_region regions[MEMBLOCK_MAX_REGIONS];
};

struct memblock {
	struct memblock_type memory;	/* RAM */
	struct memblock_type reserved;	/* RAM that is not free */
	bool done;			/* memblock_free_all() has run */
};

extern struct memblock memblock;

phys_addr_t memblock_phys_alloc_range(phys_addr_t size, phys_addr_t align,
				      phys_addr_t start, phys_addr_t end,
				      unsigned int rsrv_flags);
void *memblock_alloc(phys_addr_t size, phys_addr_t align);
bool memblock_is_known_zero(phys_addr_t base, phys_addr_t size);
void memblock_free_all(void);
void memblock_mark_reserved_pages(void);

/* ---- sparse.c */
struct mem_section *sparse_ensure_section(unsigned long nr);
void set_section_zones(struct mem_section *ms, struct zone *low,
		       unsigned int split, struct zone *zone);
void set_pageblock_range_migratetype(pfn_t start, pfn_t end, int mt);
void sparse_mark_reserved(pfn_t start, pfn_t end);

/* ---- buddy.c (zone->lock held unless noted) */
void __free_one_page(struct page *page, pfn_t pfn, struct zone *zone,
		     unsigned int order, int mt, bool zero);
void __free_one_page_reported(struct page *page, pfn_t pfn,
			      struct zone *zone, unsigned int order, int mt,
			      bool zero);
void free_one_page(struct zone *zone, struct page *page, pfn_t pfn,
		   unsigned int order, int mt, bool zero);	/* locks */
void del_page_from_free_list(struct page *page, struct zone *zone,
			     unsigned int order);
struct page *__rmqueue(struct zone *zone, unsigned int order, int mt,
		       bool want_zero, bool *zero);
void free_pages_range_core(pfn_t start, pfn_t end,
			   bool known_zero);			/* locks */

unsigned long move_freepages_block(struct zone *zone, pfn_t start_pfn,
				   pfn_t end_pfn, int mt);
unsigned long __offline_isolated_pages(struct zone *zone, pfn_t start_pfn,
				       pfn_t end_pfn);
void zone_init_free_lists(struct zone *zone);

/* ---- page_alloc.c */
void zone_pcp_init(struct zone *zone);

/* ---- mm_init.c: zones, watermarks, zonelists */
void free_area_init(void);
void setup_per_zone_wmarks(void);
void setup_per_zone_lowmem_reserve(void);
void calculate_totalreserve_pages(void);
void build_all_zonelists(void);
void zone_pcp_update(struct zone *zone);
unsigned long int_sqrt(unsigned long x);
void recalc_memory_tunables(void);
void resize_zone_range(struct zone *zone, pfn_t start_pfn,
		       unsigned long nr_pages);
extern bool mm_initialized;

/* ---- vmstat.c: text output into a caller's buffer */
struct mm_seq {
	char *buf;	/* output, always NUL-terminated if size > 0 */
	size_t size;	/* bytes at buf */
	size_t len;	/* length of the full text so far (may exceed size) */
};

void mm_seq_printf(struct mm_seq *s, const char *fmt, ...) __printf(2, 3);
int mm_seq_result(const struct mm_seq *s);
extern unsigned long cpu_online_mask;

/* ---- memory.c, mmap.c, migrate.c: user address spaces */
void mmap_init(void);
int split_huge_pmd(struct mm_struct *mm, pmd_t *pmd, unsigned long haddr);
void unmap_region(struct mm_struct *mm, unsigned long floor,
		  unsigned long ceiling, bool flush, struct unmap_stats *st);
void anon_rmap_barrier(void);

/* ---- slab.c, vmalloc.c */
void kmem_cache_init(void);
void vmalloc_init(void);
unsigned long slab_reclaimable_pages(void);

/* ---- host builds: forget all state (the unit tests' setup) */
#ifdef MM_HOST
void mm_host_reset(void);
void memblock_host_reset(void);
void sparse_host_reset(void);
void page_alloc_host_reset(void);
void slab_host_reset(void);
void vmalloc_host_reset(void);
#endif

#endif /* GUEST_MM_MM_INTERNAL_H */
