/*
 * guest/mm page cache (filemap.c) and file LRU (vmscan.c): the index by
 * (disk, offset) with hash collisions, reads of missing pages only and in
 * merged runs, read errors keeping nothing, write-through updates, the
 * aging of file pages (a second read activates), eviction by reclaim and
 * drop_caches sparing pages in use, refault counting, and the balance of
 * anon against file by swappiness (get_scan_count and a shrink_node with
 * both), the balloon's reclaim past free memory (one batch, one stall),
 * a kswapd round reaching the high watermarks, direct reclaim leaving the
 * per-CPU lists undrained when its allocation succeeds -- on fake disks
 * in host memory behind mm_hooks, with the invariant checker after each
 * step.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest/mm/mm_internal.h"
#include "mm_check.h"

#define MiB (1UL << 20)
#define DISK_PAGES 8192UL		/* 32 MiB image */
#define SWAP_SLOTS 4096UL		/* 16 MiB of swap */

static char why[256];
static unsigned char *disk, *swapdisk;
static int disk_dev, swap_dev;
static unsigned long io_calls, io_runs, io_pages;
static bool io_fail;
static struct address_space *m;
static struct page *pages[FILEMAP_MAX_READ];

static int fake_rw(void *bdev, bool write, const struct swap_iov *iov,
		   unsigned int n)
{
	unsigned char *base = bdev == &disk_dev ? disk : swapdisk;
	unsigned long max = bdev == &disk_dev ? DISK_PAGES : SWAP_SLOTS;

	ck_assert(bdev == &disk_dev || bdev == &swap_dev);
	if (bdev == &disk_dev) {
		ck_assert(!write);		/* the cache is never dirty */
		io_calls++;
		if (io_fail)
			return -EIO;
	}
	for (unsigned int i = 0; i < n; i++) {
		unsigned char *d = base + iov[i].slot * PAGE_SIZE;

		ck_assert_uint_le(iov[i].slot * PAGE_SIZE + iov[i].len,
				  max * PAGE_SIZE);
		if (write)
			memcpy(d, __va(iov[i].addr), iov[i].len);
		else
			memcpy(__va(iov[i].addr), d, iov[i].len);
		if (bdev == &disk_dev) {
			io_runs++;
			io_pages += iov[i].len / PAGE_SIZE;
		}
	}
	return 0;
}

static unsigned long word(unsigned long index)
{
	return index * 2654435761UL + 7;
}

static void boot(void)
{
	const struct mm_stub_range map[] = { { 0, 64 * MiB, 0 } };

	mm_stub_boot(map, 1, 2 * MiB);
	disk = calloc(DISK_PAGES, PAGE_SIZE);
	swapdisk = calloc(SWAP_SLOTS, PAGE_SIZE);
	ck_assert_ptr_nonnull(disk);
	ck_assert_ptr_nonnull(swapdisk);
	for (unsigned long i = 0; i < DISK_PAGES; i++)
		for (unsigned long w = 0; w < PAGE_SIZE / 8; w++)
			((unsigned long *)(disk + i * PAGE_SIZE))[w] =
				word(i) + w;
	io_calls = io_runs = io_pages = 0;
	io_fail = false;
	vm_swappiness = 60;
	mm_hooks.filemap_rw = fake_rw;
	mm_hooks.swap_rw = fake_rw;
	m = filemap_create(&disk_dev, DISK_PAGES);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_eq(filemap_create(&disk_dev, DISK_PAGES), m);
}

static void teardown(void)
{
	free(disk);
	free(swapdisk);
}

static void check(void)
{
	ck_assert_msg(mm_check_all(NULL, 0, false, why, sizeof(why)) == 0,
		      "%s", why);
}

static unsigned long ev(enum vm_event_item i)
{
	return global_vm_event(i);
}

