/*
 * guest/mm memory hotplug at section, root and DIMM boundaries (issue 12).
 *
 * A DIMM is driven here the way guest/kernel/memory_block.c drives it:
 * sparse_add_section() per 128 MiB block with the memmap on the DIMM,
 * online_pages() over the DIMM, offline_pages() (isolate, migrate, take
 * out of the buddy), sparse_remove_section() per block, and the host then
 * drops the memory (mm_stub_discard: a fresh DIMM reads zero).  The
 * invariant checker runs after every step.
 *
 * What the boundaries are: mem_section is two-level, one root per 32
 * sections (4 GiB), allocated when a section under it is first added.  A
 * DIMM that ends on a root boundary with nothing above it has no section,
 * not even a zeroed one, for the pfn just past its end: the 16 GiB DIMM
 * at 4 GiB of the issue (ends at 20 GiB), an 8 GiB one ending at 12 GiB,
 * a DIMM below 4 GiB ending at 4 GiB.  Layout as memvisor and QEMU place
 * DIMMs: 512 MiB of boot RAM, maxmem 64 GiB, the hotplug region at 4 GiB,
 * 63.5 GiB long (hotplug/region.c).
 */
#include <check.h>

#include "guest/mm/mm_internal.h"
#include "mm_check.h"

#define MiB (1UL << 20)
#define GiB (1UL << 30)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

#define BOOT_RAM	(512 * MiB)
#define REGION_BASE	(4 * GiB)
#define REGION_END	(REGION_BASE + 64 * GiB - BOOT_RAM)	/* maxmem */
#define ROOT_BYTES	(SECTIONS_PER_ROOT << SECTION_SIZE_BITS)	/* 4G */

static char why[256];

static void check_mm(void)
{
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
}

/* 512 MiB of boot RAM; with @two_nodes, 256 MiB on each of nodes 0, 1. */
static void boot(bool two_nodes)
{
	const struct mm_stub_range one[] = { { 0, BOOT_RAM, 0 } };
	const struct mm_stub_range two[] = {
		{ 0, BOOT_RAM / 2, 0 }, { BOOT_RAM / 2, BOOT_RAM / 2, 1 },
	};

	if (two_nodes)
		mm_stub_boot(two, 2, 2 * MiB);
	else
		mm_stub_boot(one, 1, 2 * MiB);
	check_mm();
}

static bool root_allocated(phys_addr_t pa)
{
	return mem_section[(pa >> SECTION_SIZE_BITS) / SECTIONS_PER_ROOT];
}

/* Pages a DIMM of @size adds to the buddy: all but its memmaps. */
static unsigned long dimm_managed(phys_addr_t size)
{
	return PHYS_PFN(size) - (size >> SECTION_SIZE_BITS) *
				SECTION_MEMMAP_PAGES;
}

/* Add the DIMM [base, base + size) on node @nid; online it into @zid. */
static void dimm_add(int nid, phys_addr_t base, phys_addr_t size,
		     enum zone_type zid)
{
	unsigned long total = totalram_pages;

	for (pfn_t s = PHYS_PFN(base); s < PHYS_PFN(base + size);
	     s += PAGES_PER_SECTION)
		ck_assert_int_eq(sparse_add_section(nid, s, MEMMAP_ON_MEMORY),
				 0);
	ck_assert_int_eq(online_pages(PHYS_PFN(base), PHYS_PFN(size), zid), 0);
	ck_assert_uint_eq(totalram_pages - total, dimm_managed(size));
	check_mm();
}

/* Offline and remove the DIMM [base, base + size); the host drops it. */
static void dimm_remove(phys_addr_t base, phys_addr_t size)
{
	unsigned long total = totalram_pages;

	ck_assert_int_eq(offline_pages(PHYS_PFN(base), PHYS_PFN(size)), 0);
	ck_assert_uint_eq(total - totalram_pages, dimm_managed(size));
	check_mm();
	for (pfn_t s = PHYS_PFN(base); s < PHYS_PFN(base + size);
	     s += PAGES_PER_SECTION)
		ck_assert_int_eq(sparse_remove_section(s), 0);
	mm_stub_discard(base, size);
	check_mm();
}

