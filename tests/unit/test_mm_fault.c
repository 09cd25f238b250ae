/*
 * guest/mm address spaces and demand paging: mmap placement and gaps,
 * munmap splitting VMAs and 2 MiB pages, the fault path's choice of 2 MiB /
 * 64 KiB / 4 KiB at VMA edges, known-zero pages not cleared, permissions,
 * RSS and /proc counters exact, out of memory handled.
 */
#include <check.h>
#include <stdio.h>

#include "guest/mm/mm_internal.h"
#include "mm_check.h"

#define MiB (1UL << 20)
#define KiB (1UL << 10)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

static char why[256];
static char buf[16384];
static struct mm_struct *mm;

static void boot_mem(unsigned long bytes)
{
	const struct mm_stub_range map[] = { { 0, bytes, 0 } };

	mm_stub_boot(map, 1, 2 * MiB);
	mm = mm_alloc();
	ck_assert_ptr_nonnull(mm);
}

static void boot(void)
{
	boot_mem(256 * MiB);
}

static unsigned long map(unsigned long addr, unsigned long len,
			 unsigned long prot, unsigned long flags)
{
	unsigned long a = 0;

	ck_assert_int_eq(do_mmap(mm, addr, len, prot, flags, &a), 0);
	return a;
}

static vm_fault_t fault(unsigned long va, unsigned int flags)
{
	return handle_mm_fault(mm, va, flags | FAULT_FLAG_USER);
}

/* Level of the leaf mapping @va: PT_LEVEL_PTE/PMD, or -1 if none. */
static int leaf_level(unsigned long va)
{
	pteval_t *e;
	int level;

	e = walk(mm, va, PT_LEVEL_PTE, false, &level);
	return e && pte_present(*e) ? level : -1;
}

static unsigned long *user_word(unsigned long va)
{
	phys_addr_t pa;

	ck_assert_int_eq(follow_phys(mm, va, &pa, NULL), 0);
	return __va(pa);
}

START_TEST(test_mmap_placement)
{
	unsigned long a, b, c, d, base = mm->mmap_base;
	struct vm_area_struct *vma;

	a = map(0, 1, PROT_READ, ANON);
	ck_assert_uint_eq(a, base - PAGE_SIZE);
	b = map(0, 4 * MiB, RW, ANON);		/* 2 MiB aligned */
	ck_assert_uint_eq(b, base - 6 * MiB);
	ck_assert_uint_eq(b % (2 * MiB), 0);
	c = map(0, 3 * PAGE_SIZE, RW, ANON);	/* in the gap below a */
	ck_assert_uint_eq(c, base - 4 * PAGE_SIZE);
	ck_assert_uint_eq(mm->map_count, 3);
	/* same flags, adjacent: merged with b? no, c sits above b's end */
	d = map(b - PAGE_SIZE, PAGE_SIZE, RW, ANON);	/* hint taken */
	ck_assert_uint_eq(d, b - PAGE_SIZE);
	ck_assert_uint_eq(mm->map_count, 3);	/* merged into b */
	vma = find_vma(mm, d);
	ck_assert_uint_eq(vma->vm_start, d);
	ck_assert_uint_eq(vma->vm_end, b + 4 * MiB);
	/* hint over a mapping: placed elsewhere; FIXED_NOREPLACE refuses */
	ck_assert_uint_ne(map(b, PAGE_SIZE, PROT_READ, ANON), b);
	ck_assert_int_eq(do_mmap(mm, b, PAGE_SIZE, PROT_READ,
				 ANON | MAP_FIXED_NOREPLACE, &d), -EEXIST);
	/* bad arguments */
	ck_assert_int_eq(do_mmap(mm, 0, 0, PROT_READ, ANON, &d), -EINVAL);
	ck_assert_int_eq(do_mmap(mm, 0, PAGE_SIZE, PROT_READ, MAP_SHARED |
				 MAP_ANONYMOUS, &d), -EINVAL);
	ck_assert_int_eq(do_mmap(mm, 0, PAGE_SIZE, 0x8, ANON, &d), -EINVAL);
	ck_assert_int_eq(do_mmap(mm, 0x1001, PAGE_SIZE, PROT_READ,
				 ANON | MAP_FIXED, &d), -EINVAL);
	ck_assert_int_eq(do_mmap(mm, 0, TASK_SIZE, PROT_READ, ANON, &d),
			 -ENOMEM);
	ck_assert_int_eq(do_mmap(mm, TASK_SIZE - PAGE_SIZE, 2 * PAGE_SIZE,
				 PROT_READ, ANON | MAP_FIXED, &d), -EINVAL);
	/* the lowest address allowed */
	ck_assert_uint_eq(map(MMAP_MIN_ADDR, PAGE_SIZE, PROT_READ,
			      ANON | MAP_FIXED), MMAP_MIN_ADDR);
	ck_assert_int_eq(do_mmap(mm, 0, PAGE_SIZE, PROT_READ,
				 ANON | MAP_FIXED, &d), -EINVAL);
}
END_TEST

