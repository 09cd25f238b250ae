/*
 * The balloon's pages: what the virtio-balloon driver takes from the
 * allocator and gives back, in blocks, never a 4 KiB page at a time.
 *
 * Inflate (balloon_inflate) allocates the largest blocks available, order
 * BALLOON_MAX_ORDER (2 MiB) first, dropping an order whenever the
 * allocator has none of the current one; b->order remembers where it got
 * to, so a balloon that found no 2 MiB block does not ask again for each
 * batch (the driver resets it for each new target).  Each block's PFNs go
 * into the caller's array with balloon_fill_pfns(), a tight unrolled loop
 * storing two 32-bit PFNs per 64-bit store: the per-page cost of the whole
 * path, which is otherwise per block (one allocation, one list insertion).
 *
 * The balloon holds blocks on b->pages, each head with ->private = its
 * order and _count 1 (as alloc_pages left it); tails untouched.
 *
 * Under pressure (balloon_inflate_reclaim): one direct reclaim of what the
 * driver still wants (it bounds the amount), counted as one allocation
 * stall, then balloon_inflate() from free memory, starting at
 * BALLOON_MAX_ORDER again: reclaim frees runs of neighbours, and the
 * allocator's order-0 slow path costs per page.
 *
 * Deflate (balloon_deflate) moves whole blocks to the caller's list; when
 * the last one is larger than what is asked, it is split in place: the
 * upper half becomes a block of its own (_count 1, ->private = order - 1)
 * that stays in the balloon, the lower half is split further or goes, so
 * the balloon gives back exactly what the host asked.  balloon_release()
 * frees them once the host knows, known-zero when the host says so
 * (memvisor punches holes in their backing: they come back zero-filled).
 *
 * Memory offlining (Linux's balloon compaction migrates balloon pages; this
 * balloon gives them up instead, they are holes on the host already):
 * every block head the balloon holds has PG_balloon, so migrate.c sees a
 * movable page and calls balloon_page_offline(), which takes the block
 * off b->pages, frees it into the isolated range (where it stays: the
 * range is going away, or comes back free if the offline fails) and calls
 * b->offlined, through which the driver tells the host (a deflate) and
 * re-inflates as many pages elsewhere, so that `actual` returns to the
 * target.  Nothing is lost, and the DIMM's removal is not refused.
 *
 * Counters: BALLOON_INFLATE / BALLOON_DEFLATE in pages (/proc/vmstat's
 * balloon_inflate, balloon_deflate, as Linux's).  MemTotal is unchanged by
 * inflation, as in Linux: the balloon's pages are allocated memory.
 *
 * Locking: the caller's (one driver thread); the allocator locks itself.
 * balloon_page_offline() runs in the offlining thread: on this kernel
 * (one CPU, not preemptible) it cannot interleave with a list operation
 * of the driver's, only with the driver asleep between them.
 */
#include "mm_internal.h"

static struct balloon_dev_info *balloon_owner;	/* see balloon_init */

typedef uint64_t __attribute__((may_alias)) pfn_pair_t;

void balloon_init(struct balloon_dev_info *b)
{
	INIT_LIST_HEAD(&b->pages);
	b->nr_pages = 0;
	b->order = BALLOON_MAX_ORDER;
	b->offlined = NULL;
	b->nr_offlined = 0;
	balloon_owner = b;
}

unsigned int balloon_page_offline(struct page *page)
{
	struct balloon_dev_info *b = balloon_owner;
	unsigned int order = (unsigned int)page->private;

	BUG_ON(!b || !PageBalloon(page));
	__ClearPageBalloon(page);
	list_del(&page->lru);
	b->nr_pages -= 1UL << order;
	b->nr_offlined += 1UL << order;
	count_vm_events(arch_cpu_id(), BALLOON_DEFLATE, 1UL << order);
	__free_pages(page, order);
	if (b->offlined)
		b->offlined(b, page_to_pfn(page), order);
	return order;
}

