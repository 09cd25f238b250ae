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
void free_pages_run_core(pfn_t pfn, pfn_t end, bool zero);	/* locks */

unsigned long move_freepages_block(struct zone *zone, pfn_t start_pfn,
				   pfn_t end_pfn, int mt);
unsigned long __offline_isolated_pages(struct zone *zone, pfn_t start_pfn,
				       pfn_t end_pfn);
void zone_init_free_lists(struct zone *zone);

/* ---- page_alloc.c */
void zone_pcp_init(struct zone *zone);

/* Blocks freed together when they are neighbours (page_alloc.c). */
struct free_run {
	struct page *page;	/* the first block's head */
	pfn_t pfn;		/* its pfn */
	pfn_t limit;		/* where its section or zone ends */
	unsigned long nr;	/* pages so far; 0: empty */
	unsigned int order;	/* of every block */
	bool zero;		/* every block known zero */
};
void __free_run_start(struct free_run *r, struct page *page,
		      unsigned int order, bool zero);
void free_run_flush(struct free_run *r);

/* Add the 2^@order block at @page, whose last reference the caller has
 * dropped, to the run @r (or flush @r and start a new one).  The common
 * case, the next neighbour, looks nothing up. */
static inline void free_run_add(struct free_run *r, struct page *page,
				unsigned int order, bool zero)
{
	if (r->nr && page == r->page + r->nr && r->pfn + r->nr < r->limit &&
	    zero == r->zero && order == r->order)
		r->nr += 1UL << order;
	else
		__free_run_start(r, page, order, zero);
}

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

/* ---- swapfile.c: the swap map */
#define SWAPFILE_CLUSTER	512	/* slots per cluster: one 2 MiB chunk */
#define SWP_USED		0x1	/* the type is taken */
#define SWP_WRITEOK		0x2	/* slots may be allocated */

struct swap_info_struct {
	unsigned int flags;		/* SWP_* */
	unsigned int type;		/* index in swap_info[] */
	void *bdev;			/* the kernel's disk, for swap_rw */
	char name[16];			/* "/dev/vdb" */
	unsigned long max;		/* slots (4 KiB each) */
	unsigned long inuse_pages;	/* slots taken */
	unsigned long *map;		/* bit per slot, 1 = taken */
	unsigned short *cluster_used;	/* taken slots per cluster */
	unsigned long nr_clusters;
	unsigned long cluster_next;	/* where the next 4K/64K search starts */
};

extern struct swap_info_struct *swap_info[MAX_SWAPFILES];
extern long nr_swap_pages;		/* free slots, all devices */

/* 2^@order consecutive slots (order 0, 4 or 9), aligned to their size,
 * in *@entry.  0 or -ENOSPC. */
int swap_alloc(unsigned int order, swp_entry_t *entry);
/* Slots taken ahead for one pageout batch's 64 KiB chunks (swapfile.c):
 * a free cluster at a time, handed out 16 by 16. */
struct swap_slots {
	unsigned int type;
	unsigned long next;	/* the next chunk's first slot */
	unsigned long left;	/* slots taken and not handed out */
};
/* 16 aligned slots for a chunk, from @c (refilled when empty), as
 * swap_alloc(MTHP_ORDER) would choose their device.  0 or -ENOSPC. */
int swap_alloc_chunk(struct swap_slots *c, swp_entry_t *entry);
/* Give back what @c holds (before the mm lock it was used under goes). */
void swap_slots_release(struct swap_slots *c);
/* Give back the 2^@order slots from @entry. */
void swap_free(swp_entry_t entry, unsigned int order);
/* Give back the @nr slots from @entry (any count, across clusters). */
void swap_free_nr(swp_entry_t entry, unsigned long nr);
/* Are all 2^@order slots from @entry taken? (checks, tests) */
bool swap_slots_taken(swp_entry_t entry, unsigned int order);
/* Synchronous I/O of @n runs on the device of @type: 0 or -EIO. */
/* Does a successful swap_io() write to @type leave its pages zero? */
bool swap_write_releases(unsigned int type);
int swap_io(unsigned int type, bool write, const struct swap_iov *iov,
	    unsigned int n);

