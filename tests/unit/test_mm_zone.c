/*
 * guest/mm zones: watermark and lowmem_reserve arithmetic against the
 * formulas for several memory sizes, pcp sizing, and the /proc texts.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest/mm/mm_internal.h"

#define MiB (1UL << 20)
#define GiB (1UL << 30)

static const phys_addr_t sizes[] = {
	32 * MiB, 256 * MiB, 2 * GiB, 6 * GiB,
};

static void boot_size(phys_addr_t size)
{
	struct mm_stub_range map[2] = {
		{ 0, min(size, 3 * GiB), 0 },
		{ 4 * GiB, size > 3 * GiB ? size - 3 * GiB : 0, 0 },
	};

	mm_stub_boot(map, size > 3 * GiB ? 2 : 1, 2 * MiB);
}

START_TEST(test_int_sqrt)
{
	for (unsigned long x = 0; x < 100000; x += 7)
		ck_assert_uint_eq(int_sqrt(x), (unsigned long)sqrtl(x));
	ck_assert_uint_eq(int_sqrt(1UL << 62), 1UL << 31);
}
END_TEST

START_TEST(test_watermarks)
{
	struct zone *zones = NODE_DATA(0)->node_zones;
	unsigned long lowmem = 0, expect_kb, pages_min;

	boot_size(sizes[_i]);
	for (int z = 0; z < ZONE_MOVABLE; z++)
		lowmem += zones[z].managed_pages;
	expect_kb = (unsigned long)sqrtl(lowmem * 4 * 16);
	expect_kb = clamp(expect_kb, 128UL, 65536UL);
	ck_assert_int_eq(min_free_kbytes, (int)expect_kb);
	pages_min = expect_kb / 4;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		unsigned long m = zones[z].managed_pages ?
				  pages_min * zones[z].managed_pages / lowmem :
				  0;

		ck_assert_uint_eq(min_wmark_pages(&zones[z]), m);
		ck_assert_uint_eq(low_wmark_pages(&zones[z]), m + m / 4);
		ck_assert_uint_eq(high_wmark_pages(&zones[z]), m + m / 2);
	}
	/* lowmem_reserve: the managed pages above, over the ratio */
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		unsigned long above = 0;

		ck_assert_int_eq(zones[i].lowmem_reserve[i], 0);
		for (int j = i + 1; j < MAX_NR_ZONES; j++) {
			long expect;

			above += zones[j].managed_pages;
			expect = (!sysctl_lowmem_reserve_ratio[i] ||
				  !zones[i].managed_pages) ? 0 :
				 (long)(above / sysctl_lowmem_reserve_ratio[i]);
			ck_assert_int_eq(zones[i].lowmem_reserve[j], expect);
		}
	}
}
END_TEST

START_TEST(test_watermarks_follow_hotplug)
{
	pfn_t s = PHYS_PFN(4 * GiB);
	int before;

	boot_size(256 * MiB);
	before = min_free_kbytes;
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(sparse_add_section(0, s + i * PAGES_PER_SECTION,
						    MEMMAP_ON_MEMORY), 0);
	}
	ck_assert_int_eq(online_pages(s, 8 * PAGES_PER_SECTION, ZONE_NORMAL),
			 0);
	ck_assert_int_gt(min_free_kbytes, before);
	ck_assert_int_gt(NODE_DATA(0)->node_zones[ZONE_DMA32]
			 .lowmem_reserve[ZONE_NORMAL], 0);
	ck_assert_ptr_eq(NODE_DATA(0)->node_zonelist[0].zone,
			 &NODE_DATA(0)->node_zones[ZONE_NORMAL]);
}
END_TEST

START_TEST(test_pcp_batch)
{
	struct zone *z;

	boot_size(2 * GiB);
	z = &NODE_DATA(0)->node_zones[ZONE_DMA32];
	/* Linux: managed/1024 capped at 128, /4, 2^n - 1 */
	ck_assert_int_eq(z->pcp[0].batch, 31);
	ck_assert_int_eq(z->pcp[0].high, 6 * 31);
	z = &NODE_DATA(0)->node_zones[ZONE_DMA];
	ck_assert_int_eq(z->pcp[0].batch, 1);
}
END_TEST

static char buf[65536];

static const char *find_line(const char *text, const char *prefix)
{
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, prefix, strlen(prefix)))
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

