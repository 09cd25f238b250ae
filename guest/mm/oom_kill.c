/*
 * The OOM killer's choice, as Linux's mm/oom_kill.c: which task to kill
 * when an allocation cannot be satisfied, and the memory report printed
 * before the kill.  The kill itself, the task list and the log lines about
 * tasks are the kernel's (kernel/oom.c): guest/mm knows no tasks.
 *
 * Badness (oom_badness): the pages a kill would free -- resident pages,
 * swap entries, page-table pages -- plus oom_score_adj thousandths of all
 * memory (RAM + swap), so adj 1000 makes a task the first victim and
 * -1000 exempts it (LONG_MIN).  The victim is the task with the largest
 * badness; on a tie the later task in the scan, as Linux's
 * oom_evaluate_task (points >= chosen replaces).  /proc/PID/oom_score is
 * (1000 + badness * 1000 / totalpages) * 2 / 3, as Linux >= 5.9 prints
 * it (0 for an exempt task, ~667 for one holding all memory at adj 0).
 *
 * show_mem(): Linux's "Mem-Info:" block: the global counters, then per
 * zone its free pages and watermarks in kB, the lowmem reserves, and the
 * free blocks per order.
 *
 * Locking: none; callers hold what they need (the task list is stable in
 * a non-preemptible kernel).
 */
#include "mm_internal.h"

#define LONG_MIN_	(-__LONG_MAX__ - 1)
#define K(x)		((x) << (PAGE_SHIFT - 10))

unsigned long oom_totalpages(void)
{
	unsigned long swap, free;

	si_swapinfo(&swap, &free);
	return totalram_pages + swap;
}

long oom_badness(const struct oom_candidate *c, unsigned long totalpages)
{
	long points, adj = c->oom_score_adj;

	if (adj <= OOM_SCORE_ADJ_MIN)
		return LONG_MIN_;
	points = (long)(c->rss + c->swapents + c->pgtables);
	adj *= (long)(totalpages / 1000);
	return points + adj;
}

unsigned long oom_score(const struct oom_candidate *c,
			unsigned long totalpages)
{
	long badness = oom_badness(c, totalpages);

	if (badness == LONG_MIN_ || !totalpages)
		return 0;
	badness = (1000 + badness * 1000 / (long)totalpages) * 2 / 3;
	return badness < 0 ? 0 : (unsigned long)badness;
}

int oom_select(const struct oom_candidate *c, unsigned int n,
	       unsigned long totalpages)
{
	long chosen_points = LONG_MIN_;
	int chosen = -1;

	for (unsigned int i = 0; i < n; i++) {
		long points = oom_badness(&c[i], totalpages);

		if (points == LONG_MIN_ || points < chosen_points)
			continue;
		chosen = (int)i;
		chosen_points = points;
	}
	return chosen;
}

static void show_zone(struct zone *zone)
{
	char buf[160];
	struct mm_seq s = { .buf = buf, .size = sizeof(buf) };

	mm_log(MM_LOG_WARN, "Node %d %s free:%lukB boost:0kB min:%lukB low:%lukB "
	       "high:%lukB reserved_highatomic:0KB active_anon:%lukB "
	       "inactive_anon:%lukB present:%lukB managed:%lukB",
	       zone->zone_pgdat->node_id, zone->name,
	       K(zone_page_state(zone, NR_FREE_PAGES)),
	       K(min_wmark_pages(zone)), K(low_wmark_pages(zone)),
	       K(high_wmark_pages(zone)),
	       K(zone_page_state(zone, NR_ZONE_ACTIVE_ANON)),
	       K(zone_page_state(zone, NR_ZONE_INACTIVE_ANON)),
	       K(zone->present_pages), K(zone->managed_pages));
	mm_seq_printf(&s, "lowmem_reserve[]:");
	for (int i = 0; i < MAX_NR_ZONES; i++)
		mm_seq_printf(&s, " %ld", zone->lowmem_reserve[i]);
	mm_log(MM_LOG_WARN, "%s", buf);
}

static void show_zone_blocks(struct zone *zone)
{
	char buf[256];
	struct mm_seq s = { .buf = buf, .size = sizeof(buf) };
	unsigned long total = 0;

	mm_seq_printf(&s, "Node %d %s:", zone->zone_pgdat->node_id, zone->name);
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		unsigned long nr = zone->free_area[o].nr_free;

		mm_seq_printf(&s, " %lu*%lukB", nr, K(1UL << o));
		total += nr << o;
	}
	mm_seq_printf(&s, " = %lukB", K(total));
	mm_log(MM_LOG_WARN, "%s", buf);
}

void show_mem(void)
{
	struct zone *zone;

	mm_log(MM_LOG_WARN, "Mem-Info:");
	mm_log(MM_LOG_WARN, "active_anon:%lu inactive_anon:%lu isolated_anon:%lu",
	       global_page_state(NR_ACTIVE_ANON),
	       global_page_state(NR_INACTIVE_ANON),
	       global_page_state(NR_ISOLATED_ANON));
	mm_log(MM_LOG_WARN, " slab_reclaimable:%lu slab_unreclaimable:%lu",
	       global_page_state(NR_SLAB_RECLAIMABLE),
	       global_page_state(NR_SLAB_UNRECLAIMABLE));
	mm_log(MM_LOG_WARN, " mapped:%lu shmem:%lu pagetables:%lu",
	       global_page_state(NR_FILE_MAPPED), global_page_state(NR_SHMEM),
	       global_page_state(NR_PAGETABLE));
	mm_log(MM_LOG_WARN, " free:%lu free_pcp:0 free_cma:0",
	       global_page_state(NR_FREE_PAGES));
	for_each_zone(zone)
		if (populated_zone(zone))
			show_zone(zone);
	for_each_zone(zone)
		if (populated_zone(zone))
			show_zone_blocks(zone);
	mm_log(MM_LOG_WARN, "%lu pages RAM", totalram_pages);
}
