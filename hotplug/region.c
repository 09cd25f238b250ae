/*
 * Where DIMMs go: the hotplug region and first-fit placement in it.
 *
 * The region starts at the first 1 GiB boundary above the end of RAM (above
 * 4 GiB if RAM reaches the PCI hole, or if the region would run into it),
 * like QEMU's device-memory region, and is maxmem - memory long, rounded
 * down to whole 128 MiB blocks. It is cut into one window per NUMA node
 * (equal windows, the last one takes what is left), so that the SRAT can
 * describe each node's hotpluggable range exactly; a DIMM is placed in its
 * node's window, at the lowest 128 MiB-aligned address where it fits
 * (first fit). Pure functions: no lock, no state of their own.
 */
#include <errno.h>

#include "hotplug/hotplug_internal.h"
#include "vmm/memory.h"
#include "vmm/platform.h"

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static uint64_t align_down(uint64_t v, uint64_t a)
{
	return v / a * a;
}

/* First byte after boot RAM, in guest-physical space. */
static gpa_t ram_end(uint64_t ram_size)
{
	uint64_t high = plat_ram_above_4g(ram_size);

	return high ? PLAT_4G + high : plat_ram_below_4g(ram_size);
}

int memhp_layout_init(struct memhp_layout *l, uint64_t ram_size,
		      uint64_t maxmem, unsigned int nr_nodes)
{
	if (maxmem < ram_size || !nr_nodes || nr_nodes > MEMHP_MAX_NODES)
		return -ERANGE;
	l->nr_nodes = nr_nodes;
	l->size = align_down(maxmem - ram_size, MEMHP_DIMM_ALIGN);
	l->base = align_up(ram_end(ram_size), MEMHP_REGION_ALIGN);
	if (l->base < PLAT_4G && l->base + l->size > PLAT_PCI_HOLE_START)
		l->base = PLAT_4G;
	l->node_size = align_down(l->size / nr_nodes, MEMHP_DIMM_ALIGN);
	return 0;
}

struct memhp_range memhp_layout_window(const struct memhp_layout *l,
				       unsigned int node)
{
	struct memhp_range w = { l->base + node * l->node_size, l->node_size };

	if (node == l->nr_nodes - 1)
		w.size = l->size - node * l->node_size;
	return w;
}

static bool overlaps(gpa_t a, uint64_t alen, const struct memhp_range *b)
{
	return a < b->base + b->size && b->base < a + alen;
}

int memhp_first_fit(struct memhp_range win, const struct memhp_range *used,
		    unsigned int n, uint64_t size, gpa_t *out)
{
	gpa_t cand = align_up(win.base, MEMHP_DIMM_ALIGN);
	unsigned int i;

	if (!size)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (cand + size > win.base + win.size)
			return -ENOSPC;
		if (overlaps(cand, size, &used[i])) {
			cand = align_up(used[i].base + used[i].size,
					MEMHP_DIMM_ALIGN);
			i = -1;         /* rescan from the first range */
		}
	}
	if (cand + size > win.base + win.size)
		return -ENOSPC;
	*out = cand;
	return 0;
}
