/*
 * Reclaim: the scanner that ages the LRU lists (lru.c) and writes cold
 * anonymous pages to swap, direct reclaim and kswapd's rounds.
 *
 * An LRU entry is a page, a whole 2 MiB THP by its head (counted as
 * 512) or a whole 64 KiB chunk by its first page (PG_mthp, counted as
 * 16; lru.c says when a chunk is broken up).  Pages are found from the
 * lists and mapped through the reverse map of migrate.c (->mapping =
 * mm, ->index = virtual page).
 *
 * Aging, Linux's second-chance rule (page_check_references):
 *  - shrink_inactive_list takes pages from the tail.  If the accessed
 *    bit of the page's PTE (PMD for a THP) is set, it is cleared; a page
 *    already PG_referenced is activated (moved to the active list:
 *    pgactivate), otherwise it gets PG_referenced and another trip round
 *    the inactive list.  A page not referenced since the last scan is
 *    written to swap and freed.
 *  - shrink_active_list moves pages from the active tail to the inactive
 *    head (pgdeactivate), clearing their accessed bits and PG_referenced,
 *    whenever the inactive list is smaller than the active one
 *    (inactive_is_low).
 *
 * Pageout is batched: the pages of one mm taken in one pass get their
 * swap slots (consecutive, swapfile.c), their entries become swap
 * entries, the TLB is flushed once, and the pages are written with one
 * swap_io() of merged runs (a 2 MiB THP is one run; the sixteen pages of
 * a 64 KiB chunk, physically and in swap consecutive, merge into one);
 * then they are freed.  Nothing is copied by the CPU.  On an I/O error
 * the entries are put back and the pages activated.  Where the swap
 * device releases what it wrote (swap_write_releases: memvisor's
 * virtio-blk leaves the pages zero), they are freed as known-zero, so
 * the faults that take them next clear nothing (PGZERO_SKIPPED); on
 * other devices (QEMU) they are freed dirty and cleared when reused.
 *
 * Swap-cache units (swap_state.c: read back by a read fault, slots
 * kept) take no new slots: their entries become their own swap entries
 * again, exchanged atomically to read the dirty bits, and a unit none of
 * whose entries is dirty is freed without a write (SWAPCACHE_CLEAN_DROP,
 * not PSWPOUT); a dirty one is written again to its slots with the rest
 * of the batch.  They are marked in pageout.cached and handled apart
 * (pageout_add_cached, pageout_cached): the common path pays one test.
 *
 * File pages: vmscan_file.c.
 *
 * Balance (get_scan_count, in spirit): at each priority the anon and
 * file lists are given scan targets, size >> priority weighed by
 * swappiness (anon) against 200 - swappiness (file); anon only while
 * swap has room, file only when anon cannot go (no swap, swappiness 0),
 * anon only when there is no file page.  Linux also weighs by the recent
 * cost of each side (refaults, rotations); we do not.  The scanner then
 * alternates batches of the two until the targets or the goal are met.
 *
 * Splits for swap: a THP that finds no free 2 MiB cluster is split into
 * chunks, a chunk that finds no 16 free slots into pages, but only as
 * many pages per reclaim as swap has free slots (split_for_swap): the
 * pieces cost a scan each from then on.
 *
 * Callers: direct reclaim (try_to_free_pages, the allocator's slow path
 * through mm_hooks, before the OOM killer; try_to_free_pages_nr, the
 * balloon's reclaim of what it still needs, up to 16 MiB at a time)
 * counts pgscan_direct and pgsteal_direct; kswapd (the kernel's thread,
 * one kswapd_balance round at a time) counts pgscan_kswapd and
 * pgsteal_kswapd, and pageoutrun per round.  A kswapd round is Linux's
 * balance_pgdat: passes from DEF_PRIORITY down, each aiming to free the
 * sum of the zones' high watermarks, the priority raised after a pass
 * that scanned less than that, until the node is above its high
 * watermarks -- not one 32-page pass per round, which left a reader that
 * allocates 256 pages between two yields to reclaim for itself.
 *
 * Locking: lruvec->lru_lock (irqs off) for the lists; an mm's lock for
 * its entries, taken with trylock (reclaim may run inside an allocation
 * made under some mm->lock: that mm's pages are skipped this time).
 * Swap I/O completes before swap_io() returns (the kernel polls for it
 * without scheduling), so no page is ever seen half swapped out.
 */
