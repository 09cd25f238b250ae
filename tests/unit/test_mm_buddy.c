/*
 * guest/mm buddy allocator: randomized alloc/free against the invariants,
 * split and coalesce, known-zero tracking, per-CPU lists, fallback,
 * watermark failures, online/isolate/offline.
 */
#include <check.h>
#include <stdlib.h>

#include "guest/mm/mm_internal.h"
#include "mm_check.h"

#define MiB (1UL << 20)
#define GiB (1UL << 30)

static char why[256];

static void boot_small(void)
{
	static const struct mm_stub_range map[] = {
		{ 0, 640 << 10, 0 }, { MiB, 63 * MiB, 0 },
	};

	mm_stub_boot(map, 2, 2 * MiB);
}

static unsigned long rng_state;

static unsigned long rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const gfp_t random_gfps[] = {
	GFP_KERNEL, GFP_ATOMIC, GFP_KERNEL | __GFP_MOVABLE,
	GFP_KERNEL | __GFP_RECLAIMABLE, GFP_KERNEL | __GFP_DMA,
	GFP_KERNEL | __GFP_DMA32, GFP_KERNEL | __GFP_ZERO,
	GFP_HIGHUSER_MOVABLE | __GFP_ZERO,
};

static bool block_is_zero(struct page *page, unsigned int order)
{
	const unsigned long *p = page_address(page);

	for (unsigned long i = 0; i < (PAGE_SIZE << order) / 8; i++)
		if (p[i])
			return false;
	return true;
}

static void random_run(unsigned long seed, int steps)
{
	struct mm_check_block blocks[512];
	size_t n = 0;

	rng_state = seed;
	boot_small();
	ck_assert_msg(!mm_check_set_baseline(why, sizeof(why)), "%s", why);
	for (int step = 0; step < steps; step++) {
		if (n < ARRAY_SIZE(blocks) && (n == 0 || rnd() % 100 < 55)) {
			unsigned int order = rnd() % 4 ? rnd() % 3 :
							  rnd() % MAX_ORDER;
			gfp_t gfp = random_gfps[rnd() % ARRAY_SIZE(random_gfps)]
				    | __GFP_NOWARN;
			struct page *page = alloc_pages(gfp, order);

			if (!page)
				continue;
			ck_assert_int_eq(page_count(page), 1);
			if (gfp & __GFP_ZERO)
				ck_assert(block_is_zero(page, order));
			if (gfp & __GFP_DMA)
				ck_assert_uint_lt(page_to_pfn(page), 4096);
			memset(page_address(page), 0x5a, PAGE_SIZE);
			blocks[n].page = page;
			blocks[n++].order = order;
		} else {
			size_t i = rnd() % n;

			if (rnd() % 8 == 0)
				mm_stub_cpu = (unsigned int)(rnd() % NR_CPUS);
			__free_pages(blocks[i].page, blocks[i].order);
			blocks[i] = blocks[--n];
		}
		ck_assert_msg(!mm_check_all(blocks, n, true, why, sizeof(why)),
			      "seed %lu step %d: %s", seed, step, why);
	}
	while (n) {
		n--;
		__free_pages(blocks[n].page, blocks[n].order);
	}
	drain_all_pages(NULL);
	ck_assert_msg(!mm_check_all(NULL, 0, true, why, sizeof(why)), "%s",
		      why);
}

START_TEST(test_random_alloc_free)
{
	random_run(0x9e3779b97f4a7c15UL + (unsigned long)_i * 7919, 1500);
}
END_TEST