/* Read @nr pages from @index, check them, release them. */
static void read_pages(unsigned long index, unsigned int nr)
{
	ck_assert_int_eq(filemap_read(m, index, nr, pages), 0);
	for (unsigned int i = 0; i < nr; i++) {
		const unsigned long *p = page_address(pages[i]);

		ck_assert(PageLocked(pages[i]) && PageUptodate(pages[i]));
		ck_assert_uint_eq(pages[i]->index, index + i);
		ck_assert_uint_eq(p[0], word(index + i));
		ck_assert_uint_eq(p[PAGE_SIZE / 8 - 1],
				  word(index + i) + PAGE_SIZE / 8 - 1);
	}
	filemap_release(pages, nr);
}

START_TEST(test_cache_index)
{
	struct page *first;

	read_pages(0, 16);
	ck_assert_uint_eq(io_calls, 1);
	ck_assert_uint_eq(io_pages, 16);
	ck_assert_uint_eq(ev(PGPGIN), 16 * 4);
	ck_assert_uint_eq(filemap_nrpages(m), 16);
	ck_assert_uint_eq(global_page_state(NR_FILE_PAGES), 16);
	ck_assert_uint_eq(global_page_state(NR_INACTIVE_FILE), 16);
	first = find_get_page(m, 0);
	ck_assert_ptr_nonnull(first);
	ck_assert_ptr_null(find_get_page(m, 16));
	/* cached pages are not read again; only the missing ones are */
	read_pages(8, 16);
	ck_assert_uint_eq(io_calls, 2);
	ck_assert_uint_eq(io_pages, 24);
	ck_assert_ptr_eq(find_get_page(m, 0), first);
	/* 4097 hashes as 1: both found, each its own */
	read_pages(4097, 1);
	ck_assert_ptr_ne(find_get_page(m, 4097), find_get_page(m, 1));
	ck_assert_uint_eq(find_get_page(m, 4097)->index, 4097);
	ck_assert_uint_eq(find_get_page(m, 1)->index, 1);
	ck_assert_uint_eq(filemap_nrpages(m), 25);
	check();
	/* a read error keeps nothing new, releases the cached ones */
	io_fail = true;
	ck_assert_int_eq(filemap_read(m, 20, 16, pages), -EIO);
	io_fail = false;
	ck_assert_uint_eq(filemap_nrpages(m), 25);
	ck_assert_uint_eq(global_page_state(NR_FILE_PAGES), 25);
	ck_assert_ptr_null(find_get_page(m, 30));
	ck_assert(!PageLocked(find_get_page(m, 20)));
	ck_assert_int_eq(filemap_read(m, 0, FILEMAP_MAX_READ + 1, pages),
			 -EINVAL);
	check();
}
END_TEST

/* Fresh reads come in 64 KiB blocks of 16 pages where a whole aligned
 * 16 is missing; each page is still its own cache page. */
START_TEST(test_read_blocks)
{
	struct lruvec *l = node_lruvec(0);
	unsigned long refaults = ev(WORKINGSET_REFAULT_FILE);

	ck_assert_int_eq(filemap_read(m, 0, 64, pages), 0);
	for (unsigned int i = 0; i < 64; i++) {
		ck_assert_ptr_eq(pages[i], pages[i & ~15u] + (i & 15));
		ck_assert_int_eq(page_count(pages[i]), 1);
	}
	ck_assert_uint_eq(page_to_pfn(pages[0]) % 16, 0);
	ck_assert_uint_le(io_runs, 4);		/* a run per block at most */
	ck_assert_uint_eq(io_pages, 64);
	/* on the inactive list one by one, the last read at the head */
	ck_assert_ptr_eq(list_first_entry(&l->lists[LRU_INACTIVE_FILE],
					  struct page, lru), pages[63]);
	filemap_release(pages, 64);
	read_pages(0, 64);
	check();
	/* a range with cached pages in it: blocks only where 16 aligned
	 * offsets are all missing, single pages around them */
	read_pages(100, 60);			/* 100..159: 112..143 blocks */
	ck_assert_int_eq(filemap_read(m, 90, 80, pages), 0);
	ck_assert_ptr_eq(pages[10], find_get_page(m, 100));
	filemap_release(pages, 80);
	read_pages(90, 80);
	ck_assert_uint_eq(filemap_nrpages(m), 64 + 80);
	check();
	/* reclaim takes each page on its own; read again: refaults */
	for (int i = 0; i < 8 && global_page_state(NR_FILE_PAGES); i++)
		shrink_node(0, ~0UL >> 1, 0, false);
	ck_assert_uint_eq(global_page_state(NR_FILE_PAGES), 0);
	check();
	read_pages(0, 64);
	ck_assert_uint_eq(ev(WORKINGSET_REFAULT_FILE), refaults + 64);
	ck_assert_uint_eq(global_page_state(NR_FILE_PAGES), 64);
	ck_assert_uint_eq(global_page_state(NR_INACTIVE_FILE) +
			  global_page_state(NR_ACTIVE_FILE), 64);
	check();
}
END_TEST

