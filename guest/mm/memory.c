/*
 * Demand paging of anonymous memory, and unmapping.
 *
 * handle_mm_fault() is the #PF handler's entry: it finds the VMA, checks
 * the access, and fills the hole with zero memory in the largest chunk
 * that is safe (Linux's anonymous THP and multi-size THP):
 *
 *  1. 2 MiB: the 2 MiB-aligned range around the address lies inside the
 *     VMA and its PD entry is empty: one order-9 block, one PMD leaf (PS).
 *  2. 64 KiB: the 64 KiB-aligned range lies inside the VMA and its 16 PTEs
 *     are empty: one order-4 block, split into 16 ordinary pages, 16 PTEs.
 *  3. 4 KiB: one page, one PTE.
 *
 * Which sizes are allowed: huge_anon_orders (bit 9: 2 MiB, bit 4: 64 KiB;
 * both by default), like Linux's hugepages-*kB/enabled "always", and per
 * VMA VM_NOHUGEPAGE (madvise) forbids both.
 *
 * Large chunks are asked for with GFP_TRANSHUGE_LIGHT (no direct reclaim,
 * no warning) and fall back to the next size.  Every chunk is __GFP_ZERO
 * and __GFP_MOVABLE: ZONE_MOVABLE (hot-added DIMMs) when there is one,
 * and no clearing when the buddy knows the block is zero (known-zero
 * blocks come first).  One fault thus costs a few hundred instructions
 * for up to 512 pages, which matters where ring 0 is emulated.
 *
 * Pages: every mapped page is anonymous and has one owner (no fork):
 * ->mapping = mm | PAGE_MAPPING_ANON, ->index = virtual page number,
 * _mapcount 1, _count 1 (page.h).  A 2 MiB chunk stays one order-9 block
 * (head: PG_head, private 9; tails untouched) until split_huge_pmd()
 * turns it into 512 pages under a new PT, which munmap of part of it and
 * migration under memory pressure do.  Read faults get memory too: there
 * is no shared zero page.
 *
 * File mappings (VM_SHARED: a disk's page cache) fault in filemap.c,
 * outside mm->lock while their pages are read.
 *
 * Unmapping (unmap_region) walks [floor, ceiling), a hole between VMAs:
 * every page mapped there is unmapped and freed after the TLB flush (a
 * page-cache page is only unmapped: it stays in the cache), and
 * every table whose whole span lies in the hole is freed as well
 * (Linux's free_pgtables rule), which keeps the invariant that a table
 * exists only where it covers some VMA.
 *
 * Swap-in (do_swap_pmd, do_swap_page, swap_in_chunks) reads back a
 * 2 MiB chunk, 64 KiB chunks or a page.  A 2 MiB swap entry that finds
 * no free order-9 block asks for one unlocked, with direct reclaim,
 * before it is split into 512 PTE entries (do_swap_pmd says why).  A
 * read fault keeps the slots: the unit joins the swap cache
 * (swap_state.c) and is mapped with the dirty bit clear, so reclaim can
 * drop it again without a write unless the CPU has set it since; a
 * write fault (and swapoff) frees them.
 * Whatever ends a unit (zap_page, split_huge_pmd, unuse_mm) frees its
 * swap-cache slots.
 *
 * Counters: mm->rss_stat[MM_ANONPAGES]; per zone NR_ANON_MAPPED (meminfo
 * AnonPages) and NR_ANON_THPS (AnonHugePages); events PGFAULT,
 * THP_FAULT_ALLOC, THP_FAULT_FALLBACK, THP_SPLIT_PMD, MTHP_FAULT_ALLOC,
 * THP_SWPIN, THP_SWPIN_FALLBACK.
 *
 * Locking: mm->lock held across a whole fault or unmap (it also covers the
 * tables and the pages' ->mapping/->index).
 */
#include "mm_internal.h"

#define MTHP_SIZE	(MTHP_NR << PAGE_SHIFT)
#define VM_FAULT_FALLBACK 0x0800		/* internal: try smaller */
#define VM_FAULT_NEED_PAGE 0x1000		/* internal: allocate unlocked */
#define VM_FAULT_FILE	0x2000			/* internal: filemap_fault */
/* Under mm->lock: no direct reclaim (it could not take this mm's pages);
 * on failure the fault allocates again unlocked (handle_mm_fault). */
#define GFP_FAULT_LOCKED ((GFP_HIGHUSER_MOVABLE & ~__GFP_DIRECT_RECLAIM) | \
			  __GFP_NOWARN)

/* The block a fault asked for outside the lock: a page (whether
 * zeroed) or a THP swap-in's order-9 block. */
