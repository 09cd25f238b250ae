/*
 * The buddy allocator's free lists: freeing with coalescing, splitting,
 * migratetype fallback and stealing, and moving free blocks between
 * migratetypes (isolation).  The policy around it (per-CPU lists, gfp,
 * watermarks, the public API) is in page_alloc.c.
 *
 * Each zone keeps free blocks of 2^order pages (order 0 .. MAX_ORDER-1) in
 * free_area[order].free_list[migratetype].  A free block is represented by
 * its head page alone: PG_buddy set, ->private = order, ->lru on the list.
 * The other pages of the block (tails) are never touched, so freeing a
 * 1024-page block costs the same as freeing one page, and onlining a
 * 128 MiB section is 32 frees.
 *
 * Freeing coalesces (__free_one_page): the buddy of the block at pfn of
 * order o is pfn ^ (1 << o); if that head is PG_buddy with the same order,
 * both leave their list and merge, up to MAX_ORDER-1.  Allocation takes the
 * smallest large-enough block of the wanted migratetype and splits it
 * (expand), putting the unused halves back.  If a migratetype has nothing,
 * __rmqueue_fallback() takes from another, claiming the whole pageblock
 * when the block is large (order >= pageblock_order/2) or the request is
 * unmovable or reclaimable (Linux's rule), so types stay grouped.
 *
 * Known-zero tracking: a free block head without PG_nonzero promises that
 * every page of the block is zero.  Splitting copies the promise to both
 * halves, merging keeps it only if both had it.  Zero blocks go to the tail
 * of their list, dirty ones to the head; __GFP_ZERO takes from the tail,
 * and for 16 pages or more prefers a larger zero block to a smaller dirty
 * one.
 *
 * Isolation works on MAX_ORDER blocks (both pageblocks at once), so a free
 * block never straddles isolated and non-isolated memory and merging needs
 * no isolation check.  Zone boundaries are MAX_ORDER aligned (16 MiB, 4 GiB,
 * sections), so buddies are always in the same zone; the buddy must only be
 * inside its section's valid range.
 *
 * Invariants (checked by the unit tests after every step):
 *  - PG_buddy is set exactly on the heads of blocks in free lists;
 *  - a free block's pfn is aligned to its order, its pages are valid and in
 *    one zone; no two free buddies of the same order coexist;
 *  - tails of free blocks have flags, _count, _mapcount, private all 0;
 *  - PG_reported only on free block heads (page_reporting.c), cleared
 *    when the block is allocated, split or merged;
 *  - nr_free = blocks listed; NR_FREE_PAGES = pages listed outside the
 *    MIGRATE_ISOLATE lists.
 *
 * Locking: every function here runs under zone->lock, except
 * free_one_page() and free_pages_range_core(), which take it.
 */
#include "mm_internal.h"

/* Where to look when a migratetype's lists are empty (Linux's order). */
static const int fallbacks[MIGRATE_PCPTYPES][2] = {
	[MIGRATE_UNMOVABLE]   = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE]     = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

static inline void add_to_free_list(struct page *page, struct zone *zone,
				    unsigned int order, int mt, bool zero)
{
	struct free_area *area = &zone->free_area[order];

	page->flags = (1UL << PG_buddy) | (zero ? 0 : 1UL << PG_nonzero);
	page->private = order;
	if (zero)
		list_add_tail(&page->lru, &area->free_list[mt]);
	else
		list_add(&page->lru, &area->free_list[mt]);
	area->nr_free++;
}

/* Take a block head off its list; it becomes a plain (clean) page. */
void del_page_from_free_list(struct page *page,
					   struct zone *zone,
					   unsigned int order)
{
	list_del(&page->lru);
	page->flags = 0;
	page->private = 0;
	zone->free_area[order].nr_free--;
}

static inline void account_freepages(struct zone *zone, long nr, int mt)
{
	if (mt != MIGRATE_ISOLATE)
		mod_zone_page_state(zone, NR_FREE_PAGES, nr);
}

/*
 * Put the block (@page, @pfn, @order) into the free lists, merging with
 * free buddies.  Caller holds zone->lock and does the accounting.
 */
