/*
 * Boot of the memory manager, and the per-zone tunables.
 *
 * mm_init() runs once memblock knows RAM and reservations:
 *	sparse_init()		sections and memmaps (no per-page work)
 *	free_area_init()	zone spans and present pages, section->zone;
 *				a zone's free and pcp lists are set up when
 *				it first gets memory (init_currently_empty_zone)
 *	memblock_free_all()	free RAM to the buddy in MAX_ORDER blocks
 *	recalc_memory_tunables()  watermarks, lowmem_reserve, pcp, zonelists
 *	kmem_cache_init(), vmalloc_init()
 *	pgtable_init()		init_mm: the kernel's PML4, its PDPTs fixed
 *	mmap_init()		mm_struct, vm_area_struct caches: on first use
 *
 * Tunables, recomputed whenever managed pages change (hotplug):
 *  - min_free_kbytes = int_sqrt(16 * lowmem_kbytes), clamped [128, 65536],
 *    where lowmem = managed pages of all zones but MOVABLE;
 *  - pages_min of a zone = its share of min_free_kbytes in proportion to
 *    its managed pages (MOVABLE: managed/1024 clamped [32, 128], as Linux
 *    does for zones the kernel cannot use); pages_low = min + min/4,
 *    pages_high = min + min/2;
 *  - lowmem_reserve[j] of zone i < j = managed pages of zones i+1..j of the
 *    node divided by sysctl_lowmem_reserve_ratio[i] (256, 256, 32);
 *  - pcp batch from zone size (Linux's zone_batchsize), high = 6 * batch.
 * They are computed over online nodes only: a node that never had memory
 * has all-zero zones, and boot must not pay for 8 nodes x 4 zones.
 *
 * Boot cost (ring 0 is emulated on our hosts: count instructions, see
 * tests/bench/guest_profile.py): O(sections + MAX_ORDER blocks + reserved
 * pages), about 16k instructions for 256 MiB with known-zero RAM.
 *
 * Zonelists: a node's list holds its own populated zones, highest first,
 * then the other nodes' in node order; allocations walk it from the highest
 * zone the gfp mask allows.
 *
 * Locking: boot is single-CPU; later updates run under mem_hotplug_lock.
 */
#include "mm_internal.h"

bool mm_initialized;			/* buddy usable (memblock closed) */
unsigned long totalram_pages;		/* managed pages, all zones */
unsigned long totalreserve_pages;	/* not available to user space */
int min_free_kbytes = 1024;		/* see the overview */
static int user_min_free_kbytes;	/* written by the user, 0: computed */
int sysctl_lowmem_reserve_ratio[MAX_NR_ZONES] = { 256, 256, 32, 0 };

const char *const zone_names[MAX_NR_ZONES] = {
	"DMA", "DMA32", "Normal", "Movable",
};

const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate",
};

unsigned long int_sqrt(unsigned long x)
{
	unsigned long b, m, y = 0;

	if (x <= 1)
		return x;
	m = 1UL << (__fls_ul(x) & ~1U);
	while (m) {
		b = y + m;
		y >>= 1;
		if (x >= b) {
			x -= b;
			y += m;
		}
		m >>= 2;
	}
	return y;
}

/*
 * First pages for @zone: its free lists and per-CPU lists (Linux's
 * init_currently_empty_zone).  Done here, not for every zone at boot:
 * 8 nodes x 4 zones x 55 list heads is ~15k emulated instructions, and
 * nothing reads the lists of a zone that never had memory.
 */
static void init_currently_empty_zone(struct zone *zone)
{
	zone_init_free_lists(zone);
	zone_pcp_init(zone);		/* sets zone->pcp_ready */
}

/* Grow @zone (and its node) to span [start_pfn, start_pfn + nr_pages). */
void resize_zone_range(struct zone *zone, pfn_t start_pfn,
		       unsigned long nr_pages)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	pfn_t end = start_pfn + nr_pages, s, e;

	if (!zone->pcp_ready)
		init_currently_empty_zone(zone);
	if (!zone->spanned_pages) {
		s = start_pfn;
		e = end;
	} else {
		s = min(zone->zone_start_pfn, start_pfn);
		e = max(zone_end_pfn(zone), end);
	}
	zone->zone_start_pfn = s;
	zone->spanned_pages = e - s;
	if (!pgdat->node_spanned_pages) {
		s = start_pfn;
		e = end;
	} else {
		s = min(pgdat->node_start_pfn, start_pfn);
		e = max(pgdat->node_start_pfn + pgdat->node_spanned_pages,
			end);
	}
	pgdat->node_start_pfn = s;
	pgdat->node_spanned_pages = e - s;
	pgdat->online = true;
}

