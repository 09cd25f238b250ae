/*
 * User address spaces: struct mm_struct and its VMAs, mmap and munmap of
 * anonymous private memory and of disks (read-only, shared: their page
 * cache, see filemap.c and rmap.c), and teardown.
 *
 * An mm_struct owns a PML4 (pgtable.c: user half empty at first, kernel
 * half shared), a list of VMAs sorted by address, and counters.  A VMA
 * (struct vm_area_struct) is a page-aligned range [vm_start, vm_end) with
 * VM_READ/WRITE/EXEC; pages appear in it on first touch (memory.c).  The
 * list is the 2.6-era structure (a sorted list; tasks here have a handful
 * of VMAs) with a one-entry cache of the last find_vma() hit, which is
 * what a fault loop over one mapping hits every time.
 *
 * do_mmap() places a mapping top-down below mm->mmap_base (TASK_SIZE less
 * MMAP_GAP), in the highest gap that fits, 2 MiB aligned when it is at
 * least 2 MiB long so that faults can use 2 MiB pages (as Linux does for
 * anonymous THP-sized mappings).  A new VMA merges with neighbours of the
 * same flags; a file mapping (do_mmap_file: VM_SHARED, vm_file the disk's
 * address_space, vm_pgoff its page offset at vm_start) never merges, and
 * is on its file's i_mmap list from creation to removal, its vm_pgoff
 * following vm_start when munmap trims or splits it.
 * do_munmap() trims, splits or removes VMAs, then unmaps the
 * hole left between the neighbours (memory.c's unmap_region), which frees
 * the pages and the tables that only served the hole.
 *
 * Invariants: VMAs are page aligned, non-empty, sorted, non-overlapping,
 * inside [MMAP_MIN_ADDR, TASK_SIZE); pages are mapped only inside VMAs;
 * rss_stat[MM_ANONPAGES] and [MM_FILEPAGES] are exactly the anonymous
 * and the page-cache pages mapped; nr_ptes counts
 * the table pages, PML4 included.
 *
 * Locking: mm->lock for everything of one mm (VMAs, tables, counters).
 * mm_users counts references; mmput() of the last one tears down, and the
 * mm must then be loaded on no CPU.
 */
#include "mm_internal.h"

static struct kmem_cache *mm_cachep;		/* struct mm_struct */
static struct kmem_cache *vm_area_cachep;	/* struct vm_area_struct */

/* Boot: no caches yet; the first mm_alloc() creates them. */
void mmap_init(void)
{
	huge_anon_orders = HUGE_ANON_ORDERS_DEFAULT;
	mm_cachep = NULL;
	vm_area_cachep = NULL;
}

static void create_mm_caches(void)
{
	static spinlock_t lock;

	spin_lock(&lock);
	if (!mm_cachep) {
		vm_area_cachep = kmem_cache_create("vm_area_struct",
				sizeof(struct vm_area_struct), 0, SLAB_PANIC,
				NULL);
		__atomic_store_n(&mm_cachep, kmem_cache_create("mm_struct",
				sizeof(struct mm_struct), 0,
				SLAB_HWCACHE_ALIGN | SLAB_PANIC, NULL),
				__ATOMIC_RELEASE);
	}
	spin_unlock(&lock);
}

struct list_head mmlist = LIST_HEAD_INIT(mmlist);			/* every user mm, for swapoff */
spinlock_t mmlist_lock;			/* mmlist */

/* A new, empty address space with one reference; NULL without memory. */
struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm;

	if (unlikely(!__atomic_load_n(&mm_cachep, __ATOMIC_ACQUIRE)))
		create_mm_caches();
	mm = kmem_cache_alloc(mm_cachep, GFP_KERNEL | __GFP_ZERO);
	if (!mm)
		return NULL;
	INIT_LIST_HEAD(&mm->mmap);
	mm->mmap_base = ALIGN_DOWN(TASK_SIZE - MMAP_GAP, PMD_SIZE);
	mm->mm_users = 1;
	if (pgd_alloc(mm)) {
		kmem_cache_free(mm_cachep, mm);
		return NULL;
	}
	spin_lock(&mmlist_lock);
	list_add_tail(&mm->mmlist, &mmlist);
	spin_unlock(&mmlist_lock);
	return mm;
}

void mmget(struct mm_struct *mm)
{
	__atomic_fetch_add(&mm->mm_users, 1, __ATOMIC_RELAXED);
}