struct fault_alloc {
	struct page *page;
	bool zero;
	unsigned int order;		/* of page, or of the request */
	bool thp_failed;		/* the unlocked order-9 try failed */
};

/* Give back a block the fault did not use. */
static void fault_alloc_release(struct fault_alloc *fa)
{
	if (fa->page)
		__free_pages(fa->page, fa->order);
	fa->page = NULL;
	fa->order = 0;
}

/* The preallocated page if any, else one without direct reclaim; NULL
 * means: ask for one unlocked (VM_FAULT_NEED_PAGE). */
static struct page *fault_page(struct fault_alloc *fa, bool zero)
{
	struct page *page = fa->page;

	if (page && !fa->order && (fa->zero || !zero)) {
		fa->page = NULL;
		return page;
	}
	fault_alloc_release(fa);	/* not zeroed, or a THP's: ask again */
	fa->zero = zero;
	return alloc_page(GFP_FAULT_LOCKED | (zero ? __GFP_ZERO : 0));
}

/*
 * Allocate unlocked what the fault asked for (VM_FAULT_NEED_PAGE), where
 * direct reclaim may take this mm's pages too.  An order-9 block for a
 * THP swap-in gets one reclaim pass (GFP_TRANSHUGE, __GFP_NORETRY); if
 * that fails the fault splits the swap entry instead.  An order-0 page
 * takes @gfp; false if there is none.
 */
static bool fault_alloc_unlocked(struct fault_alloc *fa, gfp_t gfp)
{
	if (fa->order) {
		fa->page = alloc_pages(GFP_TRANSHUGE | __GFP_NORETRY,
				       fa->order);
		if (!fa->page) {
			fa->thp_failed = true;
			fa->order = 0;
		}
		return true;
	}
	fa->page = alloc_page(gfp | (fa->zero ? __GFP_ZERO : 0));
	return fa->page != NULL;
}

/* Chunk orders faults may use (Linux's huge_anon_orders_always). */
unsigned long huge_anon_orders = HUGE_ANON_ORDERS_DEFAULT;

static inline bool access_error(const struct vm_area_struct *vma,
				unsigned int flags)
{
	if (flags & FAULT_FLAG_WRITE)
		return !(vma->vm_flags & VM_WRITE);
	if (flags & FAULT_FLAG_INSTRUCTION)
		return !(vma->vm_flags & VM_EXEC);
	return !(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC));
}

static inline void account_anon(struct mm_struct *mm, struct page *page,
				long nr)
{
	mm->rss_stat[MM_ANONPAGES] += nr;
	mod_zone_page_state(page_zone(page), NR_ANON_MAPPED, nr);
}

/* Page @i of a run mapped from @page at virtual page @vpn by the PTEs
 * from @pte, whose first is @e. */
static __always_inline void map_anon_page(struct mm_struct *mm, pte_t *pte,
					  struct page *page, unsigned long vpn,
					  pteval_t e, unsigned long i)
{
	set_page_count(&page[i], 1);		/* tails too: split_page() */
	page_set_anon(&page[i], mm, vpn + i);
	pte[i] = e + (i << PAGE_SHIFT);
}

/* Map the @nr pages from @page at @va through the PTEs from @pte, with
 * @prot (the VMA's, or swapin_prot()). */
static void map_anon_pages(struct vm_area_struct *vma, pte_t *pte,
			   struct page *page, unsigned long va,
			   unsigned long nr, pteval_t prot)
{
	struct mm_struct *mm = vma->vm_mm;
	pteval_t e = page_to_phys(page) | prot;
	unsigned long vpn = va >> PAGE_SHIFT;

	if (nr == MTHP_NR) {
		/* a 64 KiB chunk (faults, swap-in): unrolled, the loop's
		 * counting and branching was a third of its cost */
#pragma GCC unroll 16
		for (unsigned long i = 0; i < MTHP_NR; i++)
			map_anon_page(mm, pte, page, vpn, e, i);
	} else {
		for (unsigned long i = 0; i < nr; i++)
			map_anon_page(mm, pte, page, vpn, e, i);
	}
	account_anon(mm, page, (long)nr);
	lru_cache_add_anon_range(page, nr);
}

/* Map the order-9 block @page as a THP at @haddr through @pmd, with
 * @prot (the VMA's, or swapin_prot()). */
static void map_huge_page(struct vm_area_struct *vma, pmd_t *pmd,
			  struct page *page, unsigned long haddr,
			  pteval_t prot)
{
	__SetPageHead(page);
	page->private = HPAGE_PMD_ORDER;
	page_set_anon(page, vma->vm_mm, haddr >> PAGE_SHIFT);
	*pmd = page_to_phys(page) | prot | _PAGE_PSE;
	account_anon(vma->vm_mm, page, HPAGE_PMD_NR);
	mod_zone_page_state(page_zone(page), NR_ANON_THPS, HPAGE_PMD_NR);
	lru_cache_add_anon(page);
}