START_TEST(test_write_through)
{
	unsigned long v = 0x1122334455667788UL;

	read_pages(3, 1);
	filemap_write(m, 3 * PAGE_SIZE + 8, &v, sizeof(v));
	ck_assert_uint_eq(((unsigned long *)page_address(
		find_get_page(m, 3)))[1], v);
	/* straddling pages 3 and 4 (4 not cached: nothing to update) */
	filemap_write(m, 4 * PAGE_SIZE - 4, &v, sizeof(v));
	ck_assert_uint_eq(((unsigned int *)page_address(
		find_get_page(m, 3)))[PAGE_SIZE / 4 - 1], 0x55667788u);
	ck_assert_ptr_null(find_get_page(m, 4));
	check();
}
END_TEST

START_TEST(test_file_lru_aging)
{
	unsigned long freed;

	read_pages(0, 64);
	ck_assert_uint_eq(global_page_state(NR_INACTIVE_FILE), 64);
	/* read twice: activated (Linux's mark_page_accessed) */
	read_pages(0, 16);
	ck_assert_uint_eq(global_page_state(NR_ACTIVE_FILE), 16);
	ck_assert_uint_eq(global_page_state(NR_INACTIVE_FILE), 48);
	ck_assert_uint_eq(ev(PGACTIVATE), 16);
	check();
	/* reclaim takes the inactive, oldest first, no I/O, no swap */
	freed = shrink_node(0, 32, 0, false);
	ck_assert_uint_ge(freed, 32);
	ck_assert_uint_eq(global_page_state(NR_FILE_PAGES), 64 - freed);
	ck_assert_uint_eq(ev(PGSTEAL_DIRECT), freed);
	ck_assert_ptr_nonnull(find_get_page(m, 0));	/* active: kept */
	ck_assert_ptr_null(find_get_page(m, 16));	/* oldest: gone */
	ck_assert_uint_eq(io_calls, 1);
	check();
	/* an evicted page read again is a refault */
	read_pages(16, 1);
	ck_assert_uint_eq(ev(WORKINGSET_REFAULT_FILE), 1);
	read_pages(16, 1);				/* a hit: not one */
	ck_assert_uint_eq(ev(WORKINGSET_REFAULT_FILE), 1);
	/* drop_caches spares the pages a reader holds */
	ck_assert_int_eq(filemap_read(m, 60, 4, pages), 0);
	drop_pagecache();
	ck_assert_uint_eq(global_page_state(NR_FILE_PAGES), 4);
	ck_assert_uint_eq(filemap_nrpages(m), 4);
	filemap_release(pages, 4);
	drop_pagecache();
	ck_assert_uint_eq(global_page_state(NR_FILE_PAGES), 0);
	ck_assert_uint_eq(global_page_state(NR_ACTIVE_FILE) +
			  global_page_state(NR_INACTIVE_FILE), 0);
	/* dropped, not evicted: no refault on reading them again */
	read_pages(0, 4);
	ck_assert_uint_eq(ev(WORKINGSET_REFAULT_FILE), 1);
	check();
}
END_TEST

