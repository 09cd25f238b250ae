/*
 * The page cache of block devices: clean 4 KiB pages indexed by
 * (device, page offset).
 *
 * One struct address_space per disk (filemap_create, by the kernel on the
 * disk's first cached read).  The index is a hash table of 4096 chains,
 * chained through page->private (the next page of the chain); the hash of
 * an offset is the offset folded on itself, so a sequential read spreads
 * evenly over the buckets.  A cache page: ->mapping = its address_space
 * (bit 0 clear: never mistaken for an anonymous page), ->index = the page
 * offset on the disk, PG_uptodate once read, on a file LRU list of its
 * node (vmscan.c) while nobody uses it; PG_locked while a reader holds it
 * (being read from the device, or being copied/checksummed by the caller
 * of filemap_read): reclaim skips locked pages.
 *
 * Reads (filemap_read): the cached pages of the range are taken (and
 * marked accessed as Linux's mark_page_accessed: a fresh page is
 * referenced by its first read, so a second read activates it); the missing ones are allocated fresh, entered in the
 * index and read with one mm_hooks.filemap_rw() call per 256 runs straight
 * into them (runs of consecutive offsets merge into one bio in the
 * kernel), then join the inactive file list.  pgpgin counts the KiB read.
 * A read error takes the new pages out again: nothing half read stays.
 *
 * Writes are write-through (filemap_write): the caller writes the device
 * itself; the cached pages of the range are updated with the new bytes,
 * so the cache never holds stale data.  Cache pages are never dirty.
 *
 * Refaults: each address_space keeps a bitmap of evicted offsets (one bit
 * per page of the disk: 4 KiB of bitmap per 128 MiB of disk) -- a simple
 * per-disk record instead of Linux's shadow entries, so no refault
 * distance: a page read again after eviction counts
 * workingset_refault_file and clears its bit.
 *
 * Mappings (filemap_fault): a task may map a disk MAP_SHARED, read-only
 * (mmap.c's do_mmap_file); a fault there reads the FAULT_AROUND_BYTES
 * window around the page as filemap_read() does but marks none of it
 * accessed (the faulting page's PTE is; reclaim reads the PTEs, as
 * Linux's) -- outside mm->lock,
 * which the read's allocations may need for reclaim -- then, the lock
 * retaken and the VMA checked unchanged, maps every page of the window
 * that has no PTE yet: the cache pages themselves, read-only, no copy.
 * Mapped pages stay on the file LRU; rmap.c finds their PTEs for reclaim
 * (which unmaps a page before evicting it) and counts them (Mapped).  A
 * page past the disk's end is SIGBUS, as in Linux.
 *
 * Locking: mapping->lock (interrupts off) for the index, nrpages and the
 * evicted bitmap; never held across an allocation or I/O.  i_mmap_lock
 * for the list of VMAs mapping the disk (rmap.c).
 */
#include "mm_internal.h"

#define FILEMAP_HASH_BITS	12
#define FILEMAP_HASH_SIZE	(1UL << FILEMAP_HASH_BITS)
#define FILEMAP_IO_RUNS		256	/* runs per filemap_rw() call */
/* A fault on a file mapping reads and maps this much around the page
 * (Linux's fault-around and its 128 KiB readahead): one I/O and one
 * kernel entry per 32 pages of a sequential reader. */
#define FAULT_AROUND_BYTES	(128UL << 10)
#define FAULT_AROUND_PAGES	(FAULT_AROUND_BYTES >> PAGE_SHIFT)

static struct address_space *mappings[FILEMAP_MAX_MAPPINGS];

static inline unsigned long hash_of(unsigned long index)
{
	return (index ^ (index >> FILEMAP_HASH_BITS)) & (FILEMAP_HASH_SIZE - 1);
}

struct address_space *filemap_create(void *bdev, unsigned long nr_pages)
{
	struct address_space *m;
	unsigned int slot;

