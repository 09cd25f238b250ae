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
 * offline_pages() migrates anonymous user pages out of the range itself
 * (migrate.c) and refuses, rolling back, if any page is unmovable.
 *
 * User address spaces: mm_alloc() per task, do_mmap()/do_munmap() for its
 * syscalls, handle_mm_fault() from the #PF handler, mmput() at exit; load
 * CR3 with mm->pgd on a switch.  The arch's arch_map_page() and
 * arch_unmap_page() are map_kernel_page() and unmap_kernel_page().
 */
#ifndef GUEST_MM_MM_H
#define GUEST_MM_MM_H

#include "gfp.h"
#include "mmzone.h"
#include "pgtable.h"

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

/* One run of swap I/O: @len bytes at guest-physical @addr <-> the slots
 * from @slot (4 KiB each) of the device. */
struct swap_iov {
	unsigned long slot;
	phys_addr_t addr;
	unsigned long len;
};

/*
 * Hooks for later parts (reclaim).  NULL = absent.  Called
 * without locks held, from allocating context.
 */
struct mm_hooks {
	/* direct reclaim: pages freed (0 = no progress) */
	unsigned long (*try_to_free_pages)(gfp_t gfp, unsigned int order);
	/* kick background reclaim of @zone */
	void (*wakeup_kswapd)(struct zone *zone, unsigned int order);
	/* reclaim failed: free memory some other way (the OOM killer).
	 * true if it freed something worth a retry */
	bool (*out_of_memory)(gfp_t gfp, unsigned int order);
	/* a free block of order >= PAGE_REPORTING_MIN_ORDER was freed */
	void (*page_reporting_notify)(void);
	/* swap I/O: read or write (@write) the @n runs of @iov on the swap
	 * device @bdev, all before returning, without sleeping on a lock
	 * (the caller may hold an mm->lock).  0 or -EIO. */
	int (*swap_rw)(void *bdev, bool write, const struct swap_iov *iov,
		       unsigned int n);
	/* does a successful swap write on @bdev leave the memory it wrote
	 * from zero (the device released it: memvisor's virtio-blk)?  Then
	 * the pages are freed as known-zero and never cleared by the CPU.
	 * NULL: no */
	bool (*swap_write_releases)(void *bdev);
	/* page cache I/O, the same contract: @slot is the page offset on
	 * the disk @bdev (filemap.c reads through it) */
	int (*filemap_rw)(void *bdev, bool write, const struct swap_iov *iov,
			  unsigned int n);
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

/* ---- migration: migrate.c */
struct migrate_control {
	unsigned long nr_migrated;	/* pages moved so far */
	unsigned long nr_swapped;	/* pages swapped out instead (no room) */
	pfn_t failed_pfn;		/* on failure: the page that stopped it */
	const char *reason;		/* and why ("unmovable page", ...) */
};

/* Does [start, end) hold a page that cannot be migrated?  *@bad = it. */
bool has_unmovable_pages(pfn_t start_pfn, pfn_t end_pfn, pfn_t *bad);
/* Move every in-use page out of the isolated [start, end) -- or, where
 * no page is free to move an anonymous one to, swap it out.  0, -EBUSY
 * (unmovable page) or -ENOMEM; @mc says how far it got. */
int do_migrate_range(pfn_t start_pfn, pfn_t end_pfn,
		     struct migrate_control *mc);
/* What owns the page at @pfn, in words ("slab", "page table", ...). */
const char *page_owner_kind(pfn_t pfn);

/* ---- address spaces: mmap.c, memory.c, pgtable.c */
#define TASK_SIZE	0x00007ffffffff000UL	/* top of user space */
#define USER_PGTABLES_CEILING	0x0000800000000000UL	/* pgd 256 */
#define MMAP_MIN_ADDR	0x10000UL		/* lowest mappable */
#define MMAP_GAP	(128UL << 20)		/* kept free below the top */

/* mmap()'s prot and flags: Linux's values */
#define PROT_NONE	0x0
#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define MAP_FIXED_NOREPLACE 0x100000

/* vm_area_struct.vm_flags */
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL	/* MAP_SHARED of a disk (vm_file) */
#define VM_NOHUGEPAGE	0x40000000UL	/* no 2 MiB / 64 KiB chunks */

/* handle_mm_fault(): flags in, result out (Linux's values) */
#define FAULT_FLAG_WRITE	0x01	/* #PF error code W */
#define FAULT_FLAG_USER		0x40	/* from CPL 3 */
#define FAULT_FLAG_INSTRUCTION	0x100	/* instruction fetch */
typedef unsigned int vm_fault_t;
#define VM_FAULT_OOM		0x0001	/* no memory: kill the task */
#define VM_FAULT_SIGBUS		0x0002	/* past the end of the mapped disk */
#define VM_FAULT_SIGSEGV	0x0040	/* no VMA, or not allowed */

/* mm->rss_stat[]: anonymous pages, swap entries, mapped page cache */
enum { MM_ANONPAGES, MM_SWAPENTS, MM_FILEPAGES, NR_MM_COUNTERS };

/* Orders a fault may map at once: bit 9 (2 MiB), bit 4 (64 KiB). */
#define MTHP_ORDER	4
#define HUGE_ANON_ORDERS_DEFAULT ((1UL << HPAGE_PMD_ORDER) | \
				  (1UL << MTHP_ORDER))