#include "mm_internal.h"
#include "vmscan_internal.h"

int vm_swappiness = 60;			/* /proc/sys/vm/swappiness */

#define DEF_PRIORITY		12
#define PAGEOUT_BATCH		256	/* entries written per swap_io() */
#define RECLAIM_BATCH_PAGES	4096UL	/* 16 MiB: see reclaim_left() */


/* ------------------------------------------------------ the decisions */

bool inactive_is_low(unsigned long inactive, unsigned long active)
{
	unsigned long gb = (inactive + active) >> (30 - PAGE_SHIFT);
	unsigned long ratio = gb ? int_sqrt(10 * gb) : 1;

	return inactive * ratio < active;
}

unsigned long anon_scan_count(unsigned long lru_pages, int priority,
			      int swappiness, long free_swap)
{
	unsigned long scan;

	(void)swappiness;	/* anon is all there is: see the overview */
	if (free_swap <= 0 || !lru_pages)
		return 0;
	scan = lru_pages >> priority;
	return max(scan, min(lru_pages, SWAP_CLUSTER_MAX));
}

struct scan_count get_scan_count(unsigned long anon, unsigned long file,
				 int priority, int swappiness,
				 long free_swap)
{
	struct scan_count sc = { 0, 0 };
	bool can_anon = anon && free_swap > 0 && swappiness > 0;
	unsigned long ap = (unsigned long)swappiness;
	unsigned long fp = 200 - ap;

	if (!file || !fp) {			/* anon only */
		sc.anon = anon_scan_count(anon, priority, swappiness,
					  free_swap);
		return sc;
	}
	if (!can_anon) {			/* file only */
		sc.file = max(file >> priority, min(file, SWAP_CLUSTER_MAX));
		return sc;
	}
	/* both, weighed: each side's share of its own size >> priority */
	sc.anon = (anon >> priority) * ap / (ap + fp);
	sc.file = (file >> priority) * fp / (ap + fp);
	/* at least a batch's worth of each side that has the weight */
	sc.anon = max(sc.anon, min(anon, SWAP_CLUSTER_MAX * ap / (ap + fp)));
	sc.file = max(sc.file, min(file, SWAP_CLUSTER_MAX * fp / (ap + fp)));
	return sc;
}

/* ------------------------------------------------------------ pageout */

/* The entry mapping @page in @mm (locked), or NULL if it does not. */
pteval_t *page_entry(struct mm_struct *mm, struct page *page)
{
	bool huge = PageHead(page);
	int level;
	pteval_t *e = walk(mm, page->index << PAGE_SHIFT,
			   huge ? PT_LEVEL_PMD : PT_LEVEL_PTE, false, &level);

	if (!e || level != (huge ? PT_LEVEL_PMD : PT_LEVEL_PTE) ||
	    !pte_present(*e) || (huge && !pt_leaf(*e)))
		return NULL;
	if ((huge ? pmd_pfn(*e) : pte_pfn(*e)) != page_to_pfn(page))
		return NULL;
	return e;
}

static spinlock_t reclaim_lock;		/* one reclaimer at a time */

bool reclaim_in_progress(void)
{
	return __atomic_load_n(&reclaim_lock.locked, __ATOMIC_RELAXED);
}

bool reclaim_trylock(void)
{
	unsigned long flags = arch_local_irq_save();
	bool got = spin_trylock(&reclaim_lock);

	arch_local_irq_restore(flags);
	return got;
}

void reclaim_unlock(void)
{
	spin_unlock(&reclaim_lock);
}

/* What pageout does with a batch entry's slots (struct pageout.cached) */
enum {
	PO_NEW,			/* new slots, written */
	PO_CACHED_DIRTY,	/* its swap-cache slots, written again */
	PO_CACHED_CLEAN,	/* its swap-cache slots, unwritten: no I/O */
};

struct pageout {
	struct mm_struct *mm;		/* locked; every page is its */
	pteval_t *pt;			/* the PT last walked to, or NULL, */
	unsigned long pt_va;		/* ... mapping [pt_va, + 2 MiB) */
	unsigned int type;		/* every slot on this device */
	struct swap_slots slots;	/* chunks' slots taken ahead */
	struct lruvec *lruvec;		/* the pages' lists */
	struct list_head putback[2];	/* aged: back to the inactive,
					 * active anon list with the lock */
	unsigned int n, niov;
	struct page *page[PAGEOUT_BATCH];
	pteval_t *entry[PAGEOUT_BATCH];
	pteval_t old[PAGEOUT_BATCH];	/* for an I/O error */
	unsigned int ncached;		/* entries not PO_NEW */
	unsigned char cached[PAGEOUT_BATCH];	/* PO_*, reset by the flush */
	swp_entry_t swp[PAGEOUT_BATCH];
	struct swap_iov iov[PAGEOUT_BATCH];
};