	for (slot = 0; slot < FILEMAP_MAX_MAPPINGS; slot++) {
		if (mappings[slot] && mappings[slot]->bdev == bdev)
			return mappings[slot];
		if (!mappings[slot])
			break;
	}
	if (slot == FILEMAP_MAX_MAPPINGS)
		return NULL;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return NULL;
	m->hash = kzalloc(FILEMAP_HASH_SIZE * sizeof(*m->hash), GFP_KERNEL);
	m->evicted = kzalloc(((nr_pages + 63) / 64) * sizeof(unsigned long) +
			     sizeof(unsigned long), GFP_KERNEL);
	if (!m->hash || !m->evicted) {
		kfree(m->hash);
		kfree(m->evicted);
		kfree(m);
		return NULL;
	}
	m->bdev = bdev;
	m->nr_pages = nr_pages;
	INIT_LIST_HEAD(&m->i_mmap);
	mappings[slot] = m;
	return m;
}

/* mapping->lock held. */
static struct page *__find(struct address_space *m, unsigned long index)
{
	struct page *p = m->hash[hash_of(index)];

	while (p && p->index != index)
		p = (struct page *)p->private;
	return p;
}

/* mapping->lock held; the caller counts NR_FILE_PAGES. */
static void __insert_nocount(struct address_space *m, struct page *page)
{
	struct page **head = &m->hash[hash_of(page->index)];

	page->private = (unsigned long)*head;
	*head = page;
	m->nrpages++;
}

static void __remove(struct address_space *m, struct page *page)
{
	struct page **pp = &m->hash[hash_of(page->index)];

	while (*pp != page)
		pp = (struct page **)&(*pp)->private;
	*pp = (struct page *)page->private;
	page->private = 0;
	m->nrpages--;
	mod_zone_page_state(page_zone(page), NR_FILE_PAGES, -1);
}

struct page *find_get_page(struct address_space *m, unsigned long index)
{
	unsigned long flags;
	struct page *p;

	spin_lock_irqsave(&m->lock, flags);
	p = __find(m, index);
	spin_unlock_irqrestore(&m->lock, flags);
	return p;
}

/* Free a page that has left the index (and its LRU list): into the run
 * @run (its neighbours, a 64 KiB block's pages, go back together), or
 * alone if @run is NULL. */
static void cache_page_free(struct page *page, struct free_run *run)
{
	page->mapping = NULL;
	page->index = 0;
	page->private = 0;
	__ClearPageUptodate(page);
	__ClearPageReferenced(page);
	__ClearPageLocked(page);
	if (!run)
		__free_pages(page, 0);
	else if (put_page_testzero(page))
		free_run_add(run, page, 0, false);
}

bool filemap_evict(struct page *page, bool record, struct free_run *run)
{
	struct address_space *m = page->mapping;
	unsigned long flags;

	if (PageLocked(page) || page_mapcount(page))
		return false;
	spin_lock_irqsave(&m->lock, flags);
	__remove(m, page);
	if (record && page->index < m->nr_pages)
		m->evicted[page->index / 64] |= 1UL << (page->index % 64);
	spin_unlock_irqrestore(&m->lock, flags);
	cache_page_free(page, run);
	return true;
}

void filemap_release(struct page **pages, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		if (pages[i])
			__ClearPageLocked(pages[i]);
}

/*
 * What filemap_read() knows of each page of its range (fresh[]): cached
 * already, or fresh -- a single page, or one of a 64 KiB block whose 16
 * pages (16-aligned offsets) were allocated together.  The loops over
 * fresh pages go unit by unit (fresh_unit()), so what is the same for a
 * block's 16 pages -- the zone, the physical address, the LRU lock -- is
 * looked up once, not per page (each lookup was ~40 emulated ring-0
 * instructions under nested KVM).
 */
enum { CACHED, FRESH_PAGE, FRESH_BLOCK };