extern unsigned long huge_anon_orders;

struct vm_area_struct {
	unsigned long vm_start;		/* first byte */
	unsigned long vm_end;		/* first byte after */
	unsigned long vm_flags;		/* VM_* */
	pteval_t vm_page_prot;		/* leaf entry bits for its pages */
	struct mm_struct *vm_mm;	/* owner */
	struct list_head vm_list;	/* on vm_mm->mmap, by address */
	struct address_space *vm_file;	/* VM_SHARED: the disk's cache */
	unsigned long vm_pgoff;		/* its page offset at vm_start */
	struct list_head shared;	/* on vm_file->i_mmap (rmap.c) */
};

struct mm_struct {
	phys_addr_t pgd;		/* PML4, physical: what CR3 holds */
	struct list_head mmap;		/* VMAs, sorted, never overlapping */
	struct vm_area_struct *mmap_cache; /* last find_vma() hit, or NULL */
	unsigned long mmap_base;	/* top-down mmap search starts here */
	unsigned long rss_stat[NR_MM_COUNTERS];	/* pages mapped, by kind */
	unsigned long nr_ptes;		/* page-table pages, PML4 included */
	unsigned int map_count;		/* VMAs */
	int mm_users;			/* references; the last mmput frees */
	struct list_head mmlist;	/* on the list of all mms (swapoff) */
	spinlock_t lock;		/* everything above and the tables */
};

/* What mmput() freed when it tore an address space down. */
struct unmap_stats {
	unsigned long pages;		/* user pages (4 KiB units) */
	unsigned long pgtables;		/* page-table pages, PML4 included */
};

extern struct mm_struct init_mm;

struct mm_struct *mm_alloc(void);
void mmget(struct mm_struct *mm);
void mmput(struct mm_struct *mm, struct unmap_stats *freed);
int do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	    unsigned long prot, unsigned long flags, unsigned long *mapped);
/* mmap() of @file (a disk's page cache) from page @pgoff: MAP_SHARED,
 * read-only.  0 and *@mapped, or -EINVAL (bad arguments), -EACCES
 * (PROT_WRITE), -ENOMEM.  Pages past the disk's end fault SIGBUS. */
int do_mmap_file(struct mm_struct *mm, unsigned long addr, unsigned long len,
		 unsigned long prot, unsigned long flags,
		 struct address_space *file, unsigned long pgoff,
		 unsigned long *mapped);
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
vm_fault_t handle_mm_fault(struct mm_struct *mm, unsigned long address,
			   unsigned int flags);
static inline unsigned long get_mm_rss(const struct mm_struct *mm)
{
	return mm->rss_stat[MM_ANONPAGES] + mm->rss_stat[MM_FILEPAGES];
}

int map_kernel_page(unsigned long va, phys_addr_t pa, unsigned int prot);
void unmap_kernel_page(unsigned long va);

/* ---- the balloon's pages: balloon.c */
#define BALLOON_MAX_ORDER	9	/* inflate in 2 MiB blocks first */

struct balloon_dev_info {
	struct list_head pages;		/* block heads, ->private = order */
	unsigned long nr_pages;		/* 4 KiB pages held */
	unsigned int order;		/* next inflate order to try */
	/* Memory being offlined held the block at @pfn (2^@order pages):
	 * it has left the balloon and is free (in the isolated range).
	 * Called from offline_pages(); may be NULL. */
	void (*offlined)(struct balloon_dev_info *b, pfn_t pfn,
			 unsigned int order);
	unsigned long nr_offlined;	/* pages given up that way, ever */
};

/* Set up @b; it becomes the balloon whose pages offline_pages() takes
 * back (one balloon per kernel). */