/* The @nr pages of @page go to the slots from @swp in the batch's I/O:
 * merged with the last run when they follow it on disk and in memory.
 * (Inline: the common path, pageout_add, paid for a call otherwise.) */
static __always_inline void pageout_add_iov(struct pageout *po,
					    phys_addr_t phys,
					    swp_entry_t swp, unsigned long nr)
{
	struct swap_iov *last = po->niov ? &po->iov[po->niov - 1] : NULL;

	if (last && last->slot + last->len / PAGE_SIZE == swp_offset(swp) &&
	    last->addr + last->len == phys) {
		last->len += nr << PAGE_SHIFT;
		return;
	}
	po->iov[po->niov].slot = swp_offset(swp);
	po->iov[po->niov].addr = phys;
	po->iov[po->niov].len = nr << PAGE_SHIFT;
	po->niov++;
}

/* Record @page (mapped at @e, going to the slots from @swp) as the
 * batch's next entry; its index. */
static inline unsigned int pageout_record(struct pageout *po,
					  struct page *page, pteval_t *e,
					  swp_entry_t swp)
{
	unsigned int n = po->n++;

	po->type = swp_type(swp);
	po->page[n] = page;
	po->entry[n] = e;
	po->old[n] = *e;
	po->swp[n] = swp;
	return n;
}

/* Add @page (mapped at @e, not in the swap cache) to the batch: its
 * entries become swap entries of its new slots from @swp. */
static void pageout_add(struct pageout *po, struct page *page, pteval_t *e,
			swp_entry_t swp)
{
	unsigned long nr = lru_nr(page);
	/* the page's address, from the entry pageout_entry() checked */
	phys_addr_t phys = PageHead(page) ? pmd_pfn(*e) << PAGE_SHIFT :
			   *e & PTE_PFN_MASK;

	pageout_record(po, page, e, swp);
	if (PageHead(page)) {
		*e = swp_entry_to_pmd(swp);
	} else {
		pteval_t first = swp_entry_to_pte(swp);

		/* 1, or a chunk's 16: consecutive slots (pgtable.h's layout:
		 * the offset sits where a PFN would) */
		if (nr == MTHP_NR) {
#pragma GCC unroll 16
			for (unsigned long i = 0; i < MTHP_NR; i++)
				e[i] = first + (i << PAGE_SHIFT);
		} else {
			*e = first;
		}
	}
	pageout_add_iov(po, phys, swp, nr);
}

static void pageout_flush(struct pageout *po, struct scan_control *sc);

/* Add the swap-cache unit @page (mapped at @e) to the batch, on its own
 * slots: written again only if an entry is dirty. */
static void pageout_add_cached(struct pageout *po, struct page *page,
			       pteval_t *e, struct scan_control *sc)
{
	swp_entry_t swp = swapcache_entry(page);
	bool huge = PageHead(page), dirty;
	unsigned int n;

	if (po->n && (po->type != swp_type(swp) || po->n == PAGEOUT_BATCH))
		pageout_flush(po, sc);
	n = pageout_record(po, page, e, swp);
	dirty = swapcache_unmap(e, huge ? 1 : lru_nr(page), huge ?
				swp_entry_to_pmd(swp) : swp_entry_to_pte(swp));
	po->cached[n] = dirty ? PO_CACHED_DIRTY : PO_CACHED_CLEAN;
	po->ncached++;
	if (dirty)
		pageout_add_iov(po, page_to_phys(page), swp, lru_nr(page));
}

/* The page (not in the swap cache) is on swap now: unaccount it and
 * make its descriptors (a chunk's 16) ready for the buddy. */
static __always_inline void pageout_release(struct mm_struct *mm,
					    struct page *page)
{
	long nr = (long)lru_nr(page);
	struct zone *zone = page_zone(page);

