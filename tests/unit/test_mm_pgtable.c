/*
 * guest/mm page tables: real 4-level tables in the stub's simulated memory.
 * Kernel 4 KiB mappings (what arch_map_page does), walks through 2 MiB and
 * 1 GiB leaves, the kernel half shared by every new mm, and teardown that
 * frees exactly what was allocated.
 */
#include <check.h>

#include "guest/mm/mm_internal.h"
#include "mm_check.h"

#define MiB (1UL << 20)
#define GiB (1UL << 30)

static char why[256];

static void boot(void)
{
	static const struct mm_stub_range map[] = { { 0, 256 * MiB, 0 } };

	mm_stub_boot(map, 1, 2 * MiB);
}

START_TEST(test_kernel_map_walk)
{
	unsigned long va = VMALLOC_START + 5 * GiB + 7 * PAGE_SIZE;
	struct page *page;
	phys_addr_t pa;
	pteval_t e;
	int level;

	boot();
	page = alloc_page(GFP_KERNEL);
	ck_assert_int_eq(map_kernel_page(va, page_to_phys(page),
					 MM_PROT_KERNEL), 0);
	ck_assert_int_eq(follow_phys(&init_mm, va + 123, &pa, &e), 0);
	ck_assert_uint_eq(pa, page_to_phys(page) + 123);
	ck_assert_uint_eq(e & ~PTE_PFN_MASK, _PAGE_PRESENT | _PAGE_RW |
			  _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL |
			  _PAGE_NX);
	ck_assert_int_eq(map_kernel_page(va, 0, MM_PROT_KERNEL), -EEXIST);
	ck_assert_int_eq(map_kernel_page(va + 1, 0, MM_PROT_KERNEL), -EINVAL);
	ck_assert_int_eq(map_kernel_page(PAGE_OFFSET, 0, MM_PROT_KERNEL),
			 -EINVAL);
	/* the neighbour shares the PT; the walk stops there, unmapped */
	ck_assert_ptr_nonnull(walk(&init_mm, va + PAGE_SIZE, PT_LEVEL_PTE,
				   false, &level));
	ck_assert_int_eq(follow_phys(&init_mm, va + PAGE_SIZE, NULL, NULL),
			 -EFAULT);
	/* a read-only executable page: no RW, no NX */
	ck_assert_int_eq(map_kernel_page(va + PAGE_SIZE, page_to_phys(page),
					 MM_PROT_READ | MM_PROT_EXEC), 0);
	ck_assert_int_eq(follow_phys(&init_mm, va + PAGE_SIZE, NULL, &e), 0);
	ck_assert(!(e & (_PAGE_RW | _PAGE_NX | _PAGE_USER)));
	unmap_kernel_page(va);
	ck_assert_int_eq(follow_phys(&init_mm, va, NULL, NULL), -EFAULT);
	/* arch_map_page of the stub is the same code */
	ck_assert_int_eq(arch_map_page(va, page_to_phys(page), MM_PROT_READ),
			 0);
	ck_assert(mm_stub_lookup(va + 8, &pa));
	ck_assert_uint_eq(pa, page_to_phys(page) + 8);
}
END_TEST

START_TEST(test_walk_huge_leaves)
{
	struct mm_struct *mm;
	pteval_t *e;
	phys_addr_t pa;
	int level;

	boot();
	mm = mm_alloc();
	ck_assert_ptr_nonnull(mm);
	/* a 2 MiB leaf at 6 MiB -> phys 32 MiB */
	e = walk(mm, 6 * MiB, PT_LEVEL_PMD, true, &level);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(level, PT_LEVEL_PMD);
	ck_assert_uint_eq(mm->nr_ptes, 3);	/* pgd, pud, pmd tables */
	*e = 32 * MiB | _PAGE_PRESENT | _PAGE_USER | _PAGE_PSE;
	ck_assert_ptr_eq(walk(mm, 6 * MiB + 12345, PT_LEVEL_PTE, true,
			      &level), e);
	ck_assert_int_eq(level, PT_LEVEL_PMD);	/* stopped at the leaf */
	ck_assert_uint_eq(mm->nr_ptes, 3);	/* and allocated nothing */
	ck_assert_int_eq(follow_phys(mm, 6 * MiB + 12345, &pa, NULL), 0);
	ck_assert_uint_eq(pa, 32 * MiB + 12345);
	*e = 0;
	/* a 1 GiB leaf at 3 GiB -> phys 1 GiB */
	e = walk(mm, 3 * GiB, PT_LEVEL_PUD, true, &level);
	ck_assert_int_eq(level, PT_LEVEL_PUD);
	*e = GiB | _PAGE_PRESENT | _PAGE_PSE;
	ck_assert_int_eq(follow_phys(mm, 3 * GiB + 5 * MiB + 3, &pa, NULL),
			 0);
	ck_assert_uint_eq(pa, GiB + 5 * MiB + 3);
	*e = 0;
	/* unallocated: NULL, nothing allocated */
	ck_assert_ptr_null(walk(mm, 0x7f0000000000UL, PT_LEVEL_PTE, false,
				&level));
	ck_assert_uint_eq(mm->nr_ptes, 3);
	mmput(mm, NULL);
}
END_TEST

