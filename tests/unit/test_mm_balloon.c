/*
 * guest/mm for the balloon and the OOM killer: PFN array fill, inflate in
 * large blocks and deflate with splits (balloon.c), free page reporting's
 * isolate/putback bookkeeping (page_reporting.c), badness and victim
 * choice (oom_kill.c), and the allocator's OOM hook (page_alloc.c).
 * The buddy invariants are checked after every step.
 */
#include <check.h>
#include <limits.h>
#include <stdlib.h>

#include "guest/mm/mm_internal.h"
#include "mm_check.h"

#define MiB (1UL << 20)
#define GFP_FREE ((GFP_HIGHUSER_MOVABLE & ~__GFP_DIRECT_RECLAIM) | \
		  __GFP_NORETRY)

static char why[256];
static uint32_t pfns[65536];

static void boot_small(void)
{
	static const struct mm_stub_range map[] = {
		{ 0, 640 << 10, 0 }, { MiB, 63 * MiB, 0 },
	};

	mm_stub_boot(map, 2, 2 * MiB);
}

/* Inflate until the allocator has nothing left above min, pcp included. */
static void inflate_all(struct balloon_dev_info *b)
{
	do {
		while (balloon_inflate(b, GFP_FREE, pfns, 8192))
			;
		drain_all_pages(NULL);
	} while (balloon_inflate(b, GFP_FREE, pfns, 8192));
}

static void check_invariants(void)
{
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
}

START_TEST(test_fill_pfns)
{
	uint32_t buf[1100];

	for (unsigned int off = 0; off < 3; off++) {
		for (unsigned long n = 0; n < 1030; n += (n < 20 ? 1 : 97)) {
			memset(buf, 0xee, sizeof(buf));
			balloon_fill_pfns(buf + off, 0x12345, n);
			for (unsigned long i = 0; i < n; i++)
				ck_assert_uint_eq(buf[off + i], 0x12345 + i);
			ck_assert_uint_eq(buf[off + n], 0xeeeeeeee);
			if (off)
				ck_assert_uint_eq(buf[off - 1], 0xeeeeeeee);
		}
	}
}
END_TEST

/* PFNs come in runs of 512 (order-9 blocks) while 2 MiB blocks last. */
START_TEST(test_inflate_large_blocks)
{
	struct balloon_dev_info b;
	unsigned long free0, got;

	boot_small();
	balloon_init(&b);
	free0 = global_page_state(NR_FREE_PAGES);
	got = balloon_inflate(&b, GFP_FREE, pfns, 4096);
	ck_assert_uint_eq(got, 4096);
	ck_assert_uint_eq(b.nr_pages, 4096);
	for (unsigned long i = 0; i < got; i += 512) {
		ck_assert_uint_eq(pfns[i] % 512, 0);
		for (unsigned long j = 1; j < 512; j++)
			ck_assert_uint_eq(pfns[i + j], pfns[i] + j);
	}
	ck_assert_uint_eq(free0 - global_page_state(NR_FREE_PAGES), 4096);
	ck_assert_uint_eq(global_vm_event(BALLOON_INFLATE), 4096);
	check_invariants();
	/* a small remainder: smaller blocks, exact count */
	got = balloon_inflate(&b, GFP_FREE, pfns, 77);
	ck_assert_uint_eq(got, 77);
	ck_assert_uint_eq(b.nr_pages, 4096 + 77);
	check_invariants();
}
END_TEST

