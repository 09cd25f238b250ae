/*
 * vmalloc: virtually contiguous kernel memory over non-contiguous frames.
 *
 * The window [VMALLOC_START, VMALLOC_END] is carved into areas, each a
 * struct vm_struct on vmlist, sorted by address and allocated first fit
 * (2.6's scheme: the list is short in a small kernel).  Every area is
 * followed by a 4 KiB guard page that stays unmapped (its size counts it,
 * as in Linux), so running off the end faults instead of corrupting the
 * next area.
 *
 * vmalloc() takes order-0 pages one by one (any zone the gfp mask allows)
 * and maps each with arch_map_page(); vzalloc() asks for __GFP_ZERO pages,
 * which costs nothing for pages known to be zero.  vmap() maps pages the
 * caller owns.  Freeing unmaps, flushes the TLB for the range on all CPUs,
 * then frees the pages.
 *
 * Invariants: areas do not overlap, guard included; every page of an
 * area's pages[] is mapped at addr + i * PAGE_SIZE; the guard is unmapped.
 *
 * Locking: vmap_lock protects vmlist and the counter; page allocation and
 * mapping run outside it.
 */
#include "mm_internal.h"

struct vm_struct {
	struct vm_struct *next;	/* next area by address */
	void *addr;		/* first byte */
	unsigned long size;	/* bytes, guard page included */
	unsigned long flags;	/* VM_ALLOC, VM_MAP, VM_NO_GUARD */
	struct page **pages;	/* nr_pages mapped pages */
	unsigned int nr_pages;	/* pages mapped so far */
	const void *caller;	/* return address of the allocator */
};

static struct vm_struct *vmlist;	/* all areas, by address */
static spinlock_t vmap_lock;		/* vmlist, nr_vmalloc_pages */
static unsigned long nr_vmalloc_pages;	/* pages of VM_ALLOC areas */

static unsigned long area_mapped_size(const struct vm_struct *area)
{
	return area->size - ((area->flags & VM_NO_GUARD) ? 0 : PAGE_SIZE);
}

/* Reserve an area of @size bytes (+ guard).  NULL if no room. */
static struct vm_struct *get_vm_area(unsigned long size, unsigned long flags,
				     const void *caller)
{
	struct vm_struct *area, *tmp, **p;
	unsigned long addr = VMALLOC_START;

	size = PAGE_ALIGN(size);
	if (!(flags & VM_NO_GUARD))
		size += PAGE_SIZE;
	area = kmalloc(sizeof(*area), GFP_KERNEL | __GFP_ZERO);
	if (!area)
		return NULL;
	spin_lock(&vmap_lock);
	for (p = &vmlist; (tmp = *p) != NULL; p = &tmp->next) {
		if ((unsigned long)tmp->addr >= addr + size)
			break;
		addr = (unsigned long)tmp->addr + tmp->size;
	}
	if (addr + size < addr || addr + size - 1 > VMALLOC_END) {
		spin_unlock(&vmap_lock);
		kfree(area);
		return NULL;
	}
	area->addr = (void *)addr;
	area->size = size;
	area->flags = flags;
	area->caller = caller;
	area->next = *p;
	*p = area;
	spin_unlock(&vmap_lock);
	return area;
}

/* Unlink the area starting at @addr; NULL if there is none. */
static struct vm_struct *remove_vm_area(const void *addr)
{
	struct vm_struct *tmp, **p;

	spin_lock(&vmap_lock);
	for (p = &vmlist; (tmp = *p) != NULL; p = &tmp->next) {
		if (tmp->addr == addr) {
			*p = tmp->next;
			if (tmp->flags & VM_ALLOC)
				nr_vmalloc_pages -= tmp->nr_pages;
			break;
		}
	}
	spin_unlock(&vmap_lock);
	return tmp;
}

/* Unmap, flush, free pages (if ours) and the area itself. */
static void free_vm_area(struct vm_struct *area, bool free_pages_too)
{
	unsigned long start = (unsigned long)area->addr;

	for (unsigned int i = 0; i < area->nr_pages; i++)
		arch_unmap_page(start + i * PAGE_SIZE);
	arch_flush_tlb_kernel_range(start, start + area_mapped_size(area));
	for (unsigned int i = 0; free_pages_too && i < area->nr_pages; i++)
		__free_pages(area->pages[i], 0);
	kfree(area->pages);
	kfree(area);
}

static int map_area_pages(struct vm_struct *area, gfp_t gfp,
			  unsigned int nr, unsigned int prot)
{
	unsigned long va = (unsigned long)area->addr;

	while (area->nr_pages < nr) {
		struct page *page = area->pages[area->nr_pages];

		if (!page) {
			page = alloc_page(gfp);
			if (!page)
				return -ENOMEM;
			area->pages[area->nr_pages] = page;
		}
		if (arch_map_page(va + area->nr_pages * PAGE_SIZE,
				  page_to_phys(page), prot)) {
			if (gfp) {	/* ours, and not counted yet */
				__free_pages(page, 0);
				area->pages[area->nr_pages] = NULL;
			}
			return -ENOMEM;
		}
		area->nr_pages++;
	}
	return 0;
}

