/*
 * guest/mm migration and offlining: anonymous pages (4 KiB, 64 KiB chunks,
 * 2 MiB THPs) move out of a hot-added section with their contents intact
 * and their page tables updated; unmovable pages (page tables, kernel
 * pages, reserved boot memory) refuse offlining; a migration that runs out
 * of memory rolls back with nothing lost, or with swap on swaps out what
 * it cannot move and the removal succeeds; balloon pages are given up to
 * the offline, not refused.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guest/mm/mm_internal.h"
#include "mm_check.h"

#define MiB (1UL << 20)
#define GiB (1UL << 30)
#define KiB (1UL << 10)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

static char why[256];
static struct mm_struct *mm;
static pfn_t sec;	/* the hot-added section */

static unsigned long map_warm(void)
{
	unsigned long a = 0;

	ck_assert_int_eq(do_mmap(mm, 0, PAGE_SIZE, RW, ANON, &a), 0);
	return a;
}

static void boot_with_dimm(unsigned long ram, enum zone_type zid)
{
	const struct mm_stub_range map[] = { { 0, ram, 0 } };

	mm_stub_boot(map, 1, 2 * MiB);
	/* the mm and its slab caches first: they stay off the DIMM */
	mm = mm_alloc();
	ck_assert_ptr_nonnull(mm);
	ck_assert_int_eq(do_munmap(mm, map_warm(), PAGE_SIZE), 0);
	sec = PHYS_PFN(4 * GiB);
	ck_assert_int_eq(sparse_add_section(0, sec, MEMMAP_ON_MEMORY), 0);
	ck_assert_int_eq(online_pages(sec, PAGES_PER_SECTION, zid), 0);
}

static unsigned long map(unsigned long addr, unsigned long len)
{
	unsigned long a = 0;

	ck_assert_int_eq(do_mmap(mm, addr, len, RW, ANON, &a), 0);
	return a;
}

static bool in_dimm(phys_addr_t pa)
{
	return PHYS_PFN(pa) >= sec && PHYS_PFN(pa) < sec + PAGES_PER_SECTION;
}

static phys_addr_t translate(unsigned long va)
{
	phys_addr_t pa;

	ck_assert_int_eq(follow_phys(mm, va, &pa, NULL), 0);
	return pa;
}

static unsigned long pattern(unsigned long va, unsigned int i)
{
	return (va * 0x9e3779b97f4a7c15UL) ^ i;
}

/* Fault in and fill [va, va + len) through the page tables. */
static void fill(unsigned long va, unsigned long len)
{
	for (unsigned long p = va; p < va + len; p += PAGE_SIZE) {
		unsigned long *w;

		ck_assert_uint_eq(handle_mm_fault(mm, p, FAULT_FLAG_WRITE), 0);
		w = __va(translate(p));
		w[0] = pattern(p, 0);
		w[256] = pattern(p, 1);
		w[511] = pattern(p, 2);
	}
}

/* Pages of [va, va + len) whose contents are intact; in the DIMM. */
static unsigned long check(unsigned long va, unsigned long len,
			   unsigned long *dimm)
{
	unsigned long ok = 0;

	for (unsigned long p = va; p < va + len; p += PAGE_SIZE) {
		const unsigned long *w = __va(translate(p));

		ok += w[0] == pattern(p, 0) && w[256] == pattern(p, 1) &&
		      w[511] == pattern(p, 2);
		*dimm += in_dimm(translate(p));
	}
	return ok;
}

static int leaf_level(unsigned long va)
{
	int level;

	walk(mm, va, PT_LEVEL_PTE, false, &level);
	return level;
}