START_TEST(test_scan_balance)
{
	struct scan_count sc;

	/* no swap, or swappiness 0: file only */
	sc = get_scan_count(1000, 1000, 0, 60, 0);
	ck_assert_uint_eq(sc.anon, 0);
	ck_assert_uint_eq(sc.file, 1000);
	sc = get_scan_count(1000, 1000, 0, 0, 100);
	ck_assert_uint_eq(sc.anon, 0);
	ck_assert_uint_eq(sc.file, 1000);
	sc = get_scan_count(1000, 10, 12, 0, 100);	/* at least a batch */
	ck_assert_uint_eq(sc.file, 10);
	/* no file: anon only, as before the page cache */
	sc = get_scan_count(1UL << 20, 0, 12, 60, 100);
	ck_assert_uint_eq(sc.anon, anon_scan_count(1UL << 20, 12, 60, 100));
	ck_assert_uint_eq(sc.file, 0);
	/* swappiness 200: anon only; 100: equal */
	sc = get_scan_count(1UL << 20, 1UL << 20, 0, 200, 100);
	ck_assert_uint_eq(sc.file, 0);
	ck_assert_uint_eq(sc.anon, 1UL << 20);
	sc = get_scan_count(1UL << 20, 1UL << 20, 0, 100, 100);
	ck_assert_uint_eq(sc.anon, sc.file);
	/* 60: anon 60/200, file 140/200 of each size >> priority */
	sc = get_scan_count(1UL << 20, 1UL << 20, 0, 60, 100);
	ck_assert_uint_eq(sc.anon, (1UL << 20) * 60 / 200);
	ck_assert_uint_eq(sc.file, (1UL << 20) * 140 / 200);
	sc = get_scan_count(1UL << 20, 1UL << 20, 12, 60, 100);
	ck_assert_uint_eq(sc.anon, 256 * 60 / 200);
	ck_assert_uint_eq(sc.file, 256 * 140 / 200);
	/* small lists still get a share of a batch */
	sc = get_scan_count(10, 10, 12, 60, 100);
	ck_assert_uint_eq(sc.anon, 9);
	ck_assert_uint_eq(sc.file, 10);
}
END_TEST

/* Anon pages of a fresh mm, 4 KiB each, on the inactive anon list. */
static void anon_fill(struct mm_struct *mm, unsigned long n)
{
	unsigned long a = 0;

	ck_assert_int_eq(do_mmap(mm, 0, n * PAGE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, &a), 0);
	huge_anon_orders = 0;
	for (unsigned long v = a; v < a + n * PAGE_SIZE; v += PAGE_SIZE)
		ck_assert_uint_eq(handle_mm_fault(mm, v, FAULT_FLAG_WRITE |
						  FAULT_FLAG_USER), 0);
	huge_anon_orders = HUGE_ANON_ORDERS_DEFAULT;
}

START_TEST(test_shrink_balances_anon_and_file)
{
	struct mm_struct *mm = mm_alloc();

	ck_assert_ptr_nonnull(mm);
	ck_assert_int_eq(swapon(&swap_dev, "/dev/vdb", SWAP_SLOTS), 0);
	anon_fill(mm, 256);
	read_pages(0, 256);
	/* swappiness 0: only the cache goes, nothing is swapped */
	vm_swappiness = 0;
	for (int i = 0; i < 3; i++)
		shrink_node(0, 64, 0, false);
	ck_assert_uint_eq(ev(PSWPOUT), 0);
	ck_assert_uint_eq(global_page_state(NR_FILE_PAGES), 256 - 3 * 64);
	check();
	/* 60: both sides are scanned; swapped and evicted */
	vm_swappiness = 60;
	read_pages(0, 256);
	for (int i = 0; i < 4; i++)
		shrink_node(0, ~0UL >> 1, 0, false);
	ck_assert_uint_gt(ev(PSWPOUT), 0);
	ck_assert_uint_eq(global_page_state(NR_FILE_PAGES), 0);
	ck_assert_uint_eq(ev(PGSTEAL_DIRECT), ev(PSWPOUT) + 3 * 64 + 256);
	check();
}
END_TEST

