/*
 * guest/mm swap and reclaim: the swap entry encoding, the swap map's
 * clustering, the LRU decisions, pageout through the reverse map (2 MiB
 * chunks as one run, 4 KiB pages merged into runs), swap-in on fault,
 * munmap freeing slots, swapoff bringing everything back, and the swap
 * cache (read-back units keep their slots: dropped again without a
 * write when clean, rewritten in place when dirty, their slots freed
 * once by whatever ends them; SwapCached), THPs split for swap only as
 * far as its free slots go -- on a
 * fake disk (host memory) behind mm_hooks.swap_rw, with the invariant
 * checker after each step.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest/mm/mm_internal.h"
#include "mm_check.h"

#define MiB (1UL << 20)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)
#define DISK_SLOTS 8192UL		/* 32 MiB of swap */

static char why[256];
static struct mm_struct *mm;
static unsigned char *disk;
static int disk_dummy;
static unsigned long io_calls, io_runs, io_bytes[2];

static int fake_swap_rw(void *bdev, bool write, const struct swap_iov *iov,
			unsigned int n)
{
	ck_assert_ptr_eq(bdev, &disk_dummy);
	io_calls++;
	for (unsigned int i = 0; i < n; i++) {
		unsigned char *d = disk + iov[i].slot * PAGE_SIZE;

		ck_assert_uint_le(iov[i].slot * PAGE_SIZE + iov[i].len,
				  DISK_SLOTS * PAGE_SIZE);
		if (write)
			memcpy(d, __va(iov[i].addr), iov[i].len);
		else
			memcpy(__va(iov[i].addr), d, iov[i].len);
		io_runs++;
		io_bytes[write] += iov[i].len;
	}
	return 0;
}

static void boot(void)
{
	const struct mm_stub_range map[] = { { 0, 64 * MiB, 0 } };

	mm_stub_boot(map, 1, 2 * MiB);
	mm = mm_alloc();
	ck_assert_ptr_nonnull(mm);
	disk = calloc(DISK_SLOTS, PAGE_SIZE);
	ck_assert_ptr_nonnull(disk);
	io_calls = io_runs = io_bytes[0] = io_bytes[1] = 0;
	mm_hooks.swap_rw = fake_swap_rw;
	ck_assert_int_eq(swapon(&disk_dummy, "/dev/vdb", DISK_SLOTS), 0);
}

static void teardown(void)
{
	free(disk);
}

static void check(void)
{
	ck_assert_msg(mm_check_all(NULL, 0, false, why, sizeof(why)) == 0,
		      "%s", why);
}

static unsigned long swap_used(void)
{
	unsigned long total, free;

	si_swapinfo(&total, &free);
	return total - free;
}

static unsigned long map(unsigned long len)
{
	unsigned long a = 0;

	ck_assert_int_eq(do_mmap(mm, 0, len, RW, ANON, &a), 0);
	return a;
}

static unsigned long *user_word(unsigned long va)
{
	phys_addr_t pa;

	ck_assert_int_eq(follow_phys(mm, va, &pa, NULL), 0);
	return __va(pa);
}

/* Fault in and write a pattern to every page of [a, a + len). */
static void fill(unsigned long a, unsigned long len)
{
	for (unsigned long v = a; v < a + len; v += PAGE_SIZE) {
		ck_assert_uint_eq(handle_mm_fault(mm, v, FAULT_FLAG_WRITE |
						  FAULT_FLAG_USER), 0);
		*user_word(v) = v * 2654435761UL;
	}
}

/* Fault every page back and compare. */
static void verify(unsigned long a, unsigned long len)
{
	for (unsigned long v = a; v < a + len; v += PAGE_SIZE) {
		ck_assert_uint_eq(handle_mm_fault(mm, v, FAULT_FLAG_USER), 0);
		ck_assert_uint_eq(*user_word(v), v * 2654435761UL);
	}
}

static unsigned long reclaim_all(void)
{
	unsigned long got = 0;

	/* twice: the first pass clears the accessed bits (second chance) */
	for (int i = 0; i < 3; i++)
		got += shrink_node(0, ~0UL >> 1, 0, false);
	return got;
}

