/*
 * guest/mm page descriptors and SPARSEMEM: struct page layout, pfn/page
 * conversions, memmap placement, holes and partial sections, zone and node
 * of a page, section add/remove bookkeeping, memblock.
 */
#include <check.h>

#include "guest/mm/mm_internal.h"
#include "mm_check.h"

#define MiB (1UL << 20)
#define GiB (1UL << 30)

static char why[256];

START_TEST(test_struct_page_layout)
{
	struct page zero;

	ck_assert_uint_eq(sizeof(struct page), 64);
	memset(&zero, 0, sizeof(zero));
	/* the all-zero descriptor: free-able, unreferenced, known zero */
	ck_assert(!PageBuddy(&zero) && !PageReserved(&zero));
	ck_assert(page_known_zero(&zero));
	ck_assert_int_eq(page_count(&zero), 0);
	ck_assert_int_eq(page_mapcount(&zero), 0);
	__SetPageDirty(&zero);
	ck_assert(PageDirty(&zero));
	ClearPageDirty(&zero);
	SetPageLocked(&zero);
	ck_assert_uint_eq(zero.flags, 1UL << PG_locked);
}
END_TEST

static const struct mm_stub_range holes_map[] = {
	{ 0, 640 << 10, 0 },
	{ MiB, 3 * GiB - MiB, 0 },
	{ 4 * GiB, GiB + MiB, 0 },	/* last section partial: 1 MiB */
};

START_TEST(test_conversions_and_placement)
{
	static const pfn_t samples[] = {
		1, 159, 256, 4095, 4096, 32767, 32768, 786431,
		1048576, 1310720, 1310720 + 255,
	};

	mm_stub_boot(holes_map, 3, 4 * MiB);
	for (unsigned int i = 0; i < ARRAY_SIZE(samples); i++) {
		pfn_t pfn = samples[i];
		struct page *page;

		ck_assert_msg(pfn_valid(pfn), "pfn %#lx", pfn);
		page = pfn_to_page(pfn);
		ck_assert_uint_eq(page_to_pfn(page), pfn);
		/* the memmap lies in the section it describes */
		ck_assert_uint_eq(__pa(page) >> SECTION_SIZE_BITS,
				  pfn >> PFN_SECTION_SHIFT);
		ck_assert_ptr_eq(virt_to_page((char *)__va(PFN_PHYS(pfn)) + 100),
				 page);
		ck_assert_ptr_eq(page_address(page), __va(PFN_PHYS(pfn)));
	}
	/* no sections in the 3-4 GiB hole, nor past the partial end */
	ck_assert(!pfn_valid(PHYS_PFN(3 * GiB)));
	ck_assert(!pfn_valid(PHYS_PFN(3 * GiB + 200 * MiB)));
	ck_assert(!pfn_valid(1310720 + 256));
	ck_assert(!pfn_valid(PHYS_PFN(64 * GiB)));
	/* a hole inside a section has reserved descriptors */
	ck_assert(PageReserved(pfn_to_page(200)));
	ck_assert(PageReserved(pfn_to_page(0)));
	/* the kernel image is reserved, what follows is not */
	ck_assert(PageReserved(pfn_to_page(256)));
	ck_assert(!PageReserved(pfn_to_page(256 + 1024)));
}
END_TEST