/* Pages in the unit from @i: 16 at a block's first page, else 1. */
static inline unsigned int fresh_unit(const unsigned char *fresh,
				      unsigned int i)
{
	return fresh[i] == FRESH_BLOCK ? MTHP_NR : 1;
}

/* The first fresh page at or after @i, or @nr. */
static inline unsigned int next_fresh(const unsigned char *fresh,
				      unsigned int nr, unsigned int i)
{
	while (i < nr && fresh[i] == CACHED)
		i++;
	return i;
}

/* Each unit of fresh pages of [0, @nr): from index @i, @u pages. */
#define for_each_fresh_unit(i, u, fresh, nr)				\
	for ((i) = next_fresh(fresh, nr, 0);				\
	     (i) < (nr) && ((u) = fresh_unit(fresh, i)) != 0;		\
	     (i) = next_fresh(fresh, nr, (i) + (u)))

/* Take the missing pages of @pages[0..nr) (index @index + i) out again
 * after a failed read; release the others. */
static void read_failed(struct address_space *m, struct page **pages,
			const unsigned char *fresh, unsigned int nr)
{
	unsigned long flags;

	for (unsigned int i = 0; i < nr; i++) {
		if (!pages[i])
			continue;
		if (fresh[i] == CACHED) {
			__ClearPageLocked(pages[i]);
			continue;
		}
		spin_lock_irqsave(&m->lock, flags);
		__remove(m, pages[i]);
		spin_unlock_irqrestore(&m->lock, flags);
		cache_page_free(pages[i], NULL);
		pages[i] = NULL;
	}
}

/* Read the fresh pages of @pages with runs merged by offset. */
static int read_fresh(struct address_space *m, struct page **pages,
		      const unsigned char *fresh, unsigned int nr,
		      unsigned long index)
{
	static struct swap_iov iov[FILEMAP_IO_RUNS];
	unsigned int n = 0, u;
	unsigned long pages_read = 0;
	int err = 0;

	for (unsigned int i = 0; i <= nr && !err; i += u) {
		struct swap_iov *last = n ? &iov[n - 1] : NULL;
		phys_addr_t pa;

		u = 1;
		if (i == nr || n == FILEMAP_IO_RUNS) {
			if (n)
				err = mm_hooks.filemap_rw ?
				      mm_hooks.filemap_rw(m->bdev, false,
							  iov, n) : -EIO;
			n = 0;
			if (i == nr)
				break;
			last = NULL;
		}
		if (fresh[i] == CACHED)
			continue;
		u = fresh_unit(fresh, i);
		pa = page_to_phys(pages[i]);
		pages_read += u;
		if (last && last->slot + last->len / PAGE_SIZE == index + i &&
		    last->addr + last->len == pa) {
			last->len += (unsigned long)u << PAGE_SHIFT;
			continue;
		}
		iov[n++] = (struct swap_iov){ index + i, pa,
					      (unsigned long)u << PAGE_SHIFT };
	}
	if (!err)
		count_vm_events(arch_cpu_id(), PGPGIN,
				pages_read << (PAGE_SHIFT - 10));
	return err;
}

/* Fresh pages that fill a whole aligned 64 KiB of the cache: no direct
 * reclaim, quiet; single pages when there is none. */
#define FILEMAP_CHUNK_GFP	((GFP_KERNEL | __GFP_NOWARN) & \
				 ~__GFP_DIRECT_RECLAIM)

static bool all_fresh(const unsigned char *fresh, unsigned int n)
{
	bool all = true;

	for (unsigned int i = 0; i < n; i++)
		all &= fresh[i] != CACHED;
	return all;
}

/*
 * Pages for the missing entries of @pages (offsets from @index): each
 * 16-aligned run of 16 missing offsets gets a 64 KiB block cut into 16
 * pages (one allocation instead of sixteen, one run for the device;
 * FRESH_BLOCK), the others single pages.  0, or -ENOMEM with nothing
 * kept (the cached pages are still locked: the caller releases them).
 */
