/*
 * The reverse map of mapped page-cache pages: from a cache page to the
 * PTEs that map it, for reclaim (which must unmap a page before it can
 * evict it) and for idle page tracking (which clears their accessed bits).
 *
 * Anonymous pages need no such map: each has one owner, kept in the page
 * (migrate.c).  A page of a disk's cache may be mapped by any number of
 * tasks, so the map goes through the mapping instead, as Linux's i_mmap:
 * every VMA that maps the disk (VM_SHARED, vm_file = its address_space)
 * is on that address_space's i_mmap list, and the page at offset @index
 * is mapped, if at all, at
 *
 *	vm_start + ((index - vm_pgoff) << PAGE_SHIFT)
 *
 * of each VMA whose file range covers @index.  A list, not Linux's
 * interval tree: a disk here is mapped by a handful of tasks.
 *
 * A mapped cache page: _mapcount counts the PTEs that map it (4 KiB PTEs
 * only: no huge file mappings), NR_FILE_MAPPED (meminfo Mapped) counts
 * the pages mapped at least once, each mm's MM_FILEPAGES its PTEs.  A mapping takes no reference
 * (_count): the cache's reference keeps the page, and reclaim evicts it
 * only once it is unmapped everywhere (_mapcount 0).  The PTEs are
 * read-only (the cache is never dirty).
 *
 * Aging (page_check_references_file, Linux's page_check_references for a
 * mapped file page): a page whose PTEs were accessed since the last scan
 * is kept -- activated if it was already referenced, or mapped and used
 * by several tasks -- and its accessed bits are cleared; a page with no
 * accessed PTE is unmapped everywhere and may go.
 *
 * Locking: i_mmap_lock (interrupts off) covers the list; VMAs join and
 * leave it under their mm->lock, so a walker that holds i_mmap_lock sees
 * only live VMAs and may trylock their mm (trylock: the order elsewhere is
 * mm->lock, then i_mmap_lock).  An mm that is busy is skipped: its PTEs
 * count as referenced, so the page stays.
 */
#include "mm_internal.h"

void vma_link_file(struct vm_area_struct *vma)
{
	struct address_space *m = vma->vm_file;
	unsigned long flags;

	spin_lock_irqsave(&m->i_mmap_lock, flags);
	list_add_tail(&vma->shared, &m->i_mmap);
	spin_unlock_irqrestore(&m->i_mmap_lock, flags);
}

void vma_unlink_file(struct vm_area_struct *vma)
{
	struct address_space *m = vma->vm_file;
	unsigned long flags;

	spin_lock_irqsave(&m->i_mmap_lock, flags);
	list_del(&vma->shared);
	spin_unlock_irqrestore(&m->i_mmap_lock, flags);
}

/* Where @vma maps offset @index of its file; 0 if it does not. */
static unsigned long vma_address(const struct vm_area_struct *vma,
				 unsigned long index)
{
	unsigned long pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;

	if (index < vma->vm_pgoff || index - vma->vm_pgoff >= pages)
		return 0;
	return vma->vm_start + ((index - vma->vm_pgoff) << PAGE_SHIFT);
}

/* The PTE mapping @page at @va of @mm (locked), or NULL. */
static pte_t *file_pte(struct mm_struct *mm, unsigned long va,
		       const struct page *page)
{
	int level;
	pte_t *e = walk(mm, va, PT_LEVEL_PTE, false, &level);

	if (!e || level != PT_LEVEL_PTE || !pte_present(*e) ||
	    pte_pfn(*e) != page_to_pfn(page))
		return NULL;
	return e;
}

/*
 * Call @fn(mm, pte, @arg) for each PTE that maps the cache page @page,
 * each mm locked meanwhile.  Returns how many mms were busy (skipped).
 */
static unsigned int rmap_walk_file(struct page *page,
				   void (*fn)(struct mm_struct *mm, pte_t *e,
					      unsigned long va, void *arg),
				   void *arg)
{
	struct address_space *m = page->mapping;
	struct vm_area_struct *vma;
	unsigned int busy = 0;
	unsigned long flags;

	spin_lock_irqsave(&m->i_mmap_lock, flags);
	list_for_each_entry(vma, &m->i_mmap, shared) {
		unsigned long va;
		pte_t *e;

		if (!spin_trylock(&vma->vm_mm->lock)) {
			busy += vma_address(vma, page->index) != 0;
			continue;
		}
		/* the range is stable under the lock (munmap trims it) */
		va = vma_address(vma, page->index);
		e = va ? file_pte(vma->vm_mm, va, page) : NULL;
		if (e)
			fn(vma->vm_mm, e, va, arg);
		spin_unlock(&vma->vm_mm->lock);
	}
	spin_unlock_irqrestore(&m->i_mmap_lock, flags);
	return busy;
}

/* Count and clear an accessed bit (Linux's ptep_clear_flush_young). */
static void clear_young(struct mm_struct *mm, pte_t *e, unsigned long va,
			void *arg)
{
	unsigned int *young = arg;

	if (*e & _PAGE_ACCESSED) {
		*e &= ~_PAGE_ACCESSED;
		arch_flush_tlb_page(mm, va);	/* so the next use sets it */
		(*young)++;
	}
}

unsigned int page_referenced_file(struct page *page)
{
	unsigned int young = 0;
	unsigned int busy = rmap_walk_file(page, clear_young, &young);

	return young + busy;
}

/* Reclaim's view: the accessed bits, and one idle tracking took. */
static unsigned int page_referenced_reclaim(struct page *page)
{
	return page_referenced_file(page) + TestClearPageYoung(page);
}

void page_remove_file_rmap(struct mm_struct *mm, struct page *page)
{
	mm->rss_stat[MM_FILEPAGES]--;
	if (--page->_mapcount == 0)
		mod_zone_page_state(page_zone(page), NR_FILE_MAPPED, -1);
}

static void unmap_one(struct mm_struct *mm, pte_t *e, unsigned long va,
		      void *arg)
{
	struct page *page = arg;

	*e = 0;
	arch_flush_tlb_page(mm, va);
	page_remove_file_rmap(mm, page);
}

enum page_references page_check_references_file(struct page *page)
{
	unsigned int young = page_referenced_reclaim(page);
	bool referenced = PageReferenced(page);

	if (young) {
		__SetPageReferenced(page);
		if (referenced || young > 1)
			return PAGEREF_ACTIVATE;
		return PAGEREF_KEEP;
	}
	rmap_walk_file(page, unmap_one, page);
	return page_mapcount(page) ? PAGEREF_KEEP : PAGEREF_RECLAIM;
}