/* The first word of the page mapped at @va of @mm. */
static unsigned long mapped_word(struct mm_struct *mm, unsigned long va)
{
	phys_addr_t pa;

	ck_assert_int_eq(follow_phys(mm, va, &pa, NULL), 0);
	return *(unsigned long *)__va(pa);
}

START_TEST(test_file_mapping)
{
	struct mm_struct *mm = mm_alloc();
	unsigned long a = 0, b = 0, mapped;
	struct vm_area_struct *vma;

	ck_assert_ptr_nonnull(mm);
	ck_assert_int_eq(do_mmap_file(mm, 0, 64 * PAGE_SIZE, PROT_READ |
				      PROT_WRITE, MAP_SHARED, m, 0, &a),
			 -EACCES);
	ck_assert_int_eq(do_mmap_file(mm, 0, 64 * PAGE_SIZE, PROT_READ,
				      MAP_PRIVATE, m, 0, &a), -EINVAL);
	ck_assert_int_eq(do_mmap_file(mm, 0, 64 * PAGE_SIZE, PROT_READ,
				      MAP_SHARED, m, 8, &a), 0);
	/* one fault maps its 128 KiB window with one read */
	ck_assert_uint_eq(handle_mm_fault(mm, a + 5 * PAGE_SIZE,
					  FAULT_FLAG_USER), 0);
	ck_assert_uint_eq(io_calls, 1);
	mapped = mm->rss_stat[MM_FILEPAGES];
	ck_assert_uint_ge(mapped, 6);
	ck_assert_uint_le(mapped, 32);
	ck_assert_uint_eq(global_page_state(NR_FILE_MAPPED), mapped);
	ck_assert_uint_eq(mapped_word(mm, a + 5 * PAGE_SIZE), word(13));
	ck_assert_uint_eq(mapped_word(mm, a), word(8));
	ck_assert_int_eq(page_mapcount(find_get_page(m, 13)), 1);
	/* a fault marks no page accessed: the faulting page's PTE is (as in
	 * Linux; reclaim reads the PTEs) */
	ck_assert(!PageReferenced(find_get_page(m, 13)));
	ck_assert(!PageReferenced(find_get_page(m, 8)));
	/* idle page tracking finds the PTE through the disk's VMAs, also
	 * in one call with an anonymous page of the same mm (whose lock it
	 * holds while it goes on through the anonymous pages) */
	{
		pfn_t pfn = page_to_pfn(find_get_page(m, 13));
		uint64_t w = 1UL << (pfn % 64), *words;
		unsigned long anon_va = 0;
		pfn_t apfn, lo, n;
		phys_addr_t pa;
		pteval_t *e;
		int level;

		huge_anon_orders = 0;
		ck_assert_int_eq(do_mmap(mm, 0, PAGE_SIZE, PROT_READ |
					 PROT_WRITE, MAP_PRIVATE |
					 MAP_ANONYMOUS, &anon_va), 0);
		ck_assert_uint_eq(handle_mm_fault(mm, anon_va,
						  FAULT_FLAG_WRITE), 0);
		huge_anon_orders = HUGE_ANON_ORDERS_DEFAULT;
		ck_assert_int_eq(follow_phys(mm, anon_va, &pa, NULL), 0);
		apfn = PHYS_PFN(pa);
		lo = min(apfn, pfn) / 64;
		n = max(apfn, pfn) / 64 - lo + 1;
		words = calloc(n, sizeof(*words));
		words[apfn / 64 - lo] |= 1UL << (apfn % 64);
		words[pfn / 64 - lo] |= 1UL << (pfn % 64);
		page_idle_bitmap_write(lo, words, n);
		free(words);
		e = walk(mm, anon_va, PT_LEVEL_PTE, false, &level);
		ck_assert(!(*e & _PAGE_ACCESSED));
		ck_assert_int_eq(do_munmap(mm, anon_va, PAGE_SIZE), 0);
		e = walk(mm, a + 5 * PAGE_SIZE, PT_LEVEL_PTE, false, &level);
		ck_assert(!(*e & _PAGE_ACCESSED));	/* cleared by the mark */
		page_idle_bitmap_read(pfn / 64, &w, 1);
		ck_assert_uint_eq(w >> (pfn % 64) & 1, 1);
		*e |= _PAGE_ACCESSED;			/* the CPU's access */
		page_idle_bitmap_read(pfn / 64, &w, 1);
		ck_assert_uint_eq(w >> (pfn % 64) & 1, 0);
		*e |= _PAGE_ACCESSED;
	}
	/* a second mm maps the same pages: no read, Mapped counts pages */
	{
		struct mm_struct *mm2 = mm_alloc();
		unsigned long c = 0;

		ck_assert_int_eq(do_mmap_file(mm2, 0, 64 * PAGE_SIZE,
					      PROT_READ, MAP_SHARED, m, 8, &c),
				 0);
		ck_assert_uint_eq(handle_mm_fault(mm2, c + 5 * PAGE_SIZE,
						  FAULT_FLAG_USER), 0);
		ck_assert_uint_eq(io_calls, 1);
		ck_assert_int_eq(page_mapcount(find_get_page(m, 13)), 2);
		/* nor does a fault on cached pages: no activation */
		ck_assert(!PageReferenced(find_get_page(m, 13)));
		ck_assert(!PageActive(find_get_page(m, 13)));
		ck_assert_uint_eq(global_page_state(NR_FILE_MAPPED), mapped);
		mmput(mm2, NULL);
		ck_assert_int_eq(page_mapcount(find_get_page(m, 13)), 1);
		ck_assert_uint_eq(global_page_state(NR_FILE_MAPPED), mapped);
	}
	/* read-only: a write is refused; past the disk's end: SIGBUS */
	ck_assert_uint_eq(handle_mm_fault(mm, a, FAULT_FLAG_WRITE |
					  FAULT_FLAG_USER), VM_FAULT_SIGSEGV);
	ck_assert_int_eq(do_mmap_file(mm, 0, 4 * PAGE_SIZE, PROT_READ,
				      MAP_SHARED, m, DISK_PAGES - 2, &b), 0);
	ck_assert_uint_eq(handle_mm_fault(mm, b + PAGE_SIZE, FAULT_FLAG_USER),
			  0);
	ck_assert_uint_eq(handle_mm_fault(mm, b + 2 * PAGE_SIZE,
					  FAULT_FLAG_USER), VM_FAULT_SIGBUS);
	ck_assert_int_eq(do_munmap(mm, b, 4 * PAGE_SIZE), 0);
	check();
	/* reclaim ages mapped pages by their PTEs: they go unmapped, and a
	 * new fault reads the same bytes again (refaults) */
	for (int i = 0; i < 4; i++)
		shrink_node(0, ~0UL >> 1, 0, false);
	ck_assert_uint_eq(global_page_state(NR_FILE_MAPPED), 0);
	ck_assert_uint_eq(mm->rss_stat[MM_FILEPAGES], 0);
	ck_assert_ptr_null(find_get_page(m, 13));
	ck_assert_int_eq(follow_phys(mm, a + 5 * PAGE_SIZE, NULL, NULL),
			 -EFAULT);
	check();
	ck_assert_uint_eq(handle_mm_fault(mm, a + 5 * PAGE_SIZE,
					  FAULT_FLAG_USER), 0);
	ck_assert_uint_eq(mapped_word(mm, a + 5 * PAGE_SIZE), word(13));
	ck_assert_uint_ge(ev(WORKINGSET_REFAULT_FILE), 6);
	/* munmap of the middle: the tail keeps its file offsets */
	ck_assert_int_eq(do_munmap(mm, a + 16 * PAGE_SIZE, 8 * PAGE_SIZE), 0);
	vma = find_vma(mm, a + 24 * PAGE_SIZE);
	ck_assert_uint_eq(vma->vm_start, a + 24 * PAGE_SIZE);
	ck_assert_uint_eq(vma->vm_pgoff, 8 + 24);
	ck_assert_uint_eq(handle_mm_fault(mm, a + 40 * PAGE_SIZE,
					  FAULT_FLAG_USER), 0);
	ck_assert_uint_eq(mapped_word(mm, a + 40 * PAGE_SIZE), word(48));
	check();
	/* the end unmaps everything; the pages stay cached */
	mmput(mm, NULL);
	ck_assert_uint_eq(global_page_state(NR_FILE_MAPPED), 0);
	ck_assert_ptr_nonnull(find_get_page(m, 48));
	ck_assert_int_eq(page_mapcount(find_get_page(m, 48)), 0);
	check();
}
END_TEST

