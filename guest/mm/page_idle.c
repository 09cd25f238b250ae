/*
 * Idle page tracking, as Linux's /sys/kernel/mm/page_idle/bitmap
 * (Documentation/admin-guide/mm/idle_page_tracking.rst): which user pages
 * have not been touched since they were marked.
 *
 * The interface is Linux's bitmap of 64-bit words, bit i of word w
 * standing for PFN w * 64 + i:
 *  - writing 1s (page_idle_bitmap_write) marks those pages idle: PG_idle
 *    is set and the accessed bits of the PTEs mapping them are cleared
 *    (and their TLB entries flushed, so the next touch sets them again);
 *  - reading (page_idle_bitmap_read) first folds the accessed bits back
 *    in -- a page whose PTE was accessed since is no longer idle, and the
 *    bit is cleared again for the next round -- then reports PG_idle.
 * Only user pages on an LRU list take part (anonymous pages and mapped
 * or cached disk pages); every other PFN reads as 0 and ignores a 1.
 * A 2 MiB THP is one page to the CPU (one PMD accessed bit): its head
 * carries the state of all 512 PFNs.  Pages are found from PFNs through
 * the reverse maps: the owner in the page for anonymous pages
 * (migrate.c), the disk's VMA list for cache pages (rmap.c).
 *
 * Cost: O(words + pages marked or read); each page costs one page-table
 * walk of its owner (a THP one for its 512 PFNs); zero words cost one
 * test; the TLB is flushed once per owner and batch, not per page.
 *
 * Clearing an accessed bit here would hide a recent use from reclaim,
 * which reads the same bits: as Linux, the page is then marked PG_young,
 * which reclaim counts (and clears) as one more accessed bit.  Pages get
 * both flags cleared when they take a new use (page_set_anon, a fresh
 * cache page), since the free path keeps them.
 *
 * Locking: the owner's mm->lock (trylock: a busy mm's pages count as
 * accessed and keep their accessed bits); the flags are atomic.
 */
#include "mm_internal.h"

#define BITS_PER_WORD	64

/* The page-table owner currently locked, and whether its TLB is stale. */
struct idle_walk {
	struct mm_struct *mm;
	bool flush;
};

static void idle_walk_switch(struct idle_walk *w, struct mm_struct *mm)
{
	if (w->mm) {
		if (w->flush)
			arch_flush_tlb_mm(w->mm);
		spin_unlock(&w->mm->lock);
	}
	w->mm = mm;
	w->flush = false;
}

/* A user page on an LRU list, a THP's head, or a page of a 64 KiB chunk
 * whose LRU entry is its first page (lru.c: mapped, off the lists):
 * takes part.  (THP tails have zero descriptors: no mapping.) */
static bool page_idle_eligible(const struct page *page)
{
	return page->mapping && (PageLRU(page) || page_mapcount(page));
}

/* Clear the accessed bit of the anonymous @page's PTE/PMD; was it set?
 * A busy owner counts as accessed. */
static bool anon_test_clear_young(struct idle_walk *w, struct page *page)
{
	struct mm_struct *mm = page_anon_mm(page);
	pteval_t *e;

	if (mm != w->mm) {
		idle_walk_switch(w, NULL);
		w->mm = page_trylock_anon_mm(page);
		if (!w->mm)
			return true;
	}
	e = page_entry(w->mm, page);
	if (!e || !(*e & _PAGE_ACCESSED))
		return false;
	*e &= ~_PAGE_ACCESSED;
	w->flush = true;
	return true;
}

/* Clear the accessed bits of @page's PTEs; was one set?  If so the page
 * is PG_young, so reclaim still sees the use (Linux's page_young). */
static bool test_clear_young(struct idle_walk *w, struct page *page)
{
	bool young;

	if (PageAnon(page)) {
		young = anon_test_clear_young(w, page);
	} else {
		/* rmap.c locks the mms itself: hold none of them here */
		idle_walk_switch(w, NULL);
		young = page_mapcount(page) && page_referenced_file(page);
	}
	if (young)
		SetPageYoung(page);
	return young;
}

/* A mapped THP's head: it stands for its 512 PFNs. */
static bool is_thp_head(const struct page *page)
{
	return PageHead(page) && PageAnon(page);
}

/* The eligible page PFN @pfn belongs to -- its own, or its THP's head
 * (THP tails have zero descriptors) -- or NULL; *@end = first PFN past
 * it. */
static struct page *idle_page(pfn_t pfn, pfn_t *end)
{
	pfn_t head = ALIGN_DOWN(pfn, HPAGE_PMD_NR);
	struct page *page;

	*end = pfn + 1;
	if (!pfn_valid(pfn))
		return NULL;
	page = pfn_to_page(pfn);
	if (page_idle_eligible(page)) {
		if (is_thp_head(page))
			*end = pfn + HPAGE_PMD_NR;
		return page;
	}
	if (head == pfn || !pfn_valid(head))
		return NULL;
	page = pfn_to_page(head);
	if (!page_idle_eligible(page) || !is_thp_head(page))
		return NULL;
	*end = head + HPAGE_PMD_NR;
	return page;
}

/* Bits [from, to) of a word (to <= 64). */
static uint64_t bits(unsigned int from, pfn_t to)
{
	uint64_t upto = to >= BITS_PER_WORD ? ~0UL : (1UL << to) - 1;

	return upto & (~0UL << from);
}

/* Mark the pages whose bits are set in @word (PFNs from @pfn) idle. */
static void mark_word(struct idle_walk *w, pfn_t pfn, uint64_t word)
{
	while (word) {
		unsigned int bit = __ffs_ul(word);
		pfn_t end;
		struct page *page = idle_page(pfn + bit, &end);

		if (page) {
			test_clear_young(w, page);
			SetPageIdle(page);
		}
		word &= ~bits(bit, min(end - pfn, (pfn_t)BITS_PER_WORD));
	}
}

void page_idle_bitmap_write(unsigned long first_word, const uint64_t *words,
			    unsigned long nr_words)
{
	struct idle_walk w = { NULL, false };

	for (unsigned long i = 0; i < nr_words; i++)
		if (words[i])
			mark_word(&w, (first_word + i) * BITS_PER_WORD,
				  words[i]);
	idle_walk_switch(&w, NULL);
}

/* Is @page still idle?  An accessed bit set since ends it. */
static bool page_still_idle(struct idle_walk *w, struct page *page)
{
	if (!PageIdle(page))
		return false;
	if (test_clear_young(w, page))
		ClearPageIdle(page);
	return PageIdle(page);
}

/* The idle bits of the 64 PFNs from @pfn. */
static uint64_t read_word(struct idle_walk *w, pfn_t pfn)
{
	uint64_t word = 0;

	for (unsigned int bit = 0; bit < BITS_PER_WORD; ) {
		pfn_t end;
		struct page *page = idle_page(pfn + bit, &end);
		pfn_t to = min(end - pfn, (pfn_t)BITS_PER_WORD);

		if (page && page_still_idle(w, page))
			word |= bits(bit, to);
		bit = (unsigned int)to;
	}
	return word;
}

void page_idle_bitmap_read(unsigned long first_word, uint64_t *words,
			   unsigned long nr_words)
{
	struct idle_walk w = { NULL, false };

	for (unsigned long i = 0; i < nr_words; i++)
		words[i] = read_word(&w, (first_word + i) * BITS_PER_WORD);
	idle_walk_switch(&w, NULL);
}