static vm_fault_t do_huge_pmd_anonymous_page(struct vm_area_struct *vma,
					     pmd_t *pmd, unsigned long haddr)
{
	struct page *page = alloc_pages(GFP_TRANSHUGE_LIGHT | __GFP_ZERO,
					HPAGE_PMD_ORDER);

	if (unlikely(!page)) {
		count_vm_events(arch_cpu_id(), THP_FAULT_FALLBACK, 1);
		return VM_FAULT_FALLBACK;
	}
	map_huge_page(vma, pmd, page, haddr, vma->vm_page_prot);
	count_vm_events(arch_cpu_id(), THP_FAULT_ALLOC, 1);
	return 0;
}

static inline bool ptes_none(const pte_t *pte, unsigned long nr)
{
	pteval_t any = 0;

	for (unsigned long i = 0; i < nr; i++)
		any |= pte[i];
	return !any;
}

/* ---------------------------------------------------------- swap-in */

void free_swap_entry(struct mm_struct *mm, pteval_t e, bool pmd)
{
	unsigned int order = pmd ? HPAGE_PMD_ORDER : 0;

	swap_free(pte_to_swp_entry(e), order);
	mm->rss_stat[MM_SWAPENTS] -= 1UL << order;
}

/* Are the @nr entries from @pte swap entries of consecutive slots?
 * (Entry i must be the first plus i pages: ORed differences, no branch
 * per entry, as vmscan.c's chunk_whole.) */
static __always_inline bool swap_run(const pte_t *pte, unsigned long nr)
{
	pteval_t first = pte[0], bad = 0;

	if (!is_swap_pte(first))
		return false;
#pragma GCC unroll 16
	for (unsigned long i = 1; i < nr; i++)
		bad |= pte[i] ^ (first + (i << PAGE_SHIFT));
	return !bad;
}

/*
 * Does the fault (FAULT_FLAG_* @flags) that reads a unit back from swap
 * device @type keep it in the swap cache (swap_state.c)?  Not a write:
 * the copy on swap would be stale at once.
 */
static bool swapin_cache(unsigned int flags, unsigned int type)
{
	return !(flags & FAULT_FLAG_WRITE) && swap_may_cache(type);
}

/* The protection of a unit read back from swap: in the swap cache, the
 * dirty bit clear, so that reclaim sees whether it was written since. */
static pteval_t swapin_prot(const struct vm_area_struct *vma, bool cache)
{
	return cache ? vma->vm_page_prot & ~_PAGE_DIRTY : vma->vm_page_prot;
}

/* Read the @nr pages at the swap entry @e into @page; free the slots,
 * or (@cache) mark @page as their swap-cache unit. */
static int swap_read(struct mm_struct *mm, pteval_t e, struct page *page,
		     unsigned long nr, unsigned int order, bool cache)
{
	swp_entry_t swp = pte_to_swp_entry(e);
	struct swap_iov iov = { swp_offset(swp), page_to_phys(page),
				nr << PAGE_SHIFT };
	int err = swap_io(swp_type(swp), false, &iov, 1);

	if (err) {
		mm_log(MM_LOG_ERR, "swap: read error %d at slot %lu", err,
		       swp_offset(swp));
		return err;
	}
	if (cache)
		swapcache_add(page, swp, nr);
	else
		swap_free(swp, order);
	mm->rss_stat[MM_SWAPENTS] -= nr;
	count_vm_events(arch_cpu_id(), PSWPIN, nr);
	count_vm_events(arch_cpu_id(), PGMAJFAULT, 1);
	return 0;
}

/* Chunks read back by one 64 KiB swap-in fault, at most: the faulting
 * one and those after it in the same PT (Linux's swap readahead, by
 * virtual address: pages swapped out together come back together). */
#define SWAP_RA_ORDER	3
#define SWAP_RA_CHUNKS	(1U << SWAP_RA_ORDER)

/* Is the 64 KiB chunk at @caddr (whose PTEs are @cpte) one swap run of
 * device @type inside @vma? */
static bool swap_chunk_at(const struct vm_area_struct *vma,
			  const pte_t *cpte, unsigned long caddr,
			  unsigned int type)
{
	return caddr >= vma->vm_start && caddr + MTHP_SIZE <= vma->vm_end &&
	       swap_run(cpte, MTHP_NR) &&
	       swp_type(pte_to_swp_entry(cpte[0])) == type;
}