/* The balloon takes all free memory (free_only: no reclaim), leaving the
 * zones at their min watermarks. */
static void balloon_take_free(struct balloon_dev_info *b, uint32_t *pfns)
{
	const gfp_t free_only = (GFP_HIGHUSER_MOVABLE & ~__GFP_DIRECT_RECLAIM) |
				__GFP_NORETRY;

	balloon_init(b);
	do {
		while (balloon_inflate(b, free_only, pfns, 8192))
			;
		drain_all_pages(NULL);
	} while (balloon_inflate(b, free_only, pfns, 8192));
}

static void balloon_give_back(struct balloon_dev_info *b, uint32_t *pfns)
{
	struct list_head out = LIST_HEAD_INIT(out);

	while (balloon_deflate(b, pfns, 8192, &out))
		balloon_release(&out, false);
}

/*
 * The balloon past free memory over an active page cache: one
 * balloon_inflate_reclaim() reclaims what it is asked for at once (one
 * allocation stall, no swap) and takes it; with reclaim off (no
 * mm_hooks.try_to_free_pages) it takes nothing and evicts nothing.
 */
START_TEST(test_balloon_reclaims_cache)
{
	static uint32_t pfns[8192];
	struct balloon_dev_info b;
	unsigned long stalls, got;

	for (int pass = 0; pass < 2; pass++)		/* read twice: active */
		for (unsigned long i = 0; i < 4096; i += FILEMAP_MAX_READ)
			read_pages(i, FILEMAP_MAX_READ);
	balloon_take_free(&b, pfns);
	ck_assert_uint_eq(balloon_inflate_reclaim(&b, GFP_HIGHUSER_MOVABLE,
						  pfns, 2048), 0);
	ck_assert_uint_eq(filemap_nrpages(m), 4096);
	mm_hooks.try_to_free_pages = try_to_free_pages;
	stalls = ev(ALLOCSTALL_NORMAL);
	got = balloon_inflate_reclaim(&b, GFP_HIGHUSER_MOVABLE, pfns, 2048);
	ck_assert_uint_eq(got, 2048);
	ck_assert_uint_eq(ev(ALLOCSTALL_NORMAL), stalls + 1);
	ck_assert_uint_ge(ev(PGSTEAL_DIRECT), 2048);
	ck_assert_uint_le(filemap_nrpages(m), 4096 - 2048);
	ck_assert_uint_eq(ev(PSWPOUT), 0);
	check();
	balloon_give_back(&b, pfns);
	mm_hooks.try_to_free_pages = NULL;
	check();
}
END_TEST

