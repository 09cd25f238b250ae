/*
 * guest/mm slab and kmalloc: distinct aligned objects, reuse after free,
 * per-CPU arrays, constructors, large kmalloc, cache destroy returning its
 * pages, /proc/slabinfo.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest/mm/mm_internal.h"
#include "mm_check.h"

#define MiB (1UL << 20)

static char why[256];
static char buf[32768];

static void boot(void)
{
	static const struct mm_stub_range map[] = { { 0, 128 * MiB, 0 } };

	mm_stub_boot(map, 1, 2 * MiB);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static const size_t test_sizes[] = {
	1, 8, 13, 16, 24, 32, 60, 64, 65, 96, 100, 128, 150, 192, 200, 256,
	300, 512, 1000, 1024, 2048, 3000, 4096, 5000, 8192,
};

START_TEST(test_kmalloc_distinct_aligned)
{
	enum { N = 600 };
	size_t size = test_sizes[_i];
	void **objs = calloc(N, sizeof(void *));

	boot();
	for (int i = 0; i < N; i++) {
		objs[i] = kmalloc(size, GFP_KERNEL);
		ck_assert_ptr_nonnull(objs[i]);
		ck_assert_uint_eq((uintptr_t)objs[i] % 8, 0);
		ck_assert_uint_ge(ksize(objs[i]), size);
		if (!(ksize(objs[i]) & (ksize(objs[i]) - 1)))
			ck_assert_uint_eq((uintptr_t)objs[i] % ksize(objs[i]),
					  0);
		memset(objs[i], i & 0xff, size);
	}
	qsort(objs, N, sizeof(void *), cmp_ptr);
	for (int i = 1; i < N; i++)
		ck_assert_uint_ge((uintptr_t)objs[i] - (uintptr_t)objs[i - 1],
				  size);
	for (int i = 0; i < N; i++)
		kfree(objs[i]);
	free(objs);
}
END_TEST

START_TEST(test_reuse_after_free)
{
	void *a, *b;

	boot();
	a = kmalloc(64, GFP_KERNEL);
	kfree(a);
	b = kmalloc(64, GFP_KERNEL);
	ck_assert_ptr_eq(a, b);		/* LIFO per-CPU array */
	kfree(b);
	ck_assert_ptr_eq(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
}
END_TEST

START_TEST(test_kzalloc_and_poison)
{
	unsigned char *p;

	boot();
	p = kmalloc(128, GFP_KERNEL);
	memset(p, 0x11, 128);
	kfree(p);
	ck_assert_uint_eq(p[64], 0x6b);	/* poisoned (MM_DEBUG) */
	p = kzalloc(128, GFP_KERNEL);
	for (int i = 0; i < 128; i++)
		ck_assert_uint_eq(p[i], 0);
	kfree(p);
}
END_TEST

START_TEST(test_use_after_free_detected)
{
	unsigned char *p;

	boot();
	p = kmalloc(256, GFP_KERNEL);
	kfree(p);
	p[100] = 1;
	kmalloc(256, GFP_KERNEL);	/* panics: modified after free */
}
END_TEST

START_TEST(test_kmalloc_large)
{
	unsigned long free;
	void *p;

	boot();
	drain_all_pages(NULL);
	free = global_page_state(NR_FREE_PAGES);
	p = kmalloc(100000, GFP_KERNEL);	/* order 5 */
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((uintptr_t)p % PAGE_SIZE, 0);
	ck_assert_uint_eq(ksize(p), 32 * PAGE_SIZE);
	ck_assert(PageHead(virt_to_page(p)));
	kfree(p);
	ck_assert_uint_eq(global_page_state(NR_FREE_PAGES), free);
}
END_TEST

static unsigned long ctor_calls;

static void ctor(void *obj)
{
	ctor_calls++;
	memset(obj, 0xc7, 40);
}

