/*
 * Host micro-benchmark of guest/mm's hot paths, for instruction counts
 * under callgrind (repeatable on a noisy machine, and what matters for a
 * guest whose ring 0 is emulated at ~0.55 us per instruction).
 *
 * Each benchmark is a function bench_NAME(iterations) doing one alloc and
 * one free per iteration after a warm-up, so
 *
 *	valgrind --tool=callgrind --toggle-collect=bench_NAME \
 *		./mm_bench NAME ITERS
 *
 * collects exactly the loop: instructions per op = Collected / ITERS.
 *
 * The fault benchmarks (fault4k, fault64k, fault2m) map a fresh region of
 * known-zero memory and take ITERS page faults in it, each through
 * fault_op(), which is what callgrind collects (--toggle-collect=fault_op:
 * mapping and teardown are not counted): instructions per fault, with the
 * page-table pages they allocate amortised.  huge_anon_orders picks the
 * size.
 * tests/bench/mm_bench.sh builds it and prints the table.  Without
 * valgrind it prints nanoseconds per op.
 *
 * The swap benchmarks (swap2m, swap64k, swap4k) fault in ITERS MiB in
 * chunks of one size, swap all of it out through shrink_node()
 * (swapout_op: the scanner's passes, slot allocation, entry writes and
 * the frees) and fault it back in one fault per chunk (swapin_op), on a
 * swap device that moves the data itself and releases what it wrote, as
 * memvisor's virtio-blk does: the hook copies nothing, since in the guest
 * the device does and the CPU does not.  The bench prints the pages that
 * went out and came in (warm-up included) to divide by.  The guest's
 * block driver (guest/kernel/swap.c, virtio_blk.c) is not in this build:
 * it costs per request (one per 2 MiB or 64 KiB run, merged), not per
 * page.
 *
 * The balloon benchmarks (balloon_cache, balloon_mapped, and the *1
 * variants that escalate as the driver did before 1 Dec) inflate past
 * free memory over an active page cache, plain or mapped by two tasks;
 * pressure_op() is collected: the reclaim and the allocations of each of
 * the driver's requests to the host.  Divide by the pages they print.
 *
 * Build (no MM_DEBUG poisoning: the stub defaults to debug otherwise):
 *	cc -O2 -DMM_HOST -DMM_NDEBUG -I. -Itests/unit/mm_stub \
 *		guest/mm/*.c tests/unit/mm_stub/*.c tests/bench/mm_bench.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guest/mm/mm_internal.h"

#define MiB (1UL << 20)

/* Keep the compiler from dropping the work. */
static void *volatile sink;

__attribute__((noinline)) void bench_empty(long n);
__attribute__((noinline)) void bench_order0(long n);
__attribute__((noinline)) void bench_order3(long n);
__attribute__((noinline)) void bench_order9(long n);
__attribute__((noinline)) void bench_kmalloc64(long n);
__attribute__((noinline)) void bench_order0_zero(long n);
__attribute__((noinline)) vm_fault_t fault_op(struct mm_struct *mm,
					      unsigned long va);
__attribute__((noinline)) void bench_fault4k(long n);
__attribute__((noinline)) void bench_fault64k(long n);
__attribute__((noinline)) void bench_fault2m(long n);
__attribute__((noinline)) int online_op(pfn_t start);
__attribute__((noinline)) void bench_online(long n);
__attribute__((noinline)) unsigned long inflate_op(struct balloon_dev_info *b,
						   unsigned long want);
__attribute__((noinline)) unsigned long deflate_op(struct balloon_dev_info *b,
						   unsigned long want);
__attribute__((noinline)) void bench_balloon(long n);
__attribute__((noinline)) unsigned long swapout_op(void);
__attribute__((noinline)) vm_fault_t swapin_op(struct mm_struct *mm,
					       unsigned long va);
__attribute__((noinline)) void bench_swap2m(long n);
__attribute__((noinline)) void bench_swap64k(long n);
__attribute__((noinline)) void bench_swap4k(long n);
__attribute__((noinline)) void bench_filemap(long n);
__attribute__((noinline)) int fill_op(struct address_space *m,
				      unsigned long index, struct page **pages);