	if (PageHead(page)) {
		__ClearPageHead(page);
		mod_zone_page_state(zone, NR_ANON_THPS, -nr);
	} else if (PageMthp(page)) {
		/* the 16 pages go back as (part of) one block */
		__ClearPageMthp(page);
#pragma GCC unroll 15
		for (unsigned long i = 1; i < MTHP_NR; i++) {
			page[i].mapping = NULL;
			page[i]._mapcount = 0;
			set_page_count(&page[i], 0);
		}
	}
	__ClearPageReferenced(page);
	page->mapping = NULL;
	page->_mapcount = 0;
	mm->rss_stat[MM_ANONPAGES] -= (unsigned long)nr;
	mm->rss_stat[MM_SWAPENTS] += (unsigned long)nr;
	mod_zone_page_state(zone, NR_ANON_MAPPED, -nr);
}

/* The page (not in the swap cache) is on swap now: unaccount and free
 * it (as known-zero if the device released it: @zero); migrate.c too. */
void pageout_done(struct mm_struct *mm, struct page *page, bool zero)
{
	unsigned int order = lru_order(page);

	pageout_release(mm, page);
	if (zero)
		free_pages_known_zero(page, order);
	else
		__free_pages(page, order);
}

/* Entry @i of the batch stays in memory: its PTEs (a chunk's 16, from
 * the first one's flags) and its slots as they were. */
static void pageout_undo(struct pageout *po, unsigned int i)
{
	struct page *page = po->page[i];
	pteval_t flags = po->old[i] & ~PTE_PFN_MASK;

	if (PageMthp(page))
		for (unsigned long j = 0; j < MTHP_NR; j++)
			po->entry[i][j] = page_to_phys(page + j) | flags;
	else
		*po->entry[i] = po->old[i];
	if (PageSwapCache(page))
		swapcache_free(page);	/* the rewrite may have half landed */
	else
		swap_free(po->swp[i], lru_order(page));
}

/*
 * Entry @i of the batch is a swap-cache unit: clean, it was not written
 * and goes (*@clean); dirty, it went with the batch's write, whose
 * result is @err (*@done).  Apart from pageout_flush's loop: it is rare.
 */
static void pageout_cached(struct pageout *po, unsigned int i, int err,
			   bool zero, unsigned long *done, unsigned long *clean)
{
	struct page *page = po->page[i];
	bool dirty = po->cached[i] == PO_CACHED_DIRTY;

	po->cached[i] = PO_NEW;		/* for the next batch */
	if (dirty && err) {
		pageout_undo(po, i);
		lru_putback(page, LRU_ACTIVE_ANON);
		return;
	}
	*(dirty ? done : clean) += lru_nr(page);
	swapcache_clear(page);		/* the slots are the entries' now */
	pageout_done(po->mm, page, dirty && zero);
}

/* Write the batch, then free its pages (or undo on error). */
static void pageout_flush(struct pageout *po, struct scan_control *sc)
{
	unsigned long done = 0, clean = 0;
	bool zero, cached = po->ncached;	/* the loop's one test */
	struct free_run run = { .nr = 0 };
	int err;

	if (!po->n)
		return;
	arch_flush_tlb_mm(po->mm);
	zero = swap_write_releases(po->type);
	err = po->niov ? swap_io(po->type, true, po->iov, po->niov) : 0;
	for (unsigned int i = 0; i < po->n; i++) {
		struct page *page = po->page[i];
		unsigned long nr = lru_nr(page);
		unsigned int order;

		if (unlikely(cached) && po->cached[i]) {
			pageout_cached(po, i, err, zero, &done, &clean);
			continue;
		}
		if (err) {
			pageout_undo(po, i);
			lru_putback(page, LRU_ACTIVE_ANON);
			continue;
		}
		/* freed with its neighbours in the batch: a few large
		 * blocks rather than one order-4 free per chunk */
		order = lru_order(page);
		pageout_release(po->mm, page);
		if (put_page_testzero(page))
			free_run_add(&run, page, order, zero);
		done += nr;
	}
	free_run_flush(&run);
	if (err)
		mm_log(MM_LOG_WARN, "swap: write error %d, %u pages kept",
		       err, po->n);
	count_vm_events(arch_cpu_id(), PSWPOUT, done);
	count_vm_events(arch_cpu_id(), SWAPCACHE_CLEAN_DROP, clean);
	done += clean;
	count_vm_events(arch_cpu_id(), sc->kswapd ? PGSTEAL_KSWAPD :
			PGSTEAL_DIRECT, done);
	sc->nr_reclaimed += done;
	po->n = po->niov = po->ncached = 0;
}