START_TEST(test_zone_boundaries)
{
	pg_data_t *pgdat;

	mm_stub_boot(holes_map, 3, 4 * MiB);
	pgdat = NODE_DATA(0);
	ck_assert_ptr_eq(page_zone(pfn_to_page(4095)),
			 &pgdat->node_zones[ZONE_DMA]);
	ck_assert_ptr_eq(page_zone(pfn_to_page(4096)),
			 &pgdat->node_zones[ZONE_DMA32]);
	ck_assert_ptr_eq(page_zone(pfn_to_page(786431)),
			 &pgdat->node_zones[ZONE_DMA32]);
	ck_assert_ptr_eq(page_zone(pfn_to_page(1048576)),
			 &pgdat->node_zones[ZONE_NORMAL]);
	ck_assert_uint_eq(pgdat->node_zones[ZONE_DMA].zone_start_pfn, 0);
	ck_assert_uint_eq(pgdat->node_zones[ZONE_DMA].spanned_pages, 4096);
	ck_assert_uint_eq(pgdat->node_zones[ZONE_DMA].present_pages,
			  4096 - 96);
	ck_assert_uint_eq(pgdat->node_zones[ZONE_DMA32].zone_start_pfn, 4096);
	ck_assert_uint_eq(pgdat->node_zones[ZONE_DMA32].spanned_pages,
			  786432 - 4096);
	ck_assert_uint_eq(pgdat->node_zones[ZONE_NORMAL].present_pages,
			  262144 + 256);
	ck_assert_uint_eq(pgdat->node_zones[ZONE_MOVABLE].present_pages, 0);
	/* managed = present - reserved (page 0, kernel, memmaps, roots) */
	ck_assert_uint_lt(pgdat->node_zones[ZONE_DMA].managed_pages,
			  4096 - 96 - 1024);
	ck_assert_uint_eq(totalram_pages,
			  pgdat->node_zones[ZONE_DMA].managed_pages +
			  pgdat->node_zones[ZONE_DMA32].managed_pages +
			  pgdat->node_zones[ZONE_NORMAL].managed_pages);
	/* __GFP_DMA / __GFP_DMA32 / plain land where they must */
	ck_assert_uint_lt(page_to_pfn(alloc_page(GFP_DMA)), 4096);
	ck_assert_uint_lt(page_to_pfn(alloc_page(GFP_DMA32)), 1048576);
	ck_assert_uint_ge(page_to_pfn(alloc_page(GFP_KERNEL)), 1048576);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
}
END_TEST

START_TEST(test_two_nodes)
{
	static const struct mm_stub_range map[] = {
		{ 0, 512 * MiB, 0 }, { 512 * MiB, 512 * MiB, 1 },
	};
	struct page *page;

	mm_stub_boot(map, 2, 2 * MiB);
	ck_assert_int_eq(page_to_nid(pfn_to_page(1000)), 0);
	ck_assert_int_eq(page_to_nid(pfn_to_page(PHYS_PFN(600 * MiB))), 1);
	/* node 0's zonelist: its DMA32, DMA, then node 1's DMA32 */
	ck_assert_ptr_eq(NODE_DATA(0)->node_zonelist[0].zone,
			 &NODE_DATA(0)->node_zones[ZONE_DMA32]);
	ck_assert_ptr_eq(NODE_DATA(0)->node_zonelist[1].zone,
			 &NODE_DATA(0)->node_zones[ZONE_DMA]);
	ck_assert_ptr_eq(NODE_DATA(0)->node_zonelist[2].zone,
			 &NODE_DATA(1)->node_zones[ZONE_DMA32]);
	ck_assert_ptr_null(NODE_DATA(0)->node_zonelist[3].zone);
	ck_assert_ptr_eq(NODE_DATA(1)->node_zonelist[0].zone,
			 &NODE_DATA(1)->node_zones[ZONE_DMA32]);
	page = alloc_pages_node(1, GFP_KERNEL, 0);
	ck_assert_int_eq(page_to_nid(page), 1);
	mm_set_cpu_node(2, 1);
	mm_stub_cpu = 2;
	ck_assert_int_eq(numa_node_id(), 1);
	ck_assert_int_eq(page_to_nid(alloc_page(GFP_KERNEL)), 1);
}
END_TEST