START_TEST(test_split_and_coalesce)
{
	unsigned long before[MAX_ORDER];
	struct zone *zone;
	struct page *page, *a, *b;

	boot_small();
	zone = &NODE_DATA(0)->node_zones[ZONE_DMA32];
	for (int o = 0; o < MAX_ORDER; o++)
		before[o] = zone->free_area[o].nr_free;
	page = alloc_pages(GFP_KERNEL | __GFP_DMA32, 10);
	ck_assert_ptr_nonnull(page);
	ck_assert_uint_eq(zone->free_area[10].nr_free, before[10] - 1);
	ck_assert_uint_eq(page_to_pfn(page) % 1024, 0);
	__free_pages(page, 10);
	ck_assert_uint_eq(zone->free_area[10].nr_free, before[10]);
	a = alloc_pages(GFP_KERNEL | __GFP_DMA32, 3);
	b = alloc_pages(GFP_KERNEL | __GFP_DMA32, 3);
	ck_assert_uint_eq(page_to_pfn(a) % 8, 0);
	ck_assert_uint_ne(page_to_pfn(a), page_to_pfn(b));
	__free_pages(a, 3);
	__free_pages(b, 3);
	for (int o = 0; o < MAX_ORDER; o++)
		ck_assert_uint_eq(zone->free_area[o].nr_free, before[o]);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
}
END_TEST

START_TEST(test_known_zero)
{
	unsigned long skipped, cleared;
	struct page *page;
	char *p;

	boot_small();
	skipped = global_vm_event(PGZERO_SKIPPED);
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
	ck_assert(page_known_zero(page));	/* flags reset at alloc */
	ck_assert_uint_eq(global_vm_event(PGZERO_SKIPPED), skipped + 4);
	p = page_address(page);
	memset(p, 0xff, 4 * PAGE_SIZE);
	__free_pages(page, 2);
	/* the same block comes back dirty and must be cleared */
	cleared = global_vm_event(PGZERO_CLEARED);
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
	ck_assert(block_is_zero(page, 2));
	ck_assert_uint_eq(global_vm_event(PGZERO_CLEARED), cleared + 4);
	/* freed as known zero: next __GFP_ZERO skips again */
	free_pages_known_zero(page, 2);
	skipped = global_vm_event(PGZERO_SKIPPED);
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
	ck_assert_uint_eq(global_vm_event(PGZERO_SKIPPED), skipped + 4);
	__free_pages(page, 2);
}
END_TEST

START_TEST(test_known_zero_merge)
{
	struct page *a, *b;

	boot_small();
	a = alloc_pages(GFP_KERNEL | __GFP_DMA32, 10);
	b = a + 512;			/* split it like split_page() */
	set_page_count(b, 1);
	__free_pages(a, 9);		/* dirty */
	ck_assert(!page_known_zero(a));
	free_pages_known_zero(b, 9);	/* zero */
	/* the merged order-10 block is not known zero */
	ck_assert(PageBuddy(a));
	ck_assert_uint_eq(a->private, 10);
	ck_assert(!page_known_zero(a));
	ck_assert_uint_eq(b->flags | b->private, 0);
	/* both halves zero: the merged block is */
	a = alloc_pages(GFP_KERNEL | __GFP_DMA32, 10);
	b = a + 512;
	set_page_count(b, 1);
	memset(page_address(a), 0, PAGE_SIZE << 9);
	free_pages_known_zero(a, 9);
	free_pages_known_zero(b, 9);
	ck_assert(PageBuddy(a) && a->private == 10 && page_known_zero(a));
}
END_TEST

/* An order-10 block cut into 64 order-4 blocks, as pageout frees chunks. */
static struct page *alloc_chunks(void)
{
	struct page *a = alloc_pages(GFP_KERNEL | __GFP_DMA32, 10);

	ck_assert_ptr_nonnull(a);
	memset(page_address(a), 0, PAGE_SIZE << 10);
	for (unsigned long i = 16; i < 1024; i += 16)
		set_page_count(a + i, 1);
	return a;
}

static void run_add(struct free_run *r, struct page *page, bool zero)
{
	ck_assert(put_page_testzero(page));
	free_run_add(r, page, 4, zero);
}