/*
 * Order-4 blocks for @n chunks into @pages: one block of SWAP_RA_CHUNKS
 * chunks cut up when @n is that many (one allocation instead of eight;
 * each piece is then a block of its own, _count 1), else one each.
 * How many were had.
 */
static unsigned int swap_in_alloc(struct page **pages, unsigned int n)
{
	struct page *big = NULL;
	unsigned int i;

	if (n == SWAP_RA_CHUNKS)
		big = alloc_pages(GFP_TRANSHUGE_LIGHT, MTHP_ORDER + SWAP_RA_ORDER);
	for (i = 0; big && i < n; i++) {
		pages[i] = big + i * MTHP_NR;
		set_page_count(pages[i], 1);
	}
	for (i = big ? n : 0; !big && i < n; i++) {
		pages[i] = alloc_pages(GFP_TRANSHUGE_LIGHT, MTHP_ORDER);
		if (!pages[i])
			break;
	}
	return i;
}

/* Give back the slots of the @n runs of @iov, merging those that follow
 * each other on the disk. */
static void swap_free_runs(unsigned int type, const struct swap_iov *iov,
			   unsigned int n)
{
	for (unsigned int i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && iov[j].slot ==
		     iov[j - 1].slot + MTHP_NR; j++)
			;
		swap_free_nr(swp_entry(type, iov[i].slot), (j - i) * MTHP_NR);
	}
}

/* The @n chunks of @pages, just read from the runs of @iov, keep their
 * slots: each a swap-cache unit. */
static void swapin_cache_chunks(struct page **pages, unsigned int type,
				const struct swap_iov *iov, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		swapcache_add(pages[i], swp_entry(type, iov[i].slot), MTHP_NR);
}

/*
 * Read back the swapped-out 64 KiB chunk at @caddr (checked by the
 * caller) and up to SWAP_RA_CHUNKS - 1 whole chunks after it in the same
 * PT, each into an order-4 block, with one swap_io(); map them.  The
 * chunks read (0: no block was free), or -EIO.
 */
static int swap_in_chunks(struct vm_area_struct *vma, pte_t *pt,
			  unsigned long caddr, unsigned int flags)
{
	unsigned int type = swp_type(pte_to_swp_entry(pt[pte_index(caddr)]));
	bool cache = swapin_cache(flags, type);
	pteval_t prot = swapin_prot(vma, cache);
	struct page *pages[SWAP_RA_CHUNKS];
	struct swap_iov iov[SWAP_RA_CHUNKS];
	unsigned int n = 1;
	unsigned long a;

	for (a = caddr + MTHP_SIZE; n < SWAP_RA_CHUNKS && (a & ~PMD_MASK) &&
	     swap_chunk_at(vma, &pt[pte_index(a)], a, type); a += MTHP_SIZE)
		n++;
	n = swap_in_alloc(pages, n);
	for (unsigned int i = 0; i < n; i++)
		iov[i] = (struct swap_iov){ swp_offset(pte_to_swp_entry(
				pt[pte_index(caddr + i * MTHP_SIZE)])),
			page_to_phys(pages[i]), MTHP_SIZE };
	if (n && swap_io(type, false, iov, n)) {
		mm_log(MM_LOG_ERR, "swap: read error at slot %lu", iov[0].slot);
		while (n)
			__free_pages(pages[--n], MTHP_ORDER);
		return -EIO;
	}
	if (cache)
		swapin_cache_chunks(pages, type, iov, n);
	else
		swap_free_runs(type, iov, n);
	for (unsigned int i = 0; i < n; i++) {
		a = caddr + i * MTHP_SIZE;
		map_anon_pages(vma, &pt[pte_index(a)], pages[i], a, MTHP_NR,
			       prot);
	}
	vma->vm_mm->rss_stat[MM_SWAPENTS] -= n * MTHP_NR;
	count_vm_events(arch_cpu_id(), PSWPIN, n * MTHP_NR);
	count_vm_events(arch_cpu_id(), PGMAJFAULT, n ? 1 : 0);
	return (int)n;
}

/*
 * The PTE at @addr holds a swap entry: read the page back, the whole
 * 64 KiB chunk when its 16 entries are consecutive slots (as pageout
 * leaves a 64 KiB chunk) and an order-4 block is free: one read, which
 * also brings the chunks after it (swap_in_chunks).
 */