START_TEST(test_proc_buddyinfo)
{
	struct zone *z;
	char line[256];
	int n;

	boot_size(256 * MiB);
	n = mm_show_buddyinfo(buf, sizeof(buf));
	ck_assert_int_eq(n, (int)strlen(buf));
	z = &NODE_DATA(0)->node_zones[ZONE_DMA32];
	n = snprintf(line, sizeof(line), "Node 0, zone    DMA32 ");
	for (int o = 0; o < MAX_ORDER; o++)
		n += snprintf(line + n, sizeof(line) - n, "%6lu ",
			      z->free_area[o].nr_free);
	ck_assert_ptr_nonnull(strstr(buf, line));
	ck_assert_ptr_nonnull(find_line(buf, "Node 0, zone      DMA "));
	ck_assert_ptr_null(strstr(buf, "Normal"));
	/* truncation reports the full length */
	ck_assert_int_eq(mm_show_buddyinfo(line, 10), (int)strlen(buf));
	ck_assert_uint_eq(strlen(line), 9);
}
END_TEST

START_TEST(test_proc_meminfo)
{
	unsigned long total, free;
	const char *l;

	boot_size(256 * MiB);
	mm_show_meminfo(buf, sizeof(buf));
	l = find_line(buf, "MemTotal:");
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(sscanf(l, "MemTotal: %lu kB", &total), 1);
	ck_assert_uint_eq(total, totalram_pages * 4);
	ck_assert(!strncmp(l, "MemTotal:       ", 16));
	ck_assert(!strncmp(l + 24, " kB\n", 4));
	l = find_line(buf, "MemFree:");
	ck_assert_int_eq(sscanf(l, "MemFree: %lu kB", &free), 1);
	ck_assert_uint_eq(free, global_page_state(NR_FREE_PAGES) * 4);
	ck_assert_ptr_nonnull(find_line(buf, "MemAvailable:"));
	ck_assert_ptr_nonnull(find_line(buf, "Slab:"));
	ck_assert_ptr_nonnull(find_line(buf, "VmallocTotal:   536870911 kB"));
	ck_assert_ptr_nonnull(find_line(buf, "HugePages_Total:       0"));
}
END_TEST

START_TEST(test_proc_zoneinfo_vmstat)
{
	char expect[128];

	boot_size(256 * MiB);
	mm_show_zoneinfo(buf, sizeof(buf));
	ck_assert(!strncmp(buf, "Node 0, zone      DMA\n  per-node stats\n"
			   "      nr_inactive_anon 0\n", 62));
	snprintf(expect, sizeof(expect), "Node 0, zone    DMA32\n"
		 "  pages free     %lu\n        boost    0\n        min      %lu",
		 zone_page_state(&NODE_DATA(0)->node_zones[ZONE_DMA32],
				 NR_FREE_PAGES),
		 min_wmark_pages(&NODE_DATA(0)->node_zones[ZONE_DMA32]));
	ck_assert_ptr_nonnull(strstr(buf, expect));
	ck_assert_ptr_nonnull(strstr(buf, "Node 0, zone  Movable\n  pages free"
				     "     0\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n        protection: (0, "));
	ck_assert_ptr_nonnull(strstr(buf, "\n  pagesets\n    cpu: 0\n"
				     "              count: "));
	ck_assert_ptr_nonnull(strstr(buf, "\n  start_pfn:           4096\n"));
	mm_show_vmstat(buf, sizeof(buf));
	snprintf(expect, sizeof(expect), "nr_free_pages %lu\n",
		 global_page_state(NR_FREE_PAGES));
	ck_assert(!strncmp(buf, expect, strlen(expect)));
	ck_assert_ptr_nonnull(strstr(buf, "\npgalloc_dma32 "));
	ck_assert_ptr_nonnull(strstr(buf, "\nnr_unstable 0\n"));
}
END_TEST

START_TEST(test_proc_pagetypeinfo)
{
	boot_size(256 * MiB);
	mm_show_pagetypeinfo(buf, sizeof(buf));
	ck_assert(!strncmp(buf, "Page block order: 9\nPages per block:  512\n"
			   "\nFree pages count per migrate type at order "
			   "      0      1", 90));
	ck_assert_ptr_nonnull(strstr(buf, "\nNode    0, zone    DMA32, type"
				     "      Movable "));
	ck_assert_ptr_nonnull(strstr(buf, "\nNumber of blocks type     "
				     "Unmovable      Movable  Reclaimable"));
	/* DMA32 spans 16..256 MiB: 480 pageblocks */
	ck_assert_ptr_nonnull(strstr(buf, "Node 0, zone    DMA32 "));
}
END_TEST

extern Suite *mm_zone_suite(void);

Suite *mm_zone_suite(void)
{
	Suite *s = suite_create("mm_zone");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_int_sqrt);
	tcase_add_loop_test(tc, test_watermarks, 0, ARRAY_SIZE(sizes));
	tcase_add_test(tc, test_watermarks_follow_hotplug);
	tcase_add_test(tc, test_pcp_batch);
	tcase_add_test(tc, test_proc_buddyinfo);
	tcase_add_test(tc, test_proc_meminfo);
	tcase_add_test(tc, test_proc_zoneinfo_vmstat);
	tcase_add_test(tc, test_proc_pagetypeinfo);
	suite_add_tcase(s, tc);
	return s;
}