static int alloc_fresh(struct page **pages, unsigned char *fresh,
		       unsigned int nr, unsigned long index)
{
	unsigned int i = 0;

	while (i < nr) {
		struct page *p = NULL;

		if (fresh[i] == CACHED) {
			i++;
			continue;
		}
		if (!((index + i) % MTHP_NR) && i + MTHP_NR <= nr &&
		    all_fresh(fresh + i, MTHP_NR))
			p = alloc_pages(FILEMAP_CHUNK_GFP, MTHP_ORDER);
		if (p) {
			for (unsigned int j = 0; j < MTHP_NR; j++) {
				set_page_count(p + j, 1);  /* split_page() */
				pages[i + j] = p + j;
				p[j].index = index + i + j;
				fresh[i + j] = FRESH_BLOCK;
			}
			i += MTHP_NR;
			continue;
		}
		p = alloc_page(GFP_KERNEL);
		if (!p)
			goto fail;
		p->index = index + i;
		pages[i++] = p;
	}
	return 0;
fail:
	while (i--)
		if (fresh[i] != CACHED) {
			pages[i]->index = 0;
			__free_pages(pages[i], 0);
			pages[i] = NULL;
		}
	return -ENOMEM;
}

/* The offsets [@index, + @nr) (one page, or a 16-aligned block: one
 * word of the bitmap) are cached again: clear their evicted bits; how
 * many were set (refaults).  mapping->lock held. */
static unsigned long clear_evicted(struct address_space *m,
				   unsigned long index, unsigned int nr)
{
	unsigned long *w = &m->evicted[index / 64], mask;

	if (index >= m->nr_pages)
		return 0;		/* past the end: no bits */
	nr = (unsigned int)min((unsigned long)nr, m->nr_pages - index);
	mask = ((1UL << nr) - 1) << (index % 64);	/* nr <= 16 */
	mask &= *w;
	*w &= ~mask;
	return hweight64(mask);
}

/* Enter the fresh pages in the index, locked, under one lock hold;
 * NR_FILE_PAGES moves once per unit.  Refaults counted. */
static void insert_fresh(struct address_space *m, struct page **pages,
			 const unsigned char *fresh, unsigned int nr)
{
	unsigned long flags, refaults = 0;
	unsigned int i, u;

	spin_lock_irqsave(&m->lock, flags);
	for_each_fresh_unit(i, u, fresh, nr) {
		for (unsigned int j = i; j < i + u; j++) {
			struct page *p = pages[j];

			p->mapping = m;
			__ClearPageIdle(p);	/* a freed page's stale */
			__ClearPageYoung(p);	/* idle tracking state */
			__SetPageLocked(p);
			__insert_nocount(m, p);
		}
		refaults += clear_evicted(m, pages[i]->index, u);
		mod_zone_page_state(page_zone(pages[i]), NR_FILE_PAGES, u);
	}
	spin_unlock_irqrestore(&m->lock, flags);
	if (refaults)
		count_vm_events(arch_cpu_id(), WORKINGSET_REFAULT_FILE,
				refaults);
}

/* Take the cached pages of the range, marking them accessed if
 * @accessed; how many are missing. */
static unsigned int find_cached(struct address_space *m, unsigned long index,
				unsigned int nr, struct page **pages,
				unsigned char *fresh, bool accessed)
{
	unsigned long flags;
	unsigned int missing = 0;

	spin_lock_irqsave(&m->lock, flags);
	for (unsigned int i = 0; i < nr; i++) {
		pages[i] = __find(m, index + i);
		fresh[i] = pages[i] ? CACHED : FRESH_PAGE;
		if (pages[i])
			__SetPageLocked(pages[i]);
		else
			missing++;
	}
	spin_unlock_irqrestore(&m->lock, flags);
	if (accessed)
		mark_pages_accessed(pages, nr);	/* the cached ones */
	return missing;
}