static enum zone_type boot_zone_type(pfn_t pfn)
{
	if (pfn < DMA_PFN_LIMIT)
		return ZONE_DMA;
	if (pfn < DMA32_PFN_LIMIT)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

/* Account RAM pfns [s, e) (one section, one zone type) to their zone. */
static void account_present(int nid, pfn_t s, pfn_t e)
{
	struct zone *zone = &node_data[nid].node_zones[boot_zone_type(s)];

	zone->present_pages += e - s;
	zone->zone_pgdat->node_present_pages += e - s;
	resize_zone_range(zone, s, e - s);
}

/* Zone pointers of boot section @ms starting at @sec. */
static void set_boot_section_zones(struct mem_section *ms, pfn_t sec)
{
	struct zone *zones = node_data[ms->nid].node_zones;
	enum zone_type t = boot_zone_type(sec);

	if (sec < DMA_PFN_LIMIT)
		set_section_zones(ms, &zones[ZONE_DMA],
				  DMA_PFN_LIMIT - sec, &zones[ZONE_DMA32]);
	else
		set_section_zones(ms, &zones[t], 0, &zones[t]);
	ms->flags |= SECTION_ONLINE;
}

/* Names and back pointers; the lists wait for init_currently_empty_zone. */
static void init_node_structs(void)
{
	int nid;

	for_each_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		pgdat->node_id = nid;
		for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
			pgdat->node_zones[zid].zone_pgdat = pgdat;
			pgdat->node_zones[zid].name = zone_names[zid];
		}
	}
}

/* Boot: zone spans and present pages from memblock; section zones. */
void free_area_init(void)
{
	const struct memblock_type *mem = &memblock.memory;

	init_node_structs();
	for (unsigned int i = 0; i < mem->cnt; i++) {
		const struct memblock_region *r = &mem->regions[i];
		pfn_t pfn = PFN_UP(r->base);
		pfn_t end = PFN_DOWN(r->base + r->size);

		while (pfn < end) {
			pfn_t sec = pfn & PAGE_SECTION_MASK;
			pfn_t e = min(end, sec + PAGES_PER_SECTION);
			struct mem_section *ms = __nr_to_section(
					pfn_to_section_nr(pfn));

			if (pfn < DMA_PFN_LIMIT && e > DMA_PFN_LIMIT)
				e = DMA_PFN_LIMIT;
			if (ms && (ms->flags & SECTION_PRESENT)) {
				account_present(ms->nid, pfn, e);
				set_boot_section_zones(ms, sec);
			}
			pfn = e;
		}
	}
}

static void set_zone_wmarks(struct zone *zone, unsigned long pages_min,
			    unsigned long lowmem_pages)
{
	unsigned long min;

	if (!zone->managed_pages)
		min = 0;
	else if (zone_idx(zone) == ZONE_MOVABLE)
		min = clamp(zone->managed_pages / 1024, 32UL, 128UL);
	else
		min = lowmem_pages ? pages_min * zone->managed_pages /
				     lowmem_pages : 0;
	zone->_watermark[WMARK_MIN] = min;
	zone->_watermark[WMARK_LOW] = min + min / 4;
	zone->_watermark[WMARK_HIGH] = min + min / 2;
}

/* min_free_kbytes from lowmem, then every zone's watermarks. */
void setup_per_zone_wmarks(void)
{
	unsigned long lowmem_pages = 0, kbytes;
	pg_data_t *pgdat;

	for_each_online_pgdat(pgdat)
		for (int z = 0; z < ZONE_MOVABLE; z++)
			lowmem_pages += pgdat->node_zones[z].managed_pages;
	kbytes = lowmem_pages * (PAGE_SIZE >> 10);
	min_free_kbytes = user_min_free_kbytes ? user_min_free_kbytes :
			  (int)clamp(int_sqrt(kbytes * 16), 128UL, 65536UL);
	for_each_online_pgdat(pgdat)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			set_zone_wmarks(&pgdat->node_zones[z],
					(unsigned long)min_free_kbytes >>
					(PAGE_SHIFT - 10), lowmem_pages);
}

/* /proc/sys/vm/min_free_kbytes written: it stays, across hotplug too. */
int set_min_free_kbytes(int kbytes)
{
	if (kbytes < 128 || kbytes > 1048576)
		return -EINVAL;
	user_min_free_kbytes = kbytes;
	setup_per_zone_wmarks();
	calculate_totalreserve_pages();
	return 0;
}

void setup_per_zone_lowmem_reserve(void)
{
	pg_data_t *pgdat;

	for_each_online_pgdat(pgdat) {
		struct zone *zones = pgdat->node_zones;

		for (int i = 0; i < MAX_NR_ZONES; i++) {
			unsigned long managed = 0;
			int ratio = sysctl_lowmem_reserve_ratio[i];
			bool clear = !ratio || !zones[i].managed_pages;

			zones[i].lowmem_reserve[i] = 0;
			for (int j = i + 1; j < MAX_NR_ZONES; j++) {
				managed += zones[j].managed_pages;
				zones[i].lowmem_reserve[j] =
					clear ? 0 : (long)(managed / ratio);
			}
		}
	}
}

