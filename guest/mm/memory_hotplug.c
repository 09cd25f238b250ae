/*
 * Onlining and offlining memory, and pageblock isolation.
 *
 * The phases are kept apart as in Linux's mm/memory_hotplug.c:
 *	sparse_add_section()	section present, memmap on the DIMM (sparse.c)
 *	online_pages()		into a zone, free to the buddy
 *	offline_pages()		isolate, migrate (hook), take out of the buddy
 *	sparse_remove_section()	forget the section (sparse.c)
 *
 * online_pages() costs O(sections + MAX_ORDER blocks): per 128 MiB section
 * it sets 4 words of pageblock bitmap and frees 32 blocks (the first,
 * order 9, after the 2 MiB memmap).  No struct page is initialised: the
 * memmap is zero-filled host memory and zero is the free state.  Memory is
 * freed as known-zero the first time a section is onlined (the DIMM comes
 * zero-filled), as dirty after it has been online once (SECTION_UNZEROED).
 *
 * Isolation (start_isolate_page_range) marks MAX_ORDER blocks (two
 * pageblocks) MIGRATE_ISOLATE and moves their free pages to the isolate
 * lists, out of NR_FREE_PAGES, so nothing allocates them; pages freed there
 * later land on the isolate lists too.  test_pages_isolated() checks every
 * managed page of a range is such a free page.
 *
 * offline_pages() refuses at once a range holding an unmovable page
 * (has_unmovable_pages(), migrate.c: kernel, slab, page tables, reserved),
 * then isolates, migrates the anonymous pages out (do_migrate_range()),
 * checks the range is all free and takes it out of the buddy.  Any failure
 * undoes the isolation: the block is online as before, nothing is lost,
 * and dmesg says why, in Linux's words.
 *
 * Boundaries: nothing here looks up the section of a pfn outside the
 * range being worked on.  The pfn just past a range may have no section,
 * not even a root page of mem_section (a DIMM that ends on a 4 GiB root
 * boundary with nothing above it, issue 12), so loops walk section by
 * section and stop at the range's end before any lookup.
 *
 * Locking: mem_hotplug_lock serialises online/offline; it is a spinlock
 * taken with interrupts on (drain_all_pages() sends IPIs) and should become
 * a sleeping lock once the guest has one and migration may sleep.
 * zone->lock for the buddy parts.
 */
#include "mm_internal.h"

static spinlock_t mem_hotplug_lock;	/* online/offline/isolate */

/* Zone of @pfn, from its (present, online) section. */
static struct zone *pfn_zone(pfn_t pfn)
{
	const struct mem_section *ms = __pfn_to_section(pfn);

	return (pfn & ~PAGE_SECTION_MASK) >= ms->zone_split ? ms->zone :
							      ms->zone_low;
}

/* Sections of [start, start + nr): present, all @online, one node. */
static int check_sections(pfn_t start, unsigned long nr, bool online,
			  int *nid)
{
	if (!nr || !IS_ALIGNED(start | nr, PAGES_PER_SECTION))
		return -EINVAL;
	for (pfn_t pfn = start; pfn < start + nr; pfn += PAGES_PER_SECTION) {
		struct mem_section *ms = __nr_to_section(
				pfn_to_section_nr(pfn));

		if (!ms || !(ms->flags & SECTION_PRESENT))
			return -EINVAL;
		if (!!(ms->flags & SECTION_ONLINE) != online)
			return -EBUSY;
		if (pfn == start)
			*nid = ms->nid;
		else if (ms->nid != *nid)
			return -EINVAL;
	}
	return 0;
}