START_TEST(test_swap_entry_encoding)
{
	static const unsigned long offs[] = { 0, 1, 511, 512, 0xfffffffffUL };

	for (unsigned int t = 0; t < MAX_SWAPFILES; t++)
		for (unsigned int i = 0; i < 5; i++) {
			swp_entry_t e = swp_entry(t, offs[i]);
			pteval_t pte = swp_entry_to_pte(e);
			pmd_t pmd = swp_entry_to_pmd(e);

			ck_assert(pte != 0 && !pte_present(pte));
			ck_assert(is_swap_pte(pte) && !is_swap_pmd(pte));
			ck_assert(is_swap_pte(pmd) && is_swap_pmd(pmd));
			ck_assert(!pt_leaf(pmd));
			ck_assert_uint_eq(swp_type(pte_to_swp_entry(pte)), t);
			ck_assert_uint_eq(swp_offset(pte_to_swp_entry(pte)),
					  offs[i]);
			ck_assert_uint_eq(pte_to_swp_entry(pmd).val, e.val);
		}
	/* an empty entry and a present one are not swap entries */
	ck_assert(!is_swap_pte(0));
	ck_assert(!is_swap_pte(_PAGE_PRESENT | _PAGE_SWP_MARK | 0x1000));
}
END_TEST

START_TEST(test_swap_map_clusters)
{
	swp_entry_t e[4], big, mid, x;
	unsigned long used;

	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(swap_alloc(0, &e[i]), 0);
		if (i)	/* consecutive pages get consecutive slots */
			ck_assert_uint_eq(swp_offset(e[i]),
					  swp_offset(e[i - 1]) + 1);
	}
	ck_assert_int_eq(swap_alloc(HPAGE_PMD_ORDER, &big), 0);
	ck_assert_uint_eq(swp_offset(big) % SWAPFILE_CLUSTER, 0);
	ck_assert_uint_ne(swp_offset(big) / SWAPFILE_CLUSTER,
			  swp_offset(e[0]) / SWAPFILE_CLUSTER);
	ck_assert(swap_slots_taken(big, HPAGE_PMD_ORDER));
	ck_assert_int_eq(swap_alloc(4, &mid), 0);
	ck_assert_uint_eq(swp_offset(mid) % 16, 0);
	ck_assert(swap_slots_taken(mid, 4));
	ck_assert_uint_eq(swap_used(), 4 + 512 + 16);
	swap_free(big, HPAGE_PMD_ORDER);
	swap_free(mid, 4);
	for (int i = 0; i < 4; i++)
		swap_free(e[i], 0);
	ck_assert_uint_eq(swap_used(), 0);
	/* every slot: then nothing */
	for (unsigned long i = 0; i < DISK_SLOTS; i++)
		ck_assert_int_eq(swap_alloc(0, &x), 0);
	ck_assert_int_eq(swap_alloc(0, &x), -ENOSPC);
	/* a whole cluster freed at once (release_cluster) is whole again */
	swap_free(swp_entry(0, 3 * SWAPFILE_CLUSTER), HPAGE_PMD_ORDER);
	ck_assert_uint_eq(swap_used(), DISK_SLOTS - SWAPFILE_CLUSTER);
	ck_assert_int_eq(swap_alloc(HPAGE_PMD_ORDER, &x), 0);
	ck_assert_uint_eq(swp_offset(x), 3 * SWAPFILE_CLUSTER);
	ck_assert(swap_slots_taken(x, HPAGE_PMD_ORDER));
	/* one slot free in every cluster: no 2 MiB or 64 KiB run */
	for (unsigned long c = 0; c < DISK_SLOTS / SWAPFILE_CLUSTER; c++)
		swap_free(swp_entry(0, c * SWAPFILE_CLUSTER + 7), 0);
	used = swap_used();
	ck_assert_uint_eq(used, DISK_SLOTS - DISK_SLOTS / SWAPFILE_CLUSTER);
	ck_assert_int_eq(swap_alloc(HPAGE_PMD_ORDER, &x), -ENOSPC);
	ck_assert_int_eq(swap_alloc(4, &x), -ENOSPC);
	ck_assert_int_eq(swap_alloc(0, &x), 0);
	ck_assert_uint_eq(swp_offset(x) % SWAPFILE_CLUSTER, 7);
	ck_assert_int_eq(swapon(&disk_dummy, "/dev/vdb", DISK_SLOTS), -EBUSY);
	ck_assert_int_eq(swapoff("/dev/vdc"), -EINVAL);
}
END_TEST

