/*
 * The page allocator: the public API (alloc_pages, __free_pages, ...), gfp
 * to zone and migratetype, watermarks, the slow path, and the per-CPU
 * order-0 lists in front of the buddy free lists of buddy.c.
 *
 * Per-CPU lists (pcp): order-0 pages are cached per CPU and zone in
 * pcp.lists[migratetype], refilled and drained batch pages at a time under
 * zone->lock.  Each page there carries its own PG_nonzero and its
 * migratetype in ->index; zero pages sit at the tail and __GFP_ZERO takes
 * from the tail.  Pages on pcp lists count as allocated in NR_FREE_PAGES,
 * as in Linux.  The fast path (a pcp hit) takes no lock and touches one
 * page descriptor, one section and the pcp.
 *
 * The order-0 fast path (rmqueue_pcp_fast, free_unref_page) takes one page
 * from / gives one to this CPU's list of the first eligible zone, after the
 * same low-watermark test the full path makes: ~145 instructions for an
 * alloc+free pair on the host build (tests/bench/mm_bench.sh).
 *
 * Allocation walks the preferred node's zonelist from the highest zone the
 * gfp mask allows, first against the low watermark, then (slow path)
 * against min, less for __GFP_HIGH (ALLOC_HIGH: min/2) and __GFP_ATOMIC
 * (ALLOC_HARDER: a further quarter), after waking kswapd (a hook), then
 * direct reclaim through mm_hooks with bounded retries (the per-CPU lists
 * drained only when the try after a reclaim fails), then the OOM killer
 * (mm_hooks.out_of_memory) while it makes progress.  Failure returns
 * NULL with a warning unless __GFP_NOWARN; nothing here ever waits.
 *
 * __GFP_ZERO: a block whose head says known-zero is returned as is
 * (PGZERO_SKIPPED); otherwise each page is cleared with arch_clear_page.
 * __free_pages() marks pages not known zero; free_pages_known_zero() is
 * for callers that know better (e.g. the balloon's fresh host pages).
 *
 * Invariant: managed_pages = NR_FREE_PAGES + isolated free + pcp pages +
 * allocated pages, per zone.
 *
 * Locking: zone->lock (irqs off) for the buddy; a CPU's pcp lists with irqs
 * off on that CPU only; remote drains via arch_on_each_cpu().
 */
#include "mm_internal.h"

pg_data_t node_data[MAX_NUMNODES];		/* nodes and their zones */
long vm_stat_global[NR_VM_STAT_ITEMS];		/* sum of all zones */
struct vm_event_state vm_event_states[NR_CPUS];	/* per-CPU events */
struct mm_hooks mm_hooks;			/* reclaim etc., later */
static int cpu_node[NR_CPUS];			/* node of each CPU */
unsigned long cpu_online_mask = 1;		/* CPUs seen, for /proc */

#define MAX_RECLAIM_RETRIES	16
#define PAGE_ALLOC_COSTLY_ORDER	3
#define PAGE_POISON		0xaa

void mm_set_cpu_node(unsigned int cpu, int nid)
{
	if (cpu < NR_CPUS && nid >= 0 && nid < MAX_NUMNODES) {
		cpu_node[cpu] = nid;
		cpu_online_mask |= 1UL << cpu;
	}
}

int numa_node_id(void)
{
	return cpu_node[arch_cpu_id()];
}

/* Highest zone by the zone bits (DMA 0x1, DMA32 0x4, MOVABLE 0x8). */
static const signed char gfp_zone_table[16] = {
	[0x0] = ZONE_NORMAL, [0x1] = ZONE_DMA, [0x4] = ZONE_DMA32,
	[0x5] = ZONE_DMA, [0x8] = ZONE_MOVABLE, [0x9] = ZONE_DMA,
	[0xc] = ZONE_DMA32, [0xd] = ZONE_DMA,
};

static inline int gfp_zone(gfp_t gfp)
{
	return gfp_zone_table[gfp & GFP_ZONEMASK];
}

static inline int gfp_migratetype(gfp_t gfp)
{
	return (gfp & GFP_MOVABLE_MASK) >> GFP_MOVABLE_SHIFT;
}

static __attribute__((noinline, cold)) void bad_page(const struct page *page,
						    const char *reason)
{
	dump_page(page, reason);
#ifdef MM_DEBUG
	mm_panic("Bad page state: %s", reason);
#endif
}
/* ---------------------------------------------------- per-CPU lists */