/* Everything free, down to the min watermark; then deflate with splits. */
START_TEST(test_inflate_all_then_deflate)
{
	struct balloon_dev_info b;
	struct list_head out = LIST_HEAD_INIT(out);
	unsigned long free0, got, total = 0, back;

	boot_small();
	balloon_init(&b);
	drain_all_pages(NULL);
	free0 = global_page_state(NR_FREE_PAGES);
	while ((got = balloon_inflate(&b, GFP_FREE, pfns, 8192)) != 0)
		total += got;
	ck_assert_uint_eq(total, b.nr_pages);
	ck_assert_uint_gt(total, free0 - 2048);
	ck_assert_uint_lt(b.order, BALLOON_MAX_ORDER);	/* ran out of 2 MiB */
	check_invariants();

	back = balloon_deflate(&b, pfns, 1000, &out);	/* splits a block */
	ck_assert_uint_eq(back, 1000);
	ck_assert_uint_eq(b.nr_pages, total - 1000);
	balloon_release(&out, false);
	ck_assert(list_empty(&out));
	check_invariants();
	while ((got = balloon_deflate(&b, pfns, 8192, &out)) != 0)
		balloon_release(&out, false);
	ck_assert_uint_eq(b.nr_pages, 0);
	ck_assert_uint_eq(global_vm_event(BALLOON_DEFLATE), total);
	drain_all_pages(NULL);
	ck_assert_uint_eq(global_page_state(NR_FREE_PAGES), free0);
	check_invariants();
}
END_TEST

/* Deflated pages the host zeroed come back known zero. */
START_TEST(test_deflate_known_zero)
{
	struct balloon_dev_info b;
	struct list_head out = LIST_HEAD_INIT(out);
	struct page *page;

	boot_small();
	balloon_init(&b);
	ck_assert_uint_eq(balloon_inflate(&b, GFP_FREE, pfns, 512), 512);
	memset(page_address(pfn_to_page(pfns[0])), 0x5a, 512 * PAGE_SIZE);
	mm_stub_discard(PFN_PHYS(pfns[0]), 512 * PAGE_SIZE);	/* the host */
	ck_assert_uint_eq(balloon_deflate(&b, pfns, 512, &out), 512);
	balloon_release(&out, true);
	page = pfn_to_page(pfns[0]);
	ck_assert(PageBuddy(page) && page_known_zero(page));
	check_invariants();
}
END_TEST

static unsigned long notified;

static void count_notify(void)
{
	notified++;
}

START_TEST(test_page_reporting)
{
	struct page *blocks[PAGE_REPORTING_CAPACITY], *page;
	unsigned long free0, taken = 0;
	unsigned int n;

	static const struct mm_stub_range map[] = {
		{ 0, 640 << 10, 0 }, { MiB, 255 * MiB, 0 },
	};

	mm_stub_boot(map, 2, 2 * MiB);
	mm_hooks.page_reporting_notify = count_notify;
	free0 = global_page_state(NR_FREE_PAGES);
	n = page_reporting_isolate(blocks, PAGE_REPORTING_CAPACITY);
	ck_assert_uint_gt(n, 0);
	for (unsigned int i = 0; i < n; i++) {
		ck_assert_uint_ge(blocks[i]->private, PAGE_REPORTING_MIN_ORDER);
		ck_assert(!PageBuddy(blocks[i]));
		taken += 1UL << blocks[i]->private;
	}
	ck_assert_uint_eq(free0 - global_page_state(NR_FREE_PAGES), taken);
	/* a report never leaves less than low + a full report free */
	ck_assert_uint_ge(global_page_state(NR_FREE_PAGES),
			  (PAGE_REPORTING_CAPACITY << PAGE_REPORTING_MIN_ORDER));
	check_invariants();
	page_reporting_putback(blocks, n, true);
	ck_assert_uint_eq(global_page_state(NR_FREE_PAGES), free0);
	for (unsigned int i = 0; i < n; i++)
		ck_assert(PageBuddy(blocks[i]) && PageReported(blocks[i]) &&
			  page_known_zero(blocks[i]));
	check_invariants();
	/* reported blocks are skipped: only what was left over is taken */
	while ((n = page_reporting_isolate(blocks, PAGE_REPORTING_CAPACITY)))
		page_reporting_putback(blocks, n, false);
	ck_assert_uint_eq(page_reporting_isolate(blocks, 1), 0);
	/* a freed 2 MiB block is news: notified, reported again */
	notified = 0;
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 9);
	ck_assert_ptr_nonnull(page);
	__free_pages(page, 9);
	ck_assert_uint_ge(notified, 1);
	n = page_reporting_isolate(blocks, PAGE_REPORTING_CAPACITY);
	ck_assert_uint_ge(n, 1);
	page_reporting_putback(blocks, n, false);
	check_invariants();
}
END_TEST