static void free_one_page_core(struct page *page, pfn_t pfn,
			       struct zone *zone, unsigned int order, int mt,
			       bool zero, bool reported)
{
	const struct mem_section *ms = __pfn_to_section(pfn);
	unsigned int orig = order;

	page->flags = 0;	/* it may end up a tail */
	while (order < MAX_ORDER - 1) {
		pfn_t buddy_pfn = pfn ^ (1UL << order);
		unsigned long off = buddy_pfn & ~PAGE_SECTION_MASK;
		struct page *buddy = page + ((long)buddy_pfn - (long)pfn);
		pfn_t combined;

		if (off < ms->valid_start || off >= ms->valid_end)
			break;
		if (!PageBuddy(buddy) || buddy->private != order)
			break;
		zero = zero && page_known_zero(buddy);
		del_page_from_free_list(buddy, zone, order);
		combined = buddy_pfn & pfn;
		page += (long)combined - (long)pfn;
		pfn = combined;
		order++;
	}
	add_to_free_list(page, zone, order, mt, zero);
	if (reported && order == orig) {
		__SetPageReported(page);
	} else if (order >= PAGE_REPORTING_MIN_ORDER &&
		   mm_hooks.page_reporting_notify) {
		mm_hooks.page_reporting_notify();
	}
}

void __free_one_page(struct page *page, pfn_t pfn, struct zone *zone,
		     unsigned int order, int mt, bool zero)
{
	free_one_page_core(page, pfn, zone, order, mt, zero, false);
}

void __free_one_page_reported(struct page *page, pfn_t pfn,
			      struct zone *zone, unsigned int order, int mt,
			      bool zero)
{
	free_one_page_core(page, pfn, zone, order, mt, zero, true);
}

void free_one_page(struct zone *zone, struct page *page, pfn_t pfn,
			  unsigned int order, int mt, bool zero)
{
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	__free_one_page(page, pfn, zone, order, mt, zero);
	account_freepages(zone, 1L << order, mt);
	spin_unlock_irqrestore(&zone->lock, flags);
}

/* Split the order-@high block at @page down to @low; halves go free. */
static inline void expand(struct zone *zone, struct page *page,
			  unsigned int low, unsigned int high, int mt,
			  bool zero)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_list(&page[size], zone, high, mt, zero);
	}
}

/* From this order up, __GFP_ZERO splits a zero block rather than clear. */
#define ZERO_SPLIT_MIN_ORDER	4

/*
 * Smallest block of type @mt, tail first (zero blocks) if @want_zero.
 * For large zeroed requests (order >= ZERO_SPLIT_MIN_ORDER: 64 KiB and 2 MiB
 * faults) the smallest known-zero block even if a smaller dirty one
 * exists: clearing 16..512 pages costs far more than a split (350 us per
 * page where ring 0 is emulated).  Small requests keep smallest-first, so
 * they do not break up the large blocks THPs need.
 */
static struct page *__rmqueue_smallest(struct zone *zone, unsigned int order,
				       int mt, bool want_zero, bool *zero)
{
	bool prefer_zero = want_zero && order >= ZERO_SPLIT_MIN_ORDER;
	unsigned int cur, dirty = MAX_ORDER;
	struct page *page;

	for (cur = order; cur < MAX_ORDER; cur++) {
		struct list_head *list = &zone->free_area[cur].free_list[mt];

		if (list_empty(list))
			continue;
		if (!prefer_zero)
			break;
		if (page_known_zero(list_last_entry(list, struct page, lru)))
			break;
		dirty = min(dirty, cur);
	}
	if (cur == MAX_ORDER)
		cur = dirty;
	if (cur == MAX_ORDER)
		return NULL;
	page = want_zero ?
	       list_last_entry(&zone->free_area[cur].free_list[mt],
			       struct page, lru) :
	       list_first_entry(&zone->free_area[cur].free_list[mt],
				struct page, lru);
	*zero = page_known_zero(page);
	del_page_from_free_list(page, zone, cur);
	expand(zone, page, order, cur, mt, *zero);
	return page;
}