START_TEST(test_free_run)
{
	struct free_run r = { .nr = 0 };
	unsigned long free0, ev;
	struct zone *zone;
	struct page *a;

	boot_small();
	zone = &NODE_DATA(0)->node_zones[ZONE_DMA32];
	free0 = zone_page_state(zone, NR_FREE_PAGES);
	ev = global_vm_event(PGFREE);
	/* in order, all zero: one order-10 block again, known zero */
	a = alloc_chunks();
	for (unsigned long i = 0; i < 1024; i += 16)
		run_add(&r, a + i, true);
	ck_assert_uint_eq(r.nr, 1024);		/* one run */
	free_run_flush(&r);
	ck_assert_uint_eq(r.nr, 0);
	ck_assert(PageBuddy(a) && a->private == 10 && page_known_zero(a));
	ck_assert_uint_eq(zone_page_state(zone, NR_FREE_PAGES), free0);
	ck_assert_uint_eq(global_vm_event(PGFREE), ev + 1024);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
	/* backwards, and one dirty chunk: runs break, the buddy still
	 * merges the whole block back, not known zero */
	a = alloc_chunks();
	for (unsigned long i = 1024; i; i -= 16)
		run_add(&r, a + i - 16, i != 512);
	free_run_flush(&r);
	ck_assert(PageBuddy(a) && a->private == 10 && !page_known_zero(a));
	ck_assert_uint_eq(zone_page_state(zone, NR_FREE_PAGES), free0);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
	/* a chunk still referenced stays out; the rest go around it */
	a = alloc_chunks();
	get_page(a + 32);
	for (unsigned long i = 0; i < 1024; i += 16)
		if (put_page_testzero(a + i))
			free_run_add(&r, a + i, 4, true);
	free_run_flush(&r);
	ck_assert_int_eq(page_count(a + 32), 1);
	ck_assert_uint_eq(zone_page_state(zone, NR_FREE_PAGES), free0 - 16);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
	free_pages_known_zero(a + 32, 4);
	ck_assert(PageBuddy(a) && a->private == 10 && page_known_zero(a));
	ck_assert_uint_eq(zone_page_state(zone, NR_FREE_PAGES), free0);
}
END_TEST

START_TEST(test_pcp_lists)
{
	struct zone *zone;
	struct page *page;
	unsigned long free;

	boot_small();
	drain_all_pages(NULL);  /* boot may leave a spare page on a pcp list */
	zone = &NODE_DATA(0)->node_zones[ZONE_DMA32];
	ck_assert_int_gt(zone->pcp[0].batch, 0);
	free = zone_page_state(zone, NR_FREE_PAGES);
	page = alloc_page(GFP_KERNEL);
	ck_assert_int_eq(zone->pcp[0].count, zone->pcp[0].batch - 1);
	ck_assert_uint_eq(zone_page_state(zone, NR_FREE_PAGES),
			  free - (unsigned long)zone->pcp[0].batch);
	__free_page(page);
	ck_assert_int_eq(zone->pcp[0].count, zone->pcp[0].batch);
	mm_stub_cpu = 3;
	page = alloc_page(GFP_KERNEL);
	ck_assert_int_eq(zone->pcp[3].count, zone->pcp[3].batch - 1);
	__free_page(page);
	drain_all_pages(NULL);
	ck_assert_int_eq(zone->pcp[0].count, 0);
	ck_assert_int_eq(zone->pcp[3].count, 0);
	ck_assert_uint_eq(zone_page_state(zone, NR_FREE_PAGES), free);
}
END_TEST