void balloon_init(struct balloon_dev_info *b);
/* Offlining: the block headed by @page (PageBalloon) leaves the balloon
 * and is freed into the isolated range; b->offlined is told.  Returns its
 * order.  The caller holds mem_hotplug_lock (migrate.c). */
unsigned int balloon_page_offline(struct page *page);
/* Take up to @want pages from the allocator with @gfp in the largest
 * blocks it has (from b->order down, never above BALLOON_MAX_ORDER or
 * @want), write their PFNs to @pfns.  Returns the pages taken. */
unsigned long balloon_inflate(struct balloon_dev_info *b, gfp_t gfp,
			      uint32_t *pfns, unsigned long want);
/* Past free memory: direct reclaim of @want pages (the caller bounds
 * it), counted as one allocation stall, then balloon_inflate() of up to
 * @want from free memory.  0 if reclaim is off (no mm_hooks reclaim, no
 * __GFP_DIRECT_RECLAIM in @gfp) or freed nothing: the caller falls back
 * to the allocator's full slow path (its reclaim, then the OOM killer). */
unsigned long balloon_inflate_reclaim(struct balloon_dev_info *b, gfp_t gfp,
				      uint32_t *pfns, unsigned long want);
/* Take up to @want pages out of the balloon onto @out (whole blocks,
 * the last split if needed), PFNs to @pfns.  Returns the pages. */
unsigned long balloon_deflate(struct balloon_dev_info *b, uint32_t *pfns,
			      unsigned long want, struct list_head *out);
/* Free the blocks of @list (from balloon_deflate); @zero: the host gave
 * them back zero-filled. */
void balloon_release(struct list_head *list, bool zero);
/* @n consecutive PFNs from @pfn into @dst: the inflate path's per-page
 * cost, ~1.4 instructions a page. */
void balloon_fill_pfns(uint32_t *dst, pfn_t pfn, unsigned long n);

/* ---- free page reporting: page_reporting.c */
#define PAGE_REPORTING_MIN_ORDER	9	/* pageblock_order, as Linux */
#define PAGE_REPORTING_CAPACITY		32	/* blocks per report */

/* Take up to @max unreported free blocks of order >= MIN out of the
 * allocator, keeping every zone above its low watermark plus a report's
 * worth; heads in @blocks, ->private = order.  Returns how many. */
unsigned int page_reporting_isolate(struct page **blocks, unsigned int max);
/* Put them back, marked reported; @zero: the host zero-filled them. */
void page_reporting_putback(struct page **blocks, unsigned int n, bool zero);

/* ---- OOM: oom_kill.c (victim choice; the kernel kills) */
#define OOM_SCORE_ADJ_MIN	(-1000)
#define OOM_SCORE_ADJ_MAX	1000

struct oom_candidate {
	int pid;
	unsigned long rss;		/* pages */
	unsigned long pgtables;		/* page-table pages */
	unsigned long swapents;
	int oom_score_adj;		/* -1000 .. 1000 */
};

/* Linux's oom_badness(): rss + swap + page tables, plus adj/1000 of
 * @totalpages; LONG_MIN if the task may not be killed (adj -1000). */
long oom_badness(const struct oom_candidate *c, unsigned long totalpages);
/* /proc/PID/oom_score: badness scaled as Linux does (0 for exempt). */
unsigned long oom_score(const struct oom_candidate *c,
			unsigned long totalpages);
/* Index of the victim among @n candidates (largest badness, the later on
 * a tie, as Linux's scan), -1 if none may be killed. */
int oom_select(const struct oom_candidate *c, unsigned int n,
	       unsigned long totalpages);
/* Linux's show_mem(): "Mem-Info:" and a line per zone, to the log. */
void show_mem(void);
unsigned long oom_totalpages(void);

/* ---- swap: swapfile.c (the swap map, swapon/swapoff, /proc/swaps) */
/* Use the @nr_pages 4 KiB slots of @bdev (named @name, "/dev/vdb") as
 * swap space.  0, -EBUSY (already on), -ENOSPC (no free type), -EINVAL
 * (too small) or -ENOMEM. */
int swapon(void *bdev, const char *name, unsigned long nr_pages);
/* Bring every page on @name back into memory and stop using it.  0,
 * -EINVAL (not swap), -ENOMEM (no room for the pages: still on). */
int swapoff(const char *name);
/* Swap slots in all, and free, in pages. */
void si_swapinfo(unsigned long *total, unsigned long *free);
int mm_show_swaps(char *buf, size_t len);

/* ---- the page cache of block devices: filemap.c */
#define FILEMAP_MAX_MAPPINGS	8	/* disks with a cache */
#define FILEMAP_MAX_READ	1024	/* pages per filemap_read (4 MiB) */