/* Move up to @count order-0 pages of type @mt to a pcp @list. */
static int rmqueue_bulk(struct zone *zone, int count, struct list_head *list,
			int mt)
{
	unsigned long flags;
	bool zero;
	int i;

	spin_lock_irqsave(&zone->lock, flags);
	for (i = 0; i < count; i++) {
		struct page *page = __rmqueue(zone, 0, mt, false, &zero);

		if (!page)
			break;
		page->index = mt;
		if (zero) {
			list_add_tail(&page->lru, list);
		} else {
			page->flags = 1UL << PG_nonzero;
			list_add(&page->lru, list);
		}
	}
	mod_zone_page_state(zone, NR_FREE_PAGES, -i);
	spin_unlock_irqrestore(&zone->lock, flags);
	return i;
}

/* Return @count pages of @pcp (this CPU's) to the buddy.  Irqs off. */
static void free_pcppages_bulk(struct zone *zone, int count,
			       struct per_cpu_pages *pcp)
{
	long nr_free = 0;
	int mt = 0;

	spin_lock(&zone->lock);
	while (count > 0 && pcp->count > 0) {
		struct page *page;
		int pmt;
		bool zero;

		while (list_empty(&pcp->lists[mt]))
			mt = (mt + 1) % MIGRATE_PCPTYPES;
		page = list_last_entry(&pcp->lists[mt], struct page, lru);
		list_del(&page->lru);
		pcp->count--;
		count--;
		pmt = (int)page->index;
		if (unlikely(zone->nr_isolate_pageblock))
			pmt = get_pfnblock_migratetype(__page_section(page),
						       page_to_pfn(page));
		zero = page_known_zero(page);
		page->flags = 0;
		page->index = 0;
		__free_one_page(page, page_to_pfn(page), zone, 0, pmt, zero);
		if (pmt != MIGRATE_ISOLATE)
			nr_free++;
		mt = (mt + 1) % MIGRATE_PCPTYPES;
	}
	mod_zone_page_state(zone, NR_FREE_PAGES, nr_free);
	spin_unlock(&zone->lock);
}

static void drain_local_pages(void *arg)
{
	struct zone *only = arg, *zone;
	unsigned int cpu = arch_cpu_id();

	for_each_zone(zone) {
		struct per_cpu_pages *pcp = &zone->pcp[cpu];

		if ((!only || zone == only) && pcp->count)
			free_pcppages_bulk(zone, pcp->count, pcp);
	}
}

/* Empty the per-CPU lists of @zone (all zones if NULL) on every CPU. */
void drain_all_pages(struct zone *zone)
{
	arch_on_each_cpu(drain_local_pages, zone);
}

/*
 * Take one page off a non-empty per-CPU list, irqs off: a __GFP_ZERO
 * request takes the tail, where known-zero pages are kept.
 */
static __always_inline struct page *pcp_pop(struct per_cpu_pages *pcp,
					    struct list_head *list, gfp_t gfp)
{
	struct page *page = (gfp & __GFP_ZERO) ?
			    list_last_entry(list, struct page, lru) :
			    list_first_entry(list, struct page, lru);

	list_del(&page->lru);
	pcp->count--;
	return page;
}

static struct page *rmqueue_pcplist(struct zone *zone, int zidx, int mt,
				    gfp_t gfp, bool *zero)
{
	struct per_cpu_pages *pcp;
	struct list_head *list;
	struct page *page;
	unsigned long flags;
	unsigned int cpu;

	flags = arch_local_irq_save();
	cpu = arch_cpu_id();
	pcp = &zone->pcp[cpu];
	list = &pcp->lists[mt];
	if (unlikely(list_empty(list))) {
		pcp->count += rmqueue_bulk(zone, pcp->batch, list, mt);
		if (list_empty(list)) {
			arch_local_irq_restore(flags);
			return NULL;
		}
	}
	page = pcp_pop(pcp, list, gfp);
	*zero = page_known_zero(page);
	count_vm_events(cpu, PGALLOC_DMA + zidx, 1);
	arch_local_irq_restore(flags);
	return page;
}