static void pageout_switch_mm(struct pageout *po, struct mm_struct *mm,
			      struct scan_control *sc)
{
	po->pt = NULL;			/* valid under the mm's lock only */
	if (po->mm) {
		pageout_flush(po, sc);
		swap_slots_release(&po->slots);	/* under the mm lock */
		/* and the aged pages, before munmap can look for them */
		lru_putback_list(po->lruvec, &po->putback[0],
				 LRU_INACTIVE_ANON);
		lru_putback_list(po->lruvec, &po->putback[1],
				 LRU_ACTIVE_ANON);
		spin_unlock(&po->mm->lock);
	}
	po->mm = mm;
}

/*
 * Was any of the 16 PTEs from @e, which map a chunk, accessed since the
 * last look?  Clears their bits.  One pass of ORs (one instruction per
 * PTE), and a second that clears only if a bit was set: the scanner's
 * cost per 64 KiB was mostly a branchy loop here.
 */
static bool chunk_test_and_clear(pteval_t *e)
{
	pteval_t any = 0;

#pragma GCC unroll 16
	for (unsigned long i = 0; i < MTHP_NR; i++)
		any |= e[i];
	if (!(any & _PAGE_ACCESSED))
		return false;
#pragma GCC unroll 16
	for (unsigned long i = 0; i < MTHP_NR; i++)
		e[i] &= ~_PAGE_ACCESSED;
	return true;
}

/*
 * Do the other 15 PTEs after @e (present, mapping a chunk's head) still
 * map the 15 pages after it, in order?  PTE i must equal the first plus
 * i pages in the PFN and present bits (the PFN field cannot carry into
 * the bits above it: a chunk is 16-aligned), so: three instructions per
 * PTE, no branch.
 */
static bool chunk_whole(const pteval_t *e)
{
	const pteval_t mask = PTE_PFN_MASK | _PAGE_PRESENT;
	pteval_t first = e[0], bad = 0;

#pragma GCC unroll 16
	for (unsigned long i = 1; i < MTHP_NR; i++)
		bad |= e[i] ^ (first + (i << PAGE_SHIFT));
	return !(bad & mask);
}

/* Was any of the @nr entries from @e accessed since the last look?
 * Clears the bits (one entry for a THP's PMD, 16 for a chunk). */
static bool test_and_clear_accessed(pteval_t *e, unsigned long nr)
{
	pteval_t any = 0;

	if (nr > MTHP_NR)
		nr = 1;				/* a THP: its PMD */
	for (unsigned long i = 0; i < nr; i++) {
		any |= e[i];
		e[i] &= ~_PAGE_ACCESSED;
	}
	return any & _PAGE_ACCESSED;
}

/*
 * Swap had no room for an entry of 2^@order pages in one piece: may it be
 * split, so that its pieces go where they fit?  Only while the pages
 * split so far by this reclaim (every pass of one direct reclaim or one
 * kswapd round, or one shrink_node() call) are fewer than the free
 * slots: past that the pieces could not go either, and each would cost
 * a scan of its own in every later pass, and a free of its own when its
 * task ends.  Without this a nearly full swap had direct reclaim split
 * every THP and chunk it met into 4 KiB pages (test_reclaim's balloon
 * past RAM and swap: one direct reclaim scanned ~57 K single pages for
 * 29 free slots, 6 s on memvisor, and the OOM kill that followed freed
 * 32 K single pages, 16 s).
 */
static bool split_for_swap(struct scan_control *sc, unsigned int order)
{
	if (nr_swap_pages <= 0 || sc->nr_split >= (unsigned long)nr_swap_pages)
		return false;
	sc->nr_split += 1UL << order;
	return true;
}

/*
 * One inactive page (of po->mm, locked) at entry @e: age it (back on a
 * list), or add it to the pageout batch.
 */
static void shrink_page(struct pageout *po, struct page *page, pteval_t *e,
			struct scan_control *sc)
{
	unsigned int order = lru_order(page);
	swp_entry_t swp;

