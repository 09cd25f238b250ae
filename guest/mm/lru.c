/*
 * The LRU lists (Linux's mm/swap.c and the list half of vmscan.c): per
 * node (struct lruvec in pg_data_t, as Linux since 4.8), an inactive
 * and an active list of anonymous pages and an inactive and an active
 * list of clean page cache pages (filemap.c; a page is on a file list
 * when ->mapping is an address_space).  New pages go to the head of the
 * inactive list; the scanner (vmscan.c) takes from the tails.
 *
 * An entry is one of:
 *  - a page;
 *  - a 2 MiB THP, by its head (PG_head, ->private 9): 512 pages;
 *  - a 64 KiB chunk, by its first page (PG_mthp): 16 pages, consecutive
 *    in memory and mapped by consecutive PTEs of one mm, the other 15
 *    on no list.  A chunk is kept only while all 16 are mapped beside
 *    it (->mapping and ->index follow the first page's).  Anything that
 *    would change one page of it alone -- unmapping (lru_del), migration
 *    (lru_replace), a chunk the scanner cannot take whole -- first breaks
 *    it into single entries (__chunk_break).  Reclaim then takes a whole
 *    chunk as one unit: one 16-slot swap allocation, one run, one order-4
 *    free, instead of sixteen of each.  A chunk in the swap cache
 *    (swap_state.c) gives its slots up when it is broken.
 * nr_pages[] and the zone counters count pages, not entries (lru_nr).
 *
 * Locking: lruvec->lru_lock, interrupts off, around every list change
 * (and the chunk flags, which only change with a list change).
 */
#include "mm_internal.h"

struct lruvec *node_lruvec(int nid)
{
	struct lruvec *l = &node_data[nid].lruvec;

	if (unlikely(!l->lists[0].next))
		for (int i = 0; i < NR_LRU_LISTS; i++)
			INIT_LIST_HEAD(&l->lists[i]);
	return l;
}

static inline bool page_is_file_lru(const struct page *page)
{
	return page->mapping && !PageAnon(page);
}

/* The zone's counts for @nr of its pages joining (+) or leaving (-) @lru. */
static inline void lru_account_zone(struct zone *zone, enum lru_list lru,
				    long nr)
{
	mod_zone_page_state(zone, NR_ZONE_INACTIVE_ANON + lru, nr);
	mod_zone_page_state(zone, NR_INACTIVE_ANON + lru, nr);
}

/* Zone counts gathered over a run of entries of one zone, written when
 * the zone changes and at the end (zone_tally_flush), not per entry. */
struct zone_tally {
	struct zone *zone;
	long nr;
};

static void zone_tally_flush(struct zone_tally *t, enum lru_list lru)
{
	if (t->zone && t->nr)
		lru_account_zone(t->zone, lru, t->nr);
	t->nr = 0;
}

/* @nr pages of @zone joining (+) or leaving (-) @lru. */
static inline void zone_tally_add(struct zone_tally *t, enum lru_list lru,
				  struct zone *zone, long nr)
{
	if (zone != t->zone) {
		zone_tally_flush(t, lru);
		t->zone = zone;
	}
	t->nr += nr;
}

/* @nr pages of @zone moved from @lru to the active list after it. */
static void lru_move_counts(struct lruvec *l, struct zone *zone,
			    enum lru_list lru, unsigned long nr)
{
	if (!nr)
		return;
	l->nr_pages[lru] -= nr;
	l->nr_pages[lru + 1] += nr;
	lru_account_zone(zone, lru, -(long)nr);
	lru_account_zone(zone, lru + 1, (long)nr);
}

/* Counts for @nr pages from @page joining (+) or leaving (-) @lru. */
static void lru_account(struct lruvec *l, struct page *page,
			enum lru_list lru, long nr)
{
	l->nr_pages[lru] += (unsigned long)nr;
	lru_account_zone(page_zone(page), lru, nr);
}

/* The page flags of an entry on @lru: PG_lru, and PG_active on the
 * active lists. */
static inline unsigned long lru_page_flags(enum lru_list lru)
{
	return 1UL << PG_lru |
	       (lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE ?
		1UL << PG_active : 0);
}