static void move_to_free_list(struct page *page, struct zone *zone,
			      unsigned int order, int mt)
{
	struct list_head *list = &zone->free_area[order].free_list[mt];

	if (page_known_zero(page))
		list_move_tail(&page->lru, list);
	else
		list_move(&page->lru, list);
}

/*
 * Move the free blocks of [start_pfn, end_pfn) (one section, pageblock
 * aligned) to the @mt lists.  Steps over free blocks by their size and
 * over allocated pages one by one.  Returns pages moved.  zone->lock held.
 */
unsigned long move_freepages_block(struct zone *zone, pfn_t start_pfn,
				   pfn_t end_pfn, int mt)
{
	const struct mem_section *ms = __pfn_to_section(start_pfn);
	pfn_t sec = start_pfn & PAGE_SECTION_MASK;
	pfn_t pfn = max(start_pfn, sec + ms->valid_start);
	pfn_t head = start_pfn & ~(MAX_ORDER_NR_PAGES - 1);
	unsigned long moved = 0;

	end_pfn = min(end_pfn, sec + ms->valid_end);
	if (head != start_pfn && head >= sec + ms->valid_start) {
		struct page *hp = pfn_to_page(head);

		/* a free MAX_ORDER block covering the range from before it */
		if (PageBuddy(hp) && hp->private == MAX_ORDER - 1) {
			move_to_free_list(hp, zone, MAX_ORDER - 1, mt);
			return MAX_ORDER_NR_PAGES;
		}
	}
	while (pfn < end_pfn) {
		struct page *page = pfn_to_page(pfn);

		if (!PageBuddy(page)) {
			pfn++;
			continue;
		}
		move_to_free_list(page, zone, page->private, mt);
		moved += 1UL << page->private;
		pfn += 1UL << page->private;
	}
	return moved;
}

static bool can_steal_fallback(unsigned int order, int start_mt)
{
	return order >= pageblock_order / 2 ||
	       start_mt == MIGRATE_RECLAIMABLE ||
	       start_mt == MIGRATE_UNMOVABLE;
}

/* Claim (part of) the pageblock of the free block @page for @start_mt. */
static void steal_suitable_fallback(struct zone *zone, struct page *page,
				    unsigned int order, int start_mt)
{
	pfn_t pfn = page_to_pfn(page), pb;
	unsigned long moved;

	if (order >= pageblock_order) {
		set_pageblock_range_migratetype(pfn, pfn + (1UL << order),
						start_mt);
		move_to_free_list(page, zone, order, start_mt);
		return;
	}
	pb = ALIGN_DOWN(pfn, pageblock_nr_pages);
	moved = move_freepages_block(zone, pb, pb + pageblock_nr_pages,
				     start_mt);
	if (moved >= pageblock_nr_pages / 2)
		set_pfnblock_migratetype(pfn, start_mt);
}

/* Move a block of another type to the @start_mt lists; false if none. */
static bool __rmqueue_fallback(struct zone *zone, unsigned int order,
			       int start_mt)
{
	for (int cur = MAX_ORDER - 1; cur >= (int)order; cur--) {
		for (int i = 0; i < 2; i++) {
			struct free_area *area = &zone->free_area[cur];
			int fmt = fallbacks[start_mt][i];
			struct page *page;

			if (list_empty(&area->free_list[fmt]))
				continue;
			page = list_first_entry(&area->free_list[fmt],
						struct page, lru);
			if (can_steal_fallback(cur, start_mt))
				steal_suitable_fallback(zone, page, cur,
							start_mt);
			else
				move_to_free_list(page, zone, cur, start_mt);
			return true;
		}
	}
	return false;
}

struct page *__rmqueue(struct zone *zone, unsigned int order, int mt,
			      bool want_zero, bool *zero)
{
	struct page *page;

	do {
		page = __rmqueue_smallest(zone, order, mt, want_zero, zero);
	} while (!page && __rmqueue_fallback(zone, order, mt));
	return page;
}


/*
 * Offline: take the free blocks of [start, end) (all isolated) out of the
 * buddy.  Returns the pages removed.  zone->lock held.
 */