/* ---- lru.c: LRU lists (vmscan.c scans them) */
#define SWAP_CLUSTER_MAX	32UL	/* pages reclaimed per round */
#define MTHP_NR			(1UL << MTHP_ORDER)

/* Pages an LRU entry stands for: a THP's 512, a chunk's 16, or 1. */
static inline unsigned long lru_nr(const struct page *page)
{
	if (PageHead(page))
		return 1UL << page->private;
	return PageMthp(page) ? MTHP_NR : 1;
}

/* The order of the unit an LRU entry stands for (swap slots, frees). */
static inline unsigned int lru_order(const struct page *page)
{
	if (PageHead(page))
		return HPAGE_PMD_ORDER;
	return PageMthp(page) ? MTHP_ORDER : 0;
}

/* Node @nid's lists (made on first use). */
struct lruvec *node_lruvec(int nid);
/* Move up to @nr entries from the tail of @lru onto @out, stopping once
 * they hold @pages pages (an entry holds 1, 16 or 512); how many entries. */
unsigned long isolate_lru_pages(struct lruvec *l, enum lru_list lru,
				unsigned long nr, unsigned long pages,
				struct list_head *out);
/* Put the isolated entry @page back at the head of @lru. */
void lru_putback(struct page *page, enum lru_list lru);
/* The @nr new single pages from @page (one block: one zone) on the head
 * of @lru, in order, under one lock hold. */
void lru_cache_add_run(struct page *page, unsigned long nr,
		       enum lru_list lru);
/* Put the isolated entries on @list (of @l's node), which were added to
 * it with list_add in the order lru_putback() would have taken them, at
 * the head of @lru under one lock hold; @list is left empty. */
void lru_putback_list(struct lruvec *l, struct list_head *list,
		      enum lru_list lru);
/* The isolated chunk entry @head becomes a single page; its other 15
 * go on the inactive list singly. */
void lru_chunk_break_isolated(struct page *head);

/* A new anonymous page (or THP head: 512 pages) goes on the inactive
 * list of its node. */
void lru_cache_add_anon(struct page *page);
/* @nr consecutive new pages from @page, one lock round (whole aligned
 * 64 KiB chunks as one entry each). */
void lru_cache_add_anon_range(struct page *page, unsigned long nr);
/* A cache hit: referenced, or (referenced twice) activated. */
void mark_page_accessed(struct page *page);
/* mark_page_accessed() for each non-NULL page of @pages[0..nr), under
 * one lock hold per node. */
void mark_pages_accessed(struct page **pages, unsigned int nr);
/* filemap.c: take an unlocked cache page (off the LRU) out of its index
 * and free it, into @run (free_run_flush() frees it) or alone if @run is
 * NULL; @record: remember the eviction (refaults).  false: it is locked
 * (in use), nothing done. */
bool filemap_evict(struct page *page, bool record, struct free_run *run);
struct scan_count { unsigned long anon, file; };
/* Linux's get_scan_count() in spirit: how many anon and file pages to
 * scan at @priority, anon weighed by @swappiness against file by 200 -
 * swappiness; anon only with free swap, file only when anon cannot go. */
struct scan_count get_scan_count(unsigned long anon, unsigned long file,
				 int priority, int swappiness,
				 long free_swap);
/* Take @page off its LRU list (it is being unmapped or freed). */
void lru_del(struct page *page);
/* Migration: @new takes @old's place on its LRU list. */
void lru_replace(struct page *old, struct page *new);
/* Linux's inactive_is_low(): below 1 GiB the lists are kept equal. */
bool inactive_is_low(unsigned long inactive, unsigned long active);
/* How many of @lru_pages anon pages to scan at @priority, given the
 * swappiness and free swap: 0 when anon cannot be reclaimed. */
unsigned long anon_scan_count(unsigned long lru_pages, int priority,
			      int swappiness, long free_swap);
/* Reclaim from node @nid until @nr_to_reclaim pages are freed or a
 * pass finds nothing; @kswapd picks the counters.  Pages freed. */
