/*
 * guest/mm vmalloc: pages mapped through the arch interface, guard pages
 * left unmapped, vfree unmapping and freeing, vzalloc zero pages, vmap,
 * unwinding when mapping fails, /proc/vmallocinfo.
 */
#include <check.h>
#include <stdio.h>

#include "guest/mm/mm_internal.h"
#include "mm_check.h"

#define MiB (1UL << 20)

static char buf[16384];

static void boot(void)
{
	static const struct mm_stub_range map[] = { { 0, 128 * MiB, 0 } };

	mm_stub_boot(map, 1, 2 * MiB);
}

static void *host_ptr(const void *va)
{
	phys_addr_t pa;

	ck_assert(mm_stub_lookup((unsigned long)va, &pa));
	return __va(pa);
}

START_TEST(test_vmalloc_guard_pages)
{
	unsigned long a, b;

	boot();
	a = (unsigned long)vmalloc(3 * PAGE_SIZE);
	b = (unsigned long)vmalloc(5000);
	ck_assert_uint_eq(a, VMALLOC_START);
	ck_assert_uint_eq(b, a + 4 * PAGE_SIZE);	/* after a's guard */
	for (int i = 0; i < 3; i++)
		ck_assert(mm_stub_lookup(a + i * PAGE_SIZE, NULL));
	ck_assert(!mm_stub_lookup(a + 3 * PAGE_SIZE, NULL));	/* guard */
	ck_assert(mm_stub_lookup(b + PAGE_SIZE, NULL));
	ck_assert(!mm_stub_lookup(b + 2 * PAGE_SIZE, NULL));	/* guard */
	ck_assert_uint_eq(mm_stub_nr_mapped(), 5);
	ck_assert_uint_eq(vmalloc_nr_pages(), 5);
	ck_assert_ptr_eq(__va(page_to_phys(vmalloc_to_page((void *)(a + 8200))))
			 , (char *)host_ptr((void *)(a + 8200)) - 8);
	vfree((void *)a);
	ck_assert(!mm_stub_lookup(a, NULL));
	ck_assert_uint_eq(mm_stub_nr_mapped(), 2);
	/* first fit reuses the hole */
	ck_assert_uint_eq((unsigned long)vmalloc(PAGE_SIZE), a);
	vfree((void *)b);
}
END_TEST

START_TEST(test_vfree_returns_pages)
{
	unsigned long free;
	void *p;

	boot();
	/* warm up: the slab caches holding the descriptors keep pages */
	vfree(vmalloc(100 * PAGE_SIZE));
	drain_all_pages(NULL);
	free = global_page_state(NR_FREE_PAGES);
	p = vmalloc(100 * PAGE_SIZE);
	ck_assert_ptr_nonnull(p);
	memset(host_ptr((char *)p + 99 * PAGE_SIZE), 1, PAGE_SIZE);
	vfree(p);
	drain_all_pages(NULL);
	ck_assert_uint_eq(global_page_state(NR_FREE_PAGES), free);
	ck_assert_uint_eq(mm_stub_nr_mapped(), 0);
}
END_TEST

START_TEST(test_vzalloc_zero)
{
	unsigned char *p, *q;

	boot();
	p = vmalloc(8 * PAGE_SIZE);
	for (int i = 0; i < 8; i++)
		memset(host_ptr(p + i * PAGE_SIZE), 0xee, PAGE_SIZE);
	vfree(p);
	q = vzalloc(8 * PAGE_SIZE);
	for (int i = 0; i < 8; i++) {
		unsigned char *h = host_ptr(q + i * PAGE_SIZE);

		for (unsigned long j = 0; j < PAGE_SIZE; j++)
			ck_assert_uint_eq(h[j], 0);
	}
	vfree(q);
}
END_TEST

START_TEST(test_vmap)
{
	struct page *pages[4];
	char *v;

	boot();
	for (int i = 0; i < 4; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	v = vmap(pages, 4, 0, MM_PROT_KERNEL);
	ck_assert_ptr_nonnull(v);
	for (int i = 0; i < 4; i++)
		ck_assert_ptr_eq(host_ptr(v + i * PAGE_SIZE),
				 page_address(pages[i]));
	ck_assert(!mm_stub_lookup((unsigned long)v + 4 * PAGE_SIZE, NULL));
	vunmap(v);
	ck_assert_uint_eq(mm_stub_nr_mapped(), 0);
	ck_assert_int_eq(page_count(pages[0]), 1);	/* still the caller's */
	for (int i = 0; i < 4; i++)
		__free_page(pages[i]);
}
END_TEST

START_TEST(test_map_failure_unwinds)
{
	unsigned long free;

	boot();
	vfree(vmalloc(10 * PAGE_SIZE));	/* warm up the slab caches */
	drain_all_pages(NULL);
	free = global_page_state(NR_FREE_PAGES);
	mm_stub_fail_map_after(5);
	ck_assert_ptr_null(vmalloc(10 * PAGE_SIZE));
	ck_assert_uint_eq(mm_stub_nr_mapped(), 0);
	drain_all_pages(NULL);
	ck_assert_uint_eq(global_page_state(NR_FREE_PAGES), free);
	mm_stub_fail_map_after(-1);
	ck_assert_uint_eq((unsigned long)vmalloc(PAGE_SIZE), VMALLOC_START);
	ck_assert_uint_eq(mm_stub_nr_mapped(), 1);
}
END_TEST

START_TEST(test_vmallocinfo)
{
	char expect[128];
	void *p;

	boot();
	p = vmalloc(2 * PAGE_SIZE);
	mm_show_vmallocinfo(buf, sizeof(buf));
	snprintf(expect, sizeof(expect), "0x%016lx-0x%016lx   12288 0x",
		 VMALLOC_START, VMALLOC_START + 3 * PAGE_SIZE);
	ck_assert(!strncmp(buf, expect, strlen(expect)));
	ck_assert_ptr_nonnull(strstr(buf, " pages=2 vmalloc N0=2\n"));
	vfree(p);
	ck_assert_int_eq(mm_show_vmallocinfo(buf, sizeof(buf)), 0);
}
END_TEST

extern Suite *mm_vmalloc_suite(void);

Suite *mm_vmalloc_suite(void)
{
	Suite *s = suite_create("mm_vmalloc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_vmalloc_guard_pages);
	tcase_add_test(tc, test_vfree_returns_pages);
	tcase_add_test(tc, test_vzalloc_zero);
	tcase_add_test(tc, test_vmap);
	tcase_add_test(tc, test_map_failure_unwinds);
	tcase_add_test(tc, test_vmallocinfo);
	suite_add_tcase(s, tc);
	return s;
}
