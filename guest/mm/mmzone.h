/*
 * Nodes, zones, free areas and per-CPU page lists.
 *
 * One pg_data_t per NUMA node (node 0 when there is no SRAT), each with the
 * zones DMA (< 16 MiB), DMA32 (< 4 GiB), NORMAL and MOVABLE.  A zone spans
 * [zone_start_pfn, zone_start_pfn + spanned_pages); present_pages of that
 * are RAM with descriptors, managed_pages of those were handed to the buddy.
 *
 * Each zone has a buddy allocator: free_area[order] holds free blocks of
 * 2^order pages on one list per migratetype, and nr_free counts blocks.
 * Order-0 pages are cached per CPU in pcp[cpu].lists[migratetype].
 * Both kinds of lists are set up when the zone first gets memory
 * (pcp_ready; mm_init.c's init_currently_empty_zone): until then they are
 * all zero and nothing may walk them -- check populated_zone() first.
 *
 * Counters: vm_stat[] per zone (NR_FREE_PAGES counts pages in the free
 * lists of non-isolated pageblocks; pages on per-CPU lists count as
 * allocated, as in Linux), summed into vm_stat_global[]; event counters
 * per CPU in vm_event_states[].
 *
 * Locking: zone->lock protects free_area and the zone's counters' buddy
 * part; a CPU's pcp lists are touched only by that CPU with interrupts off
 * (remote drains go through arch_on_each_cpu()).  Zone sizes, watermarks
 * and zonelists change only under mem_hotplug_lock (memory_hotplug.c).
 */
#ifndef GUEST_MM_MMZONE_H
#define GUEST_MM_MMZONE_H

#include "page.h"
#include "spinlock.h"

#define MAX_ORDER		11	/* orders 0 .. MAX_ORDER-1 */
#define MAX_ORDER_NR_PAGES	(1UL << (MAX_ORDER - 1))

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,		/* the types with per-CPU lists */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,	/* listed, not used yet */
	MIGRATE_ISOLATE,		/* being offlined: never allocated */
	MIGRATE_TYPES
};

enum zone_type {
	ZONE_DMA,	/* < 16 MiB */
	ZONE_DMA32,	/* < 4 GiB */
	ZONE_NORMAL,	/* the rest */
	ZONE_MOVABLE,	/* hot-added memory: movable allocations only */
	MAX_NR_ZONES
};

#define DMA_PFN_LIMIT	(16UL << (20 - PAGE_SHIFT))
#define DMA32_PFN_LIMIT	(4UL << (30 - PAGE_SHIFT))

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

/*
 * Page counters, per zone.  The first group is what Linux keeps per zone,
 * the second what it keeps per node; we keep all per zone and sum a node's
 * zones for the "per-node stats" of /proc/zoneinfo.  Order = Linux's.
 */
enum vm_stat_item {
	NR_FREE_PAGES,
	NR_ZONE_INACTIVE_ANON,
	NR_ZONE_ACTIVE_ANON,
	NR_ZONE_INACTIVE_FILE,
	NR_ZONE_ACTIVE_FILE,
	NR_ZONE_UNEVICTABLE,
	NR_ZONE_WRITE_PENDING,
	NR_MLOCK,
	NR_BOUNCE,
	NR_ZSPAGES,
	NR_FREE_CMA_PAGES,
	NR_VM_ZONE_STAT_ITEMS,
	/* node items */
	NR_INACTIVE_ANON = NR_VM_ZONE_STAT_ITEMS,
	NR_ACTIVE_ANON,
	NR_INACTIVE_FILE,
	NR_ACTIVE_FILE,
	NR_UNEVICTABLE,
	NR_SLAB_RECLAIMABLE,
	NR_SLAB_UNRECLAIMABLE,
	NR_ISOLATED_ANON,
	NR_ISOLATED_FILE,
	NR_ANON_MAPPED,
	NR_FILE_MAPPED,
	NR_FILE_PAGES,
	NR_FILE_DIRTY,
	NR_WRITEBACK,
	NR_SHMEM,
	NR_ANON_THPS,		/* pages in PMD-mapped anonymous THPs */
	NR_KERNEL_STACK_KB,
	NR_PAGETABLE,
	NR_SWAPCACHE,		/* pages in memory that also have a swap copy */
	NR_VM_STAT_ITEMS
};