static vm_fault_t do_swap_page(struct vm_area_struct *vma, pte_t *pt,
			       unsigned long addr, struct fault_alloc *fa,
			       unsigned int flags)
{
	unsigned long caddr = addr & ~(MTHP_SIZE - 1);
	pte_t *cpte = &pt[pte_index(caddr)];
	struct page *page;
	bool cache;
	int n = 0;

	if (swap_chunk_at(vma, cpte, caddr,
			  swp_type(pte_to_swp_entry(cpte[0]))))
		n = swap_in_chunks(vma, pt, caddr, flags);
	if (n)
		return n < 0 ? VM_FAULT_SIGSEGV : 0;
	page = fault_page(fa, false);
	if (!page)
		return VM_FAULT_NEED_PAGE;
	cpte = &pt[pte_index(addr)];
	cache = swapin_cache(flags, swp_type(pte_to_swp_entry(*cpte)));
	if (swap_read(vma->vm_mm, *cpte, page, 1, 0, cache)) {
		__free_pages(page, 0);
		return VM_FAULT_SIGSEGV;
	}
	map_anon_pages(vma, cpte, page, addr & PAGE_MASK, 1,
		       swapin_prot(vma, cache));
	return 0;
}

/* The order-9 block allocated unlocked for this fault, else one from
 * the free lists without reclaim; NULL if neither. */
static struct page *swapin_huge_page(struct fault_alloc *fa)
{
	struct page *page = fa->page;

	if (page && fa->order == HPAGE_PMD_ORDER) {
		fa->page = NULL;
		fa->order = 0;
		return page;
	}
	return alloc_pages(GFP_TRANSHUGE_LIGHT, HPAGE_PMD_ORDER);
}

/*
 * The PD entry at @haddr holds a 2 MiB swap entry: read it back whole
 * into an order-9 block (one read).  If none is free, ask for one
 * unlocked, with one pass of direct reclaim (VM_FAULT_NEED_PAGE): the
 * 512 pages must be found anyway, and evicting old THPs frees whole
 * blocks, where the fallback -- 512 PTE swap entries, read back by the
 * PTE path in 64 KiB chunks mapped page by page -- costs many times the
 * instructions, and leaves memory in pieces that reclaim frees as
 * pieces.  Only if that fails too: split (VM_FAULT_FALLBACK).
 */
static vm_fault_t do_swap_pmd(struct vm_area_struct *vma, pmd_t *pmd,
			      unsigned long haddr, struct fault_alloc *fa,
			      unsigned int flags)
{
	bool cache = swapin_cache(flags, swp_type(pte_to_swp_entry(*pmd)));
	bool thp = (huge_anon_orders & (1UL << HPAGE_PMD_ORDER)) &&
		   !(vma->vm_flags & VM_NOHUGEPAGE);
	struct page *page = NULL;

	if (thp) {
		page = swapin_huge_page(fa);
		if (!page && !fa->thp_failed) {
			fault_alloc_release(fa);
			fa->order = HPAGE_PMD_ORDER;
			return VM_FAULT_NEED_PAGE;
		}
	}
	if (!page) {
		if (thp)
			count_vm_events(arch_cpu_id(), THP_SWPIN_FALLBACK, 1);
		return split_huge_pmd(vma->vm_mm, pmd, haddr) ?
		       VM_FAULT_OOM : VM_FAULT_FALLBACK;
	}
	if (swap_read(vma->vm_mm, *pmd, page, HPAGE_PMD_NR,
		      HPAGE_PMD_ORDER, cache)) {
		__free_pages(page, HPAGE_PMD_ORDER);
		return VM_FAULT_SIGSEGV;
	}
	map_huge_page(vma, pmd, page, haddr, swapin_prot(vma, cache));
	count_vm_events(arch_cpu_id(), THP_SWPIN, 1);
	return 0;
}

/* 64 KiB chunk around @addr if it fits and is empty, else one page. */
static vm_fault_t do_anonymous_page(struct vm_area_struct *vma, pmd_t *pmd,
				    unsigned long addr, struct fault_alloc *fa,
				    unsigned int flags)
{
	unsigned long caddr = addr & ~(MTHP_SIZE - 1);
	pte_t *pt = pte_alloc(vma->vm_mm, pmd);
	struct page *page;

	if (unlikely(!pt))
		return VM_FAULT_OOM;
	if (unlikely(pte_present(pt[pte_index(addr)]))) {
		/* raced, or spurious; or a kernel write through the direct
		 * map (mm_copy_to): dirty, as the CPU's write would make it
		 * (the swap cache must see it, swap_state.c) */
		if (flags & FAULT_FLAG_WRITE)
			pt[pte_index(addr)] |= _PAGE_DIRTY;
		return 0;
	}
	if (is_swap_pte(pt[pte_index(addr)]))
		return do_swap_page(vma, pt, addr, fa, flags);
	if (caddr >= vma->vm_start && caddr + MTHP_SIZE <= vma->vm_end &&
	    (huge_anon_orders & (1UL << MTHP_ORDER)) &&
	    !(vma->vm_flags & VM_NOHUGEPAGE) &&
	    ptes_none(&pt[pte_index(caddr)], MTHP_NR)) {
		page = alloc_pages(GFP_TRANSHUGE_LIGHT | __GFP_ZERO,
				   MTHP_ORDER);
		if (page) {
			map_anon_pages(vma, &pt[pte_index(caddr)], page,
				       caddr, MTHP_NR, vma->vm_page_prot);
			count_vm_events(arch_cpu_id(), MTHP_FAULT_ALLOC, 1);
			return 0;
		}
	}
	page = fault_page(fa, true);
	if (unlikely(!page))
		return VM_FAULT_NEED_PAGE;
	map_anon_pages(vma, &pt[pte_index(addr)], page, addr & PAGE_MASK, 1,
		       vma->vm_page_prot);
	return 0;
}