START_TEST(test_fallback_steal)
{
	struct page *pages[64];
	int movable_before, unmovable_after = 0;

	boot_small();
	/* boot pageblocks are all movable; unmovable must steal */
	movable_before = get_pfnblock_migratetype(__pfn_to_section(8192),
						  8192);
	ck_assert_int_eq(movable_before, MIGRATE_MOVABLE);
	for (int i = 0; i < 64; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	for (int i = 0; i < 64; i++) {
		pfn_t pfn = page_to_pfn(pages[i]);

		if (get_pfnblock_migratetype(__pfn_to_section(pfn), pfn) ==
		    MIGRATE_UNMOVABLE)
			unmovable_after++;
	}
	ck_assert_int_eq(unmovable_after, 64);
	for (int i = 0; i < 64; i++)
		__free_page(pages[i]);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
}
END_TEST

START_TEST(test_exhaustion_and_watermarks)
{
	struct mm_check_block *blocks = calloc(70000, sizeof(*blocks));
	struct zone *zone;
	size_t n = 0;
	unsigned long warn;
	struct page *page;

	boot_small();
	ck_assert_msg(!mm_check_set_baseline(why, sizeof(why)), "%s", why);
	while ((page = alloc_page(GFP_KERNEL | __GFP_NOWARN))) {
		blocks[n].page = page;
		blocks[n++].order = 0;
	}
	zone = &NODE_DATA(0)->node_zones[ZONE_DMA32];
	/* GFP_KERNEL stops at min + lowmem reserve... */
	ck_assert_uint_le(zone_page_state(zone, NR_FREE_PAGES),
			  min_wmark_pages(zone) + 1);
	warn = mm_stub_nr_warnings;
	ck_assert_ptr_null(alloc_page(GFP_KERNEL));
	ck_assert_uint_eq(mm_stub_nr_warnings, warn + 1);
	ck_assert_ptr_null(alloc_page(GFP_KERNEL | __GFP_NOWARN));
	ck_assert_uint_eq(mm_stub_nr_warnings, warn + 1);
	/* ...GFP_ATOMIC may go below it */
	page = alloc_page(GFP_ATOMIC);
	ck_assert_ptr_nonnull(page);
	blocks[n].page = page;
	blocks[n++].order = 0;
	ck_assert_msg(!mm_check_all(blocks, n, true, why, sizeof(why)), "%s",
		      why);
	while (n--)
		__free_pages(blocks[n].page, 0);
	free(blocks);
}
END_TEST

START_TEST(test_order_too_big)
{
	boot_small();
	ck_assert_ptr_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER));
}
END_TEST

static unsigned long reclaim_calls;

static unsigned long fake_reclaim(gfp_t gfp, unsigned int order)
{
	reclaim_calls++;
	return 0;
}

START_TEST(test_reclaim_hook)
{
	struct page *page;
	int n = 0;

	boot_small();
	mm_hooks.try_to_free_pages = fake_reclaim;
	while ((page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 4)))
		n++;
	ck_assert_int_gt(n, 0);
	ck_assert_uint_ge(reclaim_calls, 1);
	ck_assert_ptr_null(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 10));
}
END_TEST

/* Hot-add one section at 4 GiB, online it: O(blocks), known zero. */
static pfn_t hot_add(enum zone_type zid)
{
	pfn_t start = PHYS_PFN(4 * GiB);

	ck_assert_int_eq(sparse_add_section(0, start, MEMMAP_ON_MEMORY), 0);
	ck_assert_int_eq(online_pages(start, PAGES_PER_SECTION, zid), 0);
	return start;
}