/* Put @page (off any list) on @lru's head.  lru_lock held. */
static void __lru_add(struct lruvec *l, struct page *page, enum lru_list lru)
{
	list_add(&page->lru, &l->lists[lru]);
	page->flags |= lru_page_flags(lru);
	lru_account(l, page, lru, (long)lru_nr(page));
}

/* Take @page off its list.  lru_lock held. */
static enum lru_list page_lru(const struct page *page)
{
	return (page_is_file_lru(page) ? LRU_INACTIVE_FILE :
		LRU_INACTIVE_ANON) + (PageActive(page) ? 1 : 0);
}

static void __lru_del(struct lruvec *l, struct page *page)
{
	enum lru_list lru = page_lru(page);

	list_del(&page->lru);
	__ClearPageLRU(page);
	__ClearPageActive(page);
	lru_account(l, page, lru, -(long)lru_nr(page));
}

/*
 * @nr pages from @page, just mapped by consecutive PTEs: whole 64 KiB
 * chunks (16-aligned, as faults and THP splits map them) join the list
 * as one entry each, by their first page (PG_mthp); other pages singly.
 */
void lru_cache_add_anon_range(struct page *page, unsigned long nr)
{
	struct lruvec *l = node_lruvec(page_to_nid(page));
	bool chunks = !(nr % MTHP_NR) && !(page_to_pfn(page) % MTHP_NR);
	unsigned long flags, step = chunks ? MTHP_NR : 1;

	spin_lock_irqsave(&l->lru_lock, flags);
	for (unsigned long i = 0; i < nr; i += step) {
		list_add(&page[i].lru, &l->lists[LRU_INACTIVE_ANON]);
		__SetPageLRU(&page[i]);
		if (chunks)
			__SetPageMthp(&page[i]);
	}
	lru_account(l, page, LRU_INACTIVE_ANON, (long)nr);
	spin_unlock_irqrestore(&l->lru_lock, flags);
}

/* ------------------------------------------------------ 64 KiB chunks */

/*
 * A chunk entry stands for its first page and the 15 after it, which are
 * not on any list; it is kept only while they are all mapped beside it
 * (->mapping and ->index follow the head's).  Anything that would change
 * one page of it alone -- unmapping (lru_del), migration (lru_replace),
 * a chunk the scanner cannot take whole -- first breaks it into single
 * entries with __chunk_break().  Reclaim takes a whole chunk as one unit:
 * one swap allocation of 16 slots, one run, one order-4 free.
 */

static inline bool chunk_follower(const struct page *head,
				  const struct page *p, unsigned long i)
{
	return !PageLRU(p) && p->mapping == head->mapping &&
	       p->index == head->index + i;
}

/* Make the chunk entry @head single entries on @lru (its own list if it
 * is on one, else the head of @lru).  lru_lock held. */
static void __chunk_break(struct lruvec *l, struct page *head,
			  enum lru_list lru)
{
	struct list_head *at = PageLRU(head) ? &head->lru : &l->lists[lru];
	long n = PageLRU(head) ? -(long)(MTHP_NR - 1) : 0;

	if (PageLRU(head))
		lru = page_lru(head);
	/* its pages go their own ways: no longer one swap-cache unit */
	if (PageSwapCache(head))
		swapcache_free(head);
	for (unsigned long i = 1; i < MTHP_NR; i++) {
		struct page *p = head + i;

		if (!chunk_follower(head, p, i))
			continue;
		list_add(&p->lru, at);
		p->flags |= lru_page_flags(lru);
		n++;
	}
	__ClearPageMthp(head);
	lru_account(l, head, lru, n);
}

/* If @page is (in) a chunk entry, break it.  lru_lock held. */
static void __chunk_break_page(struct lruvec *l, struct page *page)
{
	unsigned long i = page_to_pfn(page) % MTHP_NR;
	struct page *head = page - i;

	if (PageMthp(page) && PageLRU(page))
		__chunk_break(l, page, page_lru(page));
	else if (i && !PageLRU(page) && PageMthp(head) && PageLRU(head) &&
		 page->mapping == head->mapping &&
		 page->index == head->index + i)
		__chunk_break(l, head, page_lru(head));
}