static void *__vmalloc(unsigned long size, gfp_t gfp, const void *caller)
{
	unsigned int nr = (unsigned int)(PAGE_ALIGN(size) >> PAGE_SHIFT);
	struct vm_struct *area;

	if (!size || size > (VMALLOC_END - VMALLOC_START) / 2)
		return NULL;
	area = get_vm_area(size, VM_ALLOC, caller);
	if (!area)
		return NULL;
	area->pages = kmalloc(nr * sizeof(struct page *), GFP_KERNEL |
			      __GFP_ZERO);
	if (!area->pages || map_area_pages(area, gfp, nr, MM_PROT_KERNEL)) {
		remove_vm_area(area->addr);
		free_vm_area(area, true);
		return NULL;
	}
	spin_lock(&vmap_lock);
	nr_vmalloc_pages += nr;
	spin_unlock(&vmap_lock);
	return area->addr;
}

void *vmalloc(unsigned long size)
{
	return __vmalloc(size, GFP_KERNEL, __builtin_return_address(0));
}

void *vzalloc(unsigned long size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_ZERO,
			 __builtin_return_address(0));
}

void vfree(const void *addr)
{
	struct vm_struct *area;

	if (!addr)
		return;
	area = remove_vm_area(addr);
	if (!area || !(area->flags & VM_ALLOC)) {
		mm_log(MM_LOG_ERR, "Trying to vfree() bad address (%p)", addr);
		return;
	}
	free_vm_area(area, true);
}

/* Map @count caller-owned pages contiguously.  NULL on failure. */
void *vmap(struct page **pages, unsigned int count, unsigned long flags,
	   unsigned int prot)
{
	struct vm_struct *area;

	if (!count)
		return NULL;
	area = get_vm_area((unsigned long)count << PAGE_SHIFT,
			   (flags & VM_NO_GUARD) | VM_MAP,
			   __builtin_return_address(0));
	if (!area)
		return NULL;
	area->pages = kmalloc(count * sizeof(struct page *), GFP_KERNEL);
	if (area->pages)
		memcpy(area->pages, pages, count * sizeof(struct page *));
	if (!area->pages || map_area_pages(area, 0, count, prot)) {
		remove_vm_area(area->addr);
		free_vm_area(area, false);
		return NULL;
	}
	return area->addr;
}

void vunmap(const void *addr)
{
	struct vm_struct *area;

	if (!addr)
		return;
	area = remove_vm_area(addr);
	if (!area || !(area->flags & VM_MAP)) {
		mm_log(MM_LOG_ERR, "Trying to vunmap() bad address (%p)",
		       addr);
		return;
	}
	free_vm_area(area, false);
}

struct page *vmalloc_to_page(const void *addr)
{
	unsigned long va = (unsigned long)addr;
	struct page *page = NULL;
	struct vm_struct *tmp;

	spin_lock(&vmap_lock);
	for (tmp = vmlist; tmp; tmp = tmp->next) {
		unsigned long start = (unsigned long)tmp->addr;

		if (va >= start && va < start + tmp->size) {
			unsigned long i = (va - start) >> PAGE_SHIFT;

			if (i < tmp->nr_pages)
				page = tmp->pages[i];
			break;
		}
	}
	spin_unlock(&vmap_lock);
	return page;
}

unsigned long vmalloc_nr_pages(void)
{
	return nr_vmalloc_pages;
}

static void show_numa_info(struct mm_seq *m, const struct vm_struct *v)
{
	unsigned int counters[MAX_NUMNODES] = { 0 };

	if (!v->nr_pages)
		return;
	for (unsigned int i = 0; i < v->nr_pages; i++)
		counters[page_to_nid(v->pages[i])]++;
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (counters[nid])
			mm_seq_printf(m, " N%d=%u", nid, counters[nid]);
}

int mm_show_vmallocinfo(char *buf, size_t len)
{
	struct mm_seq m = { buf, len, 0 };
	struct vm_struct *v;

	spin_lock(&vmap_lock);
	for (v = vmlist; v; v = v->next) {
		unsigned long a = (unsigned long)v->addr;

		mm_seq_printf(&m, "0x%016lx-0x%016lx %7ld", a, a + v->size,
			   (long)v->size);
		if (v->caller)
			mm_seq_printf(&m, " 0x%016lx", (unsigned long)v->caller);
		if (v->nr_pages)
			mm_seq_printf(&m, " pages=%u", v->nr_pages);
		if (v->flags & VM_ALLOC)
			mm_seq_printf(&m, " vmalloc");
		if (v->flags & VM_MAP)
			mm_seq_printf(&m, " vmap");
		show_numa_info(&m, v);
		mm_seq_printf(&m, "\n");
	}
	spin_unlock(&vmap_lock);
	return mm_seq_result(&m);
}

void vmalloc_init(void)
{
	vmlist = NULL;
}

#ifdef MM_HOST
void vmalloc_host_reset(void)
{
	vmlist = NULL;
	nr_vmalloc_pages = 0;
}
#endif