	/* a chunk's 16 accessed bits are cleared even if it is no longer
	 * whole: they are this mm's PTEs, only aging reads them; PG_young:
	 * an accessed bit idle page tracking took (page_idle.c) */
	if ((order == MTHP_ORDER ? chunk_test_and_clear(e) :
	     test_and_clear_accessed(e, 1)) | TestClearPageYoung(page)) {
		if (PageReferenced(page)) {
			count_vm_events(arch_cpu_id(), PGACTIVATE,
					lru_nr(page));
			list_add(&page->lru, &po->putback[1]);
		} else {
			__SetPageReferenced(page);
			list_add(&page->lru, &po->putback[0]);
		}
		return;
	}
	if (order == MTHP_ORDER && !chunk_whole(e)) {
		lru_chunk_break_isolated(page);	/* its pages, singly */
		list_add(&page->lru, &po->putback[0]);
		return;
	}
	if (unlikely(PageSwapCache(page))) {
		pageout_add_cached(po, page, e, sc);	/* its own slots */
		return;
	}
	if (order == MTHP_ORDER ? swap_alloc_chunk(&po->slots, &swp) :
	    swap_alloc(order, &swp)) {
		/* no free 2 MiB cluster: reclaim the THP in 64 KiB chunks;
		 * no 16 free slots: a chunk's pages singly -- as far as the
		 * free slots go (split_for_swap) */
		if (order == HPAGE_PMD_ORDER && split_for_swap(sc, order) &&
		    !split_huge_pmd(po->mm, e, page->index << PAGE_SHIFT))
			return;		/* split put them on the list */
		if (order == MTHP_ORDER && split_for_swap(sc, order))
			lru_chunk_break_isolated(page);
		lru_putback(page, LRU_ACTIVE_ANON);
		return;
	}
	if (po->n && (po->type != swp_type(swp) || po->n == PAGEOUT_BATCH))
		pageout_flush(po, sc);
	pageout_add(po, page, e, swp);
}

/* Lock the owner of @page for the batch; false: skip the page. */
static bool pageout_lock(struct pageout *po, struct page *page,
			 struct scan_control *sc)
{
	struct mm_struct *mm = PageAnon(page) ? page_anon_mm(page) : NULL;

	if (mm == po->mm && mm)
		return true;
	pageout_switch_mm(po, NULL, sc);
	po->mm = page_trylock_anon_mm(page);
	return po->mm != NULL;
}


static struct pageout pageout_batch = {	/* under reclaim_lock */
	.putback = { LIST_HEAD_INIT(pageout_batch.putback[0]),
		     LIST_HEAD_INIT(pageout_batch.putback[1]) },
};

/*
 * page_entry() for the batch: pages taken one after the other are mostly
 * neighbours, so the PT of the last 4-level walk serves the next page
 * in the same 2 MiB (po->mm stays locked meanwhile, so the PT stays).
 */
static pteval_t *pageout_entry(struct pageout *po, struct page *page)
{
	unsigned long va = page->index << PAGE_SHIFT;
	pteval_t *e;

	if (!PageHead(page) && po->pt && (va & PMD_MASK) == po->pt_va) {
		e = &po->pt[pte_index(va)];
		return pte_present(*e) && pte_pfn(*e) == page_to_pfn(page) ?
		       e : NULL;
	}
	e = page_entry(po->mm, page);
	if (e && !PageHead(page)) {
		po->pt = e - pte_index(va);
		po->pt_va = va & PMD_MASK;
	}
	return e;
}

/* Pages one isolation may take for @sc's goal: what is left of it, but
 * at least RECLAIM_BATCH_PAGES, so the swap I/O stays large (one 2 MiB
 * entry per call cut swap-in from 300 to 34 MB/s here). */
static unsigned long reclaim_left(const struct scan_control *sc)
{
	unsigned long left = sc->nr_reclaimed < sc->nr_to_reclaim ?
			     sc->nr_to_reclaim - sc->nr_reclaimed : 0;

	return max(left, RECLAIM_BATCH_PAGES);
}

static void shrink_inactive_list(struct lruvec *l, unsigned long nr,
				 struct scan_control *sc)
{
	struct pageout *po = &pageout_batch;
	struct page *page, *next;
	struct list_head isolated = LIST_HEAD_INIT(isolated);
	unsigned long before = sc->nr_scanned;

