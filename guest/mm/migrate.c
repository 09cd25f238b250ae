/*
 * Page migration for memory offlining: the reverse map of anonymous pages,
 * the unmovable-page check, and moving pages out of a pfn range.
 *
 * Reverse map: an anonymous page has exactly one mapping (no fork, no
 * sharing in this kernel), so the owner is stored in the page itself:
 * ->mapping = mm | PAGE_MAPPING_ANON and ->index = virtual page number
 * (page.h).  Finding the PTE of a page is one walk of that mm's tables:
 * no anon_vma chains, no rmap walk.  A 2 MiB THP is found from its head
 * (PG_head, private = 9) and mapped by one PMD leaf.
 *
 * What can move: anonymous pages and THPs; the balloon's blocks
 * (PG_balloon) are not copied but given up: balloon_page_offline() frees
 * them into the isolated range and the driver re-inflates elsewhere.  What cannot: slab pages,
 * page tables, kmalloc_large and other kernel allocations, reserved
 * pages (kernel image, boot memmap, firmware).  Free pages (buddy blocks;
 * pages with no reference, e.g. on per-CPU lists) need nothing.
 *
 * do_migrate_range() runs on an isolated range (memory_hotplug.c), so no
 * replacement can come from it: isolated free blocks sit on the
 * MIGRATE_ISOLATE lists, and pages freed there go back to them.  For each
 * in-use page: lock its mm, clear its PTE/PMD, flush the TLB entry, copy
 * (arch_copy_page per 4 KiB), point the entry at the copy with the same
 * bits, unlock, free the old page (it lands on the isolate lists).  A THP
 * whose order-9 replacement cannot be had is split and moved page by page.
 * The first unmovable page stops it with -EBUSY; the caller rolls back.
 *
 * No room (the allocation, made without direct reclaim since the mm is
 * locked, fails): an anonymous page or THP is swapped out instead, if
 * swap has room (a THP whole when a 2 MiB cluster is free): its entry
 * becomes a swap entry, it is written with one I/O and freed into the
 * isolated range, and its task faults it back in wherever memory is then
 * free -- so the removal succeeds and the page is never lost.  Without
 * swap, one allocation is made unlocked, where it may reclaim (but never
 * calls the OOM killer); failing that, the offline fails with -ENOMEM
 * and is rolled back.
 * A swap-cache unit (swap_state.c: read back from swap, slots kept) keeps
 * its slots: moved, they go with the copy, which holds the same bytes;
 * swapped out instead, it goes to them, written only if it is dirty.  A
 * 64 KiB chunk's slots go when moving one of its pages breaks it (lru.c).
 * has_unmovable_pages() is the same scan without moving anything, to
 * refuse a block that holds kernel memory before isolating it.
 *
 * Cost: O(in-use pages + free blocks) per range; free memory is skipped a
 * buddy block at a time.  The copy dominates (one 4 KiB copy per page).
 *
 * Locking: the caller holds mem_hotplug_lock.  anon_rmap_lock makes
 * "read page->mapping, lock that mm" safe against the mm being freed:
 * mmput() unmaps every page under mm->lock, then passes through
 * anon_rmap_lock (anon_rmap_barrier) before freeing the mm.
 */
#include "mm_internal.h"

static spinlock_t anon_rmap_lock;	/* see the overview */

void anon_rmap_barrier(void)
{
	spin_lock(&anon_rmap_lock);
	spin_unlock(&anon_rmap_lock);
}

/* Order of the in-use block headed by @page: THP heads 9, balloon
 * blocks theirs, others 0. */
static unsigned int anon_order(const struct page *page)
{
	return PageHead(page) || PageBalloon(page) ?
	       (unsigned int)page->private : 0;
}

/* Why the in-use page @page cannot move; NULL if it can (a boot memmap
 * page has a zero descriptor: "kernel"). */
static const char *unmovable_reason(const struct page *page)
{
	if (PageReserved(page))
		return "reserved";
	if (PageAnon(page) || PageBalloon(page))
		return NULL;
	if (PageSlab(page))
		return "slab";
	if (PagePgtable(page))
		return "page table";
	if (PageHead(page))
		return "kmalloc";
	return "kernel";
}

/*
 * Is @pfn part of the memmap of its boot section?  Those pages (placed in
 * the section by memblock) are neither managed nor reserved: their
 * descriptors look free, so they are recognised by address.
 */
