/*
 * struct page: one 64-byte descriptor per 4 KiB page frame.
 *
 * The all-zero descriptor is a valid state, and the common one: memmaps sit
 * in memory the host handed out zero-filled (memmap_on_memory for DIMMs, the
 * early allocator for boot RAM) and are never initialised page by page.  It
 * means "not in use, not in the buddy, contents known to be zero":
 *
 *	flags == 0	no PG_buddy (not a free-list head), no PG_reserved,
 *			and PG_nonzero clear: nothing has been written to it
 *	_count == 0	nobody holds a reference
 *	_mapcount == 0	no page-table entry maps it (NOTE: Linux biases this
 *			by -1; here 0 means unmapped, so zero memory is valid)
 *
 * Known-zero tracking uses the inverted bit PG_nonzero ("contents not known
 * to be zero") so the zero descriptor of fresh host memory is right without
 * a write.  It is sound because the only pages that ever hold a zero
 * descriptor without PG_nonzero are pages nobody has written: fresh host
 * memory, and tails of free buddy blocks, whose zero-ness is carried by the
 * block's head (see page_alloc.c).  Memory whose zero-ness is not known
 * (boot RAM the firmware may have used, re-onlined sections) is freed with
 * PG_nonzero set on each block head: O(blocks), never O(pages).
 *
 * No zone/node/section bits live in ->flags (they would need an init pass);
 * page_zone() and page_to_nid() read the page's mem_section instead, which
 * is cheap because a section's memmap always lies inside that section's
 * own physical range (see sparse.h).
 *
 * Which fields mean what, by owner:
 *	buddy free block head:	PG_buddy, private = order, lru on free_list
 *	per-CPU list page:	lru on pcp list, index = migratetype,
 *				PG_nonzero its own
 *	slab page:		PG_slab, slab_cache, freelist, inuse/objects,
 *				lru on the cache's slab list
 *	kmalloc_large head:	PG_head, private = order
 *	balloon block head:	PG_balloon, private = order, _count 1, lru on
 *				the balloon's list (balloon.c)
 *	page-table page:	PG_pgtable
 *	anonymous user page:	mapping = mm | PAGE_MAPPING_ANON, index =
 *				virtual page number, _mapcount = 1, lru free
 *				(see migrate.c); a 2 MiB THP is one order-9
 *				block: its head also has PG_head and
 *				private = 9, its tails stay all zero; a
 *				64 KiB chunk is 16 such pages, and while it
 *				is whole only its first is on the LRU, with
 *				PG_mthp (vmscan.c); a unit read back from
 *				swap and still backed by its slots has
 *				PG_swapcache on that LRU page and the swap
 *				entry in ->swap_entry (swap_state.c)
 */
#ifndef GUEST_MM_PAGE_H
#define GUEST_MM_PAGE_H

#include "list.h"
#include "mm_arch.h"

struct address_space;
struct kmem_cache;

enum pageflags {
	PG_locked,	/* I/O or migration in progress */
	PG_referenced,	/* recently accessed (LRU aging) */
	PG_uptodate,	/* contents valid (page cache) */
	PG_dirty,	/* contents must be written back */
	PG_lru,		/* on an LRU list */
	PG_active,	/* on the active LRU list */
	PG_slab,	/* owned by the slab allocator */
	PG_reserved,	/* never given to the buddy (kernel, holes, firmware) */
	PG_private,	/* ->private holds owner data */
	PG_reclaim,	/* to be reclaimed once writeback completes */
	PG_buddy,	/* head of a free block in a buddy free list */
	PG_head,	/* head of a multi-page kmalloc_large allocation */
	PG_nonzero,	/* contents NOT known to be zero (inverted bit) */
	PG_pgtable,	/* a page-table page (pgtable.c) */
	PG_reported,	/* free block head already reported to the host
			 * (page_reporting.c) */
	PG_balloon,	/* head of a block the balloon holds (balloon.c) */
	PG_idle,	/* not accessed since marked idle (page_idle.c) */
	PG_young,	/* an accessed bit idle tracking cleared: reclaim
			 * still counts it (page_idle.c) */
	PG_mthp,	/* LRU entry for its whole 64 KiB chunk (vmscan.c) */
	PG_swapcache,	/* unit still backed by its swap slots (swap_state.c) */
	NR_PAGEFLAGS
};

struct page {
	unsigned long flags;		/* 1 << PG_* bits */
	struct list_head lru;		/* free list / pcp / LRU / slab list */
	union {
		struct address_space *mapping;	/* page cache / anon owner */
		struct kmem_cache *slab_cache;	/* PG_slab: owning cache */
	};
	union {
		unsigned long index;	/* offset in mapping; pcp: migratetype */
		void *freelist;		/* PG_slab: first free object */
	};
	unsigned long private;		/* buddy/kmalloc_large: order */
	int _count;			/* references; 0 = free */
	int _mapcount;			/* PTEs mapping it; 0 = unmapped */
	union {
		struct {
			unsigned int inuse;	/* PG_slab: objects allocated */
			unsigned int objects;	/* PG_slab: objects in it */
		};
		unsigned long swap_entry; /* PG_swapcache: first slot */
	};
};

BUILD_BUG_ON(sizeof(struct page) != 64);