START_TEST(test_migrate_section)
{
	unsigned long a, b, c, rss, dimm = 0, copies, thps;
	struct zone *movable;

	boot_with_dimm(256 * MiB, ZONE_MOVABLE);
	movable = &NODE_DATA(0)->node_zones[ZONE_MOVABLE];
	a = map(0, 8 * MiB);				/* 4 THPs */
	b = map(0x1000000, 72 * KiB);			/* 64K + 2 x 4K */
	c = map(0x2003000, 5 * PAGE_SIZE);		/* 4K pages */
	fill(a, 8 * MiB);
	fill(b, 72 * KiB);
	fill(c, 5 * PAGE_SIZE);
	rss = get_mm_rss(mm);
	ck_assert_uint_eq(rss, 2048 + 18 + 5);
	ck_assert_uint_eq(check(a, 8 * MiB, &dimm), 2048);
	ck_assert_uint_eq(dimm, 2048);			/* all on the DIMM */
	ck_assert_uint_eq(zone_page_state(movable, NR_ANON_MAPPED), rss);
	thps = global_page_state(NR_ANON_THPS);
	ck_assert_uint_eq(thps, 2048);
	copies = mm_stub_nr_copy_page;

	ck_assert_int_eq(offline_pages(sec, PAGES_PER_SECTION), 0);
	dimm = 0;
	ck_assert_uint_eq(check(a, 8 * MiB, &dimm), 2048);
	ck_assert_uint_eq(check(b, 72 * KiB, &dimm), 18);
	ck_assert_uint_eq(check(c, 5 * PAGE_SIZE, &dimm), 5);
	ck_assert_uint_eq(dimm, 0);			/* all moved out */
	ck_assert_int_eq(leaf_level(a + 3 * MiB), PT_LEVEL_PMD);
	ck_assert_int_eq(leaf_level(b), PT_LEVEL_PTE);
	ck_assert_uint_eq(get_mm_rss(mm), rss);
	ck_assert_uint_eq(global_page_state(NR_ANON_MAPPED), rss);
	ck_assert_uint_eq(global_page_state(NR_ANON_THPS), thps);
	ck_assert_uint_eq(global_vm_event(PGMIGRATE_SUCCESS), rss);
	ck_assert_uint_eq(mm_stub_nr_copy_page - copies, rss);
	ck_assert_uint_eq(movable->managed_pages, 0);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
	ck_assert_int_eq(sparse_remove_section(sec), 0);
	/* faults keep working, and teardown frees what moved */
	fill(a + 8 * MiB - PAGE_SIZE, PAGE_SIZE);
	mmput(mm, NULL);
	ck_assert_uint_eq(global_page_state(NR_ANON_MAPPED), 0);
	ck_assert_uint_eq(global_page_state(NR_ANON_THPS), 0);
}
END_TEST

START_TEST(test_unmovable_refused)
{
	unsigned long a, dimm = 0, free, warnings;
	struct zone *normal;
	struct page *kpage;
	pfn_t bad;

	/* online_kernel: page tables and kernel pages may land there */
	boot_with_dimm(256 * MiB, ZONE_NORMAL);
	normal = &NODE_DATA(0)->node_zones[ZONE_NORMAL];
	a = map(0, 256 * KiB);
	fill(a, 256 * KiB);
	ck_assert_uint_eq(check(a, 256 * KiB, &dimm), 64);
	ck_assert_uint_eq(dimm, 64);
	ck_assert(has_unmovable_pages(sec, sec + PAGES_PER_SECTION, &bad));
	ck_assert_str_eq(page_owner_kind(bad), "page table");
	kpage = alloc_page(GFP_KERNEL);
	ck_assert(in_dimm(page_to_phys(kpage)));
	ck_assert_str_eq(page_owner_kind(page_to_pfn(kpage)), "kernel");
	free = zone_page_state(normal, NR_FREE_PAGES);
	warnings = mm_stub_nr_warnings;

	ck_assert_int_eq(offline_pages(sec, PAGES_PER_SECTION), -EBUSY);
	ck_assert_uint_gt(mm_stub_nr_warnings, warnings);	/* dmesg */
	ck_assert(__pfn_to_section(sec)->flags & SECTION_ONLINE);
	ck_assert_uint_eq(zone_page_state(normal, NR_FREE_PAGES), free);
	ck_assert_uint_eq(normal->nr_isolate_pageblock, 0);
	dimm = 0;
	ck_assert_uint_eq(check(a, 256 * KiB, &dimm), 64);
	ck_assert_uint_eq(dimm, 64);			/* nothing moved */
	ck_assert_uint_eq(global_vm_event(PGMIGRATE_SUCCESS), 0);
	ck_assert_int_eq(sparse_remove_section(sec), -EBUSY);
	/* the page tables go with the mm; the kernel page still blocks */
	mmput(mm, NULL);
	ck_assert_int_eq(offline_pages(sec, PAGES_PER_SECTION), -EBUSY);
	__free_page(kpage);
	ck_assert_int_eq(offline_pages(sec, PAGES_PER_SECTION), 0);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
}
END_TEST