static bool pfn_in_boot_memmap(pfn_t pfn)
{
	const struct mem_section *ms = __pfn_to_section(pfn);
	pfn_t sec = pfn & PAGE_SECTION_MASK;
	phys_addr_t lo, pa = PFN_PHYS(pfn);

	if (!(ms->flags & SECTION_BOOT))
		return false;
	lo = __pa((void *)(ms->section_mem_map +
			   (sec + ms->valid_start) * sizeof(struct page)));
	return pa >= (lo & PAGE_MASK) &&
	       pa < lo + (ms->valid_end - ms->valid_start) *
		    sizeof(struct page);
}

const char *page_owner_kind(pfn_t pfn)
{
	struct page *page;

	if (!pfn_valid(pfn))
		return "no page";
	if (pfn_is_memmap(pfn) || pfn_in_boot_memmap(pfn))
		return "memmap";
	page = pfn_to_page(pfn);
	if (PageBuddy(page) || (!page_count(page) && !PageReserved(page)))
		return "free";
	if (PageBalloon(page))
		return "balloon";
	return unmovable_reason(page) ? unmovable_reason(page) : "anonymous";
}

/*
 * The first page at or after *@pfn, below @end, that is in use (has a
 * reference, is reserved, or holds a boot memmap); NULL if none.  Steps
 * over free buddy blocks whole, over holes and memmap a section range at
 * a time.  Looks up only sections below @end.
 */
static struct page *next_page_in_use(pfn_t *pfn, pfn_t end)
{
	while (*pfn < end) {
		const struct mem_section *ms =
			__nr_to_section(pfn_to_section_nr(*pfn));
		pfn_t sec = *pfn & PAGE_SECTION_MASK;
		struct page *page;

		/* no section (not even a root), or past its valid range */
		if (!ms || !(ms->flags & SECTION_PRESENT) ||
		    *pfn >= sec + ms->valid_end) {
			*pfn = sec + PAGES_PER_SECTION;
			continue;
		}
		if (*pfn < sec + ms->valid_start + ms->nr_memmap_pages) {
			*pfn = sec + ms->valid_start + ms->nr_memmap_pages;
			continue;
		}
		page = pfn_to_page(*pfn);
		if (PageBuddy(page))
			*pfn += 1UL << page->private;
		else if (page_count(page) || PageReserved(page) ||
			 pfn_in_boot_memmap(*pfn))
			return page;
		else
			(*pfn)++;
	}
	return NULL;
}

bool has_unmovable_pages(pfn_t start_pfn, pfn_t end_pfn, pfn_t *bad)
{
	pfn_t pfn = start_pfn;
	struct page *page;

	while ((page = next_page_in_use(&pfn, end_pfn)) != NULL) {
		if (unmovable_reason(page)) {
			*bad = pfn;
			return true;
		}
		pfn += 1UL << anon_order(page);
	}
	return false;
}

/* Lock the mm mapping @page, if it still maps it; NULL if none. */
static struct mm_struct *page_lock_anon_mm(struct page *page)
{
	struct mm_struct *mm;

	spin_lock(&anon_rmap_lock);
	mm = PageAnon(page) ? page_anon_mm(page) : NULL;
	if (mm) {
		spin_lock(&mm->lock);
		if (page_anon_mm(page) != mm || !PageAnon(page)) {
			spin_unlock(&mm->lock);
			mm = NULL;
		}
	}
	spin_unlock(&anon_rmap_lock);
	return mm;
}

struct mm_struct *page_trylock_anon_mm(struct page *page)
{
	struct mm_struct *mm;

	if (!spin_trylock(&anon_rmap_lock))
		return NULL;
	mm = PageAnon(page) ? page_anon_mm(page) : NULL;
	if (mm && !spin_trylock(&mm->lock))
		mm = NULL;
	spin_unlock(&anon_rmap_lock);
	return mm;
}

static void copy_pages(struct page *dst, struct page *src, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		arch_copy_page(page_address(&dst[i]), page_address(&src[i]));
}

/*
 * Move the mapping at @entry (user address @va of @mm) from @old to
 * @new (2^@order pages): unmap, flush, copy, remap, move the counters.
 */