/* Isolate [start, end) of an online range, check it is all free, undo. */
static void isolate_free_range(phys_addr_t start, phys_addr_t end)
{
	long free = global_page_state(NR_FREE_PAGES) +
		    (long)mm_check_pcp_pages();	/* isolation drains them */

	ck_assert_int_eq(start_isolate_page_range(PHYS_PFN(start),
				PHYS_PFN(end), MIGRATE_MOVABLE), 0);
	ck_assert_int_eq(test_pages_isolated(PHYS_PFN(start), PHYS_PFN(end)),
			 0);
	undo_isolate_page_range(PHYS_PFN(start), PHYS_PFN(end),
				MIGRATE_MOVABLE);
	ck_assert_int_eq(global_page_state(NR_FREE_PAGES) +
			 (long)mm_check_pcp_pages(), free);
	check_mm();
}

/* Offline and online again the last block of [base, end), as a write of
 * "offline" then "online_movable" to its sysfs state does. */
static void cycle_last_block(phys_addr_t end, enum zone_type zid)
{
	pfn_t last = PHYS_PFN(end) - PAGES_PER_SECTION;

	ck_assert_int_eq(offline_pages(last, PAGES_PER_SECTION), 0);
	check_mm();
	ck_assert_int_eq(online_pages(last, PAGES_PER_SECTION, zid), 0);
	check_mm();
}

/* ------------------------------------------------------------ the issue */

/*
 * Issue 12 as reported: 512M, maxmem 64G, a 16 GiB DIMM at 4 GiB (ends
 * at 20 GiB, a root boundary with no root above), removed.  Before the
 * fix test_pages_isolated() looked up the section of pfn 0x500000 and
 * faulted.  The same for the soak's 8 GiB DIMM ending at 12 GiB.
 */
START_TEST(test_issue12_remove_16g_dimm)
{
	boot(false);
	dimm_add(0, REGION_BASE, 16 * GiB, ZONE_MOVABLE);
	ck_assert(!root_allocated(20 * GiB));
	dimm_remove(REGION_BASE, 16 * GiB);
	ck_assert_uint_eq(NODE_DATA(0)->node_zones[ZONE_MOVABLE].managed_pages,
			  0);
	/* and again: the roots stay, the sections are new */
	dimm_add(0, REGION_BASE, 16 * GiB, ZONE_MOVABLE);
	dimm_remove(REGION_BASE, 16 * GiB);
}
END_TEST

START_TEST(test_issue12_remove_8g_dimm_ending_at_12g)
{
	boot(true);
	dimm_add(1, REGION_BASE, 8 * GiB, ZONE_MOVABLE);
	ck_assert(!root_allocated(12 * GiB));
	dimm_remove(REGION_BASE, 8 * GiB);
}
END_TEST

/* ------------------------------------------------------------ sizes */

static const phys_addr_t pow2_sizes[] = {
	128 * MiB, 256 * MiB, 512 * MiB, 1 * GiB, 2 * GiB, 4 * GiB,
	8 * GiB, 16 * GiB, 32 * GiB, 64 * GiB,
};

/* One DIMM's life: add, online, isolate all, cycle its last block,
 * offline, remove; the machine is as before. */
static void dimm_life(int nid, phys_addr_t base, phys_addr_t size)
{
	unsigned long total = totalram_pages;

	dimm_add(nid, base, size, ZONE_MOVABLE);
	isolate_free_range(base, base + size);
	isolate_free_range(base + size - PFN_PHYS(MAX_ORDER_NR_PAGES),
			   base + size);
	cycle_last_block(base + size, ZONE_MOVABLE);
	dimm_remove(base, size);
	ck_assert_uint_eq(totalram_pages, total);
}

/* Every power of two from 128 MiB to 64 GiB: at the bottom of the
 * region (4 GiB), and at its top (ending at maxmem) where it fits. */
START_TEST(test_pow2_dimm_sizes)
{
	phys_addr_t size = pow2_sizes[_i];

	boot(false);
	dimm_life(0, REGION_BASE, size);
	if (REGION_BASE + size <= REGION_END)
		dimm_life(0, REGION_END - size, size);
}
END_TEST

/* ------------------------------------------------------------ ranges */

/*
 * Ranges whose end is a boundary: the last present section in a root
 * that exists, a root boundary, 4 GiB (a DIMM below the PCI hole, online
 * as DMA32), the top of maxmem; each on a fresh boot, so nothing above.
 */