	po->lruvec = l;
	/* not many more pages than the goal needs: a 2 MiB entry is 512
	 * pages, and 256 of them would free up to 512 MiB for a goal of 512
	 * pages (kswapd left free memory tens of MiB above high) */
	isolate_lru_pages(l, LRU_INACTIVE_ANON, min(nr, (unsigned long)
			  ISOLATE_BATCH), reclaim_left(sc), &isolated);
	list_for_each_entry_safe(page, next, &isolated, lru) {
		pteval_t *e;

		list_del(&page->lru);
		sc->nr_scanned += lru_nr(page);
		if (!pageout_lock(po, page, sc)) {
			lru_putback(page, LRU_INACTIVE_ANON);
			continue;
		}
		e = pageout_entry(po, page);
		if (!e) {
			list_add(&page->lru, &po->putback[0]);
			continue;
		}
		shrink_page(po, page, e, sc);
	}
	pageout_switch_mm(po, NULL, sc);
	count_vm_events(arch_cpu_id(), sc->kswapd ? PGSCAN_KSWAPD :
			PGSCAN_DIRECT, sc->nr_scanned - before);
}

/* Deactivate up to @nr active entries, clearing their accessed bits. */
static void shrink_active_list(struct lruvec *l, unsigned long nr)
{
	struct page *page, *next;
	struct mm_struct *locked = NULL;
	unsigned long moved = 0;
	struct list_head isolated = LIST_HEAD_INIT(isolated);

	isolate_lru_pages(l, LRU_ACTIVE_ANON, nr, ~0UL, &isolated);
	list_for_each_entry_safe(page, next, &isolated, lru) {
		pteval_t *e;

		list_del(&page->lru);
		if (PageAnon(page) && page_anon_mm(page) != locked) {
			if (locked)
				spin_unlock(&locked->lock);
			locked = page_trylock_anon_mm(page);
		}
		if (locked && page_anon_mm(page) == locked &&
		    (e = page_entry(locked, page)) != NULL)
			test_and_clear_accessed(e, lru_nr(page));
		__ClearPageReferenced(page);
		lru_putback(page, LRU_INACTIVE_ANON);
		moved += lru_nr(page);
	}
	if (locked)
		spin_unlock(&locked->lock);
	count_vm_events(arch_cpu_id(), PGDEACTIVATE, moved);
}

/* One batch of anon scanning (the pre-page-cache loop body). */
static unsigned long shrink_anon_batch(struct lruvec *l, unsigned long nr,
				       struct scan_control *sc)
{
	unsigned long ina = l->nr_pages[LRU_INACTIVE_ANON];
	unsigned long act = l->nr_pages[LRU_ACTIVE_ANON];
	unsigned long before = sc->nr_scanned;

	if (inactive_is_low(ina, act))
		shrink_active_list(l, min(act - ina + SWAP_CLUSTER_MAX,
					  (unsigned long)ISOLATE_BATCH));
	if (list_empty(&l->lists[LRU_INACTIVE_ANON]))
		return 0;
	shrink_inactive_list(l, nr, sc);
	return sc->nr_scanned - before;
}

/* One pass over node @nid's lists at @priority, adding to @sc's counts,
 * until @sc's goal is met or the priority's scan targets are spent. */
static void __shrink_node(int nid, int priority, struct scan_control *sc)
{
	struct lruvec *l = node_lruvec(nid);
	struct scan_count left = get_scan_count(
		l->nr_pages[LRU_INACTIVE_ANON] + l->nr_pages[LRU_ACTIVE_ANON],
		l->nr_pages[LRU_INACTIVE_FILE] + l->nr_pages[LRU_ACTIVE_FILE],
		priority, vm_swappiness, nr_swap_pages);

	while (sc->nr_reclaimed < sc->nr_to_reclaim &&
	       (left.anon || left.file)) {
		unsigned long n;
		bool progress = false;

		if (left.file) {
			/* no more than the goal (clean pages cost nothing
			 * to drop, so dropping too many is the only waste) */
			unsigned long want = max(SWAP_CLUSTER_MAX,
						 sc->nr_to_reclaim -
						 sc->nr_reclaimed);

			want = min(want, (unsigned long)ISOLATE_BATCH);
			n = shrink_file_batch(l, min(left.file, want), sc);
			left.file = n ? left.file - min(n, left.file) : 0;
			progress |= n != 0;
		}
		if (left.anon && sc->nr_reclaimed < sc->nr_to_reclaim) {
			n = nr_swap_pages > 0 ?
			    shrink_anon_batch(l, left.anon, sc) : 0;
			left.anon = n ? left.anon - min(n, left.anon) : 0;
			progress |= n != 0;
		}
		if (!progress)
			break;
	}
}