START_TEST(test_swap_slots_ahead)
{
	struct swap_slots c = { .left = 0 };
	swp_entry_t e[40], x;
	unsigned long c0;

	/* a whole cluster taken at the first chunk, handed out 16 by 16 */
	for (int i = 0; i < 40; i++) {
		ck_assert_int_eq(swap_alloc_chunk(&c, &e[i]), 0);
		ck_assert_uint_eq(swp_offset(e[i]) % 16, 0);
		ck_assert(swap_slots_taken(e[i], 4));
		if (i % 32)
			ck_assert_uint_eq(swp_offset(e[i]),
					  swp_offset(e[i - 1]) + 16);
	}
	c0 = swp_offset(e[0]) / SWAPFILE_CLUSTER;
	ck_assert_uint_eq(swp_offset(e[0]) % SWAPFILE_CLUSTER, 0);
	ck_assert_uint_eq(swp_offset(e[31]) / SWAPFILE_CLUSTER, c0);
	ck_assert_uint_ne(swp_offset(e[32]) / SWAPFILE_CLUSTER, c0);
	ck_assert_uint_eq(swap_used(), 2 * SWAPFILE_CLUSTER);
	/* what was not handed out goes back */
	swap_slots_release(&c);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_uint_eq(swap_used(), 40 * 16);
	swap_slots_release(&c);			/* nothing held: no-op */
	ck_assert_uint_eq(swap_used(), 40 * 16);
	for (int i = 0; i < 40; i++)
		swap_free(e[i], 4);
	ck_assert_uint_eq(swap_used(), 0);
	/* no free cluster (16 slots taken in each): one 16-slot run at a
	 * time, nothing held */
	for (unsigned long i = 0; i < DISK_SLOTS; i++)
		ck_assert_int_eq(swap_alloc(0, &x), 0);
	for (unsigned long cl = 0; cl < DISK_SLOTS / SWAPFILE_CLUSTER; cl++)
		swap_free_nr(swp_entry(0, cl * SWAPFILE_CLUSTER + 16),
			     SWAPFILE_CLUSTER - 16);
	ck_assert_int_eq(swap_alloc_chunk(&c, &x), 0);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_uint_eq(swp_offset(x) % 16, 0);
	ck_assert_uint_eq(swap_used(), DISK_SLOTS / SWAPFILE_CLUSTER * 16 + 16);
}
END_TEST

START_TEST(test_lru_decisions)
{
	ck_assert(inactive_is_low(1, 2));
	ck_assert(!inactive_is_low(2, 2));
	ck_assert(!inactive_is_low(0, 0));
	/* 10 GiB: ratio sqrt(100) = 10 */
	ck_assert(!inactive_is_low(240000, 2400000));
	ck_assert(inactive_is_low(200000, 2400000));
	ck_assert_uint_eq(anon_scan_count(100000, 0, 60, 0), 0);
	ck_assert_uint_eq(anon_scan_count(0, 0, 60, 100), 0);
	ck_assert_uint_eq(anon_scan_count(100, 12, 60, 100), 32);
	ck_assert_uint_eq(anon_scan_count(10, 12, 60, 100), 10);
	ck_assert_uint_eq(anon_scan_count(1UL << 20, 12, 60, 100), 256);
	ck_assert_uint_eq(anon_scan_count(1UL << 20, 0, 60, 100), 1UL << 20);
}
END_TEST

START_TEST(test_lru_aging_second_chance)
{
	unsigned long a = map(64 * 4096), active;

	/* 4 KiB pages only: VM_NOHUGEPAGE-free but 4 KiB-sized chunks */
	huge_anon_orders = 0;
	fill(a, 64 * 4096);
	huge_anon_orders = HUGE_ANON_ORDERS_DEFAULT;
	ck_assert_uint_eq(global_page_state(NR_INACTIVE_ANON), 64);
	/* first pass: all were referenced at fault: nothing written */
	ck_assert_uint_eq(shrink_node(0, 1000, 0, false), 0);
	ck_assert_uint_eq(io_calls, 0);
	ck_assert_uint_eq(global_page_state(NR_INACTIVE_ANON), 64);
	/* touch half again (the CPU would set A): they are activated */
	for (unsigned long i = 0; i < 32; i++) {
		int level;
		pteval_t *e = walk(mm, a + i * 4096, PT_LEVEL_PTE, false,
				   &level);

		*e |= _PAGE_ACCESSED;
	}
	ck_assert_uint_eq(shrink_node(0, 1000, 0, false), 32);
	active = global_page_state(NR_ACTIVE_ANON);
	ck_assert_uint_eq(active, 32);
	ck_assert_uint_eq(vm_event_states[0].event[PGACTIVATE], 32);
	/* the 32 cold ones went in one run of consecutive slots */
	ck_assert_uint_eq(io_bytes[1], 32 * 4096);
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 32);
	ck_assert_uint_eq(mm->rss_stat[MM_ANONPAGES], 32);
	check();
	verify(a, 64 * 4096);
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 0);
	/* read back: the 32 keep their slots (swap cache) */
	ck_assert_uint_eq(swap_used(), 32);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), 32);
	check();
}
END_TEST

/*
 * Swap with 8 free slots, none in a free cluster nor 16 together: reclaim
 * splits one THP (its pieces could fill them) and not the others, which
 * could go nowhere and would each cost 512 scans from then on.
 */
