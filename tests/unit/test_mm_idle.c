/*
 * guest/mm idle page tracking (page_idle.c): the bitmap of 64-bit words
 * over PFNs -- marking clears the accessed bits of the PTEs that map a
 * page, reading reports the pages not accessed since; a 2 MiB THP counts
 * for its 512 PFNs through its head; free and kernel pages read 0; a
 * cleared accessed bit is kept for reclaim as PG_young -- and
 * walk_present_pages, which finds a task's PFNs.  The host build has no
 * MMU to set accessed bits: a test sets them where a CPU access would.
 */
#include <check.h>

#include "guest/mm/mm_internal.h"
#include "mm_check.h"

#define MiB (1UL << 20)

static struct mm_struct *mm;
static char why[256];

static void boot(void)
{
	const struct mm_stub_range map[] = { { 0, 128 * MiB, 0 } };

	mm_stub_boot(map, 1, 2 * MiB);
	mm = mm_alloc();
	ck_assert_ptr_nonnull(mm);
}

/* Map and touch @len bytes of anonymous memory; its address. */
static unsigned long anon(unsigned long len)
{
	unsigned long a = 0;

	ck_assert_int_eq(do_mmap(mm, 0, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, &a), 0);
	for (unsigned long v = a; v < a + len; v += PAGE_SIZE)
		ck_assert_uint_eq(handle_mm_fault(mm, v, FAULT_FLAG_WRITE |
						  FAULT_FLAG_USER), 0);
	return a;
}

static pfn_t pfn_of(unsigned long va)
{
	phys_addr_t pa;

	ck_assert_int_eq(follow_phys(mm, va, &pa, NULL), 0);
	return PHYS_PFN(pa);
}

/* What the CPU does on an access: set the leaf entry's accessed bit. */
static void touch(unsigned long va)
{
	int level;
	pteval_t *e = walk(mm, va, PT_LEVEL_PTE, false, &level);

	ck_assert(e && pte_present(*e));
	*e |= _PAGE_ACCESSED;
}

static bool idle_bit(pfn_t pfn)
{
	uint64_t w;

	page_idle_bitmap_read(pfn / 64, &w, 1);
	return (w >> (pfn % 64)) & 1;
}

static void mark(pfn_t pfn)
{
	uint64_t w = 1UL << (pfn % 64);

	page_idle_bitmap_write(pfn / 64, &w, 1);
}

START_TEST(test_mark_read_4k)
{
	unsigned long a;
	pfn_t p0, p1;

	huge_anon_orders = 0;			/* 4 KiB pages only */
	a = anon(4 * PAGE_SIZE);
	huge_anon_orders = HUGE_ANON_ORDERS_DEFAULT;
	p0 = pfn_of(a);
	p1 = pfn_of(a + PAGE_SIZE);
	ck_assert(!idle_bit(p0));		/* never marked */
	mark(p0);
	mark(p1);
	/* the faults left accessed bits: taken, but kept for reclaim */
	ck_assert(PageYoung(pfn_to_page(p0)) && PageIdle(pfn_to_page(p0)));
	ck_assert(idle_bit(p0) && idle_bit(p1));
	touch(a + PAGE_SIZE);
	ck_assert(idle_bit(p0));
	ck_assert(!idle_bit(p1));		/* accessed since: not idle */
	ck_assert(!idle_bit(p1));		/* and it stays so */
	/* the read cleared the accessed bit again: a new mark holds */
	mark(p1);
	ck_assert(idle_bit(p1));
	/* a free page and a page table never take part */
	{
		struct page *free = alloc_page(GFP_KERNEL);
		pfn_t fp = page_to_pfn(free);

		__free_page(free);
		mark(fp);
		ck_assert(!idle_bit(fp));
	}
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
	mmput(mm, NULL);
}
END_TEST

START_TEST(test_thp_is_one_page)
{
	unsigned long a = anon(2 * MiB);
	pfn_t head = pfn_of(a);
	uint64_t words[8];

	ck_assert(PageHead(pfn_to_page(head)));
	/* one bit of a tail marks the whole THP */
	mark(head + 100);
	page_idle_bitmap_read(head / 64, words, 8);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(words[i], ~0UL);
	touch(a + 3 * PAGE_SIZE);		/* one PMD accessed bit */
	ck_assert(!idle_bit(head + 511));
	ck_assert(!idle_bit(head));
	mmput(mm, NULL);
}
END_TEST

static void count_pfns(pfn_t pfn, unsigned long nr, void *arg)
{
	*(unsigned long *)arg += nr;
	ck_assert(pfn_valid(pfn));
}

START_TEST(test_walk_present_pages)
{
	unsigned long n = 0;

	anon(2 * MiB);				/* a THP */
	huge_anon_orders = 0;
	anon(3 * PAGE_SIZE);			/* three pages */
	huge_anon_orders = HUGE_ANON_ORDERS_DEFAULT;
	walk_present_pages(mm, count_pfns, &n);
	ck_assert_uint_eq(n, 512 + 3);
	mmput(mm, NULL);
}
END_TEST

Suite *mm_idle_suite(void)
{
	Suite *s = suite_create("mm_idle");
	TCase *tc = tcase_create("page_idle");

	tcase_add_checked_fixture(tc, boot, NULL);
	tcase_add_test(tc, test_mark_read_4k);
	tcase_add_test(tc, test_thp_is_one_page);
	tcase_add_test(tc, test_walk_present_pages);
	suite_add_tcase(s, tc);
	return s;
}