static void online_section(struct zone *zone, pfn_t sec)
{
	struct mem_section *ms = __pfn_to_section(sec);
	pfn_t first = sec + ms->valid_start + ms->nr_memmap_pages;
	unsigned long pattern = 0x1111111111111111UL * MIGRATE_MOVABLE;

	set_section_zones(ms, zone, 0, zone);
	for (unsigned int w = 0; w < PB_WORDS; w++)
		ms->pageblock_flags[w] = pattern;
	zone->present_pages += ms->valid_end - ms->valid_start;
	zone->zone_pgdat->node_present_pages += ms->valid_end -
						ms->valid_start;
	free_pages_range_core(first, sec + ms->valid_end,
			      !(ms->flags & SECTION_UNZEROED));
	ms->flags |= SECTION_ONLINE | SECTION_UNZEROED;
}

/*
 * Online the present, offline sections of [start_pfn, start_pfn +
 * nr_pages) into zone @zid of their node: the pages join the buddy.
 * Returns 0 or -EINVAL/-EBUSY.
 */
int online_pages(pfn_t start_pfn, unsigned long nr_pages, enum zone_type zid)
{
	struct zone *zone;
	bool was_populated;
	int nid, ret;

	if ((unsigned int)zid >= MAX_NR_ZONES || zid == ZONE_DMA ||
	    (zid == ZONE_DMA32 && start_pfn + nr_pages > DMA32_PFN_LIMIT))
		return -EINVAL;
	spin_lock(&mem_hotplug_lock);
	ret = check_sections(start_pfn, nr_pages, false, &nid);
	if (ret)
		goto out;
	zone = &NODE_DATA(nid)->node_zones[zid];
	was_populated = populated_zone(zone);
	resize_zone_range(zone, start_pfn, nr_pages);
	for (pfn_t s = start_pfn; s < start_pfn + nr_pages;
	     s += PAGES_PER_SECTION)
		online_section(zone, s);
	recalc_memory_tunables();
	if (!was_populated)
		build_all_zonelists();
out:
	spin_unlock(&mem_hotplug_lock);
	return ret;
}

/* Isolate the MAX_ORDER block at @pfn; -EBUSY if already isolated. */
static int set_migratetype_isolate(pfn_t pfn)
{
	const struct mem_section *ms = __pfn_to_section(pfn);
	struct zone *zone = pfn_zone(pfn);
	unsigned long flags, moved;

	spin_lock_irqsave(&zone->lock, flags);
	if (get_pfnblock_migratetype(ms, pfn) == MIGRATE_ISOLATE) {
		spin_unlock_irqrestore(&zone->lock, flags);
		return -EBUSY;
	}
	set_pageblock_range_migratetype(pfn, pfn + MAX_ORDER_NR_PAGES,
					MIGRATE_ISOLATE);
	moved = move_freepages_block(zone, pfn, pfn + MAX_ORDER_NR_PAGES,
				     MIGRATE_ISOLATE);
	mod_zone_page_state(zone, NR_FREE_PAGES, -(long)moved);
	zone->nr_isolate_pageblock += MAX_ORDER_NR_PAGES / pageblock_nr_pages;
	spin_unlock_irqrestore(&zone->lock, flags);
	return 0;
}

static void unset_migratetype_isolate(pfn_t pfn, int mt)
{
	const struct mem_section *ms = __pfn_to_section(pfn);
	struct zone *zone = pfn_zone(pfn);
	unsigned long flags, moved;

	spin_lock_irqsave(&zone->lock, flags);
	if (get_pfnblock_migratetype(ms, pfn) == MIGRATE_ISOLATE) {
		set_pageblock_range_migratetype(pfn, pfn + MAX_ORDER_NR_PAGES,
						mt);
		moved = move_freepages_block(zone, pfn,
					     pfn + MAX_ORDER_NR_PAGES, mt);
		mod_zone_page_state(zone, NR_FREE_PAGES, (long)moved);
		zone->nr_isolate_pageblock -= MAX_ORDER_NR_PAGES /
					      pageblock_nr_pages;
	}
	spin_unlock_irqrestore(&zone->lock, flags);
}

static bool range_online(pfn_t start, pfn_t end)
{
	for (pfn_t pfn = start; pfn < end; pfn += PAGES_PER_SECTION) {
		const struct mem_section *ms = __nr_to_section(
				pfn_to_section_nr(pfn));

		if (!ms || !(ms->flags & SECTION_ONLINE))
			return false;
	}
	return true;
}

