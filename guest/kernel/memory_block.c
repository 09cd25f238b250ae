/*
 * Memory blocks: adding, onlining, offlining and removing 128 MiB blocks
 * of hot-pluggable memory, on top of guest/mm's section and zone API.
 *
 * The phases, as Linux keeps them apart:
 *	add_memory()		map in the direct map (2 MiB or 1 GiB
 *				entries), sparse_add_section() per block with
 *				the memmap in the block's first 2 MiB, then
 *				online per mhp_default_online_type
 *	online_blocks()		online_pages() once per run of blocks that go
 *				to the same zone (one zone rebuild per run)
 *	offline_and_remove_memory()
 *				offline_pages() per run of online blocks of
 *				one zone (isolate, migrate, out of the buddy),
 *				then sparse_remove_section() per block
 * No step touches a struct page per page: add and online are O(blocks),
 * offline is O(pages in use) because of migration.
 *
 * State: nothing of our own. A block's state is its mem_section's: present
 * (SECTION_PRESENT), online (SECTION_ONLINE), its zone (->zone) and
 * whether it was hot-added (SECTION_MEMMAP_ON_MEM). So sysfs, the ACPI
 * driver and guest/mm can never disagree.
 *
 * Rollback: a failed offline of a DIMM onlines again, into the zone each
 * had, the runs this call offlined; a failed add removes the sections it
 * added. The direct map entries stay (harmless: nothing refers to them, and
 * a later DIMM at the same address reuses them: mapped_blocks remembers
 * which blocks need no page-table walk).
 *
 * Locking: callers are in process context, one at a time (the shell and
 * the deferred-work runner are the same context); guest/mm takes its
 * mem_hotplug_lock inside each call.
 */
#include "kernel/memory_block.h"
#include "mm/mm.h"
#include "arch/x86/mmu.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "kernel/tsc.h"

enum mmop mhp_default_online_type = MMOP_ONLINE_MOVABLE;

static const char *const mmop_names[] = {
	[MMOP_OFFLINE] = "offline",
	[MMOP_ONLINE] = "online",
	[MMOP_ONLINE_KERNEL] = "online_kernel",
	[MMOP_ONLINE_MOVABLE] = "online_movable",
};

const char *mmop_to_str(enum mmop type)
{
	return (unsigned int)type < ARRAY_SIZE(mmop_names) ?
	       mmop_names[type] : "?";
}

int mhp_online_type_from_str(const char *str)
{
	size_t len = strlen(str);
	unsigned int i;

	if (len && str[len - 1] == '\n')
		len--;
	for (i = 0; i < ARRAY_SIZE(mmop_names); i++)
		if (strlen(mmop_names[i]) == len &&
		    !strncmp(mmop_names[i], str, len))
			return (int)i;
	return -EINVAL;
}

/* ------------------------------------------------------------ timing */

/*
 * Timings are raw TSC cycles while the work runs (an RDTSC is all it
 * costs) and become nanoseconds only when logged, after the VMM has its
 * answer: the first conversion calibrates the TSC (kernel/tsc.c).
 * MS_FMT/MS_ARG print them as "12.345 ms".
 */
#define MS_FMT "%lu.%03lu ms"
#define MS_ARG(cyc) (unsigned long)(tsc_cycles_to_ns(cyc) / 1000000), \
		    (unsigned long)(tsc_cycles_to_ns(cyc) / 1000 % 1000)

/* ------------------------------------------------------------ blocks */

static pfn_t block_pfn(unsigned long nr)
{
	return section_nr_to_pfn(nr);
}

/* The block's section if present, else NULL. */
static struct mem_section *block_section(unsigned long nr)
{
	struct mem_section *ms = __nr_to_section(nr);

	return ms && (ms->flags & SECTION_PRESENT) ? ms : NULL;
}

/* The zone a block onlined as @type goes to. */
static enum zone_type zone_for(enum mmop type, unsigned long nr)
{
	if (type == MMOP_ONLINE_MOVABLE)
		return ZONE_MOVABLE;
	return block_pfn(nr + 1) <= DMA32_PFN_LIMIT ? ZONE_DMA32 : ZONE_NORMAL;
}

/* Online the offline blocks [first, first + nr), each into the zone @type
 * gives it, with one online_pages() per run of the same zone. On failure
 * the runs onlined so far (empty: nothing used them yet) go offline again. */
static int online_blocks(unsigned long first, unsigned long nr,
			 enum mmop type)
{
	unsigned long b = first, end = first + nr, run;
	enum zone_type zid;
	int ret;

	while (b < end) {
		zid = zone_for(type, b);
		for (run = 1; b + run < end && zone_for(type, b + run) == zid;)
			run++;
		ret = online_pages(block_pfn(b), run * PAGES_PER_SECTION, zid);
		if (ret) {
			for (; b > first; b--)
				offline_pages(block_pfn(b - 1), PAGES_PER_SECTION);
			return ret;
		}
		b += run;
	}
	return 0;
}