/*
 * __shrink_node() under the reclaimer's lock.  One reclaimer at a time: a
 * second (an allocation inside the first's, which the allocator serves
 * from the reserves as Linux does for PF_MEMALLOC) finds nothing to do
 * rather than deadlock.  Pages freed by this pass.  @sc's nr_split spans
 * the caller's passes: split_for_swap()'s budget is a whole reclaim's.
 */
static unsigned long shrink_node_sc(int nid, int priority,
				    struct scan_control *sc)
{
	unsigned long before = sc->nr_reclaimed;

	if (!reclaim_trylock())
		return 0;
	__shrink_node(nid, priority, sc);
	reclaim_unlock();
	return sc->nr_reclaimed - before;
}

unsigned long shrink_node(int nid, unsigned long nr_to_reclaim,
			  int priority, bool kswapd)
{
	struct scan_control sc = { .nr_to_reclaim = nr_to_reclaim,
				   .kswapd = kswapd, .count = true };

	return shrink_node_sc(nid, priority, &sc);
}

/* -------------------------------------------------- direct and kswapd */

/* Direct reclaim of @nr pages (at least SWAP_CLUSTER_MAX): the
 * priorities from DEF_PRIORITY down until they are freed. */
unsigned long try_to_free_pages_nr(gfp_t gfp, unsigned long nr)
{
	unsigned long want = max(SWAP_CLUSTER_MAX, nr);
	struct scan_control sc = { .nr_to_reclaim = want, .count = true };
	pg_data_t *pgdat;

	if (!(gfp & __GFP_IO))
		return 0;
	for (int prio = DEF_PRIORITY; prio >= 0 && sc.nr_reclaimed < want;
	     prio--)
		for_each_online_pgdat(pgdat)
			if (sc.nr_reclaimed < want)
				shrink_node_sc(pgdat->node_id, prio, &sc);
	return sc.nr_reclaimed;
}

unsigned long try_to_free_pages(gfp_t gfp, unsigned int order)
{
	return try_to_free_pages_nr(gfp, 1UL << order);
}

static bool node_below_high(int nid)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &node_data[nid].node_zones[z];

		if (populated_zone(zone) &&
		    zone_page_state(zone, NR_FREE_PAGES) <
		    high_wmark_pages(zone))
			return true;
	}
	return false;
}

bool kswapd_needed(int nid)
{
	struct lruvec *l = node_lruvec(nid);

	bool anon = nr_swap_pages > 0 &&
		    l->nr_pages[LRU_INACTIVE_ANON] + l->nr_pages[LRU_ACTIVE_ANON];
	bool file = l->nr_pages[LRU_INACTIVE_FILE] +
		    l->nr_pages[LRU_ACTIVE_FILE];

	return (anon || file) && node_below_high(nid);
}

/* What one kswapd pass aims to free: each zone's high watermark (as
 * Linux's kswapd_shrink_node), not a batch: a round that ends well above
 * the high watermark leaves the allocating tasks on their fast path. */
static unsigned long kswapd_goal(int nid)
{
	unsigned long goal = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &node_data[nid].node_zones[z];

		if (populated_zone(zone))
			goal += max(high_wmark_pages(zone), SWAP_CLUSTER_MAX);
	}
	return goal;
}

/*
 * Linux's balance_pgdat: passes from DEF_PRIORITY down until the node is
 * above its high watermarks.  A pass that scanned less than its goal, or
 * freed nothing, raises the priority (scans more of the lists next time);
 * a small list therefore goes from SWAP_CLUSTER_MAX pages a pass to
 * about its goal in a few passes.
 */
bool kswapd_balance(int nid)
{
	struct scan_control sc = { .kswapd = true, .count = true };
	int prio = DEF_PRIORITY;

	if (!kswapd_needed(nid))
		return false;
	count_vm_events(arch_cpu_id(), PAGEOUTRUN, 1);
	do {
		unsigned long goal = kswapd_goal(nid);
		unsigned long scanned = sc.nr_scanned;

		sc.nr_to_reclaim = sc.nr_reclaimed + goal;
		if (!shrink_node_sc(nid, prio, &sc) ||
		    sc.nr_scanned - scanned < goal)
			prio--;
	} while (prio >= 1 && kswapd_needed(nid));
	return sc.nr_reclaimed && kswapd_needed(nid);
}