START_TEST(test_boot_memory_refused)
{
	pfn_t bad;

	boot_with_dimm(512 * MiB, ZONE_MOVABLE);
	/* boot sections hold their memmap (reserved) */
	ck_assert(has_unmovable_pages(PAGES_PER_SECTION,
				      2 * PAGES_PER_SECTION, &bad));
	ck_assert_str_eq(page_owner_kind(bad), "memmap");
	ck_assert_int_eq(offline_pages(PAGES_PER_SECTION, PAGES_PER_SECTION),
			 -EBUSY);
	/* an empty hot-added section has nothing in the way */
	ck_assert(!has_unmovable_pages(sec, sec + PAGES_PER_SECTION, &bad));
	ck_assert_str_eq(page_owner_kind(sec), "memmap");
	ck_assert_str_eq(page_owner_kind(sec + PAGES_PER_SECTION / 2),
			 "free");
}
END_TEST

START_TEST(test_migration_enomem_rolls_back)
{
	unsigned long a, rss, dimm = 0, moved_dimm = 0, len = 96 * MiB;
	struct zone *movable;
	struct page *page;

	/* 64 MiB of RAM cannot take 96 MiB from the DIMM */
	boot_with_dimm(64 * MiB, ZONE_MOVABLE);
	movable = &NODE_DATA(0)->node_zones[ZONE_MOVABLE];
	a = map(0, len);
	fill(a, len);
	rss = get_mm_rss(mm);
	ck_assert_uint_eq(check(a, len, &dimm), len / PAGE_SIZE);
	ck_assert_uint_eq(dimm, len / PAGE_SIZE);

	ck_assert_int_eq(offline_pages(sec, PAGES_PER_SECTION), -ENOMEM);
	ck_assert_uint_eq(global_vm_event(PGMIGRATE_FAIL), 1);
	ck_assert_uint_gt(global_vm_event(PGMIGRATE_SUCCESS), 0);
	ck_assert_uint_gt(global_vm_event(THP_SPLIT_PMD), 0);
	/* back online, isolation undone, nothing lost */
	ck_assert(__pfn_to_section(sec)->flags & SECTION_ONLINE);
	ck_assert_uint_eq(movable->nr_isolate_pageblock, 0);
	ck_assert_uint_eq(check(a, len, &moved_dimm), len / PAGE_SIZE);
	ck_assert_uint_lt(moved_dimm, dimm);		/* some did move */
	ck_assert_uint_eq(get_mm_rss(mm), rss);
	ck_assert_uint_eq(global_page_state(NR_ANON_MAPPED), rss);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
	/* the DIMM takes allocations again */
	page = alloc_page(GFP_HIGHUSER_MOVABLE);
	ck_assert(in_dimm(page_to_phys(page)));
	__free_page(page);
	/* with less to move it succeeds */
	ck_assert_int_eq(do_munmap(mm, a, 80 * MiB), 0);
	ck_assert_int_eq(offline_pages(sec, PAGES_PER_SECTION), 0);
	dimm = 0;
	ck_assert_uint_eq(check(a + 80 * MiB, 16 * MiB, &dimm),
			  16 * MiB / PAGE_SIZE);
	ck_assert_uint_eq(dimm, 0);
	mmput(mm, NULL);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
}
END_TEST

/* A swap device in host memory behind mm_hooks.swap_rw. */
#define SWAP_SLOTS	(64 * MiB / PAGE_SIZE)
static unsigned char *swapdisk;
static int swap_dev;

static int fake_swap_rw(void *bdev, bool write, const struct swap_iov *iov,
			unsigned int n)
{
	ck_assert_ptr_eq(bdev, &swap_dev);
	for (unsigned int i = 0; i < n; i++) {
		unsigned char *d = swapdisk + iov[i].slot * PAGE_SIZE;

		ck_assert_uint_le(iov[i].slot * PAGE_SIZE + iov[i].len,
				  SWAP_SLOTS * PAGE_SIZE);
		if (write)
			memcpy(d, __va(iov[i].addr), iov[i].len);
		else
			memcpy(__va(iov[i].addr), d, iov[i].len);
	}
	return 0;
}

static void swap_setup(void)
{
	swapdisk = calloc(SWAP_SLOTS, PAGE_SIZE);
	ck_assert_ptr_nonnull(swapdisk);
	mm_hooks.swap_rw = fake_swap_rw;
	ck_assert_int_eq(swapon(&swap_dev, "/dev/vdb", SWAP_SLOTS), 0);
}

/* The task's end, swapoff, and the invariants. */
static void swap_teardown(void)
{
	mmput(mm, NULL);
	ck_assert_int_eq(swapoff("/dev/vdb"), 0);
	mm_hooks.swap_rw = NULL;
	free(swapdisk);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
}