START_TEST(test_cache_create_destroy)
{
	enum { N = 1000 };
	struct kmem_cache *s;
	void **objs = calloc(N, sizeof(void *));
	unsigned long nfree, slab;

	boot();
	s = kmem_cache_create("test_obj", 40, 0, SLAB_HWCACHE_ALIGN, ctor);
	ck_assert_ptr_nonnull(s);
	drain_all_pages(NULL);
	nfree = global_page_state(NR_FREE_PAGES);
	slab = global_page_state(NR_SLAB_UNRECLAIMABLE);
	for (int i = 0; i < N; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		ck_assert_uint_eq((uintptr_t)objs[i] % 64, 0);
		ck_assert_uint_eq(((unsigned char *)objs[i])[39], 0xc7);
	}
	ck_assert_uint_ge(ctor_calls, N);
	ck_assert_uint_eq(global_page_state(NR_SLAB_UNRECLAIMABLE),
			  slab + (N + 63) / 64);
	mm_show_slabinfo(buf, sizeof(buf));
	ck_assert(!strncmp(buf, "slabinfo - version: 2.1\n# name            "
			   "<active_objs> <num_objs> <objsize> ", 60));
	/* array-cached objects count as active, as in SLAB */
	ck_assert_ptr_nonnull(strstr(buf, "\ntest_obj            1020   1024"
				     "     64   64    1 : tunables  120   60"
				     "    0 : slabdata     16     16      0\n"));
	for (int i = 0; i < N; i++)
		kmem_cache_free(s, objs[i]);
	kmem_cache_destroy(s);
	drain_all_pages(NULL);
	ck_assert_uint_eq(global_page_state(NR_SLAB_UNRECLAIMABLE), slab);
	ck_assert_uint_eq(global_page_state(NR_FREE_PAGES), nfree);
	mm_show_slabinfo(buf, sizeof(buf));
	ck_assert_ptr_null(strstr(buf, "test_obj"));
	ck_assert_msg(!mm_check_all(NULL, 0, false, why, sizeof(why)), "%s",
		      why);
	free(objs);
}
END_TEST

START_TEST(test_destroy_busy_cache)
{
	struct kmem_cache *s;
	unsigned long warn;

	boot();
	s = kmem_cache_create("busy", 100, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	ck_assert_ptr_nonnull(kmem_cache_alloc(s, GFP_KERNEL));
	ck_assert_uint_gt(global_page_state(NR_SLAB_RECLAIMABLE), 0);
	warn = mm_stub_nr_warnings;
	kmem_cache_destroy(s);
	ck_assert_uint_eq(mm_stub_nr_warnings, warn + 1);
}
END_TEST

START_TEST(test_cross_cpu_free)
{
	enum { N = 5000 };
	void **objs = calloc(N, sizeof(void *));

	boot();
	for (int i = 0; i < N; i++) {
		mm_stub_cpu = (unsigned int)(i % 3);
		objs[i] = kmalloc(32, GFP_KERNEL);
	}
	for (int i = 0; i < N; i++) {
		mm_stub_cpu = (unsigned int)(i % 5);
		kfree(objs[i]);
	}
	mm_stub_cpu = 0;
	for (int i = 0; i < N; i++)
		objs[i] = kmalloc(32, GFP_KERNEL);
	qsort(objs, N, sizeof(void *), cmp_ptr);
	for (int i = 1; i < N; i++)
		ck_assert_ptr_ne(objs[i], objs[i - 1]);
	free(objs);
}
END_TEST

extern Suite *mm_slab_suite(void);

Suite *mm_slab_suite(void)
{
	Suite *s = suite_create("mm_slab");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_kmalloc_distinct_aligned, 0,
			    ARRAY_SIZE(test_sizes));
	tcase_add_test(tc, test_reuse_after_free);
	tcase_add_test(tc, test_kzalloc_and_poison);
	tcase_add_test_raise_signal(tc, test_use_after_free_detected, SIGABRT);
	tcase_add_test(tc, test_kmalloc_large);
	tcase_add_test(tc, test_cache_create_destroy);
	tcase_add_test(tc, test_destroy_busy_cache);
	tcase_add_test(tc, test_cross_cpu_free);
	suite_add_tcase(s, tc);
	return s;
}