__attribute__((noinline)) unsigned long drop_op(void);
__attribute__((noinline)) unsigned long pressure_op(
	struct balloon_dev_info *b, unsigned long left, unsigned long batch);
__attribute__((noinline)) void bench_balloon_cache(long n);
__attribute__((noinline)) void bench_balloon_cache1(long n);
__attribute__((noinline)) void bench_balloon_mapped(long n);
__attribute__((noinline)) void bench_balloon_mapped1(long n);

/* The loop alone, with two calls: subtract from the others. */
__attribute__((noinline)) void bench_empty(long n)
{
	for (long i = 0; i < n; i++) {
		sink = &n;
		__asm__ volatile("" ::: "memory");
	}
}

__attribute__((noinline)) void bench_order0(long n)
{
	for (long i = 0; i < n; i++) {
		struct page *page = alloc_pages(GFP_KERNEL, 0);

		sink = page;
		__free_pages(page, 0);
	}
}

__attribute__((noinline)) void bench_order0_zero(long n)
{
	for (long i = 0; i < n; i++) {
		struct page *page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 0);

		sink = page;
		free_pages_known_zero(page, 0);
	}
}

__attribute__((noinline)) void bench_order3(long n)
{
	for (long i = 0; i < n; i++) {
		struct page *page = alloc_pages(GFP_KERNEL, 3);

		sink = page;
		__free_pages(page, 3);
	}
}

__attribute__((noinline)) void bench_order9(long n)
{
	for (long i = 0; i < n; i++) {
		struct page *page = alloc_pages(GFP_KERNEL, 9);

		sink = page;
		__free_pages(page, 9);
	}
}

__attribute__((noinline)) void bench_kmalloc64(long n)
{
	for (long i = 0; i < n; i++) {
		void *p = kmalloc(64, GFP_KERNEL);

		sink = p;
		kfree(p);
	}
}

__attribute__((noinline)) vm_fault_t fault_op(struct mm_struct *mm,
					      unsigned long va)
{
	return handle_mm_fault(mm, va, FAULT_FLAG_WRITE | FAULT_FLAG_USER);
}

/* @n faults @step apart in a new mapping, chunk orders @orders only. */
static void bench_fault(long n, unsigned long step, unsigned long orders)
{
	struct mm_struct *mm = mm_alloc();
	unsigned long a;

	huge_anon_orders = orders;
	if (!mm || do_mmap(mm, 0, n * step, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, &a))
		abort();
	for (long i = 0; i < n; i++)
		if (fault_op(mm, a + i * step))
			abort();
	mmput(mm, NULL);
	huge_anon_orders = HUGE_ANON_ORDERS_DEFAULT;
}

__attribute__((noinline)) void bench_fault4k(long n)
{
	bench_fault(n, PAGE_SIZE, 0);
}

__attribute__((noinline)) void bench_fault64k(long n)
{
	bench_fault(n, 64 << 10, 1UL << MTHP_ORDER);
}

__attribute__((noinline)) void bench_fault2m(long n)
{
	bench_fault(n, PMD_SIZE, 1UL << HPAGE_PMD_ORDER);
}

/* ---------------------------------------------------------- swap */

static int swap_dummy;				/* the device's identity */
static unsigned long swapped_out, swapped_in;	/* pages, all runs */

/* The device moves the data (DMA): nothing for the CPU to do here. */
static int bench_swap_rw(void *bdev, bool write, const struct swap_iov *iov,
			 unsigned int n)
{
	(void)bdev, (void)write, (void)iov, (void)n;
	return 0;
}

static bool bench_swap_releases(void *bdev)
{
	return bdev == &swap_dummy;
}

__attribute__((noinline)) unsigned long swapout_op(void)
{
	return shrink_node(0, ~0UL >> 1, 0, false);
}

__attribute__((noinline)) vm_fault_t swapin_op(struct mm_struct *mm,
					       unsigned long va)
{
	return handle_mm_fault(mm, va, FAULT_FLAG_WRITE | FAULT_FLAG_USER);
}