static vm_fault_t __handle_mm_fault(struct vm_area_struct *vma,
				    unsigned long addr, struct fault_alloc *fa,
				    unsigned int flags)
{
	unsigned long haddr = addr & PMD_MASK;
	pmd_t *pmd;
	int level;

	pmd = walk(vma->vm_mm, addr, PT_LEVEL_PMD, true, &level);
	if (unlikely(!pmd))
		return VM_FAULT_OOM;
	if (unlikely(level != PT_LEVEL_PMD))
		return VM_FAULT_SIGSEGV;	/* a 1 GiB leaf: not ours */
	if (is_swap_pmd(*pmd)) {
		vm_fault_t ret = do_swap_pmd(vma, pmd, haddr, fa, flags);

		if (ret != VM_FAULT_FALLBACK)
			return ret;
	}
	if (!pte_present(*pmd) && haddr >= vma->vm_start &&
	    haddr + PMD_SIZE <= vma->vm_end &&
	    (huge_anon_orders & (1UL << HPAGE_PMD_ORDER)) &&
	    !(vma->vm_flags & VM_NOHUGEPAGE) &&
	    do_huge_pmd_anonymous_page(vma, pmd, haddr) == 0)
		return 0;
	if (pt_leaf(*pmd)) {
		/* as in do_anonymous_page */
		if (flags & FAULT_FLAG_WRITE)
			*pmd |= _PAGE_DIRTY;
		return 0;
	}
	return do_anonymous_page(vma, pmd, addr, fa, flags);
}

/*
 * Resolve a fault at user address @address of @mm (FAULT_FLAG_* @flags,
 * from the #PF error code).  0: mapped, retry the access.
 * VM_FAULT_SIGSEGV: no VMA there or the access is not allowed.
 * VM_FAULT_OOM: no memory for the page or its tables.
 */
vm_fault_t handle_mm_fault(struct mm_struct *mm, unsigned long address,
			   unsigned int flags)
{
	struct vm_area_struct *vma;
	struct fault_alloc fa = { NULL, false, 0, false };
	vm_fault_t ret;

	count_vm_events(arch_cpu_id(), PGFAULT, 1);
	for (;;) {
		spin_lock(&mm->lock);
		vma = find_vma(mm, address);
		if (unlikely(!vma || address < vma->vm_start ||
			     access_error(vma, flags)))
			ret = VM_FAULT_SIGSEGV;
		else if (vma->vm_file)
			ret = VM_FAULT_FILE;
		else
			ret = __handle_mm_fault(vma, address, &fa, flags);
		spin_unlock(&mm->lock);
		if (ret == VM_FAULT_FILE)
			return filemap_fault(mm, address, flags);
		if (ret != VM_FAULT_NEED_PAGE)
			break;
		/* unlocked: direct reclaim may take this mm's pages too,
		 * and the OOM killer comes after it */
		if (!fault_alloc_unlocked(&fa, GFP_HIGHUSER_MOVABLE)) {
			ret = VM_FAULT_OOM;
			break;
		}
	}
	fault_alloc_release(&fa);
	return ret;
}

/* ---------------------------------------------------------- swapoff */

/* Fault in @addr for swapoff, allocating unlocked when needed (no OOM
 * killer: swapoff fails instead).  mm->lock held, dropped meanwhile. */
static int unuse_addr(struct mm_struct *mm, unsigned long addr)
{
	struct fault_alloc fa = { NULL, false, 0, false };
	struct vm_area_struct *vma;
	vm_fault_t ret;
	bool got;

	for (;;) {
		vma = find_vma(mm, addr);
		if (!vma || addr < vma->vm_start)
			return 0;		/* gone meanwhile */
		/* as a write: nothing may stay cached on this device */
		ret = __handle_mm_fault(vma, addr, &fa, FAULT_FLAG_WRITE);
		if (ret != VM_FAULT_NEED_PAGE)
			break;
		spin_unlock(&mm->lock);
		got = fault_alloc_unlocked(&fa, GFP_HIGHUSER_MOVABLE |
					   __GFP_NORETRY | __GFP_NOWARN);
		spin_lock(&mm->lock);
		if (!got)
			return -ENOMEM;
	}
	fault_alloc_release(&fa);
	return ret ? -ENOMEM : 0;
}