/*
 * The next pfn after @pfn (which has no descriptor, or is part of its
 * section's memmap) that may head a free block, never past @end: a gap or a
 * memmap_on_memory run is stepped over in one go, not a pfn at a time (512
 * memmap pages per 128 MiB section). @pfn < @end, so its section is inside
 * the range being worked on.
 */
static pfn_t next_described_pfn(pfn_t pfn, pfn_t end)
{
	struct mem_section *ms = __nr_to_section(pfn_to_section_nr(pfn));
	pfn_t base = pfn & PAGE_SECTION_MASK, off = pfn - base, next;

	if (!ms || !(ms->flags & SECTION_PRESENT) || off >= ms->valid_end)
		next = base + PAGES_PER_SECTION;
	else if (off < ms->valid_start)
		next = base + ms->valid_start;
	else if ((ms->flags & SECTION_MEMMAP_ON_MEM) &&
		 off < ms->valid_start + ms->nr_memmap_pages)
		next = base + ms->valid_start + ms->nr_memmap_pages;
	else
		next = pfn + 1;
	return next < end ? next : end;
}

unsigned long __offline_isolated_pages(struct zone *zone, pfn_t start_pfn,
				       pfn_t end_pfn)
{
	unsigned long removed = 0;
	pfn_t pfn = start_pfn;

	while (pfn < end_pfn) {
		struct page *page;
		unsigned int order;

		if (!pfn_valid(pfn) || pfn_is_memmap(pfn)) {
			pfn = next_described_pfn(pfn, end_pfn);
			continue;
		}
		page = pfn_to_page(pfn);
		if (PageReserved(page)) {
			pfn++;
			continue;
		}
		BUG_ON(!PageBuddy(page));
		order = page->private;
		del_page_from_free_list(page, zone, order);
		removed += 1UL << order;
		pfn += 1UL << order;
	}
	return removed;
}


void zone_init_free_lists(struct zone *zone)
{
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		for (int t = 0; t < MIGRATE_TYPES; t++)
			INIT_LIST_HEAD(&zone->free_area[o].free_list[t]);
		zone->free_area[o].nr_free = 0;
	}
}

/* Pages of one zone freed by free_pages_range_core, under one lock hold. */
struct core_batch {
	struct zone *zone;	/* NULL: nothing locked */
	unsigned long flags;	/* saved irq state */
	unsigned long managed;	/* pages freed */
	long nr_free;		/* of which outside MIGRATE_ISOLATE */
};

static void core_batch_end(struct core_batch *b)
{
	if (!b->zone)
		return;
	__atomic_fetch_add(&b->zone->managed_pages, b->managed,
			   __ATOMIC_RELAXED);
	__atomic_fetch_add(&totalram_pages, b->managed, __ATOMIC_RELAXED);
	mod_zone_page_state(b->zone, NR_FREE_PAGES, b->nr_free);
	spin_unlock_irqrestore(&b->zone->lock, b->flags);
	b->zone = NULL;
}

static void core_batch_start(struct core_batch *b, struct zone *zone)
{
	unsigned long flags;

	if (zone == b->zone)
		return;
	BUG_ON(!zone);
	core_batch_end(b);
	spin_lock_irqsave(&zone->lock, flags);
	*b = (struct core_batch){ .zone = zone, .flags = flags };
}

/* Largest order of an aligned block at @pfn that ends by @end. */
static unsigned int core_block_order(pfn_t pfn, pfn_t end)
{
	unsigned int order = MAX_ORDER - 1;

	if (pfn)
		order = min(order, __ffs_ul(pfn));
	if (end - pfn < (1UL << order))
		order = __fls_ul(end - pfn);
	return order;
}

/*
 * Free the MAX_ORDER blocks of [pfn, end) (aligned), which cannot merge:
 * the bulk of boot RAM and of an onlined section, ~15 instructions each.
 * Returns the pages freed.
 */