static void move_anon_page(struct mm_struct *mm, pteval_t *entry,
			   unsigned long va, struct page *old,
			   struct page *new, unsigned int order)
{
	pteval_t e = *entry;
	long nr = 1L << order;

	*entry = 0;
	arch_flush_tlb_page(mm, va);
	copy_pages(new, old, (unsigned int)nr);
	page_set_anon(new, mm, old->index);
	if (order) {
		__SetPageHead(new);
		new->private = order;
	}
	lru_replace(old, new);
	if (order) {
		__ClearPageHead(old);
		old->private = 0;
		mod_zone_page_state(page_zone(old), NR_ANON_THPS, -nr);
		mod_zone_page_state(page_zone(new), NR_ANON_THPS, nr);
	}
	*entry = page_to_phys(new) | (e & ~(order ? PMD_PFN_MASK :
					      PTE_PFN_MASK));
	mod_zone_page_state(page_zone(old), NR_ANON_MAPPED, -nr);
	mod_zone_page_state(page_zone(new), NR_ANON_MAPPED, nr);
	old->mapping = NULL;
	old->_mapcount = 0;
}

/*
 * move_anon_page(), and a swap-cache unit's slots go with it: the copy
 * holds the same bytes, so they still match (taken off @old while it is
 * still whole, put on @new before anyone can see it: the mm is locked).
 */
static void move_anon_page_cached(struct mm_struct *mm, pteval_t *entry,
				  unsigned long va, struct page *old,
				  struct page *new, unsigned int order)
{
	bool cached = PageSwapCache(old);
	swp_entry_t swp = swapcache_entry(old);

	if (cached)
		swapcache_clear(old);
	move_anon_page(mm, entry, va, old, new, order);
	if (cached)
		swapcache_add(new, swp, 1UL << order);
}

/*
 * No page to move @page (2^@order pages, mapped by @entry at @va of the
 * locked @mm) to: write it to swap instead, in one I/O, and free it --
 * it lands on the isolate lists like a migrated page.  0, or -ENOSPC (no
 * swap, or no free run of 2^@order slots) / -EIO with nothing changed.
 */
static int swap_out_isolated(struct mm_struct *mm, pteval_t *entry,
			     unsigned long va, struct page *page,
			     unsigned int order)
{
	bool cached = PageSwapCache(page), write = true;
	pteval_t old = *entry, e;
	struct swap_iov iov;
	swp_entry_t swp;

	/* a swap-cache unit goes to its own slots, written only if dirty
	 * (as reclaim does: swap_state.c) */
	if (cached)
		swp = swapcache_entry(page);
	else if (swap_alloc(order, &swp))
		return -ENOSPC;
	e = order ? swp_entry_to_pmd(swp) : swp_entry_to_pte(swp);
	if (cached)
		write = swapcache_unmap(entry, 1, e);
	else
		*entry = e;
	arch_flush_tlb_page(mm, va);
	iov = (struct swap_iov){ swp_offset(swp), page_to_phys(page),
				 PAGE_SIZE << order };
	if (write && swap_io(swp_type(swp), true, &iov, 1)) {
		*entry = old;
		if (cached)
			swapcache_free(page);	/* half rewritten, maybe */
		else
			swap_free(swp, order);
		return -EIO;
	}
	if (cached)
		swapcache_clear(page);		/* the entry's slots now */
	lru_del(page);
	pageout_done(mm, page, false);
	count_vm_events(arch_cpu_id(), write ? PSWPOUT : SWAPCACHE_CLEAN_DROP,
			1UL << order);
	return 0;
}

/* Under mm->lock: no direct reclaim (it could not take this mm's pages,
 * and its OOM killer could pick this mm's task) and no warning. */
#define GFP_MIGRATE_LOCKED ((GFP_HIGHUSER_MOVABLE & \
			     ~__GFP_DIRECT_RECLAIM) | __GFP_NOWARN)
/* Unlocked, once: may reclaim, never calls the OOM killer. */
#define GFP_MIGRATE_RECLAIM (GFP_HIGHUSER_MOVABLE | __GFP_NOWARN | \
			     __GFP_NORETRY)
#define MIGRATE_NEED_PAGE 1		/* internal: allocate unlocked */

/*
 * No page is free for @page (order @order) under the lock: swap it out
 * (cheaper than reclaiming some other page to copy this one into: the
 * same one write, and no copy), else split a THP (look again), else ask
 * for a page unlocked.  mm->lock held.
 */