void balloon_fill_pfns(uint32_t *dst, pfn_t pfn, unsigned long n)
{
	const uint64_t two = 0x0000000200000002ull;
	uint32_t p = (uint32_t)pfn;
	unsigned long i, pairs;
	pfn_pair_t *d;
	uint64_t v;

	if (((uintptr_t)dst & 4) && n) {
		*dst++ = p++;
		n--;
	}
	d = (pfn_pair_t *)dst;
	v = p | (uint64_t)(p + 1) << 32;
	pairs = n / 2;
	for (i = 0; i + 4 <= pairs; i += 4) {
		d[i] = v;
		d[i + 1] = v + two;
		d[i + 2] = v + 2 * two;
		d[i + 3] = v + 3 * two;
		v += 4 * two;
	}
	for (; i < pairs; i++, v += two)
		d[i] = v;
	if (n & 1)
		dst[2 * pairs] = (uint32_t)v;
}

unsigned long balloon_inflate(struct balloon_dev_info *b, gfp_t gfp,
			      uint32_t *pfns, unsigned long want)
{
	unsigned int order = min(b->order, (unsigned int)BALLOON_MAX_ORDER);
	unsigned long done = 0;

	while (done < want) {
		unsigned int fit = order;
		struct page *page;

		while ((1UL << fit) > want - done)
			fit--;
		page = alloc_pages(gfp | __GFP_NOWARN, fit);
		if (!page) {
			if (!fit)
				break;
			order = fit - 1;
			continue;
		}
		page->private = fit;
		__SetPageBalloon(page);
		list_add(&page->lru, &b->pages);
		balloon_fill_pfns(pfns + done, page_to_pfn(page), 1UL << fit);
		done += 1UL << fit;
	}
	b->order = order;
	b->nr_pages += done;
	count_vm_events(arch_cpu_id(), BALLOON_INFLATE, done);
	return done;
}

unsigned long balloon_inflate_reclaim(struct balloon_dev_info *b, gfp_t gfp,
				      uint32_t *pfns, unsigned long want)
{
	if (!mm_hooks.try_to_free_pages || !(gfp & __GFP_DIRECT_RECLAIM))
		return 0;			/* reclaim is off */
	count_vm_events(arch_cpu_id(), ALLOCSTALL_NORMAL, 1);
	if (!try_to_free_pages_nr(gfp, want))
		return 0;
	drain_all_pages(NULL);
	b->order = BALLOON_MAX_ORDER;	/* reclaim freed whole runs */
	return balloon_inflate(b, (gfp & ~__GFP_DIRECT_RECLAIM) |
			       __GFP_NORETRY, pfns, want);
}

unsigned long balloon_deflate(struct balloon_dev_info *b, uint32_t *pfns,
			      unsigned long want, struct list_head *out)
{
	unsigned long done = 0;

	while (done < want && !list_empty(&b->pages)) {
		struct page *page = list_first_entry(&b->pages, struct page,
						     lru);
		unsigned int order = (unsigned int)page->private;

		while ((1UL << order) > want - done) {
			struct page *upper;

			order--;
			upper = page + (1UL << order);
			set_page_count(upper, 1);
			upper->private = order;
			__SetPageBalloon(upper);
			list_add(&upper->lru, &page->lru);
			page->private = order;
		}
		__ClearPageBalloon(page);
		list_move_tail(&page->lru, out);
		balloon_fill_pfns(pfns + done, page_to_pfn(page), 1UL << order);
		done += 1UL << order;
	}
	b->nr_pages -= done;
	count_vm_events(arch_cpu_id(), BALLOON_DEFLATE, done);
	return done;
}

void balloon_release(struct list_head *list, bool zero)
{
	while (!list_empty(list)) {
		struct page *page = list_first_entry(list, struct page, lru);
		unsigned int order = (unsigned int)page->private;

		list_del(&page->lru);
		if (zero)
			free_pages_known_zero(page, order);
		else
			__free_pages(page, order);
	}
}