static unsigned long core_free_max_blocks(struct core_batch *b,
					  const struct mem_section *ms,
					  pfn_t pfn, pfn_t end, bool zero)
{
	struct page *page = (struct page *)(ms->section_mem_map + pfn * 64);
	unsigned long n = 0;

	for (; pfn + n < end; n += MAX_ORDER_NR_PAGES) {
		int mt = get_pfnblock_migratetype(ms, pfn + n);

		add_to_free_list(page + n, b->zone, MAX_ORDER - 1, mt, zero);
		if (mt != MIGRATE_ISOLATE)
			b->nr_free += MAX_ORDER_NR_PAGES;
	}
	b->managed += n;
	return n;
}

/* Free [pfn, end), valid pfns of section @ms in zone @b->zone. */
static void core_free_run(struct core_batch *b, const struct mem_section *ms,
			  pfn_t pfn, pfn_t end, bool zero)
{
	struct page *page = (struct page *)(ms->section_mem_map + pfn * 64);

	while (pfn < end) {
		unsigned int order = core_block_order(pfn, end);
		unsigned long n = 1UL << order;
		int mt;

		if (order == MAX_ORDER - 1) {
			n = core_free_max_blocks(b, ms, pfn,
					ALIGN_DOWN(end, MAX_ORDER_NR_PAGES), zero);
		} else {
			mt = get_pfnblock_migratetype(ms, pfn);
			__free_one_page(page, pfn, b->zone, order, mt, zero);
			b->managed += n;
			if (mt != MIGRATE_ISOLATE)
				b->nr_free += n;
		}
		pfn += n;
		page += n;
	}
}

/*
 * Free [pfn, end), pages in use until now (free_pages_prepare()d: tails
 * clean, heads too), of one section and one zone, as the largest aligned
 * blocks they make, each merged with its free buddies: a pageout batch of
 * neighbouring 64 KiB chunks goes back in a few blocks under one lock
 * hold, not one order-4 free per chunk.  Takes zone->lock.
 */
void free_pages_run_core(pfn_t pfn, pfn_t end, bool zero)
{
	const struct mem_section *ms = __pfn_to_section(pfn);
	struct page *page = (struct page *)(ms->section_mem_map + pfn * 64);
	struct zone *zone = page_zone(page);
	unsigned long flags;
	long nr_free = 0;

	BUG_ON(end > (pfn & PAGE_SECTION_MASK) + PAGES_PER_SECTION);
	spin_lock_irqsave(&zone->lock, flags);
	while (pfn < end) {
		unsigned int order = core_block_order(pfn, end);
		int mt = get_pfnblock_migratetype(ms, pfn);

		__free_one_page(page, pfn, zone, order, mt, zero);
		if (mt != MIGRATE_ISOLATE)
			nr_free += 1L << order;
		pfn += 1UL << order;
		page += 1UL << order;
	}
	mod_zone_page_state(zone, NR_FREE_PAGES, nr_free);
	spin_unlock_irqrestore(&zone->lock, flags);
}

/*
 * First free of never-used pages [start, end) (boot, online): they become
 * managed by their zones, as maximal aligned blocks, O(blocks).  Sections,
 * zones and locks are looked up once per section and zone, not per block.
 * Descriptors are in the zero state; pfns without one are skipped.
 */
void free_pages_range_core(pfn_t start, pfn_t end, bool zero)
{
	struct core_batch b = { .zone = NULL };

	while (start < end) {
		pfn_t sec = start & PAGE_SECTION_MASK;
		pfn_t next = min(end, sec + PAGES_PER_SECTION);
		const struct mem_section *ms =
			__nr_to_section(pfn_to_section_nr(start));
		pfn_t s, e, split;

		if (ms && (ms->flags & SECTION_PRESENT)) {
			s = max(start, sec + ms->valid_start);
			e = min(next, sec + ms->valid_end);
			split = max(s, min(e, sec + ms->zone_split));
			if (s < split) {
				core_batch_start(&b, ms->zone_low);
				core_free_run(&b, ms, s, split, zero);
			}
			if (split < e) {
				core_batch_start(&b, ms->zone);
				core_free_run(&b, ms, split, e, zero);
			}
		}
		start = next;
	}
	core_batch_end(&b);
}