START_TEST(test_section_add_remove)
{
	static const struct mm_stub_range map[] = { { 0, 256 * MiB, 0 } };
	pfn_t s = PHYS_PFN(8 * GiB);
	struct mem_section *ms;

	mm_stub_boot(map, 1, 0);
	ck_assert(!pfn_valid(s));
	ck_assert_int_eq(sparse_add_section(0, s + 1, MEMMAP_ON_MEMORY),
			 -EINVAL);
	ck_assert_int_eq(sparse_add_section(0, s, MEMMAP_EARLY), -EINVAL);
	ck_assert_int_eq(sparse_add_section(0, s, MEMMAP_ON_MEMORY), 0);
	ck_assert_int_eq(sparse_add_section(0, s, MEMMAP_ON_MEMORY), -EEXIST);
	ms = __pfn_to_section(s);
	ck_assert(ms->flags & SECTION_PRESENT);
	ck_assert(!(ms->flags & SECTION_ONLINE));
	ck_assert(pfn_valid(s) && pfn_valid(s + PAGES_PER_SECTION - 1));
	ck_assert_ptr_eq(pfn_to_page(s), __va(PFN_PHYS(s)));
	ck_assert(pfn_is_memmap(s + 511) && !pfn_is_memmap(s + 512));
	ck_assert_uint_eq(page_to_pfn(pfn_to_page(s + 12345)), s + 12345);
	ck_assert_int_eq(sparse_remove_section(s), 0);
	ck_assert(!pfn_valid(s));
	ck_assert_int_eq(sparse_remove_section(s), -EINVAL);
	/* boot sections are online and cannot be removed */
	ck_assert_int_eq(sparse_remove_section(0), -EBUSY);
}
END_TEST

START_TEST(test_memblock)
{
	phys_addr_t a, b;

	mm_stub_reset();
	ck_assert_int_eq(memblock_add(0, 64 * MiB), 0);
	ck_assert_int_eq(memblock_add(64 * MiB, 64 * MiB), 0);
	ck_assert_uint_eq(memblock.memory.cnt, 1);	/* merged */
	memblock_reserve(100 * MiB, 28 * MiB);
	a = memblock_phys_alloc_range(PAGE_SIZE, PAGE_SIZE, 0, ~0UL, 0);
	ck_assert_uint_eq(a, 100 * MiB - PAGE_SIZE);	/* top-down */
	b = memblock_phys_alloc_range(MiB, 2 * MiB, 0, 50 * MiB, 0);
	ck_assert_uint_eq(b, 48 * MiB);
	ck_assert_uint_eq(memblock_phys_alloc_range(MiB, MiB, 130 * MiB,
						    ~0UL, 0), 0);
	ck_assert_uint_eq(memblock.reserved.cnt, 2);	/* a merged */
}
END_TEST

/*
 * Boot hands RAM to the buddy as maximal aligned blocks (O(blocks)): no
 * block straddles a zone boundary, none could be larger, and the counters
 * agree with the lists.
 */
START_TEST(test_boot_free_blocks)
{
	struct zone *dma32 = &NODE_DATA(0)->node_zones[ZONE_DMA32];
	unsigned long managed = 0;
	struct page *page;
	struct zone *zone;

	mm_stub_boot(holes_map, 3, 4 * MiB);
	ck_assert_msg(!mm_check_set_baseline(why, sizeof(why)), "%s", why);
	/* the first DMA32 pfn heads a free MAX_ORDER block */
	page = pfn_to_page(DMA_PFN_LIMIT);
	ck_assert(PageBuddy(page));
	ck_assert_uint_eq(page->private, MAX_ORDER - 1);
	ck_assert_ptr_eq(page_zone(page), dma32);
	/* tails untouched: the descriptor after a head is still all zero */
	ck_assert_uint_eq(page[1].flags | page[1].private, 0);
	for_each_zone(zone) {
		unsigned long listed = 0;

		for (int o = 0; o < MAX_ORDER; o++)
			listed += zone->free_area[o].nr_free << o;
		ck_assert_uint_eq(listed, zone_page_state(zone, NR_FREE_PAGES));
		ck_assert_uint_le(listed, zone->managed_pages);
		managed += zone->managed_pages;
	}
	ck_assert_uint_eq(managed, totalram_pages);
	/* a block is maximal: its buddy of the same order is not free */
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
}
END_TEST