static void remove_vma(struct mm_struct *mm, struct vm_area_struct *vma)
{
	if (vma->vm_file)
		vma_unlink_file(vma);
	list_del(&vma->vm_list);
	mm->map_count--;
	kmem_cache_free(vm_area_cachep, vma);
}

/*
 * Drop a reference to @mm.  The last one frees every user page, every
 * table page and the mm itself, and reports the numbers in @freed (if
 * not NULL; zeroes when other references remain).
 */
void mmput(struct mm_struct *mm, struct unmap_stats *freed)
{
	struct unmap_stats st = { 0, 0 };
	struct vm_area_struct *vma, *next;

	if (__atomic_sub_fetch(&mm->mm_users, 1, __ATOMIC_ACQ_REL) == 0) {
		spin_lock(&mm->lock);
		list_for_each_entry_safe(vma, next, &mm->mmap, vm_list)
			remove_vma(mm, vma);
		mm->mmap_cache = NULL;
		unmap_region(mm, 0, USER_PGTABLES_CEILING, false, &st);
		spin_unlock(&mm->lock);
		anon_rmap_barrier();	/* migration is done with mm */
		spin_lock(&mmlist_lock);
		list_del(&mm->mmlist);
		spin_unlock(&mmlist_lock);
		pgd_free(mm);
		st.pgtables++;
		BUG_ON(mm->rss_stat[MM_ANONPAGES] ||
		       mm->rss_stat[MM_SWAPENTS] ||
		       mm->rss_stat[MM_FILEPAGES] || mm->nr_ptes ||
		       mm->map_count);
		kmem_cache_free(mm_cachep, mm);
	}
	if (freed)
		*freed = st;
}

/* The first VMA with vm_end > @addr, or NULL.  mm->lock held. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = mm->mmap_cache;

	if (likely(vma && addr >= vma->vm_start && addr < vma->vm_end))
		return vma;
	list_for_each_entry(vma, &mm->mmap, vm_list) {
		if (vma->vm_end > addr) {
			mm->mmap_cache = vma;
			return vma;
		}
	}
	return NULL;
}

/* The VMA before @vma in address order, or NULL. */
static struct vm_area_struct *vma_prev(struct mm_struct *mm,
				       struct vm_area_struct *vma)
{
	struct list_head *p = vma ? vma->vm_list.prev : mm->mmap.prev;

	return p == &mm->mmap ? NULL :
	       list_entry(p, struct vm_area_struct, vm_list);
}

static struct vm_area_struct *vma_next(struct mm_struct *mm,
				       struct vm_area_struct *vma)
{
	struct list_head *p = vma->vm_list.next;

	return p == &mm->mmap ? NULL :
	       list_entry(p, struct vm_area_struct, vm_list);
}

/* Highest @align-aligned free [addr, addr + len) below mmap_base; 0. */
static unsigned long unmapped_area_topdown(struct mm_struct *mm,
					   unsigned long len,
					   unsigned long align)
{
	unsigned long high = mm->mmap_base, addr;
	struct vm_area_struct *vma;

	for (vma = vma_prev(mm, NULL);; vma = vma_prev(mm, vma)) {
		unsigned long low = vma ? vma->vm_end : MMAP_MIN_ADDR;

		if (low < high && high - low >= len) {
			addr = ALIGN_DOWN(high - len, align);
			if (addr >= low)
				return addr;
		}
		if (!vma)
			return 0;
		high = min(high, vma->vm_start);
	}
}

static bool range_free(struct mm_struct *mm, unsigned long addr,
		       unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return !vma || vma->vm_start >= end;
}

static pteval_t vm_get_page_prot(unsigned long vm_flags)
{
	pteval_t prot = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;

	if (vm_flags & VM_SHARED)	/* aged by its accessed bits: rmap.c */
		prot &= ~_PAGE_ACCESSED;
	if (vm_flags & VM_WRITE)
		prot |= _PAGE_RW | _PAGE_DIRTY;	/* no D-bit assist later */
	if (!(vm_flags & VM_EXEC))
		prot |= __supported_pte_mask & _PAGE_NX;
	return prot;
}

/* A new VMA [addr, end) after @prev (NULL: first); file mappings join
 * their file's i_mmap.  0 or -ENOMEM. */
static int new_vma(struct mm_struct *mm, struct vm_area_struct *prev,
		   unsigned long addr, unsigned long end, unsigned long flags,
		   struct address_space *file, unsigned long pgoff)
{
	struct vm_area_struct *vma = kmem_cache_alloc(vm_area_cachep,
						      GFP_KERNEL);