/* @n MiB faulted in @step chunks (orders @orders), swapped out, back in. */
static void bench_swap(long n, unsigned long step, unsigned long orders)
{
	struct mm_struct *mm = mm_alloc();
	unsigned long a, len = (unsigned long)n * MiB;

	mm_hooks.swap_rw = bench_swap_rw;
	mm_hooks.swap_write_releases = bench_swap_releases;
	huge_anon_orders = orders;
	if (!mm || do_mmap(mm, 0, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, &a) ||
	    swapon(&swap_dummy, "/dev/bench", len / PAGE_SIZE + 1024))
		abort();
	for (unsigned long v = a; v < a + len; v += step)
		if (fault_op(mm, v))
			abort();
	/* the first pass only ages (accessed bits: second chance) */
	for (int idle = 0; mm->rss_stat[MM_ANONPAGES] && idle < 3; )
		idle = swapout_op() ? 0 : idle + 1;
	if (mm->rss_stat[MM_ANONPAGES])
		abort();
	swapped_out += len / PAGE_SIZE;
	/* as a program touching every chunk would: no fault where the
	 * page is back already (swap readahead brought it) */
	for (unsigned long v = a; v < a + len; v += step) {
		phys_addr_t pa;

		if (follow_phys(mm, v, &pa, NULL) && swapin_op(mm, v))
			abort();
	}
	swapped_in += len / PAGE_SIZE - mm->rss_stat[MM_SWAPENTS];
	mmput(mm, NULL);
	if (swapoff("/dev/bench"))
		abort();
	huge_anon_orders = HUGE_ANON_ORDERS_DEFAULT;
}

__attribute__((noinline)) void bench_swap2m(long n)
{
	bench_swap(n, PMD_SIZE, 1UL << HPAGE_PMD_ORDER);
}

__attribute__((noinline)) void bench_swap64k(long n)
{
	bench_swap(n, 64 << 10, 1UL << MTHP_ORDER);
}

__attribute__((noinline)) void bench_swap4k(long n)
{
	bench_swap(n, PAGE_SIZE, 0);
}

/* ---------------------------------------------------- the page cache */

/*
 * The page cache of a disk of ITERS MiB: filled in dd's 512-page
 * filemap_read() calls (fill_op: allocation, index, LRU; the device moves
 * the data, as virtio-blk does), then emptied by drop_caches (drop_op:
 * eviction and the frees).  Per 4 KiB page: divide by ITERS * 256.
 */
static int filemap_dummy;

static int bench_filemap_rw(void *bdev, bool write, const struct swap_iov *iov,
			    unsigned int n)
{
	(void)bdev, (void)write, (void)iov, (void)n;
	return 0;
}

/* dd's step: @nr pages from @index read through the cache, released. */
static int read_release(struct address_space *m, unsigned long index,
			unsigned int nr, struct page **pages)
{
	int err = filemap_read(m, index, nr, pages);

	if (!err)
		filemap_release(pages, nr);
	return err;
}

__attribute__((noinline)) int fill_op(struct address_space *m,
				      unsigned long index, struct page **pages)
{
	return read_release(m, index, 512, pages);
}

__attribute__((noinline)) unsigned long drop_op(void)
{
	return drop_pagecache();
}

__attribute__((noinline)) void bench_filemap(long n)
{
	static struct page *pages[512];
	unsigned long nr = (unsigned long)n << (20 - PAGE_SHIFT);
	struct address_space *m;

	mm_hooks.filemap_rw = bench_filemap_rw;
	m = filemap_create(&filemap_dummy, nr);
	if (!m)
		abort();
	for (unsigned long i = 0; i < nr; i += 512)
		if (fill_op(m, i, pages))
			abort();
	if (drop_op() != nr)
		abort();
}

void bench_stream(long n);
void bench_stream_direct(long n);