START_TEST(test_split_only_what_swap_can_take)
{
	unsigned long a = map(8 * MiB), taken = 0;
	swp_entry_t e;

	fill(a, 8 * MiB);
	while (!swap_alloc(0, &e))
		taken++;
	ck_assert_uint_eq(taken, DISK_SLOTS);
	for (unsigned long c = 0; c < 8; c++)
		swap_free(swp_entry(swp_type(e), c * SWAPFILE_CLUSTER + 1), 0);
	reclaim_all();
	ck_assert_uint_eq(vm_event_states[0].event[THP_SPLIT_PMD], 1);
	ck_assert_uint_eq(global_page_state(NR_ANON_THPS), 3 * 512);
	ck_assert_uint_le(vm_event_states[0].event[PSWPOUT], 8);
	check();
	verify(a, 8 * MiB);
	ck_assert_int_eq(do_munmap(mm, a, 8 * MiB), 0);
	for (unsigned long off = 0; off < DISK_SLOTS; off++)
		if (off % SWAPFILE_CLUSTER != 1 || off >= 8 * SWAPFILE_CLUSTER)
			swap_free(swp_entry(swp_type(e), off), 0);
	ck_assert_uint_eq(swap_used(), 0);
	check();
}
END_TEST

START_TEST(test_pageout_thp_and_swapin)
{
	unsigned long a = map(8 * MiB), got, runs;

	fill(a, 8 * MiB);
	ck_assert_uint_eq(global_page_state(NR_ANON_THPS), 8 * MiB / 4096);
	got = reclaim_all();
	ck_assert_uint_eq(got, 8 * MiB / 4096);
	ck_assert_uint_eq(global_page_state(NR_ANON_MAPPED), 0);
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 2048);
	/* each 2 MiB chunk: one run at most (neighbours merge), and a
	 * PMD swap entry */
	ck_assert_uint_le(io_runs, 4);
	ck_assert_uint_eq(io_bytes[1], 8 * MiB);
	for (unsigned long v = a; v < a + 8 * MiB; v += 2 * MiB) {
		int level;
		pteval_t *e = walk(mm, v, PT_LEVEL_PMD, false, &level);

		ck_assert(e && is_swap_pmd(*e));
	}
	ck_assert_uint_eq(vm_event_states[0].event[PSWPOUT], 2048);
	check();
	/* back whole: a fault reads 2 MiB at once */
	runs = io_runs;
	verify(a, 8 * MiB);
	ck_assert_uint_eq(io_runs, runs + 4);
	ck_assert_uint_eq(global_page_state(NR_ANON_THPS), 2048);
	ck_assert_uint_eq(swap_used(), 2048);	/* swap cache */
	/* out again (clean: no write), then munmap frees the slots
	 * without reading them */
	reclaim_all();
	ck_assert_uint_eq(io_bytes[1], 8 * MiB);
	ck_assert_uint_eq(swap_used(), 2048);
	ck_assert_int_eq(do_munmap(mm, a + MiB, 2 * MiB), 0); /* splits */
	ck_assert_uint_eq(swap_used(), 1536);
	ck_assert_int_eq(do_munmap(mm, a, 8 * MiB), 0);
	ck_assert_uint_eq(swap_used(), 0);
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 0);
	check();
}
END_TEST

START_TEST(test_mthp_swapin_whole)
{
	unsigned long a = map(64 * 1024) , runs;

	huge_anon_orders = 1UL << MTHP_ORDER;
	fill(a, 64 * 1024);
	huge_anon_orders = HUGE_ANON_ORDERS_DEFAULT;
	reclaim_all();
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 16);
	ck_assert_uint_eq(io_runs, 1);		/* 16 pages, one run */
	runs = io_runs;
	verify(a + 5 * 4096, 4096);		/* one fault ... */
	ck_assert_uint_eq(io_runs, runs + 1);	/* ... one 64 KiB read */
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 0);
	verify(a, 64 * 1024);
	check();
}
END_TEST

static unsigned long lru_entries(enum lru_list lru)
{
	const struct list_head *h = &node_data[0].lruvec.lists[lru], *p;
	unsigned long n = 0;

	for (p = h->next; p != h; p = p->next)
		n++;
	return n;
}

/* 64 KiB chunks: one LRU entry each, swapped out as units, back with
 * readahead in one read; unmapping part of one breaks it, exactly. */