START_TEST(test_online_pages)
{
	struct zone *zone;
	pfn_t start;
	struct page *page;

	boot_small();
	start = hot_add(ZONE_MOVABLE);
	zone = &NODE_DATA(0)->node_zones[ZONE_MOVABLE];
	ck_assert_uint_eq(zone->present_pages, PAGES_PER_SECTION);
	ck_assert_uint_eq(zone->managed_pages,
			  PAGES_PER_SECTION - SECTION_MEMMAP_PAGES);
	ck_assert_uint_eq(zone->free_area[10].nr_free, 31);
	ck_assert_uint_eq(zone->free_area[9].nr_free, 1);
	ck_assert_uint_eq(zone_page_state(zone, NR_FREE_PAGES),
			  zone->managed_pages);
	ck_assert_uint_eq(zone->zone_start_pfn, start);
	/* tails were never written: memmap page 1 .. still zero */
	page = pfn_to_page(start + SECTION_MEMMAP_PAGES + 1);
	ck_assert_uint_eq(page->flags | page->private, 0);
	ck_assert(page_zone(page) == zone);
	/* movable allocations land there, known zero */
	page = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	ck_assert(page_zone(page) == zone);
	__free_page(page);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
	ck_assert_int_eq(online_pages(start, PAGES_PER_SECTION, ZONE_MOVABLE),
			 -EBUSY);
	ck_assert_int_eq(sparse_remove_section(start), -EBUSY);
}
END_TEST

START_TEST(test_isolate_offline)
{
	struct zone *zone;
	struct page *page;
	pfn_t start;
	unsigned long free;

	boot_small();
	start = hot_add(ZONE_MOVABLE);
	zone = &NODE_DATA(0)->node_zones[ZONE_MOVABLE];
	free = zone_page_state(zone, NR_FREE_PAGES);
	ck_assert_int_eq(start_isolate_page_range(start, start + 2048,
						  MIGRATE_MOVABLE), 0);
	ck_assert_uint_eq(zone_page_state(zone, NR_FREE_PAGES),
			  free - (2048 - SECTION_MEMMAP_PAGES));
	ck_assert_int_eq(test_pages_isolated(start, start + 2048), 0);
	undo_isolate_page_range(start, start + 2048, MIGRATE_MOVABLE);
	ck_assert_uint_eq(zone_page_state(zone, NR_FREE_PAGES), free);
	/* an allocated page blocks offlining; freeing it unblocks */
	page = alloc_page(GFP_HIGHUSER_MOVABLE);
	ck_assert(page_zone(page) == zone);
	ck_assert_int_eq(offline_pages(start, PAGES_PER_SECTION), -EBUSY);
	ck_assert_uint_eq(zone_page_state(zone, NR_FREE_PAGES), free -
			  (unsigned long)zone->pcp[0].count - 1);
	__free_page(page);
	ck_assert_int_eq(offline_pages(start, PAGES_PER_SECTION), 0);
	ck_assert_uint_eq(zone->managed_pages, 0);
	ck_assert_uint_eq(zone->present_pages, 0);
	ck_assert_uint_eq(zone_page_state(zone, NR_FREE_PAGES), 0);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
	ck_assert_int_eq(sparse_remove_section(start), 0);
	ck_assert(!pfn_valid(start));
	/* re-add: fresh DIMM memory */
	mm_stub_discard(PFN_PHYS(start), PFN_PHYS(PAGES_PER_SECTION));
	hot_add(ZONE_NORMAL);
	ck_assert_uint_eq(NODE_DATA(0)->node_zones[ZONE_NORMAL].managed_pages,
			  PAGES_PER_SECTION - SECTION_MEMMAP_PAGES);
}
END_TEST

extern Suite *mm_buddy_suite(void);

Suite *mm_buddy_suite(void)
{
	Suite *s = suite_create("mm_buddy");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_random_alloc_free, 0, 4);
	tcase_add_test(tc, test_split_and_coalesce);
	tcase_add_test(tc, test_known_zero);
	tcase_add_test(tc, test_known_zero_merge);
	tcase_add_test(tc, test_free_run);
	tcase_add_test(tc, test_pcp_lists);
	tcase_add_test(tc, test_fallback_steal);
	tcase_add_test(tc, test_exhaustion_and_watermarks);
	tcase_add_test(tc, test_order_too_big);
	tcase_add_test(tc, test_reclaim_hook);
	tcase_add_test(tc, test_online_pages);
	tcase_add_test(tc, test_isolate_offline);
	suite_add_tcase(s, tc);
	return s;
}