struct address_space {
	void *bdev;			/* the kernel's disk, for filemap_rw */
	unsigned long nr_pages;		/* pages of the disk */
	unsigned long nrpages;		/* pages cached */
	struct page **hash;		/* 4096 chains through ->private */
	unsigned long *evicted;		/* bit per offset: evicted, not reread */
	spinlock_t lock;
	struct list_head i_mmap;	/* VMAs mapping it (rmap.c) */
	spinlock_t i_mmap_lock;		/* i_mmap; taken before an mm's lock
					 * only with trylock */
};

/* The cache of disk @bdev (@nr_pages pages), made on first use; the same
 * one for the same @bdev.  NULL: no memory or too many disks. */
struct address_space *filemap_create(void *bdev, unsigned long nr_pages);
/* Pages @index..+@nr of @m in @pages, up to date and locked (reclaim
 * leaves them alone) until filemap_release(): cached ones as they are,
 * missing ones read from the device.  0, -EIO (nothing new is kept),
 * -ENOMEM, -EINVAL (@nr > FILEMAP_MAX_READ). */
int filemap_read(struct address_space *m, unsigned long index,
		 unsigned int nr, struct page **pages);
void filemap_release(struct page **pages, unsigned int nr);
/* Write-through: @len bytes at byte @pos were (are being) written to the
 * disk by the caller; copy them into the cached pages of the range. */
void filemap_write(struct address_space *m, unsigned long long pos,
		   const void *src, unsigned long len);
/* The cached page at @index, or NULL (no reference taken). */
struct page *find_get_page(struct address_space *m, unsigned long index);
unsigned long filemap_nrpages(const struct address_space *m);
/* Is the disk of @m mapped by a task (a MAP_SHARED mapping of it)? */
bool filemap_mapped(struct address_space *m);
/* echo 1 > /proc/sys/vm/drop_caches: drop every clean unlocked cache
 * page; pages dropped. */
unsigned long drop_pagecache(void);

/* ---- reclaim: vmscan.c (LRU lists per node, kswapd, direct reclaim) */
extern int vm_swappiness;		/* 0..200, /proc/sys/vm/swappiness */
/* Direct reclaim (mm_hooks.try_to_free_pages): pages freed. */
unsigned long try_to_free_pages(gfp_t gfp, unsigned int order);
/* Direct reclaim of @nr pages at once, for a caller that needs many (the
 * balloon under pressure; the caller bounds @nr and counts the stall):
 * pages freed. */
unsigned long try_to_free_pages_nr(gfp_t gfp, unsigned long nr);
/* Is a zone of node @nid below its high watermark, with something to
 * reclaim?  (kswapd's reason to run) */
bool kswapd_needed(int nid);
/* One round of kswapd on node @nid (Linux's balance_pgdat): passes at
 * rising priority, each aiming at the zones' high watermarks' worth of
 * pages, until the node is above its high watermarks; true if it made
 * progress and more is still wanted (call again, after letting others
 * run). */
bool kswapd_balance(int nid);
/* /proc/sys/vm/min_free_kbytes: set it and recompute the watermarks. */
int set_min_free_kbytes(int kbytes);
extern int min_free_kbytes;

/* ---- idle page tracking: page_idle.c (Linux's page_idle/bitmap) */
/* Bit i of words[k] is PFN (@first_word + k) * 64 + i.  Write: mark the
 * pages of the set bits idle (their accessed bits cleared).  Read: the
 * pages still idle (not accessed since).  Only user pages on an LRU list
 * take part (a THP for all its PFNs); other PFNs read 0. */
void page_idle_bitmap_write(unsigned long first_word, const uint64_t *words,
			    unsigned long nr_words);
void page_idle_bitmap_read(unsigned long first_word, uint64_t *words,
			   unsigned long nr_words);
/* Call @fn(pfn, nr, @arg) for each present mapping of @mm's VMAs, in
 * address order: a 4 KiB page (nr 1) or a 2 MiB one (nr 512).  Linux's
 * walk_page_range for what /proc/PID/pagemap tells.  Takes mm->lock. */
void walk_present_pages(struct mm_struct *mm,
			void (*fn)(pfn_t pfn, unsigned long nr, void *arg),
			void *arg);

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
/* MemAvailable in pages (Linux's si_mem_available()). */
long si_mem_available(void);
int mm_show_vmstat(char *buf, size_t len);
int mm_show_slabinfo(char *buf, size_t len);
int mm_show_vmallocinfo(char *buf, size_t len);

#endif /* GUEST_MM_MM_H */