START_TEST(test_mthp_chunks_are_units)
{
	unsigned long a = map(8 * 64 * 1024), calls;

	huge_anon_orders = 1UL << MTHP_ORDER;
	fill(a, 8 * 64 * 1024);
	huge_anon_orders = HUGE_ANON_ORDERS_DEFAULT;
	ck_assert_uint_eq(global_page_state(NR_INACTIVE_ANON), 128);
	ck_assert_uint_eq(lru_entries(LRU_INACTIVE_ANON), 8);
	reclaim_all();
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 128);
	ck_assert_uint_eq(swap_used(), 128);
	ck_assert_uint_eq(lru_entries(LRU_INACTIVE_ANON), 0);
	ck_assert_uint_le(io_runs, 8);
	check();
	/* one fault in the first chunk brings all eight, one call */
	calls = io_calls;
	verify(a + 4096, 4096);
	ck_assert_uint_eq(io_calls, calls + 1);
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 0);
	ck_assert_uint_eq(swap_used(), 128);	/* swap cache */
	ck_assert_uint_eq(lru_entries(LRU_INACTIVE_ANON), 8);
	ck_assert_uint_eq(vm_event_states[0].event[PSWPIN], 128);
	verify(a, 8 * 64 * 1024);
	ck_assert_uint_eq(io_calls, calls + 1);
	check();
	/* unmap one page of the first chunk: the other 15 become single
	 * entries, every page still counted once */
	ck_assert_int_eq(do_munmap(mm, a + 4096, 4096), 0);
	ck_assert_uint_eq(global_page_state(NR_INACTIVE_ANON), 127);
	ck_assert_uint_eq(lru_entries(LRU_INACTIVE_ANON), 7 + 15);
	/* the broken chunk's 16 slots are freed, the other seven kept */
	ck_assert_uint_eq(swap_used(), 112);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), 112);
	check();
	/* and they still swap out and back, singly */
	reclaim_all();
	ck_assert_uint_eq(swap_used(), 127);
	verify(a, 4096);
	verify(a + 2 * 4096, 8 * 64 * 1024 - 2 * 4096);
	ck_assert_uint_eq(swap_used(), 127);	/* swap cache */
	ck_assert_int_eq(do_munmap(mm, a, 8 * 64 * 1024), 0);
	ck_assert_uint_eq(swap_used(), 0);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), 0);
	ck_assert_uint_eq(global_page_state(NR_INACTIVE_ANON) +
			  global_page_state(NR_ACTIVE_ANON), 0);
	ck_assert_uint_eq(lru_entries(LRU_INACTIVE_ANON) +
			  lru_entries(LRU_ACTIVE_ANON), 0);
	check();
}
END_TEST

START_TEST(test_swapoff_brings_back)
{
	unsigned long a = map(4 * MiB), b = map(256 * 4096);

	fill(a, 4 * MiB);
	huge_anon_orders = 0;
	fill(b, 256 * 4096);
	huge_anon_orders = HUGE_ANON_ORDERS_DEFAULT;
	reclaim_all();
	ck_assert_uint_eq(swap_used(), 1024 + 256);
	ck_assert_int_eq(swapoff("/dev/vdb"), 0);
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 0);
	ck_assert_uint_eq(mm->rss_stat[MM_ANONPAGES], 1024 + 256);
	ck_assert_uint_eq(swap_used(), 0);
	check();
	/* everything is present: no fault reads anything */
	io_calls = 0;
	verify(a, 4 * MiB);
	verify(b, 256 * 4096);
	ck_assert_uint_eq(io_calls, 0);
	/* and no swap: reclaim finds nothing to do */
	ck_assert_uint_eq(reclaim_all(), 0);
}
END_TEST

/* ------------------------------------------------------- swap cache */

/* The entry mapping @va: its PMD if a THP maps it, else its PTE. */
static pteval_t *entry_at(unsigned long va)
{
	int level;
	pteval_t *e = walk(mm, va, PT_LEVEL_PMD, false, &level);

	ck_assert_ptr_nonnull(e);
	if (pte_present(*e) && pt_leaf(*e))
		return e;
	e = walk(mm, va, PT_LEVEL_PTE, false, &level);
	ck_assert_ptr_nonnull(e);
	return e;
}

/* Write a new pattern to the page at @va as a program would: the CPU
 * sets the dirty bit of the entry that maps it. */
static void write_page(unsigned long va, unsigned long val)
{
	*entry_at(va) |= _PAGE_DIRTY;
	*user_word(va) = val;
}

static unsigned long meminfo_kb(const char *key)
{
	static char buf[8192];
	const char *p;

	ck_assert_int_gt(mm_show_meminfo(buf, sizeof(buf)), 0);
	p = strstr(buf, key);
	ck_assert_ptr_nonnull(p);
	return strtoul(p + strlen(key), NULL, 10);
}

