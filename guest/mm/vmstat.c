/*
 * The memory manager's /proc files, in Linux's formats (those of Linux
 * 5.15's mm/vmstat.c and fs/proc/meminfo.c), written into a caller's
 * buffer: /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo,
 * /proc/meminfo, /proc/vmstat.  (/proc/slabinfo is in slab.c,
 * /proc/vmallocinfo in vmalloc.c.)
 *
 * Counters we do not have yet (the swap cache, dirty and mapped file pages)
 * print as 0 so parsers of Linux's files keep working.  Cached is the page
 * cache of block devices (filemap.c; Buffers stays 0: Linux counts a block
 * device's cache there, we count it as Cached, as the issue asks); pgpgin
 * counts the KiB the page cache read (not swap-ins).  Two
 * memvisor counters follow Linux's in /proc/vmstat: pgzero_skipped and
 * pgzero_cleared (pages handed out for __GFP_ZERO that were known zero /
 * had to be cleared), and mthp_fault_alloc_64kb (64 KiB anonymous chunks
 * faulted in, memory.c).  thp_swpin and thp_swpin_fallback count 2 MiB
 * swap entries read back whole or split (memory.c; Linux keeps these as
 * the per-size mTHP stats swpin and swpin_fallback).
 * nr_anon_transparent_hugepages counts THPs, as Linux prints it; the
 * counter itself is in pages.
 *
 * Output uses struct mm_seq: snprintf semantics, so a caller learns the
 * full length when its buffer was too small.
 *
 * Locking: reads counters locklessly (each is exact at any instant; the
 * set may be skewed by concurrent updates, as in Linux); free list
 * lengths are counted under zone->lock.
 */
#include "mm_internal.h"

static const char *const vm_stat_names[NR_VM_STAT_ITEMS] = {
	"nr_free_pages", "nr_zone_inactive_anon", "nr_zone_active_anon",
	"nr_zone_inactive_file", "nr_zone_active_file",
	"nr_zone_unevictable", "nr_zone_write_pending", "nr_mlock",
	"nr_bounce", "nr_zspages", "nr_free_cma",
	"nr_inactive_anon", "nr_active_anon", "nr_inactive_file",
	"nr_active_file", "nr_unevictable", "nr_slab_reclaimable",
	"nr_slab_unreclaimable", "nr_isolated_anon", "nr_isolated_file",
	"nr_anon_pages", "nr_mapped", "nr_file_pages", "nr_dirty",
	"nr_writeback", "nr_shmem", "nr_anon_transparent_hugepages",
	"nr_kernel_stack", "nr_page_table_pages", "nr_swapcached",
};

static const char *const vm_event_names[NR_VM_EVENT_ITEMS] = {
	"pgpgin", "pgpgout", "pswpin", "pswpout",
	"pgalloc_dma", "pgalloc_dma32", "pgalloc_normal", "pgalloc_movable",
	"allocstall_normal",
	"pgfree", "pgactivate", "pgdeactivate", "pgfault", "pgmajfault",
	"pgsteal_kswapd", "pgsteal_direct", "pgscan_kswapd", "pgscan_direct",
	"pageoutrun",
	"pgmigrate_success", "pgmigrate_fail",
	"thp_fault_alloc", "thp_fault_fallback", "thp_split_pmd",
	"thp_swpin", "thp_swpin_fallback",
	"pgzero_skipped", "pgzero_cleared", "mthp_fault_alloc_64kb",
	"balloon_inflate", "balloon_deflate", "oom_kill",
	"workingset_refault_file", "swapcache_clean_drop",
};

void mm_seq_printf(struct mm_seq *s, const char *fmt, ...)
{
	size_t room = s->len < s->size ? s->size - s->len : 0;
	char dummy[1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? s->buf + s->len : dummy, room ? room : 1,
			 fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n;
}

int mm_seq_result(const struct mm_seq *s)
{
	if (s->size && s->len < s->size)
		s->buf[s->len] = '\0';
	return (int)s->len;
}

static bool node_has_memory(const pg_data_t *pgdat)
{
	return pgdat->node_present_pages != 0;
}

int mm_show_buddyinfo(char *buf, size_t len)
{
	struct mm_seq s = { buf, len, 0 };
	int nid;

	for_each_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &pgdat->node_zones[z];

			if (!populated_zone(zone))
				continue;
			mm_seq_printf(&s, "Node %d, zone %8s ", nid, zone->name);
			for (int o = 0; o < MAX_ORDER; o++)
				mm_seq_printf(&s, "%6lu ",
					   zone->free_area[o].nr_free);
			mm_seq_printf(&s, "\n");
		}
	}
	return mm_seq_result(&s);
}