/* swapoff: each PD entry of [start, end) in @mm, then each PTE; pages
 * in the swap cache give up their slots there too. */
static int unuse_range(struct mm_struct *mm, unsigned long start,
		       unsigned long end, unsigned int type)
{
	for (unsigned long a = start, next; a < end; a = next) {
		int level, err = 0;
		pmd_t *pmd = walk(mm, a, PT_LEVEL_PMD, false, &level);

		next = min((a & PMD_MASK) + PMD_SIZE, end);
		if (!pmd || level != PT_LEVEL_PMD)
			continue;
		if (is_swap_pmd(*pmd) &&
		    swp_type(pte_to_swp_entry(*pmd)) == type)
			err = unuse_addr(mm, a);	/* may leave a PT */
		if (!err && pte_present(*pmd) && pt_leaf(*pmd))
			swapcache_unuse(pfn_to_page(pmd_pfn(*pmd)), type);
		if (!err && pte_present(*pmd) && !pt_leaf(*pmd)) {
			for (unsigned long v = a; v < next && !err;
			     v += PAGE_SIZE) {
				pte_t e = pt_table(*pmd)[pte_index(v)];

				if (is_swap_pte(e) &&
				    swp_type(pte_to_swp_entry(e)) == type)
					err = unuse_addr(mm, v);
				else if (pte_present(e))
					swapcache_unuse(
						pfn_to_page(pte_pfn(e)), type);
			}
		}
		if (err)
			return err;
	}
	return 0;
}

int unuse_mm(struct mm_struct *mm, unsigned int type)
{
	struct vm_area_struct *vma;
	int err = 0;

	spin_lock(&mm->lock);
	if (mm->rss_stat[MM_SWAPENTS] || global_page_state(NR_SWAPCACHE))
		list_for_each_entry(vma, &mm->mmap, vm_list) {
			err = unuse_range(mm, vma->vm_start, vma->vm_end, type);
			if (err)
				break;
		}
	spin_unlock(&mm->lock);
	return err;
}

/*
 * Turn the 2 MiB leaf at @pmd (user address @haddr) into a PT of 512
 * PTEs and the THP into 512 ordinary pages, mapping unchanged.
 * 0, or -ENOMEM (nothing changed).  mm->lock held.
 */
int split_huge_pmd(struct mm_struct *mm, pmd_t *pmd, unsigned long haddr)
{
	pmd_t old = *pmd;
	pteval_t prot = old & ~(PMD_PFN_MASK | _PAGE_PSE);
	struct page *page, *ptp;
	pte_t *pt;

	if (!pt_leaf(old) && !is_swap_pmd(old))
		return 0;
	ptp = pgtable_page_alloc(mm);
	if (!ptp)
		return -ENOMEM;
	pt = page_address(ptp);
	if (is_swap_pmd(old)) {
		pteval_t first = swp_entry_to_pte(pte_to_swp_entry(old));

		/* 512 consecutive slots: the offset sits where a PFN would
		 * (pgtable.h), so each entry is the first plus i pages */
#pragma GCC unroll 8
		for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
			pt[i] = first + (i << PAGE_SHIFT);
		*pmd = page_to_phys(ptp) | _PAGE_TABLE;
		return 0;
	}
	page = pfn_to_page(pmd_pfn(old));
	BUG_ON(!PageHead(page) || page_anon_mm(page) != mm);
	lru_del(page);
	if (PageSwapCache(page))
		swapcache_free(page);	/* 512 units now: not kept */
	__ClearPageHead(page);
	page->private = 0;
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		set_page_count(&page[i], 1);
		page_set_anon(&page[i], mm, (haddr >> PAGE_SHIFT) + i);
		pt[i] = (page_to_phys(page) + (i << PAGE_SHIFT)) | prot;
	}
	mod_zone_page_state(page_zone(page), NR_ANON_THPS, -(long)HPAGE_PMD_NR);
	lru_cache_add_anon_range(page, HPAGE_PMD_NR);
	*pmd = page_to_phys(ptp) | _PAGE_TABLE;
	arch_flush_tlb_page(mm, haddr);
	count_vm_events(arch_cpu_id(), THP_SPLIT_PMD, 1);
	return 0;
}

/* ------------------------------------------------------------ unmap */