static __always_inline void free_unref_page(struct page *page, bool zero)
{
	struct mem_section *ms = __page_section(page);
	pfn_t pfn = ((unsigned long)page - ms->section_mem_map) / 64;
	struct zone *zone = (pfn & ~PAGE_SECTION_MASK) >= ms->zone_split ?
			    ms->zone : ms->zone_low;
	int mt = get_pfnblock_migratetype(ms, pfn);
	struct per_cpu_pages *pcp;
	unsigned long flags;
	unsigned int cpu;

	if (unlikely(mt >= MIGRATE_PCPTYPES)) {
		if (mt == MIGRATE_ISOLATE) {
			free_one_page(zone, page, pfn, 0, mt, zero);
			return;
		}
		mt = MIGRATE_MOVABLE;
	}
	page->index = mt;
	flags = arch_local_irq_save();
	cpu = arch_cpu_id();
	pcp = &zone->pcp[cpu];
	if (zero)
		list_add_tail(&page->lru, &pcp->lists[mt]);
	else
		list_add(&page->lru, &pcp->lists[mt]);
	count_vm_events(cpu, PGFREE, 1);
	if (unlikely(++pcp->count >= pcp->high))
		free_pcppages_bulk(zone, pcp->batch, pcp);
	arch_local_irq_restore(flags);
}

/* ------------------------------------------------------------ freeing */

#ifdef MM_DEBUG
static void check_free_tails_and_poison(struct page *page, unsigned int order,
					bool zero)
{
	for (unsigned long i = 1; i < (1UL << order); i++)
		if (page[i].flags || page[i]._count || page[i]._mapcount ||
		    page[i].private)
			bad_page(&page[i], "dirty tail page at free");
	if (zero) {
		const unsigned char *p = page_address(page);

		for (unsigned long i = 0; i < (PAGE_SIZE << order); i++)
			if (p[i])
				mm_panic("page freed as known-zero is not zero");
	} else {
		memset(page_address(page), PAGE_POISON, PAGE_SIZE << order);
	}
}
#endif

/* Checks and cleanup before @page goes back; false = leak it. */
static __always_inline bool free_pages_prepare(struct page *page,
					       unsigned int order, bool zero)
{
	if (unlikely((page->flags & PAGE_FLAGS_CHECK_AT_FREE) |
		     (unsigned long)page->_mapcount |
		     (unsigned long)page->mapping)) {
		bad_page(page, "nonzero flags, mapcount or mapping at free");
		return false;
	}
#ifdef MM_DEBUG
	check_free_tails_and_poison(page, order, zero);
#endif
	page->flags = zero ? 0 : 1UL << PG_nonzero;
	page->private = 0;
	return true;
}

static __attribute__((noinline)) void __free_pages_ok(struct page *page, unsigned int order, bool zero)
{
	const struct mem_section *ms = __page_section(page);
	pfn_t pfn = page_to_pfn(page);
	unsigned long flags;

	if (!free_pages_prepare(page, order, zero))
		return;
	free_one_page(page_zone(page), page, pfn, order,
		      get_pfnblock_migratetype(ms, pfn), zero);
	flags = arch_local_irq_save();
	count_vm_events(arch_cpu_id(), PGFREE, 1UL << order);
	arch_local_irq_restore(flags);
}

static __always_inline void free_the_page(struct page *page, unsigned int order,
					  bool zero)
{
	if (order == 0) {
		if (!free_pages_prepare(page, 0, zero))
			return;
		free_unref_page(page, zero);
	} else {
		__free_pages_ok(page, order, zero);
	}
}

/* Drop a reference to the 2^@order block at @page; free it if last. */
void __free_pages(struct page *page, unsigned int order)
{
	if (put_page_testzero(page))
		free_the_page(page, order, false);
}

/* Same, for a block the caller knows to be all zero. */
void free_pages_known_zero(struct page *page, unsigned int order)
{
	if (put_page_testzero(page))
		free_the_page(page, order, true);
}

/*
 * Runs of freed blocks (struct free_run): a caller freeing many blocks
 * that are mostly neighbours (pageout's 64 KiB chunks) adds each one
 * whose last reference it dropped; consecutive ones of one section and
 * zone, alike in @zero, go back together as the largest blocks they
 * make (free_pages_run_core), the rest as they come.
 */