static void pagetype_free_rows(struct mm_seq *s, struct zone *zone, int nid)
{
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
		mm_seq_printf(s, "Node %4d, zone %8s, type %12s ", nid,
			   zone->name, migratetype_names[mt]);
		for (int o = 0; o < MAX_ORDER; o++) {
			unsigned long n = 0;
			struct list_head *pos;

			list_for_each(pos, &zone->free_area[o].free_list[mt])
				if (++n >= 100000)
					break;
			mm_seq_printf(s, "%s%6lu ", n >= 100000 ? ">" : "", n);
		}
		mm_seq_printf(s, "\n");
	}
	spin_unlock_irqrestore(&zone->lock, flags);
}

static void pagetype_block_row(struct mm_seq *s, struct zone *zone, int nid)
{
	unsigned long count[MIGRATE_TYPES] = { 0 };

	for (pfn_t pfn = ALIGN_DOWN(zone->zone_start_pfn, pageblock_nr_pages);
	     pfn < zone_end_pfn(zone); pfn += pageblock_nr_pages) {
		const struct mem_section *ms =
			__nr_to_section(pfn_to_section_nr(pfn));
		unsigned long off = pfn & ~PAGE_SECTION_MASK;
		int mt;

		if (!ms || !(ms->flags & SECTION_ONLINE) ||
		    off >= ms->valid_end ||
		    off + pageblock_nr_pages <= ms->valid_start ||
		    (off >= ms->zone_split ? ms->zone : ms->zone_low) != zone)
			continue;
		mt = get_pfnblock_migratetype(ms, pfn);
		if (mt < MIGRATE_TYPES)
			count[mt]++;
	}
	mm_seq_printf(s, "Node %d, zone %8s ", nid, zone->name);
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		mm_seq_printf(s, "%12lu ", count[mt]);
	mm_seq_printf(s, "\n");
}

int mm_show_pagetypeinfo(char *buf, size_t len)
{
	struct mm_seq s = { buf, len, 0 };
	int nid;

	for_each_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		if (!node_has_memory(pgdat))
			continue;
		mm_seq_printf(&s, "Page block order: %d\n", pageblock_order);
		mm_seq_printf(&s, "Pages per block:  %lu\n\n",
			   pageblock_nr_pages);
		mm_seq_printf(&s, "%-43s ",
			   "Free pages count per migrate type at order");
		for (int o = 0; o < MAX_ORDER; o++)
			mm_seq_printf(&s, "%6d ", o);
		mm_seq_printf(&s, "\n");
		for (int z = 0; z < MAX_NR_ZONES; z++)
			if (populated_zone(&pgdat->node_zones[z]))
				pagetype_free_rows(&s, &pgdat->node_zones[z],
						   nid);
		mm_seq_printf(&s, "\n%-23s", "Number of blocks type ");
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			mm_seq_printf(&s, "%12s ", migratetype_names[mt]);
		mm_seq_printf(&s, "\n");
		for (int z = 0; z < MAX_NR_ZONES; z++)
			if (populated_zone(&pgdat->node_zones[z]))
				pagetype_block_row(&s, &pgdat->node_zones[z],
						   nid);
	}
	return mm_seq_result(&s);
}

static unsigned long node_page_state(const pg_data_t *pgdat,
				     enum vm_stat_item item)
{
	unsigned long sum = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		sum += zone_page_state(&pgdat->node_zones[z], item);
	return sum;
}

static void zoneinfo_pagesets(struct mm_seq *s, const struct zone *zone)
{
	mm_seq_printf(s, "\n  pagesets");
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		const struct per_cpu_pages *pcp = &zone->pcp[cpu];

		if (!(cpu_online_mask & (1UL << cpu)))
			continue;
		mm_seq_printf(s, "\n    cpu: %i"
			   "\n              count: %i"
			   "\n              high:  %i"
			   "\n              batch: %i",
			   cpu, pcp->count, pcp->high, pcp->batch);
		mm_seq_printf(s, "\n  vm stats threshold: %d", 0);
	}
}