/* One kswapd round (balance_pgdat) brings the node from its min
 * watermark to above the high one: passes at rising priority, not one
 * 32-page pass that leaves the rest to the next round. */
START_TEST(test_kswapd_round_reaches_high)
{
	static uint32_t pfns[8192];
	struct balloon_dev_info b;
	unsigned long runs, steal;

	for (unsigned long i = 0; i < 4096; i += FILEMAP_MAX_READ)
		read_pages(i, FILEMAP_MAX_READ);
	balloon_take_free(&b, pfns);
	ck_assert(kswapd_needed(0));
	runs = ev(PAGEOUTRUN);
	steal = ev(PGSTEAL_KSWAPD);
	ck_assert(!kswapd_balance(0));		/* done in one round */
	ck_assert(!kswapd_needed(0));
	ck_assert_uint_eq(ev(PAGEOUTRUN), runs + 1);
	ck_assert_uint_gt(ev(PGSTEAL_KSWAPD) - steal, SWAP_CLUSTER_MAX);
	ck_assert_uint_eq(ev(PGSTEAL_KSWAPD) - steal,
			  4096 - filemap_nrpages(m));
	ck_assert_uint_eq(ev(PGSCAN_DIRECT) + ev(PSWPOUT), 0);
	ck_assert(!kswapd_balance(0));		/* balanced: nothing */
	ck_assert_uint_eq(ev(PAGEOUTRUN), runs + 1);
	check();
	balloon_give_back(&b, pfns);
	check();
}
END_TEST