/* Pages of @zone kept from user space: its largest reserve + high. */
static unsigned long zone_reserve_pages(const struct zone *zone)
{
	unsigned long max = 0;

	for (int j = zone_idx(zone); j < MAX_NR_ZONES; j++)
		if ((unsigned long)zone->lowmem_reserve[j] > max)
			max = zone->lowmem_reserve[j];
	max += high_wmark_pages(zone);
	return min(max, zone->managed_pages);
}

void calculate_totalreserve_pages(void)
{
	unsigned long total = 0;
	pg_data_t *pgdat;

	for_each_online_pgdat(pgdat)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			total += zone_reserve_pages(&pgdat->node_zones[z]);
	totalreserve_pages = total;
}

static int zone_batchsize(const struct zone *zone)
{
	unsigned long batch = zone->managed_pages / 1024;

	if (batch * PAGE_SIZE > 512 * 1024)
		batch = (512 * 1024) / PAGE_SIZE;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	batch = (1UL << __fls_ul(batch + batch / 2)) - 1;
	return (int)batch;
}

/* pcp high/batch from the zone's size (counts are untouched). */
void zone_pcp_update(struct zone *zone)
{
	int batch;

	if (!zone->pcp_ready)
		return;
	batch = zone_batchsize(zone);

	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		zone->pcp[cpu].high = 6 * batch;
		zone->pcp[cpu].batch = max(1, batch);
	}
}

/*
 * Every node's zonelist (memoryless nodes too: a CPU may sit on one): own
 * zones first, highest zone first, then the other online nodes' in node
 * order. The populated zones of all nodes are collected once, in node
 * order; node @nid's list is that sequence rotated to start at @nid, so a
 * rebuild costs O(nodes + zones), not O(nodes^2 x zones).
 */
void build_all_zonelists(void)
{
	struct zoneref all[MAX_ZONELIST];
	int first[MAX_NUMNODES + 1], n = 0, nid;

	for_each_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		first[nid] = n;
		if (!pgdat->online)
			continue;
		for (int zid = MAX_NR_ZONES - 1; zid >= 0; zid--) {
			if (!populated_zone(&pgdat->node_zones[zid]))
				continue;
			all[n].zone = &pgdat->node_zones[zid];
			all[n].zone_idx = zid;
			n++;
		}
	}
	first[MAX_NUMNODES] = n;
	for_each_node(nid) {
		struct zoneref *zr = NODE_DATA(nid)->node_zonelist;
		int k = n - first[nid];

		memcpy(zr, &all[first[nid]], k * sizeof(*zr));
		memcpy(zr + k, all, first[nid] * sizeof(*zr));
		zr[n].zone = NULL;
		zr[n].zone_idx = 0;
	}
}

/*
 * After managed pages changed: everything derived from them. The caller
 * rebuilds the zonelists (build_all_zonelists) only when a zone became
 * populated or empty, as Linux's online_pages does.
 */
void recalc_memory_tunables(void)
{
	pg_data_t *pgdat;

	setup_per_zone_wmarks();
	setup_per_zone_lowmem_reserve();
	calculate_totalreserve_pages();
	for_each_online_pgdat(pgdat)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			zone_pcp_update(&pgdat->node_zones[z]);
}

/* Bring up the memory manager; see the overview. */
void mm_init(void)
{
	sparse_init();
	free_area_init();
	memblock_free_all();
	mm_initialized = true;
	recalc_memory_tunables();
	build_all_zonelists();
	kmem_cache_init();
	vmalloc_init();
	pgtable_init();
	mmap_init();
	mm_log(MM_LOG_INFO, "Memory: %luK available, min_free_kbytes %d",
	       totalram_pages << (PAGE_SHIFT - 10), min_free_kbytes);
}

void dump_page(const struct page *page, const char *reason)
{
	mm_log(MM_LOG_ERR, "page:%p pfn:%#lx count:%d mapcount:%d "
	       "mapping:%p index:%#lx private:%#lx flags:%#lx (%s)",
	       (const void *)page, page_to_pfn(page), page->_count,
	       page->_mapcount, (void *)page->mapping, page->index,
	       page->private, page->flags, reason);
}

#ifdef MM_HOST
void mm_host_reset(void)
{
	memblock_host_reset();
	sparse_host_reset();
	page_alloc_host_reset();
	slab_host_reset();
	vmalloc_host_reset();
	swap_host_reset();
	filemap_host_reset();
	INIT_LIST_HEAD(&mmlist);
	mm_initialized = false;
	totalram_pages = 0;
	totalreserve_pages = 0;
	min_free_kbytes = 1024;
	user_min_free_kbytes = 0;
}
#endif