static void zoneinfo_zone(struct mm_seq *s, pg_data_t *pgdat,
			  struct zone *zone, bool first)
{
	mm_seq_printf(s, "Node %d, zone %8s", pgdat->node_id, zone->name);
	if (first) {
		mm_seq_printf(s, "\n  per-node stats");
		for (int i = NR_VM_ZONE_STAT_ITEMS; i < NR_VM_STAT_ITEMS; i++)
			mm_seq_printf(s, "\n      %-12s %lu", vm_stat_names[i],
				   node_page_state(pgdat, i) >>
				   (i == NR_ANON_THPS ? HPAGE_PMD_ORDER : 0));
	}
	mm_seq_printf(s, "\n  pages free     %lu"
		   "\n        boost    %lu"
		   "\n        min      %lu"
		   "\n        low      %lu"
		   "\n        high     %lu"
		   "\n        spanned  %lu"
		   "\n        present  %lu"
		   "\n        managed  %lu"
		   "\n        cma      %lu",
		   zone_page_state(zone, NR_FREE_PAGES), 0UL,
		   min_wmark_pages(zone), low_wmark_pages(zone),
		   high_wmark_pages(zone), zone->spanned_pages,
		   zone->present_pages, zone->managed_pages, 0UL);
	mm_seq_printf(s, "\n        protection: (%ld", zone->lowmem_reserve[0]);
	for (int i = 1; i < MAX_NR_ZONES; i++)
		mm_seq_printf(s, ", %ld", zone->lowmem_reserve[i]);
	mm_seq_printf(s, ")");
	if (!populated_zone(zone)) {
		mm_seq_printf(s, "\n");
		return;
	}
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		mm_seq_printf(s, "\n      %-12s %lu", vm_stat_names[i],
			   zone_page_state(zone, i));
	zoneinfo_pagesets(s, zone);
	mm_seq_printf(s, "\n  node_unreclaimable:  %u"
		   "\n  start_pfn:           %lu\n", 0U, zone->zone_start_pfn);
}

int mm_show_zoneinfo(char *buf, size_t len)
{
	struct mm_seq s = { buf, len, 0 };
	int nid;

	for_each_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);
		bool first = true;

		if (!pgdat->online)
			continue;
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &pgdat->node_zones[z];

			zoneinfo_zone(&s, pgdat, zone,
				      first && populated_zone(zone));
			if (populated_zone(zone))
				first = false;
		}
	}
	return mm_seq_result(&s);
}

/* Linux's si_mem_available(). */
long si_mem_available(void)
{
	unsigned long wmark_low = 0, pagecache, reclaimable;
	struct zone *zone;
	long available;

	for_each_zone(zone)
		wmark_low += low_wmark_pages(zone);
	available = (long)global_page_state(NR_FREE_PAGES) -
		    (long)totalreserve_pages;
	pagecache = global_page_state(NR_ACTIVE_FILE) +
		    global_page_state(NR_INACTIVE_FILE);
	pagecache -= min(pagecache / 2, wmark_low);
	available += (long)pagecache;
	reclaimable = global_page_state(NR_SLAB_RECLAIMABLE);
	available += (long)(reclaimable - min(reclaimable / 2, wmark_low));
	return available < 0 ? 0 : available;
}

static void show_val_kb(struct mm_seq *s, const char *name,
			unsigned long pages)
{
	mm_seq_printf(s, "%-16s%8lu kB\n", name, pages << (PAGE_SHIFT - 10));
}

static void meminfo_lru(struct mm_seq *s)
{
	unsigned long ia = global_page_state(NR_INACTIVE_ANON);
	unsigned long aa = global_page_state(NR_ACTIVE_ANON);
	unsigned long i_f = global_page_state(NR_INACTIVE_FILE);
	unsigned long af = global_page_state(NR_ACTIVE_FILE);

	show_val_kb(s, "Active:", aa + af);
	show_val_kb(s, "Inactive:", ia + i_f);
	show_val_kb(s, "Active(anon):", aa);
	show_val_kb(s, "Inactive(anon):", ia);
	show_val_kb(s, "Active(file):", af);
	show_val_kb(s, "Inactive(file):", i_f);
	show_val_kb(s, "Unevictable:", global_page_state(NR_UNEVICTABLE));
	show_val_kb(s, "Mlocked:", global_page_state(NR_MLOCK));
}