/* munmap the runs of [va, va + len) that are mapped in memory. */
static void unmap_present(unsigned long va, unsigned long len)
{
	unsigned long run = 0;

	for (unsigned long p = va; p <= va + len; p += PAGE_SIZE) {
		bool present = p < va + len &&
			       !follow_phys(mm, p, NULL, NULL);

		if (present && !run)
			run = p;
		if (!present && run) {
			ck_assert_int_eq(do_munmap(mm, run, p - run), 0);
			run = 0;
		}
	}
}

START_TEST(test_migration_swaps_when_no_room)
{
	unsigned long a, rss, dimm = 0, len = 96 * MiB, copies;

	/* as above, with 64 MiB of swap: what cannot move is swapped out */
	boot_with_dimm(64 * MiB, ZONE_MOVABLE);
	swap_setup();
	a = map(0, len);
	fill(a, len);
	rss = get_mm_rss(mm);
	copies = mm_stub_nr_copy_page;

	ck_assert_int_eq(offline_pages(sec, PAGES_PER_SECTION), 0);
	ck_assert_uint_eq(global_vm_event(PGMIGRATE_FAIL), 0);
	ck_assert_uint_gt(global_vm_event(PSWPOUT), 0);
	/* every page either moved (copied) or went to swap, none twice */
	ck_assert_uint_eq(global_vm_event(PGMIGRATE_SUCCESS) +
			  global_vm_event(PSWPOUT), rss);
	ck_assert_uint_eq(mm_stub_nr_copy_page - copies,
			  global_vm_event(PGMIGRATE_SUCCESS));
	ck_assert_uint_eq(get_mm_rss(mm) + mm->rss_stat[MM_SWAPENTS], rss);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
	ck_assert_int_eq(sparse_remove_section(sec), 0);
	/* swapped pages come back, intact, once memory is found: make room
	 * by unmapping the runs of pages still in memory, then touch and
	 * check the swapped ones */
	unmap_present(a, len);
	for (unsigned long p = a; p < a + len; p += PAGE_SIZE) {
		if (!find_vma(mm, p) || find_vma(mm, p)->vm_start > p)
			continue;
		ck_assert_uint_eq(handle_mm_fault(mm, p, FAULT_FLAG_USER), 0);
		ck_assert_uint_eq(check(p, PAGE_SIZE, &dimm), 1);
	}
	ck_assert_uint_eq(dimm, 0);
	ck_assert_uint_eq(global_vm_event(PSWPIN),
			  global_vm_event(PSWPOUT));
	swap_teardown();
}
END_TEST

/* Pages in the swap cache (SwapCached). */
static unsigned long swapcached(void)
{
	return global_page_state(NR_SWAPCACHE);
}

/* Units read back from swap (the swap cache: slots kept) keep their
 * slots when they move: the copy is dropped again without a write. */
START_TEST(test_migration_keeps_swap_cache)
{
	unsigned long a, c, dimm = 0, out, used;

	boot_with_dimm(256 * MiB, ZONE_MOVABLE);
	swap_setup();
	a = map(0, 2 * MiB);				/* a THP */
	c = map(0x2003000, 5 * PAGE_SIZE);		/* 4K pages */
	fill(a, 2 * MiB);
	fill(c, 5 * PAGE_SIZE);
	for (int i = 0; i < 3; i++)
		shrink_node(0, ~0UL >> 1, 0, false);
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 512 + 5);
	/* read faults bring them back into the swap cache, on the DIMM */
	for (unsigned long p = a; p < a + 2 * MiB; p += PAGE_SIZE)
		ck_assert_uint_eq(handle_mm_fault(mm, p, FAULT_FLAG_USER), 0);
	for (unsigned long p = c; p < c + 5 * PAGE_SIZE; p += PAGE_SIZE)
		ck_assert_uint_eq(handle_mm_fault(mm, p, FAULT_FLAG_USER), 0);
	ck_assert_uint_eq(swapcached(), 512 + 5);
	ck_assert_uint_eq(check(a, 2 * MiB, &dimm) +
			  check(c, 5 * PAGE_SIZE, &dimm), 512 + 5);
	ck_assert_uint_eq(dimm, 512 + 5);
	used = nr_swap_pages;
	ck_assert_int_eq(offline_pages(sec, PAGES_PER_SECTION), 0);
	/* moved, with their slots: nothing freed, nothing written */
	dimm = 0;
	ck_assert_uint_eq(check(a, 2 * MiB, &dimm) +
			  check(c, 5 * PAGE_SIZE, &dimm), 512 + 5);
	ck_assert_uint_eq(dimm, 0);
	ck_assert_uint_eq(swapcached(), 512 + 5);
	ck_assert_int_eq(nr_swap_pages, used);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
	/* still clean copies of their slots: reclaim drops them unwritten */
	out = global_vm_event(PSWPOUT);
	for (int i = 0; i < 3; i++)
		shrink_node(0, ~0UL >> 1, 0, false);
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 512 + 5);
	ck_assert_uint_eq(global_vm_event(PSWPOUT), out);
	ck_assert_uint_eq(global_vm_event(SWAPCACHE_CLEAN_DROP), 512 + 5);
	ck_assert_uint_eq(swapcached(), 0);
	/* and the bytes are the slots' */
	for (unsigned long p = a; p < a + 2 * MiB; p += PAGE_SIZE)
		ck_assert_uint_eq(handle_mm_fault(mm, p, FAULT_FLAG_USER), 0);
	for (unsigned long p = c; p < c + 5 * PAGE_SIZE; p += PAGE_SIZE)
		ck_assert_uint_eq(handle_mm_fault(mm, p, FAULT_FLAG_USER), 0);
	ck_assert_uint_eq(check(a, 2 * MiB, &dimm) +
			  check(c, 5 * PAGE_SIZE, &dimm), 512 + 5);
	swap_teardown();
}
END_TEST