/* Flags that must be clear when a page is freed to the buddy. */
#define PAGE_FLAGS_CHECK_AT_FREE					\
	((1UL << PG_locked) | (1UL << PG_lru) | (1UL << PG_active) |	\
	 (1UL << PG_slab) | (1UL << PG_reserved) | (1UL << PG_private) | \
	 (1UL << PG_buddy) | (1UL << PG_head) | (1UL << PG_balloon) |	\
	 (1UL << PG_mthp) | (1UL << PG_swapcache))

/*
 * PageFoo() tests, SetPageFoo()/ClearPageFoo() atomic updates,
 * __SetPageFoo()/__ClearPageFoo() non-atomic (page not yet shared).
 */
#define PAGEFLAG(uname, lname)						\
static inline bool Page##uname(const struct page *page)		\
{ return (page->flags >> PG_##lname) & 1; }				\
static inline void SetPage##uname(struct page *page)			\
{ __atomic_fetch_or(&page->flags, 1UL << PG_##lname, __ATOMIC_RELAXED); } \
static inline void ClearPage##uname(struct page *page)			\
{ __atomic_fetch_and(&page->flags, ~(1UL << PG_##lname), __ATOMIC_RELAXED); } \
static inline void __SetPage##uname(struct page *page)			\
{ page->flags |= 1UL << PG_##lname; }					\
static inline void __ClearPage##uname(struct page *page)		\
{ page->flags &= ~(1UL << PG_##lname); }

PAGEFLAG(Locked, locked)
PAGEFLAG(Referenced, referenced)
PAGEFLAG(Uptodate, uptodate)
PAGEFLAG(Dirty, dirty)
PAGEFLAG(LRU, lru)
PAGEFLAG(Active, active)
PAGEFLAG(Slab, slab)
PAGEFLAG(Reserved, reserved)
PAGEFLAG(Private, private)
PAGEFLAG(Reclaim, reclaim)
PAGEFLAG(Buddy, buddy)
PAGEFLAG(Head, head)
PAGEFLAG(Nonzero, nonzero)
PAGEFLAG(Pgtable, pgtable)
PAGEFLAG(Reported, reported)
PAGEFLAG(Balloon, balloon)
PAGEFLAG(Idle, idle)
PAGEFLAG(Young, young)

/* Clear PG_young; was it set? */
static inline bool TestClearPageYoung(struct page *page)
{
	return (__atomic_fetch_and(&page->flags, ~(1UL << PG_young),
				   __ATOMIC_RELAXED) >> PG_young) & 1;
}
PAGEFLAG(Mthp, mthp)
PAGEFLAG(SwapCache, swapcache)

/* Contents known to be zero (free block heads: the whole block). */
static inline bool page_known_zero(const struct page *page)
{
	return !PageNonzero(page);
}

/*
 * Anonymous pages: ->mapping holds the owning mm_struct with bit 0 set
 * (Linux's PAGE_MAPPING_ANON), so it can never be taken for a page-cache
 * address_space.  One owner per page: this kernel has no fork.
 */
#define PAGE_MAPPING_ANON	0x1UL

struct mm_struct;

static inline bool PageAnon(const struct page *page)
{
	return ((unsigned long)page->mapping & PAGE_MAPPING_ANON) != 0;
}

static inline struct mm_struct *page_anon_mm(const struct page *page)
{
	return (struct mm_struct *)((unsigned long)page->mapping &
				    ~PAGE_MAPPING_ANON);
}

static inline void page_set_anon(struct page *page, struct mm_struct *mm,
				 unsigned long vpn)
{
	page->mapping = (struct address_space *)((unsigned long)mm |
						 PAGE_MAPPING_ANON);
	page->index = vpn;
	page->_mapcount = 1;
	__ClearPageIdle(page);		/* a new use: a freed page's stale */
	__ClearPageYoung(page);		/* idle tracking state */
}

static inline int page_count(const struct page *page)
{
	return __atomic_load_n(&page->_count, __ATOMIC_RELAXED);
}

static inline void set_page_count(struct page *page, int v)
{
	page->_count = v;
}

static inline void get_page(struct page *page)
{
	VM_BUG_ON(page_count(page) <= 0);
	__atomic_fetch_add(&page->_count, 1, __ATOMIC_RELAXED);
}

/* Drop a reference; true if it was the last one. */
static inline bool put_page_testzero(struct page *page)
{
	VM_BUG_ON(page_count(page) <= 0);
	return __atomic_sub_fetch(&page->_count, 1, __ATOMIC_ACQ_REL) == 0;
}

static inline int page_mapcount(const struct page *page)
{
	return page->_mapcount;
}

static inline unsigned long page_private(const struct page *page)
{
	return page->private;
}

static inline void set_page_private(struct page *page, unsigned long v)
{
	page->private = v;
}

#include "sparse.h"	/* pfn_to_page(), page_to_pfn(), page_zone() */

static inline phys_addr_t page_to_phys(const struct page *page)
{
	return PFN_PHYS(page_to_pfn(page));
}

/* Direct-map address of a page. */
static inline void *page_address(const struct page *page)
{
	return __va(page_to_phys(page));
}

/* Descriptor of the page holding direct-map/kernel address @addr. */
static inline struct page *virt_to_page(const void *addr)
{
	return pfn_to_page(PHYS_PFN(__pa(addr)));
}

void dump_page(const struct page *page, const char *reason);

#endif /* GUEST_MM_PAGE_H */