/* The chunk entry @head was taken off its list: its other pages go on
 * the inactive list singly, and it becomes a single page. */
void lru_chunk_break_isolated(struct page *head)
{
	struct lruvec *l = node_lruvec(page_to_nid(head));
	unsigned long flags;

	spin_lock_irqsave(&l->lru_lock, flags);
	__chunk_break(l, head, LRU_INACTIVE_ANON);
	spin_unlock_irqrestore(&l->lru_lock, flags);
}

/* Put @page at the head of its node's inactive list @lru. */
static void lru_cache_add(struct page *page, enum lru_list lru)
{
	struct lruvec *l = node_lruvec(page_to_nid(page));
	unsigned long flags;

	spin_lock_irqsave(&l->lru_lock, flags);
	__lru_add(l, page, lru);
	spin_unlock_irqrestore(&l->lru_lock, flags);
}

void lru_cache_add_anon(struct page *page)
{
	lru_cache_add(page, LRU_INACTIVE_ANON);
}

void mark_page_accessed(struct page *page)
{
	struct lruvec *l = node_lruvec(page_to_nid(page));
	unsigned long flags;

	if (PageIdle(page))
		ClearPageIdle(page);	/* used: no longer idle (page_idle.c) */
	spin_lock_irqsave(&l->lru_lock, flags);
	if (!PageReferenced(page)) {
		__SetPageReferenced(page);
	} else if (PageLRU(page) && !PageActive(page)) {
		/* the second access on the inactive list: activate */
		__lru_del(l, page);
		__ClearPageReferenced(page);
		__lru_add(l, page, page_lru(page) + 1);
		count_vm_events(arch_cpu_id(), PGACTIVATE, 1);
	}
	spin_unlock_irqrestore(&l->lru_lock, flags);
}

/*
 * mark_page_accessed() for every page of @pages[0..@nr) that is not NULL
 * (a read's cached pages, in order): one lock hold per node run, and the
 * counts of the pages activated moved once per zone run, not per page.
 */
void mark_pages_accessed(struct page **pages, unsigned int nr)
{
	unsigned long flags = 0, moved = 0, activated = 0;
	struct lruvec *l = NULL;
	struct zone *zone = NULL;
	enum lru_list lru = LRU_INACTIVE_FILE;

	for (unsigned int i = 0; i < nr; i++) {
		struct page *page = pages[i];
		struct lruvec *pl;

		if (!page)
			continue;
		if (PageIdle(page))
			ClearPageIdle(page);	/* used (page_idle.c) */
		pl = node_lruvec(page_to_nid(page));
		if (pl != l) {
			if (l) {
				lru_move_counts(l, zone, lru, moved);
				spin_unlock_irqrestore(&l->lru_lock, flags);
			}
			l = pl;
			moved = 0;
			spin_lock_irqsave(&l->lru_lock, flags);
		}
		if (!PageReferenced(page)) {
			__SetPageReferenced(page);
			continue;
		}
		if (!PageLRU(page) || PageActive(page))
			continue;
		/* the second access on the inactive list: activate */
		if (page_zone(page) != zone || page_lru(page) != lru) {
			lru_move_counts(l, zone, lru, moved);
			zone = page_zone(page);
			lru = page_lru(page);
			moved = 0;
		}
		list_move(&page->lru, &l->lists[lru + 1]);
		__SetPageActive(page);
		__ClearPageReferenced(page);
		moved++;
		activated++;
	}
	if (l) {
		lru_move_counts(l, zone, lru, moved);
		spin_unlock_irqrestore(&l->lru_lock, flags);
	}
	if (activated)
		count_vm_events(arch_cpu_id(), PGACTIVATE, activated);
}

/* Make @page a single LRU entry if it is in a chunk entry. */
static void lru_chunk_break(struct page *page)
{
	struct lruvec *l = node_lruvec(page_to_nid(page));
	unsigned long flags;

	spin_lock_irqsave(&l->lru_lock, flags);
	__chunk_break_page(l, page);
	spin_unlock_irqrestore(&l->lru_lock, flags);
}

