/*
 * The scanner's VMs and their regions (see the overview at the top of
 * ksm.c): struct ksm set up and torn down, VMs (struct ksm_mm, Linux's
 * mm_slot) and their regions added and removed as they register and go,
 * and what the daemon tells the core between scan batches (a page the VM
 * dropped, a merge it refused).
 *
 * Invariants: a region leaves with every rmap item of its pages freed (so
 * no tree or dup points into its items); a VM leaves with its regions;
 * the scan cursor never points at either once gone.
 *
 * Locking: none (ksmd's one thread).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xxh_x86dispatch.h>

#include "ksm/ksm_internal.h"

int ksm_init(struct ksm *ksm, const struct ksm_ops *ops, void *opaque)
{
	memset(ksm, 0, sizeof(*ksm));
	ksm->ops = ops;
	ksm->opaque = opaque;
	ksm->knobs = (struct ksm_knobs){
		.run = 0, .pages_to_scan = 100, .sleep_millisecs = 20,
		.max_page_sharing = 256, .merge_across_nodes = 1,
		.use_zero_pages = 0, .smart_scan = 1,
		.stable_node_chains_prune_millisecs = 2000,
		.advisor_mode = 0, .advisor_target_scan_time = 200,
		.advisor_max_cpu = 70, .advisor_min_pages_to_scan = 500,
		.advisor_max_pages_to_scan = 30000,
	};
	ksm->buf = aligned_alloc(KSM_PAGE_SIZE, KSM_PAGE_SIZE);
	if (!ksm->buf)
		return -ENOMEM;
	memset(ksm->buf, 0, KSM_PAGE_SIZE);
	ksm->zero_checksum = XXH3_64bits_dispatch(ksm->buf, KSM_PAGE_SIZE);
	ksm->seqnr = 1;
	return 0;
}

void ksm_destroy(struct ksm *ksm)
{
	while (ksm->mm_list)
		ksm_mm_remove(ksm, ksm->mm_list);
	free(ksm->buf);
	ksm->buf = NULL;
	ksm_hindex_free(&ksm->stable);
	ksm_hindex_free(&ksm->unstable);
}

struct ksm_mm *ksm_mm_add(struct ksm *ksm, uint32_t id, void *priv)
{
	struct ksm_mm *mm = calloc(1, sizeof(*mm)), **pp;

	if (!mm)
		return NULL;
	mm->ksm = ksm;
	mm->id = id;
	mm->priv = priv;
	for (pp = &ksm->mm_list; *pp; pp = &(*pp)->next)
		;
	*pp = mm;               /* at the tail: the cursor reaches it */
	return mm;
}

struct ksm_mm *ksm_mm_find(struct ksm *ksm, uint32_t id)
{
	struct ksm_mm *mm;

	for (mm = ksm->mm_list; mm; mm = mm->next)
		if (mm->id == id)
			return mm;
	return NULL;
}

void ksm_mm_remove(struct ksm *ksm, struct ksm_mm *mm)
{
	struct ksm_mm **pp;

	while (mm->nr_regions)
		ksm_region_remove(mm, mm->regions[mm->nr_regions - 1]);
	for (pp = &ksm->mm_list; *pp != mm; pp = &(*pp)->next)
		;
	*pp = mm->next;
	if (ksm->cur_mm == mm) {
		ksm->cur_mm = mm->next;
		ksm->cur_region = 0;
		ksm->cur_idx = 0;
	}
	free(mm);
}

struct ksm_region *ksm_region_add(struct ksm_mm *mm, uint32_t id, int nid,
				  uint64_t nr_pages, void *priv)
{
	struct ksm_region *r;

	if (mm->nr_regions == KSM_MAX_REGIONS || ksm_region_find(mm, id))
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->items = calloc(nr_pages ? nr_pages : 1, sizeof(*r->items));
	if (!r->items) {
		free(r);
		return NULL;
	}
	*r = (struct ksm_region){ .mm = mm, .id = id, .nid = nid,
				  .nr_pages = nr_pages, .items = r->items,
				  .priv = priv };
	mm->regions[mm->nr_regions++] = r;
	return r;
}

struct ksm_region *ksm_region_find(struct ksm_mm *mm, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < mm->nr_regions; i++)
		if (mm->regions[i]->id == id)
			return mm->regions[i];
	return NULL;
}

void ksm_region_remove(struct ksm_mm *mm, struct ksm_region *r)
{
	struct ksm *ksm = mm->ksm;
	unsigned int i;
	uint64_t p;

	for (p = 0; p < r->nr_pages; p++)
		ksm_rmap_item_free(ksm, r, &r->items[p]);
	for (i = 0; i < mm->nr_regions && mm->regions[i] != r; i++)
		;
	if (ksm->cur_mm == mm && ksm->cur_region >= i &&
	    ksm->cur_region < mm->nr_regions) {
		if (ksm->cur_region == i)
			ksm->cur_idx = 0;
		else
			ksm->cur_region--;
	}
	memmove(&mm->regions[i], &mm->regions[i + 1],
		(mm->nr_regions - i - 1) * sizeof(mm->regions[0]));
	mm->nr_regions--;
	free(r->items);
	free(r);
}

void ksm_page_dropped(struct ksm_region *r, uint64_t idx)
{
	if (idx < r->nr_pages)
		ksm_rmap_item_free(r->mm->ksm, r, &r->items[idx]);
}

void ksm_merge_refused(struct ksm_region *r, uint64_t idx, uint64_t pidx)
{
	struct ksm_rmap_item *it;

	if (idx >= r->nr_pages)
		return;
	it = &r->items[idx];
	if (((it->flags & RMAP_STABLE) && it->dup && it->dup->pidx == pidx) ||
	    ((it->flags & RMAP_ZERO) && pidx == KSM_ZERO_PIDX))
		it->flags |= RMAP_REFUSED;
}

void ksm_merge_failed(struct ksm_region *r, uint64_t idx, int err)
{
	struct ksm_rmap_item *it;

	if (err == -ENOMEM || err == -ENOSPC)
		ksm_mm_stop_merging(r->mm, err);
	r->mm->ksm->stats.merge_failures++;
	if (idx >= r->nr_pages)
		return;
	it = &r->items[idx];
	/* still the merge that failed: leaving a dup or the zero page
	 * clears the mark */
	if ((it->flags & RMAP_REFUSED) && (it->flags & (RMAP_STABLE | RMAP_ZERO)))
		ksm_rmap_item_free(r->mm->ksm, r, it);
}