/* Swap out [a, a + len), faulted in with @orders; read it back. */
static void out_and_read_back(unsigned long a, unsigned long len,
			      unsigned long orders)
{
	huge_anon_orders = orders;
	fill(a, len);
	huge_anon_orders = HUGE_ANON_ORDERS_DEFAULT;
	reclaim_all();
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], len / PAGE_SIZE);
	verify(a, len);				/* read faults */
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 0);
	check();
}

/* Read back and reclaimed again unwritten: no write, the same slots,
 * the same bytes on the next swap-in -- for 2 MiB, 64 KiB and 4 KiB. */
START_TEST(test_swapcache_clean_drop)
{
	static const unsigned long orders[] = {
		1UL << HPAGE_PMD_ORDER, 1UL << MTHP_ORDER, 0
	};
	unsigned long len = 4 * MiB, a = map(len), n = len / PAGE_SIZE;
	unsigned long used, written, out, in;

	out_and_read_back(a, len, orders[_i]);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), n);
	ck_assert_uint_eq(meminfo_kb("SwapCached:"), n * 4);
	ck_assert_uint_eq(swap_used(), n);	/* kept: SwapFree counts them */
	used = swap_used();
	written = io_bytes[1];
	out = vm_event_states[0].event[PSWPOUT];
	in = vm_event_states[0].event[PSWPIN];
	reclaim_all();
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], n);
	ck_assert_uint_eq(io_bytes[1], written);	/* no I/O */
	ck_assert_uint_eq(vm_event_states[0].event[PSWPOUT], out);
	ck_assert_uint_eq(vm_event_states[0].event[SWAPCACHE_CLEAN_DROP], n);
	ck_assert_uint_eq(swap_used(), used);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), 0);
	ck_assert_uint_eq(meminfo_kb("SwapCached:"), 0);
	check();
	verify(a, len);
	ck_assert_uint_eq(vm_event_states[0].event[PSWPIN], in + n);
	ck_assert_int_eq(do_munmap(mm, a, len), 0);
	ck_assert_uint_eq(swap_used(), 0);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), 0);
	check();
}
END_TEST

/* Written after the read-back: written again, to its own slots. */
START_TEST(test_swapcache_dirty_rewritten)
{
	static const unsigned long orders[] = {
		1UL << HPAGE_PMD_ORDER, 1UL << MTHP_ORDER, 0
	};
	unsigned long len = 4 * MiB, a = map(len), n = len / PAGE_SIZE;
	/* 4 KiB pages swapped out one after the other come back as one
	 * 64 KiB chunk (their slots are consecutive): a 64 KiB unit */
	unsigned long unit = PAGE_SIZE << (orders[_i] == 1UL <<
					   HPAGE_PMD_ORDER ? HPAGE_PMD_ORDER :
					   MTHP_ORDER);
	unsigned long v = a + len / 2 + PAGE_SIZE, written, used;
	pteval_t before[2];

	out_and_read_back(a, len, orders[_i]);
	written = io_bytes[1];
	used = swap_used();
	write_page(v, 0x5a5a5a5a);		/* one unit dirty */
	reclaim_all();
	ck_assert_uint_eq(io_bytes[1], written + unit);
	ck_assert_uint_eq(vm_event_states[0].event[SWAPCACHE_CLEAN_DROP],
			  n - unit / PAGE_SIZE);
	ck_assert_uint_eq(swap_used(), used);	/* no new slot */
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), 0);
	check();
	/* the same slots as the read back came from */
	before[0] = *entry_at(v);
	before[1] = *entry_at(a);
	ck_assert(is_swap_pte(before[0]) && is_swap_pte(before[1]));
	ck_assert_uint_eq(handle_mm_fault(mm, v, FAULT_FLAG_USER), 0);
	ck_assert_uint_eq(*user_word(v), 0x5a5a5a5a);
	verify(a, len / 2);
	verify(v + PAGE_SIZE, a + len - v - PAGE_SIZE);
	ck_assert_uint_eq(swap_used(), used);
	ck_assert_int_eq(do_munmap(mm, a, len), 0);
	ck_assert_uint_eq(swap_used(), 0);
	check();
}
END_TEST

/* A page alone (its VMA holds no 64 KiB chunk): a 4 KiB unit, kept,
 * dropped clean, then rewritten to its slot once written -- here by a
 * write fault on the present page, as a kernel copy makes. */