void lru_del(struct page *page)
{
	struct lruvec *l = node_lruvec(page_to_nid(page));
	unsigned long flags;

	spin_lock_irqsave(&l->lru_lock, flags);
	__chunk_break_page(l, page);
	if (PageLRU(page)) {
		__lru_del(l, page);
		__ClearPageReferenced(page);
	}
	spin_unlock_irqrestore(&l->lru_lock, flags);
}

void lru_replace(struct page *old, struct page *new)
{
	enum lru_list lru;
	bool ref;

	lru_chunk_break(old);
	lru = page_lru(old);
	ref = PageReferenced(old);
	if (!PageLRU(old))
		return;
	lru_del(old);
	if (ref)
		__SetPageReferenced(new);
	{
		struct lruvec *l = node_lruvec(page_to_nid(new));
		unsigned long flags;

		spin_lock_irqsave(&l->lru_lock, flags);
		__lru_add(l, new, lru);
		spin_unlock_irqrestore(&l->lru_lock, flags);
	}
}

/* Move up to @nr entries (@pages pages) from the tail of @lru onto @out.
 * The counts move once per run of one zone, not per entry. */
unsigned long isolate_lru_pages(struct lruvec *l, enum lru_list lru,
				       unsigned long nr, unsigned long pages,
				       struct list_head *out)
{
	unsigned long flags, n = 0, got = 0;
	struct zone_tally t = { 0 };

	spin_lock_irqsave(&l->lru_lock, flags);
	while (n < nr && got < pages && !list_empty(&l->lists[lru])) {
		struct page *page = list_last_entry(&l->lists[lru],
						    struct page, lru);
		unsigned long np = lru_nr(page);

		zone_tally_add(&t, lru, page_zone(page), -(long)np);
		got += np;
		list_move_tail(&page->lru, out);
		page->flags &= ~(1UL << PG_lru | 1UL << PG_active);
		n++;
	}
	zone_tally_flush(&t, lru);
	l->nr_pages[lru] -= got;
	spin_unlock_irqrestore(&l->lru_lock, flags);
	return n;
}

void lru_putback(struct page *page, enum lru_list lru)
{
	struct lruvec *l = node_lruvec(page_to_nid(page));
	unsigned long flags;

	spin_lock_irqsave(&l->lru_lock, flags);
	__lru_add(l, page, lru);
	spin_unlock_irqrestore(&l->lru_lock, flags);
}

void lru_putback_list(struct lruvec *l, struct list_head *list,
		      enum lru_list lru)
{
	unsigned long flags, got = 0;
	unsigned long set = lru_page_flags(lru);
	struct zone_tally t = { 0 };
	struct page *page;

	if (list_empty(list))
		return;
	spin_lock_irqsave(&l->lru_lock, flags);
	list_for_each_entry(page, list, lru) {
		unsigned long np = lru_nr(page);

		zone_tally_add(&t, lru, page_zone(page), (long)np);
		got += np;
		page->flags |= set;
	}
	zone_tally_flush(&t, lru);
	l->nr_pages[lru] += got;
	list_splice_init(list, &l->lists[lru]);
	spin_unlock_irqrestore(&l->lru_lock, flags);
}

/* The @nr new single pages from @page, consecutive in one block (so in
 * one zone), go on the head of @lru in order, as lru_cache_add() would
 * put them one by one: one lock hold, the counts moved once (the page
 * cache's reads: a 64 KiB block's 16 pages at once). */
void lru_cache_add_run(struct page *page, unsigned long nr,
		       enum lru_list lru)
{
	struct lruvec *l = node_lruvec(page_to_nid(page));
	unsigned long flags, set = lru_page_flags(lru);

	spin_lock_irqsave(&l->lru_lock, flags);
	for (unsigned long i = 0; i < nr; i++) {
		list_add(&page[i].lru, &l->lists[lru]);
		page[i].flags |= set;
	}
	lru_account(l, page, lru, (long)nr);
	spin_unlock_irqrestore(&l->lru_lock, flags);
}