void free_run_flush(struct free_run *r)
{
	unsigned long blk = 1UL << r->order, start = 0;
	unsigned long flags;

	if (!r->nr)
		return;
	for (unsigned long i = 0; i < r->nr; i += blk) {
		if (free_pages_prepare(r->page + i, r->order, r->zero)) {
			r->page[i].flags = 0;	/* a tail, or set by the buddy */
			continue;
		}
		/* a bad page (reported, leaked): free around it */
		if (start < i)
			free_pages_run_core(r->pfn + start, r->pfn + i, r->zero);
		start = i + blk;
	}
	if (start < r->nr)
		free_pages_run_core(r->pfn + start, r->pfn + r->nr, r->zero);
	flags = arch_local_irq_save();
	count_vm_events(arch_cpu_id(), PGFREE, r->nr);
	arch_local_irq_restore(flags);
	r->nr = 0;
}

/* free_run_add(), past its inline fast path: flush @r and start a new
 * run with the 2^@order block at @page. */
void __free_run_start(struct free_run *r, struct page *page,
		      unsigned int order, bool zero)
{
	const struct mem_section *ms;
	pfn_t pfn, off;

	free_run_flush(r);
	pfn = page_to_pfn(page);
	ms = __pfn_to_section(pfn);
	off = pfn & ~PAGE_SECTION_MASK;
	/* a run stays in its section (descriptors follow each other only
	 * there) and its zone (the section's zone_split divides two) */
	*r = (struct free_run){ .page = page, .pfn = pfn,
				.limit = (pfn & PAGE_SECTION_MASK) +
					 (off < ms->zone_split ?
					  ms->zone_split : PAGES_PER_SECTION),
				.nr = 1UL << order, .order = order,
				.zero = zero };
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		__free_pages(virt_to_page((void *)addr), order);
}

/* ---------------------------------------------------------- allocating */

static bool __zone_watermark_ok(struct zone *z, unsigned int order,
				unsigned long mark, int highest_zoneidx,
				unsigned int alloc_flags, long free_pages)
{
	long min = (long)mark;

	free_pages -= (1L << order) - 1;
	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;
	if (alloc_flags & ALLOC_HARDER)
		min -= min / 4;
	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	for (unsigned int o = 0; o < order; o++) {
		free_pages -= (long)(z->free_area[o].nr_free << o);
		min >>= 1;
		if (free_pages <= min)
			return false;
	}
	return true;
}

/*
 * May an allocation of 2^@order pages for zones up to @highest_zoneidx
 * take from @z, leaving @mark free pages (less for ALLOC_HIGH/HARDER) plus
 * the lowmem reserve, and that many at each order above?  (2.6's rule.)
 */
bool zone_watermark_ok(struct zone *z, unsigned int order,
		       unsigned long mark, int highest_zoneidx,
		       unsigned int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx,
				   alloc_flags,
				   (long)zone_page_state(z, NR_FREE_PAGES));
}

/* __GFP_ZERO: clear the block unless it is known zero. */
static __attribute__((noinline)) void zero_new_pages(struct page *page,
						    unsigned int order,
						    bool zero)
{
	if (zero) {
#ifdef MM_DEBUG
		const unsigned long *p = page_address(page);

		for (unsigned long i = 0; i < (PAGE_SIZE << order) / 8; i++)
			BUG_ON(p[i]);
#endif
		count_vm_events(arch_cpu_id(), PGZERO_SKIPPED, 1UL << order);
		return;
	}
	for (unsigned long i = 0; i < (1UL << order); i++)
		arch_clear_page((char *)page_address(page) + i * PAGE_SIZE);
	count_vm_events(arch_cpu_id(), PGZERO_CLEARED, 1UL << order);
}

static void prep_new_page(struct page *page, unsigned int order, gfp_t gfp,
			  bool zero)
{
	page->flags = 0;
	page->index = 0;
	set_page_count(page, 1);
	if (gfp & __GFP_ZERO)
		zero_new_pages(page, order, zero);
}