START_TEST(test_swapcache_single_page)
{
	unsigned long a = map(PAGE_SIZE), written;
	pteval_t e;

	out_and_read_back(a, PAGE_SIZE, 0);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), 1);
	written = io_bytes[1];
	reclaim_all();
	ck_assert_uint_eq(io_bytes[1], written);
	e = *entry_at(a);
	verify(a, PAGE_SIZE);
	/* written by the kernel through the direct map (as mm_copy_to
	 * does after a write fault): dirty all the same */
	ck_assert_uint_eq(handle_mm_fault(mm, a, FAULT_FLAG_WRITE), 0);
	*user_word(a) = 42;
	reclaim_all();
	ck_assert_uint_eq(io_bytes[1], written + PAGE_SIZE);
	ck_assert_uint_eq(*entry_at(a), e);		/* the same slot */
	ck_assert_uint_eq(swap_used(), 1);
	ck_assert_uint_eq(handle_mm_fault(mm, a, FAULT_FLAG_USER), 0);
	ck_assert_uint_eq(*user_word(a), 42);
	check();
}
END_TEST

/* Swap more than half full (Linux's vm_swap_full): read faults give the
 * slots up too, until it is no longer; nothing is lost either way. */
START_TEST(test_swapcache_not_when_swap_half_full)
{
	unsigned long len = 20 * MiB, a = map(len);

	fill(a, len);
	reclaim_all();
	ck_assert_uint_gt(swap_used(), DISK_SLOTS / 2);
	verify(a, len);
	ck_assert_uint_le(swap_used(), DISK_SLOTS / 2);
	ck_assert_uint_lt(global_page_state(NR_SWAPCACHE), len / PAGE_SIZE);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), swap_used());
	check();
}
END_TEST

/* A write fault swapping in gives the slots up at once. */
START_TEST(test_swapcache_write_fault_frees)
{
	unsigned long a = map(2 * MiB);

	fill(a, 2 * MiB);
	reclaim_all();
	ck_assert_uint_eq(swap_used(), 512);
	fill(a, 2 * MiB);			/* write faults */
	ck_assert_uint_eq(swap_used(), 0);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), 0);
	check();
}
END_TEST

/* Exit, a THP split and swapoff each free a swap-cache unit's slots
 * once (a second free would BUG in release_slots); migration moves them
 * with the copy, freeing none. */
START_TEST(test_swapcache_freed_once)
{
	unsigned long a = map(8 * MiB), total, free;
	struct migrate_control mc = { 0 };
	phys_addr_t pa;
	pfn_t pfn;

	out_and_read_back(a, 8 * MiB, 1UL << HPAGE_PMD_ORDER);
	ck_assert_uint_eq(swap_used(), 2048);
	/* split: munmap of half a THP */
	ck_assert_int_eq(do_munmap(mm, a + MiB, MiB), 0);
	ck_assert_uint_eq(swap_used(), 1536);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), 1536);
	check();
	/* migration: the block holding the THP at a + 2 MiB is emptied,
	 * what moved keeps its slots (the copy holds the same bytes) */
	ck_assert_int_eq(follow_phys(mm, a + 2 * MiB, &pa, NULL), 0);
	pfn = ALIGN_DOWN(PHYS_PFN(pa), MAX_ORDER_NR_PAGES);
	ck_assert_int_eq(start_isolate_page_range(pfn, pfn +
			MAX_ORDER_NR_PAGES, MIGRATE_MOVABLE), 0);
	ck_assert_int_eq(do_migrate_range(pfn, pfn + MAX_ORDER_NR_PAGES, &mc),
			 0);
	undo_isolate_page_range(pfn, pfn + MAX_ORDER_NR_PAGES,
				MIGRATE_MOVABLE);
	ck_assert_uint_ge(mc.nr_migrated, 512);
	ck_assert_uint_eq(swap_used(), 1536);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), swap_used());
	verify(a, MiB);
	verify(a + 2 * MiB, 6 * MiB);
	check();
	/* one more out to swap, then swapoff: all back, all slots free */
	write_page(a + 6 * MiB, (a + 6 * MiB) * 2654435761UL);
	reclaim_all();
	verify(a + 4 * MiB, 2 * MiB);		/* swap cache again */
	ck_assert_uint_gt(global_page_state(NR_SWAPCACHE), 0);
	ck_assert_uint_gt(mm->rss_stat[MM_SWAPENTS], 0);
	ck_assert_int_eq(swapoff("/dev/vdb"), 0);
	si_swapinfo(&total, &free);
	ck_assert_uint_eq(free, total);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), 0);
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 0);
	verify(a, MiB);
	verify(a + 2 * MiB, 6 * MiB);
	check();
	/* swapon again: exit frees what a read-back keeps */
	ck_assert_int_eq(swapon(&disk_dummy, "/dev/vdb", DISK_SLOTS), 0);
	reclaim_all();
	verify(a, MiB);
	verify(a + 2 * MiB, 6 * MiB);
	ck_assert_uint_eq(swap_used(), 1792);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), 1792);
	mmput(mm, NULL);
	mm = NULL;
	ck_assert_uint_eq(swap_used(), 0);
	ck_assert_uint_eq(global_page_state(NR_SWAPCACHE), 0);
	check();
}
END_TEST