enum vm_event_item {
	PGPGIN, PGPGOUT, PSWPIN, PSWPOUT,
	PGALLOC_DMA, PGALLOC_DMA32, PGALLOC_NORMAL, PGALLOC_MOVABLE,
	ALLOCSTALL_NORMAL,
	PGFREE, PGACTIVATE, PGDEACTIVATE, PGFAULT, PGMAJFAULT,
	PGSTEAL_KSWAPD, PGSTEAL_DIRECT, PGSCAN_KSWAPD, PGSCAN_DIRECT,
	PAGEOUTRUN,
	PGMIGRATE_SUCCESS, PGMIGRATE_FAIL,
	THP_FAULT_ALLOC, THP_FAULT_FALLBACK, THP_SPLIT_PMD,
	THP_SWPIN,		/* 2 MiB swap entries read back whole */
	THP_SWPIN_FALLBACK,	/* ... split into 512 PTE entries instead */
	PGZERO_SKIPPED,		/* memvisor: __GFP_ZERO on a known-zero page */
	PGZERO_CLEARED,		/* memvisor: __GFP_ZERO page had to be zeroed */
	MTHP_FAULT_ALLOC,	/* memvisor: 64 KiB anonymous chunk faulted in */
	BALLOON_INFLATE,	/* pages given to the balloon */
	BALLOON_DEFLATE,	/* pages taken back from it */
	OOM_KILL,		/* tasks the OOM killer ended */
	WORKINGSET_REFAULT_FILE, /* evicted cache pages read again */
	SWAPCACHE_CLEAN_DROP,	/* memvisor: clean swap-cache pages reclaimed
				 * without a write */
	NR_VM_EVENT_ITEMS
};

/* Aligned to 1 KiB (room for 128 events): this CPU's counters are one
 * shift away on the allocator's fast paths.  (Strides of 288 and 512
 * bytes measured 2-8 instructions more per allocation under callgrind.) */
struct vm_event_state {
	unsigned long event[NR_VM_EVENT_ITEMS];	/* per CPU */
} __attribute__((aligned(1024)));

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];	/* block heads */
	unsigned long nr_free;		/* blocks of this order, all types */
};

struct per_cpu_pages {
	int count;		/* pages on the lists */
	int high;		/* drain batch pages when count >= high */
	int batch;		/* pages moved to/from the buddy at once */
	struct list_head lists[MIGRATE_PCPTYPES];	/* order-0 pages */
};

struct pglist_data;

struct zone {
	unsigned long _watermark[NR_WMARK];	/* pages_min/low/high */
	long lowmem_reserve[MAX_NR_ZONES];	/* kept back from higher zones */
	struct pglist_data *zone_pgdat;		/* owning node */
	const char *name;			/* "DMA", "DMA32", ... */
	unsigned long zone_start_pfn;		/* first pfn spanned */
	unsigned long spanned_pages;		/* end - start, holes too */
	unsigned long present_pages;		/* with descriptors */
	unsigned long managed_pages;		/* given to the buddy */
	unsigned long nr_isolate_pageblock;	/* MIGRATE_ISOLATE blocks */
	bool pcp_ready;				/* free, pcp lists set up */
	spinlock_t lock;			/* free_area, buddy state */
	struct free_area free_area[MAX_ORDER];
	struct per_cpu_pages pcp[NR_CPUS];
	long vm_stat[NR_VM_STAT_ITEMS];		/* page counters */
};

/* One entry of a zonelist: the fallback order for allocations. */
struct zoneref {
	struct zone *zone;	/* NULL terminates the list */
	int zone_idx;		/* zone_idx(zone), cached */
};

#define MAX_ZONELIST	(MAX_NUMNODES * MAX_NR_ZONES + 1)

/* The LRU lists of a node (vmscan.c): anonymous pages and clean page
 * cache pages (filemap.c), in the order of NR_ZONE_INACTIVE_ANON... */
enum lru_list { LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, LRU_INACTIVE_FILE,
		LRU_ACTIVE_FILE, NR_LRU_LISTS };