	if (!vma)
		return -ENOMEM;
	vma->vm_start = addr;
	vma->vm_end = end;
	vma->vm_flags = flags;
	vma->vm_page_prot = vm_get_page_prot(flags);
	vma->vm_mm = mm;
	vma->vm_file = file;
	vma->vm_pgoff = pgoff;
	if (prev)
		list_add(&vma->vm_list, &prev->vm_list);
	else
		list_add(&vma->vm_list, &mm->mmap);
	mm->map_count++;
	if (file)
		vma_link_file(vma);
	return 0;
}

/*
 * Insert [addr, end) with @flags into the free range: extend a neighbour
 * of the same flags (merging both if it closes the gap), else a new VMA.
 * A file mapping (@file) never merges: each keeps its own offset.
 */
static int insert_vma(struct mm_struct *mm, unsigned long addr,
		      unsigned long end, unsigned long flags,
		      struct address_space *file, unsigned long pgoff)
{
	struct vm_area_struct *next = find_vma(mm, addr);
	struct vm_area_struct *prev = vma_prev(mm, next);

	if (file)
		return new_vma(mm, prev, addr, end, flags, file, pgoff);
	if (next && (next->vm_start != end || next->vm_flags != flags))
		next = NULL;
	if (prev && prev->vm_end == addr && prev->vm_flags == flags) {
		prev->vm_end = end;
		if (next) {
			prev->vm_end = next->vm_end;
			remove_vma(mm, next);
		}
		mm->mmap_cache = NULL;
		return 0;
	}
	if (next) {
		next->vm_start = addr;
		return 0;
	}
	return new_vma(mm, prev, addr, end, flags, NULL, 0);
}

static int __do_munmap(struct mm_struct *mm, unsigned long start,
		       unsigned long len);

/* Where the new mapping goes: 0 and *@addr, or -errno. */
static int get_unmapped_area(struct mm_struct *mm, unsigned long *addr,
			     unsigned long len, unsigned long flags)
{
	unsigned long a = *addr;

	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if ((a & ~PAGE_MASK) || a < MMAP_MIN_ADDR ||
		    a > TASK_SIZE - len)
			return -EINVAL;
		if (flags & MAP_FIXED)
			return __do_munmap(mm, a, len);
		return range_free(mm, a, a + len) ? 0 : -EEXIST;
	}
	a = PAGE_ALIGN(a);
	if (a >= MMAP_MIN_ADDR && a <= TASK_SIZE - len &&
	    range_free(mm, a, a + len))
		return 0;
	a = len >= PMD_SIZE ? unmapped_area_topdown(mm, len, PMD_SIZE) : 0;
	if (!a)
		a = unmapped_area_topdown(mm, len, PAGE_SIZE);
	*addr = a;
	return a ? 0 : -ENOMEM;
}

/* Place and insert a mapping of @len bytes (checked, page aligned). */
static int mmap_region(struct mm_struct *mm, unsigned long addr,
		       unsigned long len, unsigned long flags,
		       unsigned long vm_flags, struct address_space *file,
		       unsigned long pgoff, unsigned long *mapped)
{
	int ret;

	spin_lock(&mm->lock);
	ret = get_unmapped_area(mm, &addr, len, flags);
	if (!ret)
		ret = insert_vma(mm, addr, addr + len, vm_flags, file, pgoff);
	spin_unlock(&mm->lock);
	if (!ret)
		*mapped = addr;
	return ret;
}

/*
 * mmap() of anonymous private memory: map @len bytes with PROT_* @prot
 * at @addr if MAP_FIXED(_NOREPLACE) (replacing / refusing what is there),
 * else at @addr as a hint if free, else top-down.  0 and *@mapped, or
 * -EINVAL (bad arguments, not MAP_PRIVATE|MAP_ANONYMOUS), -ENOMEM (no room
 * or memory), -EEXIST (MAP_FIXED_NOREPLACE over a mapping).
 */