int mm_show_meminfo(char *buf, size_t len)
{
	struct mm_seq s = { buf, len, 0 };
	unsigned long sr = global_page_state(NR_SLAB_RECLAIMABLE);
	unsigned long su = global_page_state(NR_SLAB_UNRECLAIMABLE);
	unsigned long swap_total, swap_free;

	show_val_kb(&s, "MemTotal:", totalram_pages);
	show_val_kb(&s, "MemFree:", global_page_state(NR_FREE_PAGES));
	show_val_kb(&s, "MemAvailable:", (unsigned long)si_mem_available());
	show_val_kb(&s, "Buffers:", 0);
	show_val_kb(&s, "Cached:", global_page_state(NR_FILE_PAGES));
	show_val_kb(&s, "SwapCached:", global_page_state(NR_SWAPCACHE));
	meminfo_lru(&s);
	si_swapinfo(&swap_total, &swap_free);
	show_val_kb(&s, "SwapTotal:", swap_total);
	show_val_kb(&s, "SwapFree:", swap_free);
	show_val_kb(&s, "Dirty:", global_page_state(NR_FILE_DIRTY));
	show_val_kb(&s, "Writeback:", global_page_state(NR_WRITEBACK));
	show_val_kb(&s, "AnonPages:", global_page_state(NR_ANON_MAPPED));
	show_val_kb(&s, "Mapped:", global_page_state(NR_FILE_MAPPED));
	show_val_kb(&s, "Shmem:", global_page_state(NR_SHMEM));
	show_val_kb(&s, "KReclaimable:", sr);
	show_val_kb(&s, "Slab:", sr + su);
	show_val_kb(&s, "SReclaimable:", sr);
	show_val_kb(&s, "SUnreclaim:", su);
	mm_seq_printf(&s, "%-16s%8lu kB\n", "KernelStack:",
		   global_page_state(NR_KERNEL_STACK_KB));
	show_val_kb(&s, "PageTables:", global_page_state(NR_PAGETABLE));
	show_val_kb(&s, "NFS_Unstable:", 0);
	show_val_kb(&s, "Bounce:", global_page_state(NR_BOUNCE));
	show_val_kb(&s, "WritebackTmp:", 0);
	show_val_kb(&s, "CommitLimit:", totalram_pages / 2);
	show_val_kb(&s, "Committed_AS:", 0);
	mm_seq_printf(&s, "%-16s%8lu kB\n", "VmallocTotal:",
		   (VMALLOC_END - VMALLOC_START) >> 10);
	show_val_kb(&s, "VmallocUsed:", vmalloc_nr_pages());
	show_val_kb(&s, "VmallocChunk:", 0);
	show_val_kb(&s, "Percpu:", 0);
	mm_seq_printf(&s, "HardwareCorrupted: %5lu kB\n", 0UL);
	show_val_kb(&s, "AnonHugePages:", global_page_state(NR_ANON_THPS));
	show_val_kb(&s, "ShmemHugePages:", 0);
	show_val_kb(&s, "ShmemPmdMapped:", 0);
	show_val_kb(&s, "FileHugePages:", 0);
	show_val_kb(&s, "FilePmdMapped:", 0);
	mm_seq_printf(&s, "HugePages_Total:   %5lu\nHugePages_Free:    %5lu\n"
		   "HugePages_Rsvd:    %5lu\nHugePages_Surp:    %5lu\n"
		   "Hugepagesize:   %8lu kB\n", 0UL, 0UL, 0UL, 0UL, 2048UL);
	show_val_kb(&s, "Hugetlb:", 0);
	return mm_seq_result(&s);
}

int mm_show_vmstat(char *buf, size_t len)
{
	struct mm_seq s = { buf, len, 0 };

	for (int i = 0; i < NR_VM_STAT_ITEMS; i++)	/* THPs in THP units */
		mm_seq_printf(&s, "%s %lu\n", vm_stat_names[i],
			   global_page_state(i) >>
			   (i == NR_ANON_THPS ? HPAGE_PMD_ORDER : 0));
	mm_seq_printf(&s, "nr_dirty_threshold %lu\n",
		   global_page_state(NR_FREE_PAGES) / 5);
	mm_seq_printf(&s, "nr_dirty_background_threshold %lu\n",
		   global_page_state(NR_FREE_PAGES) / 10);
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		mm_seq_printf(&s, "%s %lu\n", vm_event_names[i],
			   global_vm_event(i));
	mm_seq_printf(&s, "nr_unstable 0\n");
	return mm_seq_result(&s);
}