/* Take every order-9 block the free lists would give a THP swap-in
 * (GFP_TRANSHUGE_LIGHT: no reclaim) into @held; how many. */
static unsigned int hold_huge_blocks(struct page **held, unsigned int max)
{
	unsigned int n = 0;

	while (n < max &&
	       (held[n] = alloc_pages(GFP_TRANSHUGE_LIGHT,
				      HPAGE_PMD_ORDER)) != NULL)
		n++;
	ck_assert_ptr_null(alloc_pages(GFP_TRANSHUGE_LIGHT, HPAGE_PMD_ORDER));
	return n;
}

static bool pmd_leaf_at(unsigned long va)
{
	int level;
	pteval_t *e = walk(mm, va, PT_LEVEL_PMD, false, &level);

	return e && level == PT_LEVEL_PMD && pte_present(*e) && pt_leaf(*e);
}

/*
 * A 2 MiB swap entry faulted while no order-9 block is free: the fault
 * reclaims for one (another region's THPs go to swap) and reads the
 * entry back whole (thp_swpin), rather than splitting it.  Where reclaim
 * cannot help (no reclaim hook here), it splits and the PTE path brings
 * the data back (thp_swpin_fallback).
 */
START_TEST(test_thp_swapin_reclaims_for_a_block)
{
	unsigned long a = map(4 * MiB), b = map(8 * MiB), out;
	struct page *held[32];
	unsigned int n;

	fill(a, 4 * MiB);
	reclaim_all();
	ck_assert_uint_eq(mm->rss_stat[MM_SWAPENTS], 1024);
	fill(b, 8 * MiB);
	n = hold_huge_blocks(held, 32);
	out = vm_event_states[0].event[PSWPOUT];

	mm_hooks.try_to_free_pages = try_to_free_pages;
	verify(a, 2 * MiB);
	ck_assert_uint_eq(vm_event_states[0].event[THP_SWPIN], 1);
	ck_assert_uint_eq(vm_event_states[0].event[THP_SWPIN_FALLBACK], 0);
	ck_assert(pmd_leaf_at(a));
	ck_assert_uint_ge(vm_event_states[0].event[PSWPOUT], out + 512);
	check();

	/* no reclaim: the fallback, data intact */
	mm_hooks.try_to_free_pages = NULL;
	while (n < 32 && (held[n] = alloc_pages(GFP_TRANSHUGE_LIGHT,
						HPAGE_PMD_ORDER)) != NULL)
		n++;
	verify(a + 2 * MiB, 2 * MiB);
	ck_assert_uint_eq(vm_event_states[0].event[THP_SWPIN], 1);
	ck_assert_uint_eq(vm_event_states[0].event[THP_SWPIN_FALLBACK], 1);
	ck_assert(!pmd_leaf_at(a + 2 * MiB));
	while (n)
		__free_pages(held[--n], HPAGE_PMD_ORDER);
	verify(a, 4 * MiB);
	verify(b, 8 * MiB);
	check();
}
END_TEST

Suite *mm_swap_suite(void)
{
	Suite *s = suite_create("mm_swap");
	TCase *tc = tcase_create("swap");

	tcase_add_checked_fixture(tc, boot, teardown);
	tcase_add_test(tc, test_swap_entry_encoding);
	tcase_add_test(tc, test_swap_map_clusters);
	tcase_add_test(tc, test_swap_slots_ahead);
	tcase_add_test(tc, test_lru_decisions);
	tcase_add_test(tc, test_lru_aging_second_chance);
	tcase_add_test(tc, test_pageout_thp_and_swapin);
	tcase_add_test(tc, test_mthp_swapin_whole);
	tcase_add_test(tc, test_mthp_chunks_are_units);
	tcase_add_test(tc, test_swapoff_brings_back);
	tcase_add_test(tc, test_thp_swapin_reclaims_for_a_block);
	tcase_add_loop_test(tc, test_swapcache_clean_drop, 0, 3);
	tcase_add_loop_test(tc, test_swapcache_dirty_rewritten, 0, 3);
	tcase_add_test(tc, test_swapcache_single_page);
	tcase_add_test(tc, test_swapcache_write_fault_frees);
	tcase_add_test(tc, test_swapcache_not_when_swap_half_full);
	tcase_add_test(tc, test_swapcache_freed_once);
	tcase_add_test(tc, test_split_only_what_swap_can_take);
	suite_add_tcase(s, tc);
	return s;
}