struct zap_details {
	unsigned long floor;		/* the hole being cleared ... */
	unsigned long ceiling;		/* ... [floor, ceiling) */
	struct list_head pages;		/* unmapped, freed after the flush */
	struct list_head tables;	/* emptied, freed after the flush */
	struct unmap_stats *st;		/* pages and tables counted */
};

/* Unmap the 2^@order pages at @pfn from @mm; free them later. */
static void zap_page(struct mm_struct *mm, pfn_t pfn, unsigned int order,
		     struct zap_details *zd)
{
	struct page *page = pfn_to_page(pfn);
	long nr = 1L << order;

	BUG_ON(page_anon_mm(page) != mm || page_count(page) != 1);
	lru_del(page);			/* a chunk's slots go here */
	if (PageSwapCache(page))
		swapcache_free(page);
	page->mapping = NULL;
	page->_mapcount = 0;
	if (order) {
		BUG_ON(!PageHead(page));
		__ClearPageHead(page);
		mod_zone_page_state(page_zone(page), NR_ANON_THPS, -nr);
	}
	page->private = order;		/* for the free, see free_zapped() */
	account_anon(mm, page, -nr);
	list_add_tail(&page->lru, &zd->pages);
	zd->st->pages += (unsigned long)nr;
}

/* A PTE maps @pfn: an anonymous page (freed later) or a page of a disk's
 * cache (rmap.c: it stays in the cache, one mapping less). */
static void zap_pte(struct mm_struct *mm, pfn_t pfn, struct zap_details *zd)
{
	struct page *page = pfn_to_page(pfn);

	if (PageAnon(page)) {
		zap_page(mm, pfn, 0, zd);
		return;
	}
	BUG_ON(!page->mapping || page_mapcount(page) <= 0);
	page_remove_file_rmap(mm, page);
}

/*
 * Clear the entries for [start, end) of @table (level @level) and below;
 * free tables wholly inside the hole.
 */
static void zap_table(struct mm_struct *mm, pteval_t *table, int level,
		      unsigned long start, unsigned long end,
		      struct zap_details *zd)
{
	unsigned long size = pt_level_size(level), va, next;

	for (va = start; va < end; va = next) {
		unsigned long base = va & ~(size - 1);
		pteval_t *e = &table[pt_index(va, level)];

		next = min(base + size, end);
		if (!pte_present(*e)) {
			if (is_swap_pte(*e)) {
				BUG_ON(level > PT_LEVEL_PMD ||
				       (level == PT_LEVEL_PMD &&
					(base < zd->floor ||
					 base + size > zd->ceiling)));
				free_swap_entry(mm, *e, level == PT_LEVEL_PMD);
				*e = 0;
			}
			continue;
		}
		if (level == PT_LEVEL_PTE) {
			zap_pte(mm, pte_pfn(*e), zd);
		} else if (pt_leaf(*e)) {
			BUG_ON(level != PT_LEVEL_PMD || base < zd->floor ||
			       base + size > zd->ceiling);
			zap_page(mm, pmd_pfn(*e), HPAGE_PMD_ORDER, zd);
		} else {
			zap_table(mm, pt_table(*e), level - 1, va, next, zd);
			if (base < zd->floor || base + size > zd->ceiling)
				continue;
			list_add_tail(&virt_to_page(pt_table(*e))->lru,
				      &zd->tables);
			zd->st->pgtables++;
		}
		*e = 0;
	}
}

static void free_zapped(struct mm_struct *mm, struct zap_details *zd)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &zd->pages, lru) {
		unsigned int order = (unsigned int)page->private;

		page->private = 0;
		__free_pages(page, order);
	}
	list_for_each_entry_safe(page, next, &zd->tables, lru)
		pgtable_page_free(mm, page);
}

/*
 * Unmap everything in [floor, ceiling) of @mm, a range no VMA overlaps
 * any more, and free its pages and the tables it wholly contains.  The
 * TLB is flushed (if @flush) before any page is freed.  Adds to @st.
 * A 2 MiB page straddling floor or ceiling must have been split.
 * mm->lock held.
 */
void unmap_region(struct mm_struct *mm, unsigned long floor,
		  unsigned long ceiling, bool flush, struct unmap_stats *st)
{
	struct zap_details zd = { .floor = floor, .ceiling = ceiling,
				  .st = st };

	INIT_LIST_HEAD(&zd.pages);
	INIT_LIST_HEAD(&zd.tables);
	zap_table(mm, __va(mm->pgd), PT_LEVEL_PGD, floor, ceiling, &zd);
	if (flush && (!list_empty(&zd.pages) || !list_empty(&zd.tables)))
		arch_flush_tlb_mm(mm);
	free_zapped(mm, &zd);
}