START_TEST(test_munmap_splits_vmas)
{
	unsigned long a = map(0x100000, 10 * PAGE_SIZE, RW, ANON);
	struct vm_area_struct *vma;

	for (int i = 0; i < 10; i++)
		ck_assert_uint_eq(fault(a + i * PAGE_SIZE, FAULT_FLAG_WRITE),
				  0);
	ck_assert_uint_eq(get_mm_rss(mm), 10);
	ck_assert_int_eq(do_munmap(mm, a + 3 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	ck_assert_uint_eq(mm->map_count, 2);
	ck_assert_uint_eq(get_mm_rss(mm), 8);
	ck_assert_int_eq(leaf_level(a + 3 * PAGE_SIZE), -1);
	ck_assert_int_eq(leaf_level(a + 5 * PAGE_SIZE), PT_LEVEL_PTE);
	vma = find_vma(mm, a + 3 * PAGE_SIZE);
	ck_assert_uint_eq(vma->vm_start, a + 5 * PAGE_SIZE);
	ck_assert_uint_eq(fault(a + 3 * PAGE_SIZE, FAULT_FLAG_WRITE),
			  VM_FAULT_SIGSEGV);
	/* trim both ends, then everything; unaligned is refused */
	ck_assert_int_eq(do_munmap(mm, a + 1, PAGE_SIZE), -EINVAL);
	ck_assert_int_eq(do_munmap(mm, a, PAGE_SIZE), 0);
	ck_assert_int_eq(do_munmap(mm, a + 9 * PAGE_SIZE, 100), 0);
	ck_assert_uint_eq(get_mm_rss(mm), 6);
	ck_assert_uint_eq(mm->map_count, 2);
	ck_assert_int_eq(do_munmap(mm, a - PAGE_SIZE, 20 * PAGE_SIZE), 0);
	ck_assert_uint_eq(mm->map_count, 0);
	ck_assert_uint_eq(get_mm_rss(mm), 0);
	/* nothing left but the PML4: the tables went with the last VMA */
	ck_assert_uint_eq(mm->nr_ptes, 1);
	ck_assert_int_eq(do_munmap(mm, a, PAGE_SIZE), 0);	/* no-op */
}
END_TEST

START_TEST(test_fault_sizes)
{
	unsigned long a = map(0, 4 * MiB, RW, ANON);
	unsigned long b = map(0x1000000, 64 * KiB + 8 * KiB, RW, ANON);
	unsigned long c = map(0x2001000, 64 * KiB, RW, ANON);
	unsigned long thp = global_vm_event(THP_FAULT_ALLOC);
	unsigned long mthp = global_vm_event(MTHP_FAULT_ALLOC);

	/* 2 MiB: the aligned range around the fault fits */
	ck_assert_uint_eq(fault(a + 3 * MiB + 5, FAULT_FLAG_WRITE), 0);
	ck_assert_int_eq(leaf_level(a + 2 * MiB), PT_LEVEL_PMD);
	ck_assert_int_eq(leaf_level(a), -1);
	ck_assert_uint_eq(get_mm_rss(mm), 512);
	ck_assert_uint_eq(global_vm_event(THP_FAULT_ALLOC), thp + 1);
	/* 64 KiB at the start of b, then 4 KiB for its last 8 KiB */
	ck_assert_uint_eq(fault(b + 5 * PAGE_SIZE, 0), 0);
	ck_assert_uint_eq(get_mm_rss(mm), 512 + 16);
	ck_assert_uint_eq(global_vm_event(MTHP_FAULT_ALLOC), mthp + 1);
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(leaf_level(b + i * PAGE_SIZE), PT_LEVEL_PTE);
	ck_assert_uint_eq(fault(b + 16 * PAGE_SIZE, FAULT_FLAG_WRITE), 0);
	ck_assert_int_eq(leaf_level(b + 17 * PAGE_SIZE), -1);
	ck_assert_uint_eq(get_mm_rss(mm), 512 + 17);
	/* c is not 64 KiB aligned: 4 KiB pages only */
	ck_assert_uint_eq(fault(c + 20 * KiB, FAULT_FLAG_WRITE), 0);
	ck_assert_uint_eq(get_mm_rss(mm), 512 + 18);
	ck_assert_uint_eq(global_vm_event(MTHP_FAULT_ALLOC), mthp + 1);
	/* a hole in an otherwise mapped 64 KiB chunk: 4 KiB */
	ck_assert_int_eq(do_munmap(mm, b + 3 * PAGE_SIZE, PAGE_SIZE), 0);
	ck_assert_int_eq(do_mmap(mm, b + 3 * PAGE_SIZE, PAGE_SIZE, RW,
				 ANON | MAP_FIXED, &c), 0);
	ck_assert_uint_eq(fault(b + 3 * PAGE_SIZE, FAULT_FLAG_WRITE), 0);
	ck_assert_uint_eq(get_mm_rss(mm), 512 + 18);
	ck_assert_uint_eq(global_vm_event(MTHP_FAULT_ALLOC), mthp + 1);
	/* spurious: already mapped, nothing changes */
	ck_assert_uint_eq(fault(a + 2 * MiB, FAULT_FLAG_WRITE), 0);
	ck_assert_uint_eq(fault(b, FAULT_FLAG_WRITE), 0);
	ck_assert_uint_eq(get_mm_rss(mm), 512 + 18);
}
END_TEST

START_TEST(test_fault_permissions)
{
	unsigned long ro = map(0, PAGE_SIZE, PROT_READ, ANON);
	unsigned long wo = map(0, PAGE_SIZE, PROT_WRITE, ANON);
	unsigned long none = map(0, PAGE_SIZE, PROT_NONE, ANON);
	unsigned long x = map(0, PAGE_SIZE, PROT_READ | PROT_EXEC, ANON);
	pteval_t e;

	ck_assert_uint_eq(fault(ro, FAULT_FLAG_WRITE), VM_FAULT_SIGSEGV);
	ck_assert_uint_eq(fault(ro, FAULT_FLAG_INSTRUCTION),
			  VM_FAULT_SIGSEGV);
	ck_assert_uint_eq(fault(ro, 0), 0);
	ck_assert_int_eq(follow_phys(mm, ro, NULL, &e), 0);
	ck_assert(!(e & _PAGE_RW) && (e & _PAGE_USER) && (e & _PAGE_NX));
	ck_assert_uint_eq(fault(wo, 0), 0);	/* x86: write implies read */
	ck_assert_uint_eq(fault(none, 0), VM_FAULT_SIGSEGV);
	ck_assert_uint_eq(fault(x, FAULT_FLAG_INSTRUCTION), 0);
	ck_assert_int_eq(follow_phys(mm, x, NULL, &e), 0);
	ck_assert(!(e & (_PAGE_RW | _PAGE_NX)));
	ck_assert_uint_eq(fault(0x1000, 0), VM_FAULT_SIGSEGV);
	ck_assert_uint_eq(fault(TASK_SIZE + PAGE_SIZE, 0), VM_FAULT_SIGSEGV);
	ck_assert_uint_eq(get_mm_rss(mm), 3);
}
END_TEST

START_TEST(test_known_zero_not_cleared)
{
	unsigned long a = map(0, 2 * MiB + 64 * KiB + PAGE_SIZE, RW, ANON);
	unsigned long clears = mm_stub_nr_clear_page;
	unsigned long skipped = global_vm_event(PGZERO_SKIPPED);

	/* a is 2 MiB aligned: one 2 MiB, one 64 KiB, one 4 KiB fault */
	ck_assert_uint_eq(fault(a, FAULT_FLAG_WRITE), 0);
	ck_assert_uint_eq(fault(a + 2 * MiB, FAULT_FLAG_WRITE), 0);
	ck_assert_uint_eq(fault(a + 2 * MiB + 64 * KiB, FAULT_FLAG_WRITE), 0);
	ck_assert_uint_eq(get_mm_rss(mm), 512 + 16 + 1);
	ck_assert_uint_eq(mm_stub_nr_clear_page, clears);	/* none */
	/* the pages and their new tables (all but the PML4) */
	ck_assert_uint_eq(global_vm_event(PGZERO_SKIPPED),
			  skipped + 512 + 16 + 1 + mm->nr_ptes - 1);
	/* dirty the pages, free them, fault again: zero contents anyway */
	for (unsigned long off = 0; off < 2 * MiB + 68 * KiB;
	     off += PAGE_SIZE)
		*user_word(a + off) = 0xdeadbeef;
	ck_assert_int_eq(do_munmap(mm, a, 3 * MiB), 0);
	a = map(a, 2 * MiB + 64 * KiB + PAGE_SIZE, RW, ANON | MAP_FIXED);
	ck_assert_uint_eq(fault(a + 2 * MiB + 64 * KiB, FAULT_FLAG_WRITE), 0);
	ck_assert_uint_eq(fault(a + 2 * MiB, FAULT_FLAG_WRITE), 0);
	ck_assert_uint_eq(fault(a, FAULT_FLAG_WRITE), 0);
	for (unsigned long off = 0; off < 2 * MiB + 68 * KiB;
	     off += PAGE_SIZE)
		ck_assert_uint_eq(*user_word(a + off), 0);
}
END_TEST

START_TEST(test_counters_and_proc)
{
	unsigned long a = map(0, 4 * MiB, RW, ANON);
	unsigned long anon = global_page_state(NR_ANON_MAPPED);
	unsigned long faults = global_vm_event(PGFAULT);
	char line[64];

	ck_assert_uint_eq(fault(a, FAULT_FLAG_WRITE), 0);
	ck_assert_uint_eq(fault(a + 2 * MiB, FAULT_FLAG_WRITE), 0);
	ck_assert_uint_eq(global_vm_event(PGFAULT), faults + 2);
	ck_assert_uint_eq(global_page_state(NR_ANON_MAPPED), anon + 1024);
	ck_assert_uint_eq(global_page_state(NR_ANON_THPS), 1024);
	mm_show_meminfo(buf, sizeof(buf));
	snprintf(line, sizeof(line), "AnonHugePages:  %8lu kB", 4096UL);
	ck_assert_ptr_nonnull(strstr(buf, line));
	snprintf(line, sizeof(line), "PageTables:     %8lu kB",
		 global_page_state(NR_PAGETABLE) * 4);
	ck_assert_ptr_nonnull(strstr(buf, line));
	mm_show_vmstat(buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\nnr_anon_transparent_hugepages 2\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nthp_fault_alloc 2\n"));
	/* a split keeps the data and the totals, drops the THP count */
	*user_word(a + 5 * PAGE_SIZE) = 42;
	ck_assert_int_eq(do_munmap(mm, a + PAGE_SIZE, PAGE_SIZE), 0);
	ck_assert_uint_eq(global_vm_event(THP_SPLIT_PMD), 1);
	ck_assert_uint_eq(global_page_state(NR_ANON_THPS), 512);
	ck_assert_uint_eq(global_page_state(NR_ANON_MAPPED), anon + 1023);
	ck_assert_uint_eq(get_mm_rss(mm), 1023);
	ck_assert_int_eq(leaf_level(a + 5 * PAGE_SIZE), PT_LEVEL_PTE);
	ck_assert_uint_eq(*user_word(a + 5 * PAGE_SIZE), 42);
	ck_assert_uint_eq(page_mapcount(virt_to_page(
			user_word(a + 5 * PAGE_SIZE))), 1);
}
END_TEST

START_TEST(test_out_of_memory)
{
	unsigned long a, free, va;
	struct unmap_stats st;
	vm_fault_t ret = 0;

	boot_mem(64 * MiB);
	/* warm up: the slab caches keep a page each afterwards */
	a = map(0, PAGE_SIZE, RW, ANON);
	ck_assert_uint_eq(fault(a, FAULT_FLAG_WRITE), 0);
	mmput(mm, NULL);
	drain_all_pages(NULL);
	free = global_page_state(NR_FREE_PAGES);
	mm = mm_alloc();
	a = map(0, 128 * MiB, RW, ANON);
	for (va = a; va < a + 128 * MiB; va += PAGE_SIZE) {
		ret = fault(va, FAULT_FLAG_WRITE);
		if (ret)
			break;
	}
	ck_assert_uint_eq(ret, VM_FAULT_OOM);
	ck_assert_uint_gt(get_mm_rss(mm), 32 * MiB / PAGE_SIZE);
	mmput(mm, &st);
	ck_assert_uint_gt(st.pages, 32 * MiB / PAGE_SIZE);
	drain_all_pages(NULL);
	ck_assert_uint_eq(global_page_state(NR_FREE_PAGES), free);
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
	mm = NULL;
}
END_TEST

Suite *mm_fault_suite(void)
{
	Suite *s = suite_create("mm_fault");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, boot, NULL);
	tcase_add_test(tc, test_mmap_placement);
	tcase_add_test(tc, test_munmap_splits_vmas);
	tcase_add_test(tc, test_fault_sizes);
	tcase_add_test(tc, test_fault_permissions);
	tcase_add_test(tc, test_known_zero_not_cleared);
	tcase_add_test(tc, test_counters_and_proc);
	tcase_add_test(tc, test_out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}