START_TEST(test_oom_badness_and_select)
{
	struct oom_candidate c[4] = {
		{ .pid = 2, .rss = 16384, .pgtables = 10 },
		{ .pid = 3, .rss = 32768, .pgtables = 20 },
		{ .pid = 4, .rss = 8192, .pgtables = 5 },
		{ .pid = 5, .rss = 32768, .pgtables = 20 },
	};
	unsigned long total = 131072;

	ck_assert_int_eq(oom_badness(&c[0], total), 16394);
	ck_assert_int_eq(oom_select(c, 4, total), 3);	/* tie: the later */
	c[3].oom_score_adj = OOM_SCORE_ADJ_MIN;
	ck_assert_int_eq(oom_badness(&c[3], total), LONG_MIN);
	ck_assert_int_eq(oom_select(c, 4, total), 1);
	c[1].oom_score_adj = -500;			/* - 65500 pages */
	ck_assert_int_eq(oom_select(c, 4, total), 0);
	c[2].oom_score_adj = 1000;			/* + all memory */
	ck_assert_int_eq(oom_select(c, 4, total), 2);
	ck_assert_uint_eq(oom_score(&c[3], total), 0);
	ck_assert_uint_gt(oom_score(&c[2], total), oom_score(&c[0], total));
	for (int i = 0; i < 4; i++)
		c[i].oom_score_adj = OOM_SCORE_ADJ_MIN;
	ck_assert_int_eq(oom_select(c, 4, total), -1);
	ck_assert_int_eq(oom_select(c, 0, total), -1);
}
END_TEST

/* The OOM hook "kills" by freeing a block the test holds. */
static struct page *victim;
static unsigned long oom_calls;

static bool fake_oom(gfp_t gfp, unsigned int order)
{
	oom_calls++;
	if (!victim)
		return false;
	__free_pages(victim, 9);
	victim = NULL;
	return true;
}

START_TEST(test_oom_hook)
{
	struct balloon_dev_info b;
	struct page *page;

	boot_small();
	victim = alloc_pages(GFP_HIGHUSER_MOVABLE, 9);
	ck_assert_ptr_nonnull(victim);
	balloon_init(&b);
	inflate_all(&b);
	mm_hooks.out_of_memory = fake_oom;
	oom_calls = 0;
	ck_assert_ptr_null(alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NORETRY |
				       __GFP_NOWARN, 0));
	ck_assert_ptr_null(alloc_pages(GFP_NOWAIT | __GFP_NOWARN, 0));
	ck_assert_uint_eq(oom_calls, 0);
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);	/* kills the victim */
	ck_assert_ptr_nonnull(page);
	ck_assert_uint_eq(oom_calls, 1);
	__free_pages(page, 0);
	inflate_all(&b);
	ck_assert_ptr_null(alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0));
	ck_assert_uint_eq(oom_calls, 2);		/* nothing left */
	check_invariants();
}
END_TEST

Suite *mm_balloon_suite(void)
{
	Suite *s = suite_create("mm_balloon");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fill_pfns);
	tcase_add_test(tc, test_inflate_large_blocks);
	tcase_add_test(tc, test_inflate_all_then_deflate);
	tcase_add_test(tc, test_deflate_known_zero);
	tcase_add_test(tc, test_page_reporting);
	tcase_add_test(tc, test_oom_badness_and_select);
	tcase_add_test(tc, test_oom_hook);
	suite_add_tcase(s, tc);
	return s;
}