unsigned long shrink_node(int nid, unsigned long nr_to_reclaim,
			  int priority, bool kswapd);

/* The PTE (PMD for a THP head) mapping the anonymous @page in its locked
 * owner @mm, or NULL if it does not. */
pteval_t *page_entry(struct mm_struct *mm, struct page *page);
/* @page (off the LRU, its entry in @mm, locked, now a swap entry whose
 * slots hold its bytes) is on swap: unaccount and free it. */
void pageout_done(struct mm_struct *mm, struct page *page, bool zero);

/* Is reclaim running (its allocations may use the reserves)? */
bool reclaim_in_progress(void);

/* ---- migrate.c: the reverse map */
/* Trylock the mm mapping @page; NULL if none or it is busy. */
struct mm_struct *page_trylock_anon_mm(struct page *page);

/* ---- rmap.c: the reverse map of mapped cache pages */
enum page_references {
	PAGEREF_RECLAIM,	/* unmapped everywhere: may be evicted */
	PAGEREF_KEEP,		/* recently used once: stays inactive */
	PAGEREF_ACTIVATE,	/* used again (or by several): activate */
};

/* @vma (VM_SHARED, vm_file set) joins / leaves its file's i_mmap. */
void vma_link_file(struct vm_area_struct *vma);
void vma_unlink_file(struct vm_area_struct *vma);
/* Clear the accessed bits of the PTEs mapping the cache page @page; how
 * many were set (a busy mm counts as one). */
unsigned int page_referenced_file(struct page *page);
/* Reclaim's verdict on the mapped cache page @page (unlocked, off its
 * LRU list): PAGEREF_RECLAIM only once every PTE is gone. */
enum page_references page_check_references_file(struct page *page);
/* A PTE of @mm mapping the cache page @page was cleared (mm locked). */
void page_remove_file_rmap(struct mm_struct *mm, struct page *page);

/* ---- filemap.c: faults on file mappings */
/* The fault at @address of @mm in a VM_SHARED VMA: map the page (and
 * its neighbours in the same window) from the page cache, reading what
 * is missing.  mm->lock NOT held. */
vm_fault_t filemap_fault(struct mm_struct *mm, unsigned long address,
			 unsigned int flags);

/* ---- swap_state.c: the swap cache of anonymous units */
/* May a unit read back from swap device @type keep its slots?  (The
 * device is not being swapped off and swap is under half full.) */
bool swap_may_cache(unsigned int type);
/* Mark the unit of @nr pages from @page (its LRU page: THP head, chunk's
 * first page or a page), just read from the slots from @swp and not yet
 * mapped, as backed by them. */
void swapcache_add(struct page *page, swp_entry_t swp, unsigned long nr);
/* The first slot of the swap-cache unit @page. */
swp_entry_t swapcache_entry(struct page *page);
/* The unit's slots now belong to swap entries: unmark it.  (Clear and
 * free take the unit's size from lru_nr(): call them before PG_head or
 * PG_mthp goes.) */
void swapcache_clear(struct page *page);
/* The unit stops being backed by its slots: free them, unmark it. */
void swapcache_free(struct page *page);
/* swapoff of @type: the mapped unit @page gives up its slots there. */
void swapcache_unuse(struct page *page, unsigned int type);
/* Reclaim: the @n entries from @e (a unit's PTEs, or its PMD) become
 * @first and the swap entries after it; was any dirty? */
bool swapcache_unmap(pteval_t *e, unsigned long n, pteval_t first);

/* ---- memory.c: swap entries in page tables */
/* Free the swap slots held by the swap entry @e (a PTE, or a PMD). */
void free_swap_entry(struct mm_struct *mm, pteval_t e, bool pmd);
/* swapoff: bring back every page of @mm on swap type @type.  0 or
 * -ENOMEM. */
int unuse_mm(struct mm_struct *mm, unsigned int type);
extern struct list_head mmlist;		/* every user mm (mmap.c) */
extern spinlock_t mmlist_lock;

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
void swap_host_reset(void);
void filemap_host_reset(void);
#endif

#endif /* GUEST_MM_MM_INTERNAL_H */