/* The fresh pages, read: up to date, referenced if @accessed (this
 * access), on the inactive file list in order -- a block's 16 under one
 * lock hold. */
static void fresh_done(struct page **pages, const unsigned char *fresh,
		       unsigned int nr, bool accessed)
{
	unsigned int i, u;

	for_each_fresh_unit(i, u, fresh, nr) {
		for (unsigned int j = i; j < i + u; j++) {
			__SetPageUptodate(pages[j]);
			if (accessed)
				__SetPageReferenced(pages[j]);
		}
		lru_cache_add_run(pages[i], u, LRU_INACTIVE_FILE);
	}
}

/*
 * filemap_read(), the pages marked accessed (@accessed: a read) or not (a
 * fault: the mapping's accessed bits tell reclaim what was used, as in
 * Linux, whose fault path marks neither; marking here too had a page two
 * tasks fault in activated, then deactivated again by reclaim, with an
 * rmap walk each time).
 */
static int read_pages(struct address_space *m, unsigned long index,
		      unsigned int nr, struct page **pages, bool accessed)
{
	static unsigned char fresh[FILEMAP_MAX_READ];
	int err;

	if (nr > FILEMAP_MAX_READ)
		return -EINVAL;
	if (!find_cached(m, index, nr, pages, fresh, accessed))
		return 0;
	/* the others: fresh pages, locked, in the index */
	err = alloc_fresh(pages, fresh, nr, index);
	if (err) {
		filemap_release(pages, nr);
		return err;
	}
	insert_fresh(m, pages, fresh, nr);
	err = read_fresh(m, pages, fresh, nr, index);
	if (err) {
		read_failed(m, pages, fresh, nr);
		return err;
	}
	fresh_done(pages, fresh, nr, accessed);
	return 0;
}

int filemap_read(struct address_space *m, unsigned long index,
		 unsigned int nr, struct page **pages)
{
	return read_pages(m, index, nr, pages, true);
}

void filemap_write(struct address_space *m, unsigned long long pos,
		   const void *src, unsigned long len)
{
	const char *s = src;

	if (!m->nrpages)
		return;
	while (len) {
		unsigned long index = (unsigned long)(pos >> PAGE_SHIFT);
		unsigned long off = (unsigned long)(pos & (PAGE_SIZE - 1));
		unsigned long n = min(len, PAGE_SIZE - off);
		struct page *p = find_get_page(m, index);

		if (p)
			memcpy((char *)page_address(p) + off, s, n);
		pos += n;
		s += n;
		len -= n;
	}
}

/* ------------------------------------------------ faults on mappings */

/* The pages of the file window a fault maps, and where. */
struct fault_window {
	struct address_space *m;
	unsigned long index;		/* first page offset in the file */
	unsigned long va;		/* where it is mapped */
	unsigned int nr;		/* pages, <= FAULT_AROUND_PAGES */
	unsigned long address;		/* the faulting page */
};

/* The window around @address: FAULT_AROUND_BYTES aligned, inside the
 * VMA and the file.  0, or VM_FAULT_*.  mm->lock held. */
static vm_fault_t fault_window(struct mm_struct *mm, unsigned long address,
			       struct fault_window *w)
{
	struct vm_area_struct *vma = find_vma(mm, address);
	unsigned long start, end, index;

	if (!vma || address < vma->vm_start || !vma->vm_file)
		return VM_FAULT_SIGSEGV;	/* gone meanwhile */
	w->m = vma->vm_file;
	index = vma->vm_pgoff + ((address - vma->vm_start) >> PAGE_SHIFT);
	if (index >= w->m->nr_pages)
		return VM_FAULT_SIGBUS;
	start = max(vma->vm_start, ALIGN_DOWN(address, FAULT_AROUND_BYTES));
	end = min(vma->vm_end, ALIGN_DOWN(address, FAULT_AROUND_BYTES) +
		  FAULT_AROUND_BYTES);
	w->address = address & PAGE_MASK;
	w->va = start;
	w->index = index - ((w->address - start) >> PAGE_SHIFT);
	w->nr = (unsigned int)((end - start) >> PAGE_SHIFT);
	if (w->index + w->nr > w->m->nr_pages)
		w->nr = (unsigned int)(w->m->nr_pages - w->index);
	return 0;
}