static int migrate_no_room(struct mm_struct *mm, pteval_t *entry,
			   unsigned long va, struct page *page,
			   unsigned int order, struct migrate_control *mc)
{
	int ret = swap_out_isolated(mm, entry, va, page, order);

	if (!ret) {
		mc->nr_swapped += 1UL << order;
		return 0;
	}
	if (order) {
		ret = split_huge_pmd(mm, entry, va);
		return ret ? ret : -EAGAIN;
	}
	return MIGRATE_NEED_PAGE;
}

/*
 * Migrate the anonymous page or THP @page, into *@spare if it is an order-0
 * page and one is given.  0 (moved, swapped out, or no longer mapped),
 * -EAGAIN (the THP was split instead: look at it again),
 * MIGRATE_NEED_PAGE (nothing free: allocate one unlocked) or -ENOMEM.
 */
static int __migrate_anon_page(struct page *page, struct migrate_control *mc,
			       struct page **spare)
{
	struct mm_struct *mm = page_lock_anon_mm(page);
	unsigned int order;
	unsigned long va;
	pteval_t *entry;
	struct page *new;
	int level, ret;

	if (!mm)
		return 0;
	order = anon_order(page);
	va = page->index << PAGE_SHIFT;
	entry = walk(mm, va, order ? PT_LEVEL_PMD : PT_LEVEL_PTE, false,
		     &level);
	BUG_ON(!entry || !pte_present(*entry) ||
	       (order ? pmd_pfn(*entry) : pte_pfn(*entry)) !=
	       page_to_pfn(page));
	/* a chunk's slots go with the chunk, which moving one of its
	 * pages breaks (lru.c) */
	if (PageSwapCache(page) && PageMthp(page))
		swapcache_free(page);
	new = !order && *spare ? *spare : alloc_pages_node(page_to_nid(page),
						GFP_MIGRATE_LOCKED, order);
	if (new == *spare)
		*spare = NULL;
	if (!new) {
		ret = migrate_no_room(mm, entry, va, page, order, mc);
		spin_unlock(&mm->lock);
		return ret;
	}
	move_anon_page_cached(mm, entry, va, page, new, order);
	spin_unlock(&mm->lock);
	__free_pages(page, order);
	mc->nr_migrated += 1UL << order;
	count_vm_events(arch_cpu_id(), PGMIGRATE_SUCCESS, 1UL << order);
	return 0;
}

/* __migrate_anon_page, with one unlocked allocation (which may reclaim)
 * when nothing was free and nothing could be swapped. */
static int migrate_anon_page(struct page *page, struct migrate_control *mc)
{
	struct page *spare = NULL;
	int ret = __migrate_anon_page(page, mc, &spare);

	if (ret != MIGRATE_NEED_PAGE)
		return ret;
	spare = alloc_pages_node(page_to_nid(page), GFP_MIGRATE_RECLAIM, 0);
	if (!spare)
		return -ENOMEM;
	ret = __migrate_anon_page(page, mc, &spare);
	if (spare)
		__free_page(spare);
	return ret == MIGRATE_NEED_PAGE ? -ENOMEM : ret;
}

static int migrate_failed(struct migrate_control *mc, pfn_t pfn,
			  const char *reason, int err)
{
	mc->failed_pfn = pfn;
	mc->reason = reason;
	count_vm_events(arch_cpu_id(), PGMIGRATE_FAIL, 1);
	return err;
}

int do_migrate_range(pfn_t start_pfn, pfn_t end_pfn,
		     struct migrate_control *mc)
{
	pfn_t pfn = start_pfn;
	struct page *page;

	while ((page = next_page_in_use(&pfn, end_pfn)) != NULL) {
		unsigned int order = anon_order(page);
		int ret;

		if (unmovable_reason(page)) {
			dump_page(page, "unmovable page");
			return migrate_failed(mc, pfn, "unmovable page",
					      -EBUSY);
		}
		if (PageBalloon(page)) {
			pfn += 1UL << balloon_page_offline(page);
			continue;
		}
		ret = migrate_anon_page(page, mc);
		if (ret == -EAGAIN)
			continue;
		if (ret)
			return migrate_failed(mc, pfn, "failure to migrate",
					      ret);
		pfn += 1UL << order;
	}
	return 0;
}
