/*
 * guest/mm public API: what the rest of the guest kernel calls.
 *
 * Boot order (the guest's main):
 *	memblock_add_node() for each RAM range of the PVH/E820 memory map
 *	  (node from the SRAT, 0 without one; MEMBLOCK_KNOWN_ZERO when the VMM
 *	  guarantees the range is zero-filled outside what the loader wrote);
 *	memblock_reserve() for the kernel image, boot data, ACPI tables;
 *	mm_init() - sections and memmaps, zones, buddy, watermarks, slab,
 *	  vmalloc.  Afterwards alloc_pages()/kmalloc()/vmalloc() work.
 *
 * Memory hotplug (the DIMM driver): sparse_add_section() per section, then
 * online_pages(); offline_pages() then sparse_remove_section() to remove.
 */
#ifndef GUEST_MM_MM_H
#define GUEST_MM_MM_H

#include "gfp.h"
#include "mmzone.h"

/* ---- boot: memblock.c, mm_init.c */
#define MEMBLOCK_KNOWN_ZERO	0x1	/* range is zero-filled by the VMM */

int memblock_add_node(phys_addr_t base, phys_addr_t size, int nid,
		      unsigned int flags);
int memblock_add(phys_addr_t base, phys_addr_t size);
int memblock_reserve(phys_addr_t base, phys_addr_t size);
void mm_init(void);
/* CPU @cpu runs on node @nid (SRAT); also marks it online for /proc. */
void mm_set_cpu_node(unsigned int cpu, int nid);
int numa_node_id(void);

/* ---- the page allocator: page_alloc.c */
struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
struct page *alloc_pages(gfp_t gfp, unsigned int order);
void __free_pages(struct page *page, unsigned int order);
void free_pages_known_zero(struct page *page, unsigned int order);
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
unsigned long get_zeroed_page(gfp_t gfp);
void free_pages(unsigned long addr, unsigned int order);
void drain_all_pages(struct zone *zone);
bool zone_watermark_ok(struct zone *z, unsigned int order,
		       unsigned long mark, int highest_zoneidx,
		       unsigned int alloc_flags);

#define alloc_page(gfp)		alloc_pages(gfp, 0)
#define __get_free_page(gfp)	__get_free_pages(gfp, 0)
#define __free_page(page)	__free_pages(page, 0)
#define free_page(addr)		free_pages(addr, 0)

/*
 * Hooks for later parts (reclaim, migration).  NULL = absent.  Called
 * without locks held, from allocating context.
 */
struct mm_hooks {
	/* direct reclaim: pages freed (0 = no progress) */
	unsigned long (*try_to_free_pages)(gfp_t gfp, unsigned int order);
	/* kick background reclaim of @zone */
	void (*wakeup_kswapd)(struct zone *zone, unsigned int order);
	/* migrate every allocated page out of [start, end); 0 or -errno */
	int (*migrate_range)(pfn_t start_pfn, pfn_t end_pfn);
};
extern struct mm_hooks mm_hooks;

/* ---- memory hotplug helpers: memory_hotplug.c, page_isolation.c */
int online_pages(pfn_t start_pfn, unsigned long nr_pages,
		 enum zone_type zid);
int offline_pages(pfn_t start_pfn, unsigned long nr_pages);
int start_isolate_page_range(pfn_t start_pfn, pfn_t end_pfn,
			     int migratetype);
void undo_isolate_page_range(pfn_t start_pfn, pfn_t end_pfn,
			     int migratetype);
int test_pages_isolated(pfn_t start_pfn, pfn_t end_pfn);

/* ---- slab: slab.c */
#define SLAB_HWCACHE_ALIGN	0x2000u	/* align objects to 64 bytes */
#define SLAB_RECLAIM_ACCOUNT	0x20000u /* count as reclaimable */
#define SLAB_PANIC		0x40000u /* panic if creation fails */

#define KMALLOC_MAX_CACHE_SIZE	8192
#define ZERO_SIZE_PTR		((void *)16)

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned int flags,
				     void (*ctor)(void *obj));
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *s, void *obj);
void *kmalloc(size_t size, gfp_t gfp);
void kfree(const void *obj);
size_t ksize(const void *obj);

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

/* ---- vmalloc: vmalloc.c */
#define VM_ALLOC	0x1	/* vmalloc() */
#define VM_MAP		0x4	/* vmap() */
#define VM_NO_GUARD	0x40	/* no guard page after the area */

void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);
void vfree(const void *addr);
void *vmap(struct page **pages, unsigned int count, unsigned long flags,
	   unsigned int prot);
void vunmap(const void *addr);
struct page *vmalloc_to_page(const void *addr);
unsigned long vmalloc_nr_pages(void);

/*
 * ---- /proc texts, in Linux's formats: vmstat.c, slab.c, vmalloc.c.
 * Each writes into buf (NUL-terminated) and returns the length of the full
 * text, as snprintf does: a result >= len means it was truncated.
 */
int mm_show_buddyinfo(char *buf, size_t len);
int mm_show_pagetypeinfo(char *buf, size_t len);
int mm_show_zoneinfo(char *buf, size_t len);
int mm_show_meminfo(char *buf, size_t len);
int mm_show_vmstat(char *buf, size_t len);
int mm_show_slabinfo(char *buf, size_t len);
int mm_show_vmallocinfo(char *buf, size_t len);

#endif /* GUEST_MM_MM_H */