struct lruvec {
	struct list_head lists[NR_LRU_LISTS];	/* head: newest */
	unsigned long nr_pages[NR_LRU_LISTS];	/* 4 KiB pages on each */
	spinlock_t lru_lock;			/* the lists and counts */
};

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	struct lruvec lruvec;		/* per node, as Linux since 4.8 */
	struct zoneref node_zonelist[MAX_ZONELIST];	/* highest first */
	int node_id;
	bool online;			/* has (had) memory */
	unsigned long node_start_pfn;	/* lowest pfn of any zone */
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
} pg_data_t;

extern pg_data_t node_data[MAX_NUMNODES];
extern long vm_stat_global[NR_VM_STAT_ITEMS];
extern struct vm_event_state vm_event_states[NR_CPUS];
extern unsigned long totalram_pages;
extern unsigned long totalreserve_pages;
extern int min_free_kbytes;
extern int sysctl_lowmem_reserve_ratio[MAX_NR_ZONES];
extern const char *const zone_names[MAX_NR_ZONES];
extern const char *const migratetype_names[MIGRATE_TYPES];

#define NODE_DATA(nid)	(&node_data[nid])

#define for_each_node(nid) \
	for ((nid) = 0; (nid) < MAX_NUMNODES; (nid)++)
/* Nodes that have (had) memory; the zones of the others are all zero. */
#define for_each_online_pgdat(pgdat) \
	for ((pgdat) = &node_data[0]; (pgdat) < &node_data[MAX_NUMNODES]; \
	     (pgdat)++) \
		if (!(pgdat)->online) {} else
#define for_each_zone(zone) \
	for ((zone) = &node_data[0].node_zones[0]; (zone); \
	     (zone) = next_zone(zone))

/* The zone after @zone, across nodes; NULL after the last. */
static inline struct zone *next_zone(struct zone *zone)
{
	pg_data_t *pgdat = zone->zone_pgdat;

	if (zone < &pgdat->node_zones[MAX_NR_ZONES - 1])
		return zone + 1;
	if (pgdat == &node_data[MAX_NUMNODES - 1])
		return NULL;
	return &pgdat[1].node_zones[0];
}

static inline int zone_idx(const struct zone *zone)
{
	return (int)(zone - zone->zone_pgdat->node_zones);
}

static inline bool populated_zone(const struct zone *zone)
{
	return zone->present_pages != 0;
}

static inline unsigned long zone_end_pfn(const struct zone *zone)
{
	return zone->zone_start_pfn + zone->spanned_pages;
}

static inline bool zone_spans_pfn(const struct zone *zone, pfn_t pfn)
{
	return pfn >= zone->zone_start_pfn && pfn < zone_end_pfn(zone);
}

static inline unsigned long min_wmark_pages(const struct zone *z)
{
	return z->_watermark[WMARK_MIN];
}

static inline unsigned long low_wmark_pages(const struct zone *z)
{
	return z->_watermark[WMARK_LOW];
}

static inline unsigned long high_wmark_pages(const struct zone *z)
{
	return z->_watermark[WMARK_HIGH];
}

static inline unsigned long zone_page_state(const struct zone *zone,
					    enum vm_stat_item item)
{
	long x = __atomic_load_n(&zone->vm_stat[item], __ATOMIC_RELAXED);

	return x < 0 ? 0 : (unsigned long)x;
}

static inline unsigned long global_page_state(enum vm_stat_item item)
{
	long x = __atomic_load_n(&vm_stat_global[item], __ATOMIC_RELAXED);

	return x < 0 ? 0 : (unsigned long)x;
}

/* Exact: both counters move together, atomically. */
static inline void mod_zone_page_state(struct zone *zone,
				       enum vm_stat_item item, long delta)
{
	__atomic_fetch_add(&zone->vm_stat[item], delta, __ATOMIC_RELAXED);
	__atomic_fetch_add(&vm_stat_global[item], delta, __ATOMIC_RELAXED);
}

static inline void count_vm_events(unsigned int cpu, enum vm_event_item item,
				   unsigned long delta)
{
	vm_event_states[cpu].event[item] += delta;
}

unsigned long global_vm_event(enum vm_event_item item);

#endif /* GUEST_MM_MMZONE_H */
