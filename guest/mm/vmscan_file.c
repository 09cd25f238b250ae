/*
 * Reclaim of the page cache: the file half of the LRU scanner (vmscan.c
 * holds the anon half, the balance between the two and the entry
 * points), and drop_caches.
 *
 * File pages age as Linux's unmapped cache pages do: a cache hit marks
 * the page accessed (mark_page_accessed: PG_referenced, and a second hit
 * activates it); the inactive file scan evicts every page not locked by
 * a reader (referenced or not: PAGEREF_RECLAIM_CLEAN for a page no PTE
 * maps), recording the eviction for refault counting; the active file
 * list is demoted to the inactive one when that is low, as for anon.
 * Evicting a clean page costs no I/O, only its index removal and free.
 * A page mapped by tasks (a file mapping) is aged by its PTEs' accessed
 * bits instead and unmapped before it goes (rmap.c's
 * page_check_references_file); drop_caches leaves mapped pages alone.
 *
 * Evicted pages leave the inactive list in LRU order, so a 64 KiB block
 * the cache read together (filemap.c) goes back to the buddy together:
 * pages are freed as runs of neighbours (struct free_run), not one by one.
 *
 * Locking: as vmscan.c; drop_caches takes the reclaimer's lock too.
 */
#include "mm_internal.h"
#include "vmscan_internal.h"

/* A mapped cache page (rmap.c): back on a list unless it was unmapped
 * for eviction (true).  drop_caches (!@reclaim) leaves mapped pages. */
static bool keep_mapped_file(struct page *page, bool reclaim)
{
	enum page_references r = reclaim ? page_check_references_file(page) :
				 PAGEREF_KEEP;

	if (r == PAGEREF_RECLAIM)
		return true;
	if (r == PAGEREF_ACTIVATE)
		count_vm_events(arch_cpu_id(), PGACTIVATE, 1);
	lru_putback(page, r == PAGEREF_ACTIVATE ? LRU_ACTIVE_FILE :
		LRU_INACTIVE_FILE);
	return false;
}

/*
 * Evict up to @nr inactive file entries: every page not locked by a reader
 * is clean, so it leaves the cache and is freed at once.  Pages scanned.
 */
static unsigned long shrink_inactive_file(struct lruvec *l, unsigned long nr,
					  struct scan_control *sc,
					  bool record)
{
	struct page *page, *next;
	struct list_head isolated = LIST_HEAD_INIT(isolated);
	struct free_run run = { .nr = 0 };	/* neighbours freed together */
	unsigned long scanned, freed = 0;

	scanned = isolate_lru_pages(l, LRU_INACTIVE_FILE,
				    min(nr, (unsigned long)ISOLATE_BATCH), ~0UL,
				    &isolated);
	list_for_each_entry_safe(page, next, &isolated, lru) {
		list_del(&page->lru);
		if (page_mapcount(page) && !keep_mapped_file(page, record))
			continue;
		__ClearPageReferenced(page);
		if (!filemap_evict(page, record, &run)) {
			lru_putback(page, LRU_INACTIVE_FILE);	/* in use */
			continue;
		}
		freed++;
	}
	free_run_flush(&run);
	sc->nr_scanned += scanned;
	sc->nr_reclaimed += freed;
	if (sc->count) {
		count_vm_events(arch_cpu_id(), sc->kswapd ? PGSCAN_KSWAPD :
				PGSCAN_DIRECT, scanned);
		count_vm_events(arch_cpu_id(), sc->kswapd ? PGSTEAL_KSWAPD :
				PGSTEAL_DIRECT, freed);
	}
	return scanned;
}

/* Demote up to @nr active file entries to the inactive list; how many. */
static unsigned long shrink_active_file(struct lruvec *l, unsigned long nr)
{
	struct page *page, *next;
	struct list_head isolated = LIST_HEAD_INIT(isolated);
	unsigned long moved;

	moved = isolate_lru_pages(l, LRU_ACTIVE_FILE, nr, ~0UL, &isolated);
	list_for_each_entry_safe(page, next, &isolated, lru) {
		list_del(&page->lru);
		__ClearPageReferenced(page);
		lru_putback(page, LRU_INACTIVE_FILE);
	}
	count_vm_events(arch_cpu_id(), PGDEACTIVATE, moved);
	return moved;
}

unsigned long shrink_file_batch(struct lruvec *l, unsigned long nr,
				       struct scan_control *sc)
{
	unsigned long ina = l->nr_pages[LRU_INACTIVE_FILE];
	unsigned long act = l->nr_pages[LRU_ACTIVE_FILE];

	if (inactive_is_low(ina, act))
		shrink_active_file(l, min(act - ina + SWAP_CLUSTER_MAX,
					  (unsigned long)ISOLATE_BATCH));
	if (list_empty(&l->lists[LRU_INACTIVE_FILE]))
		return 0;
	return shrink_inactive_file(l, nr, sc, true);
}

/* ------------------------------------------------------- drop_caches */

unsigned long drop_pagecache(void)
{
	struct scan_control sc = { .nr_to_reclaim = ~0UL };
	pg_data_t *pgdat;

	if (!reclaim_trylock())
		return 0;
	for_each_online_pgdat(pgdat) {
		struct lruvec *l = node_lruvec(pgdat->node_id);
		/* each entry looked at once: locked ones go back to the head */
		unsigned long todo = l->nr_pages[LRU_ACTIVE_FILE];

		while (todo) {
			unsigned long n = shrink_active_file(l,
				min(todo, (unsigned long)ISOLATE_BATCH));

			todo = n ? todo - min(n, todo) : 0;
		}
		todo = l->nr_pages[LRU_INACTIVE_FILE];
		while (todo) {
			unsigned long n = shrink_inactive_file(l, todo, &sc,
							       false);

			todo = n ? todo - min(n, todo) : 0;
		}
	}
	reclaim_unlock();
	return sc.nr_reclaimed;
}