/*
 * Make [start_pfn, end_pfn) (MAX_ORDER_NR_PAGES aligned, online) isolated:
 * no page in it is handed out any more; per-CPU lists are drained.
 * @migratetype is what undo restores.  0, -EINVAL or -EBUSY.
 */
int start_isolate_page_range(pfn_t start_pfn, pfn_t end_pfn,
			     int migratetype)
{
	pfn_t pfn;
	int ret;

	if (start_pfn >= end_pfn ||
	    !IS_ALIGNED(start_pfn | end_pfn, MAX_ORDER_NR_PAGES) ||
	    !range_online(start_pfn & PAGE_SECTION_MASK, end_pfn) ||
	    migratetype >= MIGRATE_PCPTYPES)
		return -EINVAL;
	for (pfn = start_pfn; pfn < end_pfn; pfn += MAX_ORDER_NR_PAGES) {
		ret = set_migratetype_isolate(pfn);
		if (ret) {
			undo_isolate_page_range(start_pfn, pfn, migratetype);
			return ret;
		}
	}
	drain_all_pages(NULL);
	return 0;
}

void undo_isolate_page_range(pfn_t start_pfn, pfn_t end_pfn, int migratetype)
{
	for (pfn_t pfn = start_pfn; pfn < end_pfn; pfn += MAX_ORDER_NR_PAGES)
		unset_migratetype_isolate(pfn, migratetype);
}

/*
 * 0 if the managed pages of [start, end), inside the one section at @sec,
 * are all free buddy blocks, else -EBUSY.  Skips the section's memmap and
 * the holes at its ends; a buddy block never crosses a section.
 */
static int section_pages_free(pfn_t sec, pfn_t start, pfn_t end)
{
	const struct mem_section *ms = __pfn_to_section(sec);
	pfn_t pfn = max(start, sec + ms->valid_start + ms->nr_memmap_pages);

	end = min(end, sec + ms->valid_end);
	while (pfn < end) {
		const struct page *page = pfn_to_page(pfn);

		if (!PageBuddy(page))
			return -EBUSY;
		pfn += 1UL << page->private;
	}
	return 0;
}

/*
 * 0 if every managed page of the isolated range is free, else -EBUSY.
 * Section by section: only sections inside [start_pfn, end_pfn) are
 * looked up (the pfn at end_pfn may have no section, not even a root).
 */
int test_pages_isolated(pfn_t start_pfn, pfn_t end_pfn)
{
	unsigned long flags;
	struct zone *zone;
	pfn_t pfn, sec;
	int ret = 0;

	for (pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages)
		if (get_pfnblock_migratetype(__pfn_to_section(pfn), pfn) !=
		    MIGRATE_ISOLATE)
			return -EBUSY;
	zone = pfn_zone(start_pfn);
	spin_lock_irqsave(&zone->lock, flags);
	for (sec = start_pfn & PAGE_SECTION_MASK; sec < end_pfn && !ret;
	     sec += PAGES_PER_SECTION)
		ret = section_pages_free(sec, max(start_pfn, sec),
					 min(end_pfn, sec + PAGES_PER_SECTION));
	spin_unlock_irqrestore(&zone->lock, flags);
	return ret;
}

static void shrink_zone_span(struct zone *zone, pfn_t start, pfn_t end)
{
	if (!zone->present_pages) {
		zone->zone_start_pfn = 0;
		zone->spanned_pages = 0;
	} else if (start == zone->zone_start_pfn) {
		zone->spanned_pages -= end - start;
		zone->zone_start_pfn = end;
	} else if (end == zone_end_pfn(zone)) {
		zone->spanned_pages -= end - start;
	}
}