static const struct boundary_case {
	phys_addr_t base, size;
	enum zone_type zid;
	int nid;
} boundary_cases[] = {
	{ REGION_BASE, 512 * MiB, ZONE_MOVABLE, 0 },	/* last present */
	{ REGION_BASE, ROOT_BYTES, ZONE_MOVABLE, 0 },	/* root boundary */
	{ 3 * GiB, 1 * GiB, ZONE_DMA32, 0 },		/* ends at 4 GiB */
	{ 3 * GiB, 1 * GiB, ZONE_MOVABLE, 1 },
	{ 8 * GiB - 128 * MiB, 128 * MiB, ZONE_NORMAL, 1 },
	{ REGION_END - 128 * MiB, 128 * MiB, ZONE_MOVABLE, 0 },
	{ REGION_END - 4 * GiB, 4 * GiB, ZONE_NORMAL, 1 },
	{ 64 * GiB, 4 * GiB, ZONE_MOVABLE, 1 },		/* up to 68 GiB */
};

START_TEST(test_range_ends_at_boundary)
{
	const struct boundary_case *c = &boundary_cases[_i];
	phys_addr_t end = c->base + c->size;

	boot(true);
	dimm_add(c->nid, c->base, c->size, c->zid);
	isolate_free_range(c->base, end);
	isolate_free_range(end - PAGES_PER_SECTION * PAGE_SIZE, end);
	cycle_last_block(end, c->zid);
	dimm_remove(c->base, c->size);
}
END_TEST

/* Two adjacent DIMMs: the one below first (a section follows it), then
 * the top one (none does); and the other order. */
START_TEST(test_adjacent_dimms)
{
	boot(true);
	dimm_add(0, REGION_BASE, 2 * GiB, ZONE_MOVABLE);
	dimm_add(1, REGION_BASE + 2 * GiB, 2 * GiB, ZONE_MOVABLE);
	dimm_remove(REGION_BASE, 2 * GiB);
	dimm_remove(REGION_BASE + 2 * GiB, 2 * GiB);
	dimm_add(0, REGION_BASE, 2 * GiB, ZONE_MOVABLE);
	dimm_add(0, REGION_BASE + 2 * GiB, 2 * GiB, ZONE_MOVABLE);
	dimm_remove(REGION_BASE + 2 * GiB, 2 * GiB);
	dimm_remove(REGION_BASE, 2 * GiB);
}
END_TEST

/* A range isolated but holding a page in use is refused, whichever
 * section the page is in, the last one included. */
START_TEST(test_isolated_busy_at_end)
{
	static struct page *blocks[128 + 64];
	phys_addr_t base = 2 * ROOT_BYTES - 512 * MiB, size = 512 * MiB;
	phys_addr_t end = base + size;		/* a root boundary, 8 GiB */
	pfn_t last = PHYS_PFN(end) - PAGES_PER_SECTION;
	unsigned int n = 0, keep;

	boot(false);
	dimm_add(0, base, size, ZONE_NORMAL);
	/* take 4 MiB blocks until one is in the DIMM's last block; keep it */
	do {
		ck_assert_uint_lt(n, ARRAY_SIZE(blocks));
		blocks[n] = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);
		ck_assert_ptr_nonnull(blocks[n]);
	} while (page_to_pfn(blocks[n++]) < last);
	keep = n - 1;
	for (unsigned int i = 0; i < keep; i++)
		__free_pages(blocks[i], MAX_ORDER - 1);
	ck_assert_int_eq(start_isolate_page_range(last, PHYS_PFN(end),
						  MIGRATE_MOVABLE), 0);
	ck_assert_int_eq(test_pages_isolated(last, PHYS_PFN(end)), -EBUSY);
	undo_isolate_page_range(last, PHYS_PFN(end), MIGRATE_MOVABLE);
	ck_assert_int_eq(offline_pages(PHYS_PFN(base), PHYS_PFN(size)),
			 -EBUSY);
	check_mm();
	__free_pages(blocks[keep], MAX_ORDER - 1);
	dimm_remove(base, size);
}
END_TEST

/* ------------------------------------------------------------ migration */

static unsigned long pattern(unsigned long va)
{
	return va * 0x9e3779b97f4a7c15UL;
}

/* Anonymous pages on a DIMM that ends at a root boundary move out when
 * it goes, contents intact. */