static struct page *rmqueue(struct zone *zone, int zidx, unsigned int order,
			    gfp_t gfp, int mt, bool *zero)
{
	unsigned long flags;
	struct page *page;

	if (likely(order == 0))
		return rmqueue_pcplist(zone, zidx, mt, gfp, zero);
	spin_lock_irqsave(&zone->lock, flags);
	page = __rmqueue(zone, order, mt, gfp & __GFP_ZERO, zero);
	if (page) {
		mod_zone_page_state(zone, NR_FREE_PAGES, -(1L << order));
		count_vm_events(arch_cpu_id(), PGALLOC_DMA + zidx,
				1UL << order);
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	return page;
}

static struct page *get_page_from_freelist(gfp_t gfp, unsigned int order,
					   unsigned int alloc_flags,
					   const struct zoneref *z,
					   int highest_zoneidx)
{
	int mt = gfp_migratetype(gfp);
	struct page *page;
	bool zero;

	for (; z->zone; z++) {
		struct zone *zone = z->zone;

		if (z->zone_idx > highest_zoneidx)
			continue;
		if (!(alloc_flags & ALLOC_NO_WATERMARKS) &&
		    !__zone_watermark_ok(zone, order,
					 zone->_watermark[alloc_flags &
							  ALLOC_WMARK_MASK],
					 highest_zoneidx, alloc_flags,
					 zone->vm_stat[NR_FREE_PAGES]))
			continue;
		page = rmqueue(zone, z->zone_idx, order, gfp, mt, &zero);
		if (page) {
			prep_new_page(page, order, gfp, zero);
			return page;
		}
	}
	return NULL;
}

static void warn_alloc(gfp_t gfp, unsigned int order)
{
	if (gfp & __GFP_NOWARN)
		return;
	mm_log(MM_LOG_WARN, "page allocation failure: order:%u, mode:%#x",
	       order, gfp);
}

/*
 * Reclaim could not help: let the OOM killer (a hook: the kernel's) free
 * memory and retry, for as long as it makes progress -- each round kills
 * a task or shrinks the balloon, so this ends.  Only for requests that
 * may reclaim, up to PAGE_ALLOC_COSTLY_ORDER, without __GFP_NORETRY:
 * Linux's rule (larger requests have fallbacks).
 */
static struct page *alloc_pages_may_oom(gfp_t gfp, unsigned int order,
					unsigned int alloc_flags,
					const struct zoneref *zl, int highest)
{
	struct page *page = NULL;

	if (!mm_hooks.out_of_memory || order > PAGE_ALLOC_COSTLY_ORDER ||
	    (gfp & __GFP_NORETRY))
		return NULL;
	while (!page && mm_hooks.out_of_memory(gfp, order)) {
		drain_all_pages(NULL);
		page = get_page_from_freelist(gfp, order, alloc_flags, zl,
					      highest);
	}
	return page;
}

/*
 * The try after a direct reclaim.  Only if it fails are the per-CPU lists
 * drained and the allocation tried again (Linux's __alloc_pages_direct_
 * reclaim): the pages reclaim freed went to the buddy, and draining after
 * every reclaim -- 32 pages -- cost a drain and a refill of the lists per
 * 32 pages a reader under pressure allocated.
 */
static struct page *alloc_after_reclaim(gfp_t gfp, unsigned int order,
					unsigned int alloc_flags,
					const struct zoneref *zl, int highest)
{
	struct page *page = get_page_from_freelist(gfp, order, alloc_flags,
						   zl, highest);

	if (page)
		return page;
	drain_all_pages(NULL);
	return get_page_from_freelist(gfp, order, alloc_flags, zl, highest);
}

static struct page *alloc_pages_slowpath(gfp_t gfp, unsigned int order,
					 const struct zoneref *zl,
					 int highest)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN;
	struct page *page;

	if (unlikely(reclaim_in_progress())) {
		/* reclaim's own allocations: the reserves, no recursion */
		page = get_page_from_freelist(gfp, order, ALLOC_NO_WATERMARKS,
					      zl, highest);
		goto out;
	}
	if (gfp & __GFP_HIGH)
		alloc_flags |= ALLOC_HIGH;
	if (gfp & __GFP_ATOMIC)
		alloc_flags |= ALLOC_HARDER;
	if ((gfp & __GFP_KSWAPD_RECLAIM) && mm_hooks.wakeup_kswapd)
		for (const struct zoneref *z = zl; z->zone; z++)
			if (z->zone_idx <= highest)
				mm_hooks.wakeup_kswapd(z->zone, order);
	page = get_page_from_freelist(gfp, order, alloc_flags, zl, highest);
	if (page || !(gfp & __GFP_DIRECT_RECLAIM))
		goto out;
	for (int retry = 0; retry < MAX_RECLAIM_RETRIES; retry++) {
		unsigned long progress = 0;

		count_vm_events(arch_cpu_id(), ALLOCSTALL_NORMAL, 1);
		if (mm_hooks.try_to_free_pages)
			progress = mm_hooks.try_to_free_pages(gfp, order);
		page = alloc_after_reclaim(gfp, order, alloc_flags, zl,
					   highest);
		if (page || !progress || (gfp & __GFP_NORETRY))
			break;
	}
	if (!page)
		page = alloc_pages_may_oom(gfp, order, alloc_flags, zl, highest);
out:
	if (!page)
		warn_alloc(gfp, order);
	return page;
}