int do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	    unsigned long prot, unsigned long flags, unsigned long *mapped)
{
	unsigned long vm_flags = prot & (VM_READ | VM_WRITE | VM_EXEC);

	if (!len || (flags & (MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS)) !=
		    (MAP_PRIVATE | MAP_ANONYMOUS) ||
	    (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (len > TASK_SIZE - MMAP_MIN_ADDR)
		return -ENOMEM;
	return mmap_region(mm, addr, PAGE_ALIGN(len), flags, vm_flags, NULL,
			   0, mapped);
}

/* The same for a disk's page cache: shared, read-only (the file is open
 * read-only: PROT_WRITE is -EACCES, as Linux answers). */
int do_mmap_file(struct mm_struct *mm, unsigned long addr, unsigned long len,
		 unsigned long prot, unsigned long flags,
		 struct address_space *file, unsigned long pgoff,
		 unsigned long *mapped)
{
	unsigned long vm_flags = (prot & (VM_READ | VM_EXEC)) | VM_SHARED;

	if (!len || !file || (flags & (MAP_SHARED | MAP_PRIVATE |
				       MAP_ANONYMOUS)) != MAP_SHARED ||
	    (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (prot & PROT_WRITE)
		return -EACCES;
	if (len > TASK_SIZE - MMAP_MIN_ADDR ||
	    pgoff > (~0UL >> PAGE_SHIFT) - (PAGE_ALIGN(len) >> PAGE_SHIFT))
		return -ENOMEM;
	return mmap_region(mm, addr, PAGE_ALIGN(len), flags, vm_flags, file,
			   pgoff, mapped);
}

/* Split the 2 MiB page, if any, that maps across @addr. */
static int split_at(struct mm_struct *mm, unsigned long addr)
{
	int level;
	pmd_t *pmd;

	if (IS_ALIGNED(addr, PMD_SIZE))
		return 0;
	pmd = walk(mm, addr, PT_LEVEL_PMD, false, &level);
	if (!pmd || level != PT_LEVEL_PMD ||
	    !(pt_leaf(*pmd) || is_swap_pmd(*pmd)))
		return 0;
	return split_huge_pmd(mm, pmd, addr & PMD_MASK);
}

/* Cut [start, end) out of the VMA list; -ENOMEM if a split fails. */
static int detach_vmas(struct mm_struct *mm, struct vm_area_struct *vma,
		       unsigned long start, unsigned long end)
{
	while (vma && vma->vm_start < end) {
		struct vm_area_struct *next = vma_next(mm, vma);

		if (vma->vm_start < start && vma->vm_end > end) {
			struct vm_area_struct *tail =
				kmem_cache_alloc(vm_area_cachep, GFP_KERNEL);

			if (!tail)
				return -ENOMEM;
			*tail = *vma;
			tail->vm_start = end;
			tail->vm_pgoff += (end - vma->vm_start) >> PAGE_SHIFT;
			list_add(&tail->vm_list, &vma->vm_list);
			mm->map_count++;
			if (tail->vm_file)
				vma_link_file(tail);
			vma->vm_end = start;
			break;
		}
		if (vma->vm_start < start) {
			vma->vm_end = start;
		} else if (vma->vm_end > end) {
			vma->vm_pgoff += (end - vma->vm_start) >> PAGE_SHIFT;
			vma->vm_start = end;
		} else {
			remove_vma(mm, vma);
		}
		vma = next;
	}
	mm->mmap_cache = NULL;
	return 0;
}

static int __do_munmap(struct mm_struct *mm, unsigned long start,
		       unsigned long len)
{
	unsigned long end = start + PAGE_ALIGN(len), floor, ceiling;
	struct vm_area_struct *vma, *prev;
	struct unmap_stats st = { 0, 0 };
	int ret;

	if ((start & ~PAGE_MASK) || !len || start > TASK_SIZE ||
	    PAGE_ALIGN(len) > TASK_SIZE - start)
		return -EINVAL;
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start >= end)
		return 0;
	ret = split_at(mm, start);
	if (!ret)
		ret = split_at(mm, end);
	if (!ret)
		ret = detach_vmas(mm, vma, start, end);
	if (ret)
		return ret;
	vma = find_vma(mm, start);	/* first VMA after the hole */
	prev = vma_prev(mm, vma);
	floor = prev ? prev->vm_end : 0;
	ceiling = vma ? vma->vm_start : USER_PGTABLES_CEILING;
	unmap_region(mm, floor, ceiling, true, &st);
	return 0;
}

/*
 * munmap(): remove the mappings of [start, start + len), freeing their
 * pages.  0, -EINVAL (unaligned or outside user space) or -ENOMEM (a VMA
 * or 2 MiB page had to be split and there was no memory; nothing is
 * unmapped then).
 */
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	int ret;

	spin_lock(&mm->lock);
	ret = __do_munmap(mm, start, len);
	spin_unlock(&mm->lock);
	return ret;
}