/* Take the isolated, all-free range out of its zone. */
static void remove_isolated_range(struct zone *zone, pfn_t start, pfn_t end)
{
	unsigned long flags, removed;

	spin_lock_irqsave(&zone->lock, flags);
	removed = __offline_isolated_pages(zone, start, end);
	zone->nr_isolate_pageblock -= (end - start) / pageblock_nr_pages;
	spin_unlock_irqrestore(&zone->lock, flags);
	zone->managed_pages -= removed;
	totalram_pages -= removed;
	for (pfn_t s = start; s < end; s += PAGES_PER_SECTION) {
		struct mem_section *ms = __pfn_to_section(s);
		unsigned long present = ms->valid_end - ms->valid_start;

		zone->present_pages -= present;
		zone->zone_pgdat->node_present_pages -= present;
		memset(ms->pageblock_flags, 0, sizeof(ms->pageblock_flags));
		set_section_zones(ms, NULL, 0, NULL);
		ms->flags &= ~SECTION_ONLINE;
	}
	shrink_zone_span(zone, start, end);
}

static void offline_failed(pfn_t start, pfn_t end, const char *reason,
			   pfn_t pfn)
{
	mm_log(MM_LOG_WARN, "memory offlining [mem %#lx-%#lx] failed due to "
	       "%s (pfn %#lx: %s)", PFN_PHYS(start), PFN_PHYS(end) - 1,
	       reason, pfn, page_owner_kind(pfn));
}

/* Isolate, migrate, check: 0 with the range isolated and all free. */
static int isolate_and_migrate(struct zone *zone, pfn_t start, pfn_t end,
			       struct migrate_control *mc)
{
	int ret = start_isolate_page_range(start, end, MIGRATE_MOVABLE);

	if (ret) {
		offline_failed(start, end, "failure to isolate range", start);
		return ret;
	}
	ret = do_migrate_range(start, end, mc);
	drain_all_pages(zone);
	if (ret)
		offline_failed(start, end, mc->reason, mc->failed_pfn);
	else if ((ret = test_pages_isolated(start, end)) != 0)
		offline_failed(start, end, "failure to isolate range", start);
	if (ret)
		undo_isolate_page_range(start, end, MIGRATE_MOVABLE);
	return ret;
}

/*
 * Offline [start_pfn, start_pfn + nr_pages) (whole online sections of one
 * zone): refuse if a page cannot move, isolate, migrate anonymous pages
 * out, check all is free, remove from the buddy.  0, -EINVAL, -EBUSY
 * (unmovable page, or pages still in use) or -ENOMEM (no memory to
 * migrate to); on failure the range is online as before.
 */
int offline_pages(pfn_t start_pfn, unsigned long nr_pages)
{
	struct migrate_control mc = { 0, 0, 0, NULL };
	pfn_t end_pfn = start_pfn + nr_pages, bad;
	struct zone *zone;
	int nid, ret;

	spin_lock(&mem_hotplug_lock);
	ret = check_sections(start_pfn, nr_pages, true, &nid);
	if (ret)
		goto out;
	zone = pfn_zone(start_pfn);
	if (zone != pfn_zone(end_pfn - 1) || __pfn_to_section(
			start_pfn)->zone_split) {
		ret = -EINVAL;
		goto out;
	}
	if (has_unmovable_pages(start_pfn, end_pfn, &bad)) {
		dump_page(pfn_to_page(bad), "unmovable page");
		offline_failed(start_pfn, end_pfn, "unmovable page", bad);
		ret = -EBUSY;
		goto out;
	}
	ret = isolate_and_migrate(zone, start_pfn, end_pfn, &mc);
	if (ret)
		goto out;
	remove_isolated_range(zone, start_pfn, end_pfn);
	recalc_memory_tunables();
	if (!populated_zone(zone))
		build_all_zonelists();
	mm_log(MM_LOG_INFO, "Offlined Pages %lu, migrated %lu, swapped out %lu",
	       nr_pages, mc.nr_migrated, mc.nr_swapped);
out:
	spin_unlock(&mem_hotplug_lock);
	return ret;
}
