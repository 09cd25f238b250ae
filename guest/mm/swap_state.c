/*
 * The swap cache of anonymous memory (Linux's mm/swap_state.c, in the
 * shape this kernel needs): a unit read back from swap keeps its slots,
 * so if it is reclaimed again before anything writes to it, it costs no
 * I/O -- its entries become the swap entry again and it is freed.
 *
 * A unit is what the LRU holds (lru.c): a 2 MiB THP, a 64 KiB chunk or
 * a page.  A read fault that brings one back from swap (memory.c) maps
 * it with the dirty bit of its PTEs (PMD) clear and marks it here:
 * PG_swapcache on its LRU page and the swap entry of its first slot (the
 * unit's slots are consecutive, as pageout wrote them) in ->swap_entry.
 * The mark is set before the unit is mapped and joins the LRU, so nobody
 * else can see the unit half marked.  A write fault drops the slots at
 * once instead, as Linux does for an exclusive page written to, and so
 * does a read fault while swap is more than half full (Linux's
 * vm_swap_full()): swap space is what lets reclaim go on.  A write fault
 * on a present unit (a kernel copy through the direct map) sets the
 * dirty bit the CPU did not.
 *
 * Reclaim (vmscan.c) looks at the dirty bits as it turns the entries
 * into swap entries (swapcache_unmap): all clean, the slots still hold the bytes and the
 * unit is freed with no write (SWAPCACHE_CLEAN_DROP, not PSWPOUT); any
 * dirty, the unit is written again to the same slots.  Either way the
 * slots then belong to the swap entries and the mark goes.
 *
 * Invariant: while PG_swapcache is set the unit's slots are taken and
 * owned by it (no page-table entry refers to them).  Everything that
 * ends that -- the unit freed by munmap or exit (memory.c's zap_page),
 * a THP split, a chunk broken (lru.c's __chunk_break), swapoff
 * (unuse_mm), a failed rewrite -- calls swapcache_free(), which
 * frees the slots and clears the mark, so they are freed exactly once.
 * Migration moves the mark to the copy (swapcache_clear, then
 * swapcache_add on the new page) or, swapping out instead, gives the
 * slots to the entry as reclaim does.
 * PG_swapcache is in PAGE_FLAGS_CHECK_AT_FREE: a unit freed still marked
 * would have leaked its slots.
 *
 * Counters: NR_SWAPCACHE per zone (meminfo SwapCached); the slots count
 * as used in SwapFree all along, as in Linux.
 *
 * Locking: the owner mm's lock (the unit is mapped by it), or the unit
 * is isolated by the reclaimer holding that lock; swap_free_nr() takes
 * swap_lock itself.  O(1) per unit: nothing here loops over pages.
 */
#include "mm_internal.h"

swp_entry_t swapcache_entry(struct page *page)
{
	swp_entry_t swp = { page->swap_entry };

	return swp;
}

bool swap_may_cache(unsigned int type)
{
	const struct swap_info_struct *si = swap_info[type];
	unsigned long total, free;

	si_swapinfo(&total, &free);
	return si && (si->flags & SWP_WRITEOK) && free * 2 > total;
}

void swapcache_add(struct page *page, swp_entry_t swp, unsigned long nr)
{
	BUG_ON(PageSwapCache(page));
	page->swap_entry = swp.val;
	SetPageSwapCache(page);
	mod_zone_page_state(page_zone(page), NR_SWAPCACHE, (long)nr);
}

void swapcache_clear(struct page *page)
{
	BUG_ON(!PageSwapCache(page));
	/* atomic: the unit may be on a list, whose lock we do not hold */
	ClearPageSwapCache(page);
	page->swap_entry = 0;
	mod_zone_page_state(page_zone(page), NR_SWAPCACHE,
			    -(long)lru_nr(page));
}

/*
 * Exchanged atomically: a CPU setting a dirty bit meanwhile either does
 * so before the exchange, and it is seen, or finds the entry gone and
 * faults.  (A chunk's 16 entries: one loop per unit, no other work.)
 */
bool swapcache_unmap(pteval_t *e, unsigned long n, pteval_t first)
{
	pteval_t any = 0;

	for (unsigned long i = 0; i < n; i++)
		any |= __atomic_exchange_n(&e[i], first + (i << PAGE_SHIFT),
					   __ATOMIC_RELAXED);
	return any & _PAGE_DIRTY;
}

void swapcache_unuse(struct page *page, unsigned int type)
{
	if (PageSwapCache(page) && swp_type(swapcache_entry(page)) == type)
		swapcache_free(page);
}

void swapcache_free(struct page *page)
{
	swp_entry_t swp = swapcache_entry(page);

	swap_free_nr(swp, lru_nr(page));
	swapcache_clear(page);
}