/* Zone index of online block @b, or -1 if offline or split between two. */
static int online_zone(unsigned long b)
{
	struct mem_section *ms = block_section(b);

	if (!ms || !(ms->flags & SECTION_ONLINE) || ms->zone_split)
		return -1;
	return zone_idx(ms->zone);
}

int memory_block_online(unsigned long nr, enum mmop online_type)
{
	struct mem_section *ms = block_section(nr);

	if (!ms || online_type == MMOP_OFFLINE)
		return -EINVAL;
	if (ms->flags & SECTION_ONLINE)
		return 0;
	return online_blocks(nr, 1, online_type);
}

int memory_block_offline(unsigned long nr)
{
	struct mem_section *ms = block_section(nr);

	if (!ms)
		return -EINVAL;
	if (!(ms->flags & SECTION_ONLINE))
		return 0;
	return offline_pages(block_pfn(nr), PAGES_PER_SECTION);
}

void memory_block_info(unsigned long nr, struct memory_block_info *info)
{
	struct mem_section *ms = block_section(nr);

	*info = (struct memory_block_info){ .zone = -1 };
	if (!ms)
		return;
	info->present = true;
	info->online = ms->flags & SECTION_ONLINE;
	info->hotplugged = ms->flags & SECTION_MEMMAP_ON_MEM;
	info->nid = ms->nid;
	if (info->online)
		info->zone = online_zone(nr);
}

unsigned long memory_block_next(unsigned long nr)
{
	for (; nr < NR_MEM_SECTIONS; nr++) {
		if (!mem_section[nr / SECTIONS_PER_ROOT]) {
			nr |= SECTIONS_PER_ROOT - 1;
			continue;
		}
		if (block_section(nr))
			return nr;
	}
	return MEMORY_BLOCK_NONE;
}

bool memory_block_removable(unsigned long nr)
{
	struct mem_section *ms = block_section(nr);
	pfn_t bad;

	if (!ms || !(ms->flags & SECTION_ONLINE))
		return true;
	return !has_unmovable_pages(block_pfn(nr), block_pfn(nr + 1), &bad);
}

/* ------------------------------------------------------------ add */

static void remove_sections(unsigned long first, unsigned long nr)
{
	for (unsigned long b = first; b < first + nr; b++)
		sparse_remove_section(block_pfn(b));
}

static int add_sections(int nid, unsigned long first, unsigned long nr)
{
	int ret;

	for (unsigned long b = first; b < first + nr; b++) {
		ret = sparse_add_section(nid, block_pfn(b), MEMMAP_ON_MEMORY);
		if (ret) {
			remove_sections(first, b - first);
			return ret;
		}
	}
	return 0;
}

/* Blocks already in the direct map: its entries stay when memory goes
 * (nothing refers to them), so a DIMM plugged again at the same address
 * needs no page-table walk. */
#define MAPPED_WORDS (DIRECT_MAP_SIZE / MEMORY_BLOCK_SIZE / 64)
static uint64_t mapped_blocks[MAPPED_WORDS];

static bool block_mapped(unsigned long b)
{
	return mapped_blocks[b / 64] & (1ull << (b % 64));
}

static void map_blocks(unsigned long first, unsigned long nr)
{
	unsigned long b;

	for (b = first; b < first + nr && block_mapped(b); b++)
		;
	if (b == first + nr)
		return;
	mmu_map_direct((phys_addr_t)first << MEMORY_BLOCK_SHIFT,
		       (phys_addr_t)(first + nr) << MEMORY_BLOCK_SHIFT);
	for (b = first; b < first + nr; b++)
		mapped_blocks[b / 64] |= 1ull << (b % 64);
}

static bool range_ok(phys_addr_t start, uint64_t size)
{
	return size && !((start | size) & (MEMORY_BLOCK_SIZE - 1)) &&
	       start + size <= DIRECT_MAP_SIZE;
}

/* Log what add_memory() did: after the caller has answered the VMM, since
 * formatting a line costs about a millisecond of emulated ring 0 here. */
void mhp_log_add(int nid, phys_addr_t start, uint64_t size, enum mmop online_type,
		 const struct mhp_add_stats *st)
{
	unsigned long first = start >> MEMORY_BLOCK_SHIFT;
	unsigned long nr = size >> MEMORY_BLOCK_SHIFT;

	pr_info("memory: hot-add [mem %#lx-%#lx] node %d: %lu block(s), memmap %luK on the memory itself, in " MS_FMT "\n",
		(unsigned long)start, (unsigned long)(start + size - 1), nid, nr,
		nr * (SECTION_MEMMAP_PAGES << (PAGE_SHIFT - 10)), MS_ARG(st->add_cycles));
	if (online_type != MMOP_OFFLINE)
		pr_info("memory: online blocks %lu-%lu node %d zone %s (%s) in " MS_FMT "\n",
			first, first + nr - 1, nid,
			zone_names[zone_for(online_type, first)],
			mmop_to_str(online_type), MS_ARG(st->online_cycles));
}