static const struct {
	const char *name;
	void (*fn)(long n);
} benches[] = {
	{ "empty", bench_empty },
	{ "order0", bench_order0 },
	{ "order0_zero", bench_order0_zero },
	{ "order3", bench_order3 },
	{ "order9", bench_order9 },
	{ "kmalloc64", bench_kmalloc64 },
	{ "fault4k", bench_fault4k },
	{ "fault64k", bench_fault64k },
	{ "fault2m", bench_fault2m },
	{ "online", bench_online },
	{ "balloon", bench_balloon },
	{ "swap2m", bench_swap2m },
	{ "swap64k", bench_swap64k },
	{ "swap4k", bench_swap4k },
	{ "filemap", bench_filemap },
	{ "balloon_cache", bench_balloon_cache },
	{ "balloon_cache1", bench_balloon_cache1 },
	{ "balloon_mapped", bench_balloon_mapped },
	{ "balloon_mapped1", bench_balloon_mapped1 },
	{ "stream", bench_stream },
	{ "stream_direct", bench_stream_direct },
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * Hot-add: one 128 MiB section above the boot RAM per iteration, its
 * memmap on itself; online_op() (what callgrind collects with
 * --toggle-collect=online_op) onlines it to ZONE_MOVABLE.
 */
__attribute__((noinline)) int online_op(pfn_t start)
{
	return online_pages(start, PAGES_PER_SECTION, ZONE_MOVABLE);
}

__attribute__((noinline)) void bench_online(long n)
{
	static pfn_t next = PFN_DOWN(4UL << 30);

	for (long i = 0; i < n; i++, next += PAGES_PER_SECTION) {
		if (sparse_add_section(0, next, MEMMAP_ON_MEMORY) ||
		    online_op(next))
			abort();
	}
}

/*
 * The balloon: ITERS MiB inflated in the driver's 8192-PFN batches
 * (inflate_op: allocation of 2 MiB blocks and the PFN array fill), then
 * deflated and freed the same way (deflate_op).
 */
static uint32_t balloon_pfns[8192];

__attribute__((noinline)) unsigned long inflate_op(struct balloon_dev_info *b,
						   unsigned long want)
{
	return balloon_inflate(b, (GFP_HIGHUSER_MOVABLE & ~__GFP_DIRECT_RECLAIM) |
			       __GFP_NORETRY, balloon_pfns, want);
}

__attribute__((noinline)) unsigned long deflate_op(struct balloon_dev_info *b,
						   unsigned long want)
{
	struct list_head out = LIST_HEAD_INIT(out);
	unsigned long got = balloon_deflate(b, balloon_pfns, want, &out);

	balloon_release(&out, true);
	return got;
}

__attribute__((noinline)) void bench_balloon(long n)
{
	struct balloon_dev_info b;
	unsigned long left = (unsigned long)n << (20 - PAGE_SHIFT), got;

	balloon_init(&b);
	for (; left; left -= got) {
		got = inflate_op(&b, min(left, (unsigned long)ARRAY_SIZE(balloon_pfns)));
		if (!got)
			abort();
	}
	while (deflate_op(&b, ARRAY_SIZE(balloon_pfns)))
		;
}

/*
 * The balloon past free memory, over a page cache of ITERS MiB read twice
 * (active, as after test_reclaim's second dd): the balloon first takes
 * all free memory, then three quarters of the cache, each step as the
 * driver's fill loop takes one (pressure_op: the escalation, then free
 * memory again).  balloon_cache escalates as the driver does now
 * (balloon_inflate_reclaim of what is left, up to 4096 pages);
 * balloon_cache1 as it did before (one page through the allocator's
 * full slow path: a 32-page direct reclaim).  There is no kswapd here:
 * direct reclaim does all of it.  The bench prints the pages taken and
 * the steps (one request to the host each) to divide by.
 */
static unsigned long pressure_pages, pressure_steps;

__attribute__((noinline)) unsigned long pressure_op(
	struct balloon_dev_info *b, unsigned long left, unsigned long batch)
{
	unsigned long got = 0;

	if (batch > 1)
		got = balloon_inflate_reclaim(b, GFP_HIGHUSER_MOVABLE,
					      balloon_pfns, min(left, batch));
	if (!got) {
		b->order = 0;
		got = balloon_inflate(b, GFP_HIGHUSER_MOVABLE, balloon_pfns, 1);
		b->order = BALLOON_MAX_ORDER;
	}
	if (got < left)
		got += inflate_op(b, min(left - got,
					 (unsigned long)ARRAY_SIZE(balloon_pfns) - got));
	return got;
}

/* Two mms map all of @m (the file hog and its second): every page
 * faulted in by both, so both PTEs are young, as after the two hogs. */
static void map_twice(struct address_space *m, unsigned long nr,
		      struct mm_struct *mms[2])
{
	for (int i = 0; i < 2; i++) {
		unsigned long va;

		mms[i] = mm_alloc();
		if (!mms[i] || do_mmap_file(mms[i], 0, nr << PAGE_SHIFT,
					    PROT_READ, MAP_SHARED, m, 0, &va))
			abort();
		for (unsigned long j = 0; j < nr; j++)
			if (handle_mm_fault(mms[i], va + (j << PAGE_SHIFT),
					    FAULT_FLAG_USER))
				abort();
	}
}

static void balloon_cache(long n, unsigned long batch, bool mapped)
{
	static struct page *pages[512];
	unsigned long nr = (unsigned long)n << (20 - PAGE_SHIFT), left, got;
	struct mm_struct *mms[2] = { NULL, NULL };
	struct balloon_dev_info b;
	struct address_space *m;

	static int disks[2], calls;	/* the warm-up's disk is smaller */

	mm_hooks.filemap_rw = bench_filemap_rw;
	mm_hooks.try_to_free_pages = try_to_free_pages;
	m = filemap_create(&disks[calls++ % 2], nr);
	if (!m)
		abort();
	for (int pass = 0; pass < 2; pass++)
		for (unsigned long i = 0; i < nr; i += 512)
			if (fill_op(m, i, pages))
				abort();
	if (mapped)
		map_twice(m, nr, mms);
	balloon_init(&b);
	while (inflate_op(&b, ARRAY_SIZE(balloon_pfns)))
		;
	for (left = nr * 3 / 4; left; left -= got) {
		got = pressure_op(&b, left, batch);
		if (!got)
			abort();
		pressure_pages += got;
		pressure_steps++;
	}
	while (deflate_op(&b, ARRAY_SIZE(balloon_pfns)))
		;
	for (int i = 0; i < 2; i++)
		if (mms[i])
			mmput(mms[i], NULL);
	drop_op();
	mm_hooks.try_to_free_pages = NULL;
}

__attribute__((noinline)) void bench_balloon_cache(long n)
{
	balloon_cache(n, 4096, false);
}

__attribute__((noinline)) void bench_balloon_cache1(long n)
{
	balloon_cache(n, 1, false);
}

__attribute__((noinline)) void bench_balloon_mapped(long n)
{
	balloon_cache(n, 4096, true);
}

__attribute__((noinline)) void bench_balloon_mapped1(long n)
{
	balloon_cache(n, 1, true);
}

/*
 * A disk of ITERS MiB read again and again in dd's 1 MiB filemap_read()
 * calls through a cache of a quarter of that (the balloon holds the rest
 * of memory): every page read needs one evicted, as in test_reclaim's
 * third dd.  kswapd is modelled as in the guest: the allocator wakes it
 * (a flag here) and it runs its kswapd_balance() rounds after the read
 * that woke it (kswapd_op).  stream_op is the reader with its direct
 * reclaim; the bench prints the pages read by the measured passes (the
 * second and third) and what the counters say of them.
 */
static bool stream_kswapd_wanted, stream_measuring, stream_no_kswapd;
static unsigned long stream_pages;

static void bench_wakeup_kswapd(struct zone *zone, unsigned int order)
{
	(void)zone, (void)order;
	stream_kswapd_wanted = true;
}

__attribute__((noinline)) int stream_op(struct address_space *m,
					unsigned long index, struct page **pages)
{
	return read_release(m, index, 256, pages);
}

/* kswapd's thread: rounds until one says the node is balanced. */
static void kswapd_rounds(void)
{
	while (kswapd_balance(0))
		;
}

__attribute__((noinline)) void kswapd_op(void)
{
	kswapd_rounds();
}

/* One pass over the disk's @nr pages, kswapd after each read that woke
 * it.  stream_op and kswapd_op are what callgrind collects, so the
 * warm-up pass calls read_release and kswapd_rounds directly. */
static void stream_pass(struct address_space *m, unsigned long nr)
{
	static struct page *pages[256];

	for (unsigned long i = 0; i < nr; i += 256) {
		if (stream_measuring ? stream_op(m, i, pages) :
		    read_release(m, i, 256, pages))
			abort();
		if (stream_kswapd_wanted && !stream_no_kswapd) {
			stream_kswapd_wanted = false;
			if (stream_measuring)
				kswapd_op();
			else
				kswapd_rounds();
		}
	}
}

static const struct {
	enum vm_event_item item;
	const char *name;
} stream_events[] = {
	{ PGSCAN_KSWAPD, "pgscan_kswapd" }, { PGSCAN_DIRECT, "pgscan_direct" },
	{ PGSTEAL_KSWAPD, "pgsteal_kswapd" },
	{ PGSTEAL_DIRECT, "pgsteal_direct" },
	{ PGDEACTIVATE, "pgdeactivate" }, { PGACTIVATE, "pgactivate" },
	{ ALLOCSTALL_NORMAL, "allocstall" }, { PAGEOUTRUN, "pageoutrun" },
	{ WORKINGSET_REFAULT_FILE, "workingset_refault_file" },
};

static void stream(long n)
{
	static int disks[2], calls;
	unsigned long nr = (unsigned long)n << (20 - PAGE_SHIFT);
	unsigned long before[ARRAY_SIZE(stream_events)];
	struct list_head out = LIST_HEAD_INIT(out);
	struct balloon_dev_info b;
	struct address_space *m;

	mm_hooks.filemap_rw = bench_filemap_rw;
	mm_hooks.try_to_free_pages = try_to_free_pages;
	mm_hooks.wakeup_kswapd = bench_wakeup_kswapd;
	m = filemap_create(&disks[calls++ % 2], nr);
	if (!m)
		abort();
	balloon_init(&b);	/* all free memory, then a quarter back */
	while (inflate_op(&b, ARRAY_SIZE(balloon_pfns)))
		;
	balloon_deflate(&b, balloon_pfns, nr / 4, &out);
	balloon_release(&out, true);
	stream_pass(m, nr);		/* warm-up: the cache fills */
	for (unsigned int i = 0; i < ARRAY_SIZE(stream_events); i++)
		before[i] = global_vm_event(stream_events[i].item);
	stream_measuring = calls == 2;	/* not the bench's own warm-up */
	for (int pass = 0; pass < 2; pass++)
		stream_pass(m, nr);
	if (stream_measuring) {
		stream_pages = 2 * nr;
		for (unsigned int i = 0; i < ARRAY_SIZE(stream_events); i++)
			printf("%s %lu\n", stream_events[i].name,
			       global_vm_event(stream_events[i].item) - before[i]);
	}
	stream_measuring = false;
	while (deflate_op(&b, ARRAY_SIZE(balloon_pfns)))
		;
	drop_op();
	mm_hooks.try_to_free_pages = NULL;
	mm_hooks.wakeup_kswapd = NULL;
}

__attribute__((noinline)) void bench_stream(long n)
{
	stream(n);
}

/* The same with kswapd never running: the reader's direct reclaim does
 * it all, 32 pages at a time, as in the guest before dd let kswapd run
 * between its reads (one CPU, a kernel that is not preemptible). */
__attribute__((noinline)) void bench_stream_direct(long n)
{
	stream_no_kswapd = true;
	stream(n);
}

int main(int argc, char **argv)
{
	static const struct mm_stub_range map[] = {
		{ 0, 640 << 10, 0 }, { MiB, 2047 * MiB, 0 },
	};
	long iters = argc > 2 ? atol(argv[2]) : 100000;

	mm_stub_boot(map, 2, 4 * MiB);
	for (unsigned int i = 0; i < ARRAY_SIZE(benches); i++) {
		double t;

		if (argc > 1 && strcmp(argv[1], benches[i].name))
			continue;
		benches[i].fn(10);		/* warm up */
		t = now_ns();
		benches[i].fn(iters);
		printf("%-12s %8.1f ns/op (alloc+free or fault)\n",
		       benches[i].name, (now_ns() - t) / iters);
	}
	if (pressure_steps)
		printf("balloon past free memory: %lu pages in %lu steps\n",
		       pressure_pages, pressure_steps);
	if (stream_pages)
		printf("streamed %lu pages\n", stream_pages);
	if (swapped_out)
		printf("swapped out %lu pages, in %lu pages\n", swapped_out,
		       swapped_in);
	return 0;
}