START_TEST(test_kernel_half_shared)
{
	const pgd_t *kpgd, *a, *b;
	struct mm_struct *ma, *mb;
	phys_addr_t pa1, pa2;
	unsigned int slots = 0;
	void *v;

	boot();
	ma = mm_alloc();
	mb = mm_alloc();
	kpgd = __va(init_mm.pgd);
	a = __va(ma->pgd);
	b = __va(mb->pgd);
	for (unsigned int i = 0; i < 512; i++) {
		if (i < KERNEL_PGD_BOUNDARY) {
			ck_assert_uint_eq(a[i], 0);
			continue;
		}
		ck_assert_uint_eq(a[i], kpgd[i]);
		ck_assert_uint_eq(b[i], kpgd[i]);
		slots += pte_present(kpgd[i]);
	}
	/* direct map (1) + vmalloc window (1): all PDPTs in place */
	ck_assert_uint_eq(slots, 2);
	ck_assert(pte_present(kpgd[pgd_index(VMALLOC_END)]));
	/* a later vmalloc is visible through both without touching them */
	v = vmalloc(3 * PAGE_SIZE);
	ck_assert_int_eq(follow_phys(ma, (unsigned long)v + PAGE_SIZE, &pa1,
				     NULL), 0);
	ck_assert_int_eq(follow_phys(mb, (unsigned long)v + PAGE_SIZE, &pa2,
				     NULL), 0);
	ck_assert_uint_eq(pa1, pa2);
	ck_assert(mm_stub_lookup((unsigned long)v + PAGE_SIZE, &pa2));
	ck_assert_uint_eq(pa1, pa2);
	for (unsigned int i = KERNEL_PGD_BOUNDARY; i < 512; i++)
		ck_assert_uint_eq(a[i], kpgd[i]);
	vfree(v);
	mmput(ma, NULL);
	mmput(mb, NULL);
}
END_TEST

static void touch(struct mm_struct *mm, unsigned long va)
{
	ck_assert_uint_eq(handle_mm_fault(mm, va, FAULT_FLAG_USER), 0);
}

START_TEST(test_teardown_exact)
{
	unsigned long free, pgtables, anon, a, b, c, rss, ptes;
	struct unmap_stats st;
	struct mm_struct *mm;

	boot();
	/* warm up the mm caches, so the slab keeps nothing new afterwards */
	mm = mm_alloc();
	ck_assert_int_eq(do_mmap(mm, 0, PAGE_SIZE, PROT_READ,
				 MAP_PRIVATE | MAP_ANONYMOUS, &a), 0);
	mmput(mm, &st);
	ck_assert_uint_eq(st.pages, 0);
	ck_assert_uint_eq(st.pgtables, 1);	/* the PML4 alone */
	drain_all_pages(NULL);
	ck_assert_msg(!mm_check_set_baseline(why, sizeof(why)), "%s", why);
	free = global_page_state(NR_FREE_PAGES);
	pgtables = global_page_state(NR_PAGETABLE);
	anon = global_page_state(NR_ANON_MAPPED);

	mm = mm_alloc();
	ck_assert_int_eq(do_mmap(mm, 0, 8 * MiB, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, &a), 0);
	ck_assert_int_eq(do_mmap(mm, 0x400000, 5 * PAGE_SIZE, PROT_READ,
				 MAP_PRIVATE | MAP_ANONYMOUS, &b), 0);
	ck_assert_int_eq(do_mmap(mm, 0x10000, 64 << 10, PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, &c),
			 0);
	touch(mm, a + 3 * MiB);			/* 2 MiB */
	touch(mm, a + 7 * MiB);			/* 2 MiB */
	touch(mm, b + PAGE_SIZE);		/* 4 KiB */
	touch(mm, c + 100);			/* 64 KiB */
	rss = get_mm_rss(mm);
	ptes = mm->nr_ptes;
	ck_assert_uint_eq(rss, 2 * 512 + 1 + 16);
	/* pgd; top: pud, pmd; low: pud, pmd, a pt each for b and c */
	ck_assert_uint_eq(ptes, 1 + 2 + 4);
	ck_assert_uint_eq(global_page_state(NR_PAGETABLE), pgtables + ptes);
	ck_assert_uint_eq(global_page_state(NR_ANON_MAPPED), anon + rss);
	mmput(mm, &st);
	ck_assert_uint_eq(st.pages, rss);
	ck_assert_uint_eq(st.pgtables, ptes);
	ck_assert_uint_eq(global_page_state(NR_PAGETABLE), pgtables);
	ck_assert_uint_eq(global_page_state(NR_ANON_MAPPED), anon);
	drain_all_pages(NULL);
	ck_assert_uint_eq(global_page_state(NR_FREE_PAGES), free);
	ck_assert_msg(!mm_check_all(NULL, 0, true, why, sizeof(why)), "%s",
		      why);
}
END_TEST

START_TEST(test_mmget_mmput)
{
	struct unmap_stats st;
	struct mm_struct *mm;
	unsigned long a;

	boot();
	mm = mm_alloc();
	ck_assert_int_eq(do_mmap(mm, 0, PAGE_SIZE, PROT_READ,
				 MAP_PRIVATE | MAP_ANONYMOUS, &a), 0);
	touch(mm, a);
	mmget(mm);
	mmput(mm, &st);			/* not the last reference */
	ck_assert_uint_eq(st.pages, 0);
	ck_assert_uint_eq(get_mm_rss(mm), 1);
	mmput(mm, &st);
	ck_assert_uint_eq(st.pages, 1);
}
END_TEST

Suite *mm_pgtable_suite(void)
{
	Suite *s = suite_create("mm_pgtable");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_kernel_map_walk);
	tcase_add_test(tc, test_walk_huge_leaves);
	tcase_add_test(tc, test_kernel_half_shared);
	tcase_add_test(tc, test_teardown_exact);
	tcase_add_test(tc, test_mmget_mmput);
	suite_add_tcase(s, tc);
	return s;
}