/* Is the window still mapped by one VMA of the same file and offsets? */
static bool window_still_mapped(struct mm_struct *mm,
				const struct fault_window *w)
{
	struct vm_area_struct *vma = find_vma(mm, w->va);

	return vma && vma->vm_file == w->m && vma->vm_start <= w->va &&
	       w->va + ((unsigned long)w->nr << PAGE_SHIFT) <= vma->vm_end &&
	       vma->vm_pgoff + ((w->va - vma->vm_start) >> PAGE_SHIFT) ==
	       w->index;
}

/* Map the window's pages where nothing is mapped yet: read-only, only
 * the faulting one marked accessed -- the others "old", as Linux maps
 * fault-around pages where arch_wants_old_prefaulted_pte(), so reclaim
 * and idle tracking see which were really used.  mm->lock held. */
static vm_fault_t map_window(struct mm_struct *mm,
			     const struct fault_window *w,
			     struct page **pages)
{
	struct vm_area_struct *vma = find_vma(mm, w->va);
	int level;
	pmd_t *pmd = walk(mm, w->va, PT_LEVEL_PMD, true, &level);
	pte_t *pt = pmd && level == PT_LEVEL_PMD ? pte_alloc(mm, pmd) : NULL;
	unsigned long mapped = 0;

	if (!pt)
		return VM_FAULT_OOM;
	for (unsigned int i = 0; i < w->nr; i++) {
		unsigned long va = w->va + ((unsigned long)i << PAGE_SHIFT);
		pte_t *e = &pt[pte_index(va)];

		if (*e)
			continue;	/* mapped meanwhile (or a racing fault) */
		*e = page_to_phys(pages[i]) | vma->vm_page_prot |
		     (va == w->address ? _PAGE_ACCESSED : 0);
		if (pages[i]->_mapcount++ == 0)	/* Mapped: pages, once */
			mod_zone_page_state(page_zone(pages[i]),
					    NR_FILE_MAPPED, 1);
		mapped++;
	}
	mm->rss_stat[MM_FILEPAGES] += mapped;
	return 0;
}

vm_fault_t filemap_fault(struct mm_struct *mm, unsigned long address,
			 unsigned int flags)
{
	struct page *pages[FAULT_AROUND_PAGES];
	struct fault_window w;
	vm_fault_t ret;
	int err;

	(void)flags;		/* write faults never get here (read-only) */
	spin_lock(&mm->lock);
	ret = fault_window(mm, address, &w);
	spin_unlock(&mm->lock);
	if (ret)
		return ret;
	/* unlocked: the read may reclaim, and reclaim may want this mm */
	err = read_pages(w.m, w.index, w.nr, pages, false);
	if (err)
		return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	spin_lock(&mm->lock);
	ret = window_still_mapped(mm, &w) ? map_window(mm, &w, pages) : 0;
	spin_unlock(&mm->lock);
	filemap_release(pages, w.nr);
	return ret;
}

unsigned long filemap_nrpages(const struct address_space *m)
{
	return m->nrpages;
}

bool filemap_mapped(struct address_space *m)
{
	unsigned long flags;
	bool mapped;

	spin_lock_irqsave(&m->i_mmap_lock, flags);
	mapped = !list_empty(&m->i_mmap);
	spin_unlock_irqrestore(&m->i_mmap_lock, flags);
	return mapped;
}

#ifdef MM_HOST
void filemap_host_reset(void)
{
	for (unsigned int i = 0; i < FILEMAP_MAX_MAPPINGS; i++)
		mappings[i] = NULL;	/* the heap went with the old boot */
}
#endif