int add_memory(int nid, phys_addr_t start, uint64_t size, enum mmop online_type,
	       struct mhp_add_stats *st)
{
	unsigned long first = start >> MEMORY_BLOCK_SHIFT;
	unsigned long nr = size >> MEMORY_BLOCK_SHIFT;
	uint64_t t0 = rdtsc(), t1;
	int ret;

	if (!range_ok(start, size) || nid < 0 || nid >= MAX_NUMNODES)
		return -EINVAL;
	map_blocks(first, nr);
	ret = add_sections(nid, first, nr);
	if (ret)
		return ret;
	t1 = rdtsc();
	st->add_cycles = t1 - t0;
	st->online_cycles = 0;
	if (online_type == MMOP_OFFLINE)
		return 0;
	ret = online_blocks(first, nr, online_type);
	if (ret) {
		remove_sections(first, nr);
		pr_warn("memory: onlining [mem %#lx-%#lx] failed (%d), removed again\n",
			(unsigned long)start, (unsigned long)(start + size - 1), ret);
		return ret;
	}
	st->online_cycles = rdtsc() - t1;
	return 0;
}

/* ------------------------------------------------------------ remove */

/* The online run starting at or after *@b, below @end: its first block in
 * *@b, length returned (0 if none left); *@zid its zone. */
static unsigned long next_online_run(unsigned long *b, unsigned long end,
				     int *zid)
{
	unsigned long run = 0;

	while (*b < end && !(block_section(*b)->flags & SECTION_ONLINE))
		(*b)++;
	if (*b == end)
		return 0;
	*zid = online_zone(*b);
	while (*b + run < end && (block_section(*b + run)->flags & SECTION_ONLINE) &&
	       online_zone(*b + run) == *zid)
		run++;
	return run;
}

/* Online again what offline_blocks() took down before it failed at @stop:
 * every block of [first, stop) with a zone recorded in @zids. */
static void rollback_offline(unsigned long first, unsigned long stop,
			     const int *zids)
{
	for (unsigned long b = first; b < stop; b++)
		if (zids[b - first] >= 0 &&
		    online_pages(block_pfn(b), PAGES_PER_SECTION,
				 (enum zone_type)zids[b - first]))
			pr_err("memory: could not online block %lu again\n", b);
}

/* Blocks of the largest range add_memory() accepts (range_ok: the whole
 * direct map), so that whatever was added can be removed; 16 KiB of zids. */
#define MHP_MAX_BLOCKS (DIRECT_MAP_SIZE / MEMORY_BLOCK_SIZE)

static int offline_blocks(unsigned long first, unsigned long nr, int *zids)
{
	unsigned long b = first, run, end = first + nr;
	int zid, ret;

	for (unsigned long i = 0; i < nr; i++)
		zids[i] = -1;
	while ((run = next_online_run(&b, end, &zid)) != 0) {
		if (zid < 0)
			return -EINVAL;
		ret = offline_pages(block_pfn(b), run * PAGES_PER_SECTION);
		if (ret) {
			rollback_offline(first, b, zids);
			return ret;
		}
		for (unsigned long i = 0; i < run; i++)
			zids[b - first + i] = zid;
		b += run;
	}
	return 0;
}

static bool all_present(unsigned long first, unsigned long nr)
{
	for (unsigned long b = first; b < first + nr; b++)
		if (!block_section(b))
			return false;
	return true;
}

int offline_and_remove_memory(phys_addr_t start, uint64_t size,
			      struct mhp_remove_stats *st)
{
	static int zids[MHP_MAX_BLOCKS];
	unsigned long first = start >> MEMORY_BLOCK_SHIFT;
	unsigned long nr = size >> MEMORY_BLOCK_SHIFT;
	unsigned long migrated = global_vm_event(PGMIGRATE_SUCCESS);
	uint64_t t0 = rdtsc(), t1;
	int ret;

	*st = (struct mhp_remove_stats){ 0 };
	if (!range_ok(start, size) || nr > MHP_MAX_BLOCKS ||
	    !all_present(first, nr))
		return -EINVAL;
	ret = offline_blocks(first, nr, zids);
	t1 = rdtsc();
	st->nr_migrated = global_vm_event(PGMIGRATE_SUCCESS) - migrated;
	st->offline_cycles = t1 - t0;
	if (ret)
		return ret;
	remove_sections(first, nr);
	st->remove_cycles = rdtsc() - t1;
	return 0;
}

void mhp_log_remove(phys_addr_t start, uint64_t size, int ret,
		    const struct mhp_remove_stats *st)
{
	unsigned long end = (unsigned long)(start + size - 1);

	if (ret)
		pr_warn("memory: offlining [mem %#lx-%#lx] failed (%d) after " MS_FMT ", blocks back online\n",
			(unsigned long)start, end, ret, MS_ARG(st->offline_cycles));
	else
		pr_info("memory: offlined and removed [mem %#lx-%#lx] (%lu block(s)): migrated %lu pages; offline " MS_FMT ", remove " MS_FMT "\n",
			(unsigned long)start, end,
			(unsigned long)(size >> MEMORY_BLOCK_SHIFT), st->nr_migrated,
			MS_ARG(st->offline_cycles), MS_ARG(st->remove_cycles));
}