/* Zones get their lists when they first get memory, not at boot. */
START_TEST(test_boot_lazy_zone_init)
{
	static const struct mm_stub_range map[] = { { 0, 256 * MiB, 0 } };
	struct zone *z1 = &NODE_DATA(1)->node_zones[ZONE_NORMAL];
	pfn_t s = PHYS_PFN(4 * GiB);
	static char text[16384];
	struct page *page;

	mm_stub_boot(map, 1, 2 * MiB);
	ck_assert(NODE_DATA(0)->node_zones[ZONE_DMA].pcp_ready);
	ck_assert(NODE_DATA(0)->node_zones[ZONE_DMA32].pcp_ready);
	ck_assert(!NODE_DATA(0)->node_zones[ZONE_NORMAL].pcp_ready);
	ck_assert(!NODE_DATA(1)->online && !z1->pcp_ready);
	ck_assert_ptr_null(z1->free_area[0].free_list[0].next);
	/* the /proc files skip zones without lists */
	ck_assert_int_gt(mm_show_buddyinfo(text, sizeof(text)), 0);
	ck_assert_int_gt(mm_show_pagetypeinfo(text, sizeof(text)), 0);
	ck_assert_int_gt(mm_show_zoneinfo(text, sizeof(text)), 0);
	/* a memoryless node falls back to the online ones */
	ck_assert_ptr_eq(NODE_DATA(2)->node_zonelist[0].zone,
			 &NODE_DATA(0)->node_zones[ZONE_DMA32]);
	/* memory on node 1 brings its zone up */
	ck_assert_int_eq(sparse_add_section(1, s, MEMMAP_ON_MEMORY), 0);
	ck_assert_int_eq(online_pages(s, PAGES_PER_SECTION, ZONE_NORMAL), 0);
	ck_assert(NODE_DATA(1)->online && z1->pcp_ready);
	ck_assert_int_gt(z1->pcp[0].batch, 1);
	ck_assert_ptr_eq(NODE_DATA(0)->node_zonelist[2].zone, z1);
	page = alloc_pages_node(1, GFP_KERNEL, 0);
	ck_assert_ptr_eq(page_zone(page), z1);
	__free_page(page);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
}
END_TEST

/* PG_reserved is set range by range, across section boundaries too. */
START_TEST(test_boot_reserved_ranges)
{
	pfn_t r = PHYS_PFN(127 * MiB), e = PHYS_PFN(129 * MiB);

	mm_stub_reset();
	ck_assert_int_eq(memblock_add_node(0, 512 * MiB, 0,
					   MEMBLOCK_KNOWN_ZERO), 0);
	memblock_reserve(0, PAGE_SIZE);
	memblock_reserve(127 * MiB, 2 * MiB);
	mm_init();
	for (pfn_t pfn = r; pfn < e; pfn++)
		ck_assert_msg(PageReserved(pfn_to_page(pfn)), "pfn %#lx", pfn);
	ck_assert(!PageReserved(pfn_to_page(e)));
	ck_assert(!PageBuddy(pfn_to_page(r)) && PageBuddy(pfn_to_page(e)));
	/* the memmap below (memblock's own) is not marked, nor managed */
	ck_assert(!PageReserved(pfn_to_page(r - 1)));
	/* managed = RAM - page 0 - the range - 4 memmaps - a section root */
	ck_assert_uint_eq(totalram_pages, PHYS_PFN(512 * MiB) - 1 - (e - r) -
			  4 * SECTION_MEMMAP_PAGES - 1);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
}
END_TEST

extern Suite *mm_page_suite(void);

Suite *mm_page_suite(void)
{
	Suite *s = suite_create("mm_page");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_struct_page_layout);
	tcase_add_test(tc, test_conversions_and_placement);
	tcase_add_test(tc, test_zone_boundaries);
	tcase_add_test(tc, test_two_nodes);
	tcase_add_test(tc, test_section_add_remove);
	tcase_add_test(tc, test_memblock);
	tcase_add_test(tc, test_boot_free_blocks);
	tcase_add_test(tc, test_boot_lazy_zone_init);
	tcase_add_test(tc, test_boot_reserved_ranges);
	suite_add_tcase(s, tc);
	return s;
}