/*
 * The order-0 fast path: one page from this CPU's list of the first zone
 * the gfp mask allows, if that zone is above its low watermark.  NULL
 * sends the caller to the full path.  Same result as the full path's first
 * try; it only skips its generality.
 */
static __always_inline struct page *rmqueue_pcp_fast(int nid, gfp_t gfp)
{
	int highest = gfp_zone(gfp);
	const struct zoneref *z = node_data[nid].node_zonelist;
	struct per_cpu_pages *pcp;
	struct list_head *list;
	struct zone *zone;
	struct page *page;
	unsigned long flags;
	unsigned int cpu;

	while (z->zone_idx > highest)
		z++;
	zone = z->zone;
	if (unlikely(!zone || zone->vm_stat[NR_FREE_PAGES] <=
		     (long)zone->_watermark[WMARK_LOW] +
		     zone->lowmem_reserve[highest]))
		return NULL;
	flags = arch_local_irq_save();
	cpu = arch_cpu_id();
	pcp = &zone->pcp[cpu];
	list = &pcp->lists[gfp_migratetype(gfp)];
	if (unlikely(list_empty(list))) {
		arch_local_irq_restore(flags);
		return NULL;
	}
	page = pcp_pop(pcp, list, gfp);
	count_vm_events(cpu, PGALLOC_DMA + z->zone_idx, 1);
	arch_local_irq_restore(flags);
	if (unlikely(gfp & __GFP_ZERO))
		zero_new_pages(page, 0, page_known_zero(page));
	page->flags = 0;
	page->index = 0;
	set_page_count(page, 1);
	return page;
}

static __attribute__((noinline)) struct page *
__alloc_pages(int nid, gfp_t gfp, unsigned int order)
{
	const struct zoneref *zl;
	int highest = gfp_zone(gfp);
	struct page *page;

	if (unlikely(order >= MAX_ORDER)) {
		warn_alloc(gfp, order);
		return NULL;
	}
	zl = node_data[nid].node_zonelist;
	page = get_page_from_freelist(gfp, order, ALLOC_WMARK_LOW, zl,
				      highest);
	if (likely(page))
		return page;
	return alloc_pages_slowpath(gfp, order, zl, highest);
}

/*
 * Allocate 2^@order contiguous pages, preferring node @nid.  Returns the
 * head page with _count 1, or NULL (after a warning unless __GFP_NOWARN).
 * Never waits for long: reclaim runs through mm_hooks, bounded retries.
 */
static __always_inline struct page *alloc_pages_inline(int nid, gfp_t gfp,
						       unsigned int order)
{
	if (likely(order == 0)) {
		struct page *page = rmqueue_pcp_fast(nid, gfp);

		if (likely(page))
			return page;
	}
	return __alloc_pages(nid, gfp, order);
}

struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	return alloc_pages_inline(nid, gfp, order);
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return alloc_pages_inline(cpu_node[arch_cpu_id()], gfp, order);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

/* ------------------------------------------------------------- setup */

void zone_pcp_init(struct zone *zone)
{
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct per_cpu_pages *pcp = &zone->pcp[cpu];

		for (int t = 0; t < MIGRATE_PCPTYPES; t++)
			INIT_LIST_HEAD(&pcp->lists[t]);
		pcp->count = 0;
		pcp->high = 0;
		pcp->batch = 1;
	}
	zone->pcp_ready = true;
}

unsigned long global_vm_event(enum vm_event_item item)
{
	unsigned long sum = 0;

	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		sum += vm_event_states[cpu].event[item];
	return sum;
}

#ifdef MM_HOST
void page_alloc_host_reset(void)
{
	memset(node_data, 0, sizeof(node_data));
	memset(vm_stat_global, 0, sizeof(vm_stat_global));
	memset(vm_event_states, 0, sizeof(vm_event_states));
	memset(&mm_hooks, 0, sizeof(mm_hooks));
	memset(cpu_node, 0, sizeof(cpu_node));
	cpu_online_mask = 1;
}
#endif