static unsigned long offlined_pages, offlined_calls;

static void count_offlined(struct balloon_dev_info *b, pfn_t pfn,
			   unsigned int order)
{
	ck_assert(pfn >= sec && pfn + (1UL << order) <= sec + PAGES_PER_SECTION);
	ck_assert(!PageBalloon(pfn_to_page(pfn)));
	offlined_pages += 1UL << order;
	offlined_calls++;
}

/* Balloon pages on a section being offlined are given up, not refused;
 * the balloon re-inflates as many elsewhere. */
START_TEST(test_balloon_pages_given_up)
{
	static uint32_t pfns[16384];
	struct balloon_dev_info bl;
	struct list_head out = LIST_HEAD_INIT(out);
	unsigned long got, on_dimm = 0, i;
	pfn_t bad;

	boot_with_dimm(256 * MiB, ZONE_MOVABLE);
	balloon_init(&bl);
	bl.offlined = count_offlined;
	offlined_pages = offlined_calls = 0;
	got = balloon_inflate(&bl, GFP_HIGHUSER_MOVABLE, pfns, 16384);
	ck_assert_uint_eq(got, 16384);
	for (i = 0; i < got; i++)
		on_dimm += pfns[i] >= sec && pfns[i] < sec + PAGES_PER_SECTION;
	ck_assert_uint_gt(on_dimm, 0);
	ck_assert(!has_unmovable_pages(sec, sec + PAGES_PER_SECTION, &bad));

	ck_assert_int_eq(offline_pages(sec, PAGES_PER_SECTION), 0);
	ck_assert_uint_eq(offlined_pages, on_dimm);
	ck_assert_uint_eq(bl.nr_offlined, on_dimm);
	ck_assert_uint_eq(bl.nr_pages, 16384 - on_dimm);
	ck_assert_uint_eq(global_vm_event(PGMIGRATE_SUCCESS), 0);	/* no copy */
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
	ck_assert_int_eq(sparse_remove_section(sec), 0);
	/* the driver re-inflates elsewhere */
	ck_assert_uint_eq(balloon_inflate(&bl, GFP_HIGHUSER_MOVABLE, pfns,
					  on_dimm), on_dimm);
	ck_assert_uint_eq(bl.nr_pages, 16384);
	ck_assert_uint_eq(balloon_deflate(&bl, pfns, 16384, &out), 16384);
	balloon_release(&out, false);
	mmput(mm, NULL);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
}
END_TEST

Suite *mm_migrate_suite(void)
{
	Suite *s = suite_create("mm_migrate");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_migrate_section);
	tcase_add_test(tc, test_unmovable_refused);
	tcase_add_test(tc, test_boot_memory_refused);
	tcase_add_test(tc, test_migration_enomem_rolls_back);
	tcase_add_test(tc, test_migration_swaps_when_no_room);
	tcase_add_test(tc, test_migration_keeps_swap_cache);
	tcase_add_test(tc, test_balloon_pages_given_up);
	suite_add_tcase(s, tc);
	return s;
}
