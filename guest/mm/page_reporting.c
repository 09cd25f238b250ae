/*
 * Free page reporting, as Linux's mm/page_reporting.c: free blocks of
 * order >= PAGE_REPORTING_MIN_ORDER (2 MiB) are taken out of the
 * allocator, reported to the host (virtio-balloon's reporting queue),
 * held until the host acknowledges, then put back marked PG_reported so
 * the next pass skips them.  The host may drop their backing meanwhile;
 * on memvisor they come back zero-filled (the driver says so: zero).
 *
 * page_reporting_isolate() walks the free lists of every populated zone,
 * orders MIN.. MAX_ORDER-1, every migratetype but ISOLATE, and takes
 * blocks whose head is not PG_reported, while the zone's free pages stay
 * above its low watermark plus a full report (Linux's rule: reporting
 * must not push the guest into reclaim).  An isolated block is off the
 * lists and out of NR_FREE_PAGES; its head keeps PG_nonzero (its
 * known-zero state) and has ->private = order.
 *
 * page_reporting_putback() frees each block back through the buddy with
 * PG_reported on its head (if it did not merge: a merged block is new and
 * gets reported again, as in Linux). PG_reported goes when the block is
 * allocated, split or merged (buddy.c writes the head's flags afresh).
 * The notify hook (mm_hooks.page_reporting_notify, from buddy.c) tells
 * the driver an unreported block appeared.
 *
 * Cost: O(free blocks of order >= 9) per pass, ~10 instructions each.
 * Locking: zone->lock around each zone's walk and each putback.
 */
#include "mm_internal.h"

/* May @zone give up @pages more and stay above low + a report? */
static bool zone_can_report(const struct zone *zone, unsigned long pages)
{
	long reserve = (long)low_wmark_pages(zone) +
		       ((long)PAGE_REPORTING_CAPACITY << PAGE_REPORTING_MIN_ORDER);

	return zone->vm_stat[NR_FREE_PAGES] - (long)pages > reserve;
}

/* Take blocks of @zone into @blocks[n..max); the new n. */
static unsigned int isolate_zone(struct zone *zone, struct page **blocks,
				 unsigned int n, unsigned int max)
{
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	for (unsigned int o = MAX_ORDER - 1; o >= PAGE_REPORTING_MIN_ORDER &&
	     n < max; o--) {
		for (int mt = 0; mt < MIGRATE_TYPES && n < max; mt++) {
			struct list_head *list = &zone->free_area[o].free_list[mt];
			struct page *page, *next;

			if (mt == MIGRATE_ISOLATE)
				continue;
			list_for_each_entry_safe(page, next, list, lru) {
				bool zero = page_known_zero(page);

				if (n == max || !zone_can_report(zone, 1UL << o))
					break;
				if (PageReported(page))
					continue;
				del_page_from_free_list(page, zone, o);
				mod_zone_page_state(zone, NR_FREE_PAGES,
						    -(1L << o));
				page->flags = zero ? 0 : 1UL << PG_nonzero;
				page->private = o;
				blocks[n++] = page;
			}
		}
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	return n;
}

unsigned int page_reporting_isolate(struct page **blocks, unsigned int max)
{
	unsigned int n = 0;
	struct zone *zone;

	for_each_zone(zone) {
		if (n == max)
			break;
		if (populated_zone(zone))
			n = isolate_zone(zone, blocks, n, max);
	}
	return n;
}

void page_reporting_putback(struct page **blocks, unsigned int n, bool zero)
{
	for (unsigned int i = 0; i < n; i++) {
		struct page *page = blocks[i];
		unsigned int order = (unsigned int)page->private;
		pfn_t pfn = page_to_pfn(page);
		struct zone *zone = page_zone(page);
		bool z = zero || page_known_zero(page);
		unsigned long flags;
		int mt;

		spin_lock_irqsave(&zone->lock, flags);
		mt = get_pfnblock_migratetype(__pfn_to_section(pfn), pfn);
		page->flags = 0;
		page->private = 0;
		__free_one_page_reported(page, pfn, zone, order, mt, z);
		if (mt != MIGRATE_ISOLATE)
			mod_zone_page_state(zone, NR_FREE_PAGES, 1L << order);
		spin_unlock_irqrestore(&zone->lock, flags);
	}
}
