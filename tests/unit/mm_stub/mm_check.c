/*
 * Buddy allocator consistency checks for the unit tests: see mm_check.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mm_check.h"

/* Pages allocated by others (mm itself: slab caches) at the baseline. */
static unsigned long baseline[MAX_NUMNODES * MAX_NR_ZONES];

struct checker {
	unsigned char *seen;	/* one byte per pfn: 0 unseen, 1 seen */
	pfn_t max_pfn;
	char *why;
	size_t why_len;
	unsigned long per_zone[MAX_NUMNODES * MAX_NR_ZONES]; /* allocated */
	bool baseline_run;	/* record, do not compare */
};

#define FAIL(c, ...)						\
	do {							\
		snprintf((c)->why, (c)->why_len, __VA_ARGS__);	\
		return -1;					\
	} while (0)

static int zone_slot(const struct zone *zone)
{
	return zone->zone_pgdat->node_id * MAX_NR_ZONES + zone_idx(zone);
}

static int mark(struct checker *c, pfn_t pfn, unsigned long nr,
		const char *what)
{
	for (unsigned long i = 0; i < nr; i++) {
		if (pfn + i >= c->max_pfn || !pfn_valid(pfn + i))
			FAIL(c, "%s: pfn %#lx invalid", what, pfn + i);
		if (c->seen[pfn + i])
			FAIL(c, "%s: pfn %#lx seen twice", what, pfn + i);
		c->seen[pfn + i] = 1;
	}
	return 0;
}

static int check_free_block(struct checker *c, struct zone *zone,
			    struct page *page, unsigned int order)
{
	pfn_t pfn = page_to_pfn(page), buddy = pfn ^ (1UL << order);

	if (!PageBuddy(page) || page->private != order)
		FAIL(c, "pfn %#lx on order-%u list: flags %#lx private %lu",
		     pfn, order, page->flags, page->private);
	if (pfn & ((1UL << order) - 1))
		FAIL(c, "pfn %#lx misaligned for order %u", pfn, order);
	if (page_zone(page) != zone)
		FAIL(c, "pfn %#lx in the wrong zone", pfn);
	if (mark(c, pfn, 1UL << order, "free block"))
		return -1;
	for (unsigned long i = 1; i < (1UL << order); i++)
		if (page[i].flags || page[i]._count || page[i].private)
			FAIL(c, "free tail pfn %#lx dirty", pfn + i);
	if (order < MAX_ORDER - 1 && pfn_valid(buddy) &&
	    (buddy >> PFN_SECTION_SHIFT) == (pfn >> PFN_SECTION_SHIFT)) {
		struct page *b = pfn_to_page(buddy);

		if (PageBuddy(b) && b->private == order)
			FAIL(c, "buddies %#lx and %#lx of order %u not merged",
			     pfn, buddy, order);
	}
	return 0;
}

static int check_zone_free(struct checker *c, struct zone *zone,
			   unsigned long *free, unsigned long *iso)
{
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		unsigned long blocks = 0;

		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct page *page;

			list_for_each_entry(page,
					    &zone->free_area[o].free_list[mt],
					    lru) {
				if (check_free_block(c, zone, page, o))
					return -1;
				blocks++;
				if (mt == MIGRATE_ISOLATE)
					*iso += 1UL << o;
				else
					*free += 1UL << o;
			}
		}
		if (blocks != zone->free_area[o].nr_free)
			FAIL(c, "%s order %u: nr_free %lu, listed %lu",
			     zone->name, o, zone->free_area[o].nr_free,
			     blocks);
	}
	return 0;
}

static int check_zone_pcp(struct checker *c, struct zone *zone,
			  unsigned long *pcp_pages)
{
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct per_cpu_pages *pcp = &zone->pcp[cpu];
		long n = 0;

		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
			struct page *page;

			list_for_each_entry(page, &pcp->lists[mt], lru) {
				if (PageBuddy(page) || page_zone(page) != zone)
					FAIL(c, "bad pcp page");
				if (mark(c, page_to_pfn(page), 1, "pcp page"))
					return -1;
				n++;
			}
		}
		if (n != pcp->count)
			FAIL(c, "pcp count %d, listed %ld", pcp->count, n);
		*pcp_pages += (unsigned long)n;
	}
	return 0;
}

static int check_zone(struct checker *c, struct zone *zone, bool exact)
{
	unsigned long free = 0, iso = 0, pcp = 0;

	if (check_zone_free(c, zone, &free, &iso) ||
	    check_zone_pcp(c, zone, &pcp))
		return -1;
	if (free != zone_page_state(zone, NR_FREE_PAGES))
		FAIL(c, "%s: NR_FREE_PAGES %lu, listed %lu", zone->name,
		     zone_page_state(zone, NR_FREE_PAGES), free);
	if (c->baseline_run) {
		baseline[zone_slot(zone)] = zone->managed_pages - free - iso -
					    pcp - c->per_zone[zone_slot(zone)];
		return 0;
	}
	if (exact && zone->managed_pages != free + iso + pcp +
	    c->per_zone[zone_slot(zone)] + baseline[zone_slot(zone)])
		FAIL(c, "%s: managed %lu != free %lu + iso %lu + pcp %lu + "
		     "allocated %lu", zone->name, zone->managed_pages, free,
		     iso, pcp, c->per_zone[zone_slot(zone)]);
	return 0;
}

static pfn_t max_zone_pfn(void)
{
	pfn_t max = 0;
	struct zone *zone;

	for_each_zone(zone)
		if (zone_end_pfn(zone) > max)
			max = zone_end_pfn(zone);
	return max;
}

static int check_all(const struct mm_check_block *alloc, size_t n,
		     bool exact, char *why, size_t why_len, bool record)
{
	struct checker c = { .why = why, .why_len = why_len,
			     .baseline_run = record };
	struct zone *zone;
	int ret = 0;

	c.max_pfn = max_zone_pfn();
	c.seen = calloc(c.max_pfn + 1, 1);
	if (!c.seen)
		abort();
	for (size_t i = 0; i < n && !ret; i++) {
		ret = mark(&c, page_to_pfn(alloc[i].page), 1UL << alloc[i].order,
			   "allocated block");
		if (!ret)
			c.per_zone[zone_slot(page_zone(alloc[i].page))] +=
				1UL << alloc[i].order;
	}
	for_each_zone(zone)
		if (!ret && zone->pcp_ready)
			ret = check_zone(&c, zone, exact);
	free(c.seen);
	return ret;
}

int mm_check_all(const struct mm_check_block *alloc, size_t n, bool exact,
		 char *why, size_t why_len)
{
	return check_all(alloc, n, exact, why, why_len, false);
}

int mm_check_set_baseline(char *why, size_t why_len)
{
	return check_all(NULL, 0, false, why, why_len, true);
}

unsigned long mm_check_pcp_pages(void)
{
	unsigned long n = 0;
	struct zone *zone;

	for_each_zone(zone)
		for (int cpu = 0; cpu < NR_CPUS; cpu++)
			n += (unsigned long)zone->pcp[cpu].count;
	return n;
}