START_TEST(test_migrate_out_of_dimm_at_root_end)
{
	const unsigned long len = 4 * MiB;
	struct mm_struct *mm;
	unsigned long a = 0;
	phys_addr_t pa;

	boot(false);
	mm = mm_alloc();
	ck_assert_ptr_nonnull(mm);
	dimm_add(0, REGION_BASE, 16 * GiB, ZONE_MOVABLE);
	ck_assert_int_eq(do_mmap(mm, 0, len, RW, ANON, &a), 0);
	for (unsigned long p = a; p < a + len; p += PAGE_SIZE) {
		ck_assert_uint_eq(handle_mm_fault(mm, p, FAULT_FLAG_WRITE), 0);
		ck_assert_int_eq(follow_phys(mm, p, &pa, NULL), 0);
		ck_assert_uint_ge(pa, REGION_BASE);	/* on the DIMM */
		*(unsigned long *)__va(pa) = pattern(p);
	}
	dimm_remove(REGION_BASE, 16 * GiB);
	for (unsigned long p = a; p < a + len; p += PAGE_SIZE) {
		ck_assert_int_eq(follow_phys(mm, p, &pa, NULL), 0);
		ck_assert_uint_lt(pa, BOOT_RAM);
		ck_assert_uint_eq(*(unsigned long *)__va(pa), pattern(p));
	}
	mmput(mm, NULL);
	check_mm();
}
END_TEST

/* ------------------------------------------------------------ random */

/*
 * A seeded random sequence of DIMM adds (128 MiB - 8 GiB, first fit in
 * the node's half of the region, as hotplug/region.c places them) and
 * removals on two nodes, with the invariant checker after each: the
 * host-side twin of `make soak`.
 */
#define RND_SLOTS	16

struct rnd_dimm {
	phys_addr_t base, size;
	bool used;
};

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* First fit for @size in [lo, hi) among @d; 0 if none. */
static phys_addr_t rnd_place(const struct rnd_dimm *d, phys_addr_t lo,
			     phys_addr_t hi, phys_addr_t size)
{
	phys_addr_t cand = lo;

	for (int i = 0; i < RND_SLOTS; i++) {
		if (cand + size > hi)
			return 0;
		if (d[i].used && cand < d[i].base + d[i].size &&
		    d[i].base < cand + size) {
			cand = d[i].base + d[i].size;
			i = -1;
		}
	}
	return cand + size <= hi ? cand : 0;
}

START_TEST(test_random_add_remove)
{
	const phys_addr_t half = (REGION_END - REGION_BASE) / 2 &
				 ~(128 * MiB - 1);
	struct rnd_dimm d[RND_SLOTS] = { { 0, 0, false } };
	unsigned long boot_total;

	boot(true);
	boot_total = totalram_pages;
	rnd_state = 0x5eed0000UL + (unsigned long)_i;
	for (int op = 0; op < 100; op++) {
		int i = (int)(rnd() % RND_SLOTS), nid = (int)(rnd() % 2);
		phys_addr_t size = 128 * MiB << (rnd() % 7), base;

		if (d[i].used) {
			dimm_remove(d[i].base, d[i].size);
			d[i].used = false;
			continue;
		}
		base = rnd_place(d, REGION_BASE + nid * half,
				 REGION_BASE + (nid + 1) * half, size);
		if (!base)
			continue;
		dimm_add(nid, base, size, ZONE_MOVABLE);
		d[i] = (struct rnd_dimm){ base, size, true };
	}
	for (int i = 0; i < RND_SLOTS; i++)
		if (d[i].used)
			dimm_remove(d[i].base, d[i].size);
	ck_assert_uint_eq(totalram_pages, boot_total);
}
END_TEST

Suite *mm_hotplug_suite(void)
{
	Suite *s = suite_create("mm_hotplug");
	TCase *issue = tcase_create("issue12");
	TCase *sizes = tcase_create("sizes");
	TCase *ranges = tcase_create("boundaries");
	TCase *random = tcase_create("random");

	tcase_add_test(issue, test_issue12_remove_16g_dimm);
	tcase_add_test(issue, test_issue12_remove_8g_dimm_ending_at_12g);
	tcase_add_loop_test(sizes, test_pow2_dimm_sizes, 0,
			    ARRAY_SIZE(pow2_sizes));
	tcase_set_timeout(sizes, 120);
	tcase_add_loop_test(ranges, test_range_ends_at_boundary, 0,
			    ARRAY_SIZE(boundary_cases));
	tcase_add_test(ranges, test_adjacent_dimms);
	tcase_add_test(ranges, test_isolated_busy_at_end);
	tcase_add_test(ranges, test_migrate_out_of_dimm_at_root_end);
	tcase_add_loop_test(random, test_random_add_remove, 0, 3);
	tcase_set_timeout(random, 120);
	suite_add_tcase(s, issue);
	suite_add_tcase(s, sizes);
	suite_add_tcase(s, ranges);
	suite_add_tcase(s, random);
	return s;
}