/* Every populated zone of node 0 just below its (raised) min watermark,
 * the old watermarks to @saved. */
static void zones_below_min(unsigned long saved[][NR_WMARK])
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &node_data[0].node_zones[z];

		memcpy(saved[z], zone->_watermark, sizeof(saved[z]));
		if (populated_zone(zone))
			for (int w = 0; w < NR_WMARK; w++)
				zone->_watermark[w] = zone_page_state(
					zone, NR_FREE_PAGES) + 4;
	}
}

/* A direct reclaim whose allocation then succeeds leaves the per-CPU
 * lists alone (they are drained only if the try after reclaim fails). */
START_TEST(test_direct_reclaim_keeps_pcp)
{
	static unsigned long saved[MAX_NR_ZONES][NR_WMARK];
	struct page *held[8], *p;
	struct per_cpu_pages *pcp;
	unsigned long stalls;
	int before;

	for (unsigned long i = 0; i < 4096; i += FILEMAP_MAX_READ)
		read_pages(i, FILEMAP_MAX_READ);
	for (int i = 0; i < 8; i++)
		ck_assert_ptr_nonnull(held[i] = alloc_page(GFP_KERNEL));
	for (int i = 0; i < 8; i++)
		__free_pages(held[i], 0);	/* onto this CPU's list */
	pcp = &page_zone(held[7])->pcp[arch_cpu_id()];
	before = pcp->count;
	ck_assert_int_gt(before, 0);
	zones_below_min(saved);
	mm_hooks.try_to_free_pages = try_to_free_pages;
	stalls = ev(ALLOCSTALL_NORMAL);
	p = alloc_page(GFP_KERNEL);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(ev(ALLOCSTALL_NORMAL), stalls + 1);
	ck_assert_int_ge(pcp->count, before - 1);	/* not drained */
	__free_pages(p, 0);
	mm_hooks.try_to_free_pages = NULL;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		memcpy(node_data[0].node_zones[z]._watermark, saved[z],
		       sizeof(saved[z]));
	check();
}
END_TEST

Suite *mm_filemap_suite(void)
{
	Suite *s = suite_create("mm_filemap");
	TCase *tc = tcase_create("filemap");

	tcase_add_checked_fixture(tc, boot, teardown);
	tcase_add_test(tc, test_cache_index);
	tcase_add_test(tc, test_read_blocks);
	tcase_add_test(tc, test_write_through);
	tcase_add_test(tc, test_file_lru_aging);
	tcase_add_test(tc, test_scan_balance);
	tcase_add_test(tc, test_shrink_balances_anon_and_file);
	tcase_add_test(tc, test_file_mapping);
	tcase_add_test(tc, test_balloon_reclaims_cache);
	tcase_add_test(tc, test_kswapd_round_reaches_high);
	tcase_add_test(tc, test_direct_reclaim_keeps_pcp);
	suite_add_tcase(s, tc);
	return s;
}
