/*
 * Memory merging for memvisor guests: the scanner's algorithm.
 *
 * What: identical pages of guest memory, within one VM or across VMs, are
 * found by scanning and backed by one host page, copy-on-write; in the
 * manner of Linux's mm/ksm.c, whose names and statistics it keeps.
 *
 * Where pages live: a VM's guest memory is a set of regions (boot RAM, each
 * DIMM), each a memfd. A merged page lives in the daemon's pool (one memfd):
 * the VM maps the pool page privately in place of its own, and its own
 * memfd offset becomes a hole. The core here changes no memory itself: it
 * asks through struct ksm_ops (ksm_internal.h), which the daemon implements
 * with read-only mappings of the memfds and requests to the VMs, and the
 * unit tests with arrays. A page's checksum comes from ops->checksum: the
 * daemon has the VM hash its own pages (it has them mapped and populated
 * already), a window of them per request. The core reads a guest page
 * itself only to copy it into a new pool page, in place and only through
 * the guarded reads of guard.c (a page may vanish under the reader).
 *
 * The two trees. Comparing every page with every other is quadratic, so as
 * in Linux pages are kept in two "trees" (Linux's names, kept here for its
 * statistics; here each is a hash index, see below):
 *
 *   - The stable tree holds merged pages (pool pages). Their contents never
 *     change (nobody writes a pool page after it is filled; a writer gets a
 *     private copy), so what it files stays true.
 *   - The unstable tree holds guest pages that are not merged yet. Their
 *     contents may change under it, so it can file a page under a stale
 *     checksum; it is therefore thrown away and rebuilt on every full scan, and only pages
 *     whose checksum did not change since the previous scan enter it
 *     (pages written all the time would only pollute it).
 *
 * Linux orders both by contents; ordered by (node, XXH3 checksum, contents)
 * as they were here, the checksum decided nearly every step, and a walk was
 * ~2 ln N cold cache misses for nothing else. So both are hash indexes on
 * the checksum (hindex.c): a lookup probes one slot run and takes the
 * first entry of the same node and checksum.
 *
 * Compares. A hash match alone never merges anything: the VM write-protects
 * its page, compares the full contents with the pool page, and only then
 * maps the pool page (ksm_ops.merge); a mismatch is -EAGAIN, and the core
 * forgets that merge. That compare, on the frozen page, is the only one
 * that can make a merge safe, so ksmd does not compare pages itself: a
 * tree entry with the page's 64-bit checksum (and node) is a candidate.
 * What ksmd's compare caught, the VM's catches: an unstable tree page
 * written since it was filed (its VM refuses; the pair's other page stays
 * merged onto the new pool page alone, and the next scans sort it out),
 * a page written since it was hashed (the pool copy is checked against the
 * checksum first, then each VM compares), and a true XXH3 collision (never
 * seen; the VM refuses). Linux compares in the tree because for one page
 * of a pair the tree compare is all it has (that page becomes the KSM page
 * as it is); here both pages are compared with the pool page, frozen, and
 * a compare in ksmd as well was a third read of cold pages per pair (a
 * fifth of ksmd's CPU on the anchor).
 *
 * Checksums from the VMs are not trusted. A wrong one (a lying VM, or a
 * page written since) only files a page under the wrong key or makes a
 * candidate: a merge still needs each VM's compare of its frozen page
 * with the pool page, and a pool page's contents are ksmd's own copy of
 * the guest page (merge_two_pages), whose XXH3 ksmd computes itself and
 * checks against the checksum before the stable tree files it. So the
 * stable tree's keys are true, and an honest VM maps a pool page only
 * over a page equal to it, whatever another VM says: a lying VM can make
 * merges fail, never give another VM's page wrong contents.
 *
 * Per page (cmp_and_merge_page, as Linux):
 *   1. merged already: ask whether it still is (a copy-on-write break takes
 *      it back); if so, nothing to do;
 *   2. smart scan: a page that failed to merge for a while is skipped for
 *      1, 2, 4, then 8 visits (Linux's skip_age);
 *   3. search the stable tree: a match maps the page to that pool page;
 *   4. checksum changed since the last visit: remember it, the page is
 *      volatile, go on;
 *   5. use_zero_pages and the checksum of a zero page: merge with the
 *      zero page (the VM compares the frozen page with zeros and punches
 *      a hole, which reads as zeros);
 *   6. search the unstable tree: a match copies the contents into a fresh
 *      pool page, merges both pages with it, and moves the pair into the
 *      stable tree; no match inserts this page.
 *
 * max_page_sharing: one pool page serves at most that many guest pages; past
 * it, the same contents get another pool page, a "dup", and the stable tree
 * node becomes a chain of dups (stable_node_chains, stable_node_dups). Each
 * dup lists its sharers; a chain is pruned of sharers that took a private
 * copy, at most every stable_node_chains_prune_millisecs, when a lookup
 * lands on it (see stable.c). A chain that needs a new dup for a page
 * continuing a run of its contents in one VM (the zero pages of a buffer)
 * reserves a "stripe" of consecutive pool pages instead, and the run's
 * page idx takes stripe page idx % KSM_STRIPE_PAGES: the VM maps the run
 * onto consecutive pool pages, one mapping per stripe's length instead of
 * one per page (each filled stripe page is a dup; see stable.c).
 *
 * Data structures: struct ksm (the knobs, the counters, both trees, the scan
 * cursor), a list of struct ksm_mm (one per VM), each with its regions and
 * one struct ksm_rmap_item per page; struct ksm_stable_chain per content in
 * the stable tree, with its struct ksm_stable_dup pool pages, each with the
 * list of its sharers' rmap items, and its struct ksm_stripe ranges.
 *
 * Invariants: an rmap item is in at most one of the unstable tree
 * (RMAP_UNSTABLE, this scan's seqnr) or a dup (RMAP_STABLE) or the zero
 * page (RMAP_ZERO); a dup's rmap_count is the number of RMAP_STABLE items
 * pointing at it, which are the ones on its sharers list, and it is freed
 * (its pool page too) when that reaches 0;
 * a chain in the tree has at least one dup.
 *
 * Files: this one has the unstable tree, the rmap items, merging and the
 * scan; stable.c the stable tree's chains, dups and pruning; hindex.c
 * the index both trees are; vms.c the VMs and their regions;
 * knobs.c the tunables, statistics and advisor; guard.c the reads of
 * guest pages.
 *
 * Locking: none; the daemon calls all of this from its one thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxh_x86dispatch.h>

#include "ksm/ksm_internal.h"

/* ------------------------------------------------------------ the trees */

static int key_nid(const struct ksm *ksm, const struct ksm_region *r)
{
	return ksm->knobs.merge_across_nodes ? -1 : r->nid;
}

/* The region and page of an rmap item, found from its address. */
struct ksm_region *ksm_item_region(struct ksm *ksm,
				   const struct ksm_rmap_item *it)
{
	struct ksm_mm *mm;
	unsigned int i;

	for (mm = ksm->mm_list; mm; mm = mm->next)
		for (i = 0; i < mm->nr_regions; i++) {
			struct ksm_region *r = mm->regions[i];

			if (it >= r->items && it < r->items + r->nr_pages)
				return r;
		}
	return NULL;
}

/* Is unstable tree item @it a candidate for @k's contents: the same
 * checksum (as filed when it entered this scan's tree) and node? Its
 * contents are not read: a 64-bit XXH3 match is a candidate, never a
 * merge (see "Compares" in the overview); the region (a search over the
 * VMs) is looked up only when the checksums are equal. */
static bool unstable_matches(struct ksm *ksm, struct ksm_tree_key *k,
			     struct ksm_rmap_item *it)
{
	if (it->oldchecksum != k->checksum)
		return false;
	return ksm->knobs.merge_across_nodes ||
	       key_nid(ksm, ksm_item_region(ksm, it)) == k->nid;
}

/* Find a candidate in the unstable tree, or insert @it (if the index has
 * room): the tree item, or NULL. */
static struct ksm_rmap_item *unstable_search_insert(struct ksm *ksm,
						    struct ksm_tree_key *k,
						    struct ksm_rmap_item *it)
{
	size_t pos = KSM_HINDEX_START;
	struct ksm_rmap_item *t;

	while ((t = ksm_hindex_next(&ksm->unstable, k->checksum, &pos)))
		if (unstable_matches(ksm, k, t))
			return t;
	if (ksm_hindex_add(&ksm->unstable, k->checksum, it))
		return NULL;
	it->flags |= RMAP_UNSTABLE;
	it->seqnr = ksm->seqnr;
	ksm->stats.pages_unshared++;
	return NULL;
}

/* Take unstable tree item @it out (this scan's tree). */
static void unstable_erase(struct ksm *ksm, struct ksm_rmap_item *it)
{
	ksm_hindex_del(&ksm->unstable, it->oldchecksum, it);
	it->flags &= ~RMAP_UNSTABLE;
	ksm->stats.pages_unshared--;
}

/* ------------------------------------------------------------ rmap items */

void ksm_remove_rmap_item_from_tree(struct ksm *ksm, struct ksm_region *r,
				    struct ksm_rmap_item *it)
{
	if (it->flags & RMAP_STABLE) {
		ksm_dup_leave(ksm, r, it);
	} else if (it->flags & RMAP_UNSTABLE) {
		if (it->seqnr == ksm->seqnr)
			unstable_erase(ksm, it);
	} else if (it->flags & RMAP_ZERO) {
		ksm->stats.ksm_zero_pages--;
		r->mm->ksm_zero_pages--;
	}
	it->flags &= ~(RMAP_STABLE | RMAP_UNSTABLE | RMAP_ZERO | RMAP_REFUSED);
}

void ksm_rmap_item_free(struct ksm *ksm, struct ksm_region *r,
			struct ksm_rmap_item *it)
{
	if (!(it->flags & RMAP_ALLOCATED))
		return;
	ksm_remove_rmap_item_from_tree(ksm, r, it);
	memset(it, 0, sizeof(*it));
	ksm->stats.ksm_rmap_items--;
	r->mm->ksm_rmap_items--;
}

static struct ksm_rmap_item *rmap_item_get(struct ksm *ksm,
					   struct ksm_region *r, uint64_t idx)
{
	struct ksm_rmap_item *it = &r->items[idx];

	if (!(it->flags & RMAP_ALLOCATED)) {
		it->flags = RMAP_ALLOCATED;
		ksm->stats.ksm_rmap_items++;
		r->mm->ksm_rmap_items++;
	}
	return it;
}

/* ------------------------------------------------------------ merging */

void ksm_mm_stop_merging(struct ksm_mm *mm, int err)
{
	if (mm->merge_stopped)
		return;
	mm->merge_stopped = true;
	snprintf(mm->stop_reason, sizeof(mm->stop_reason), "%s",
		 err == -ENOMEM ? "mapping limit reached (vm.max_map_count)"
				: "the VM cannot merge more pages");
}

/* Merge page @idx of @r with @dup's pool page. 0 or -errno. */
static int merge_with_dup(struct ksm *ksm, struct ksm_region *r, uint64_t idx,
			  struct ksm_stable_dup *dup)
{
	int ret = ksm->ops->merge(ksm->opaque, r, idx, dup->pidx);

	if (ret == -ENOMEM || ret == -ENOSPC)
		ksm_mm_stop_merging(r->mm, ret);
	if (ret) {
		ksm->stats.merge_failures++;
		return ret;
	}
	ksm_dup_get(ksm, dup, r, &r->items[idx]);
	return 0;
}

/*
 * Two guest pages found equal in the unstable tree: a pool page with the
 * contents, both merged with it (each VM checks under write protection).
 * As in Linux, if the second refuses, the first is given its copy back.
 * The pool page is a copy taken now, checked against the checksum the
 * stable tree files it under (the page was read in place and may have
 * changed since it was hashed).
 */
static int merge_two_pages(struct ksm *ksm, const struct ksm_tree_key *k,
			   struct ksm_region *r, uint64_t idx,
			   struct ksm_region *tr, uint64_t tidx)
{
	struct ksm_tree_key copy = *k;
	struct ksm_stable_dup *dup;
	uint64_t pidx;
	int ret;

	if (ksm_guard_copy(ksm->buf, k->page) ||
	    XXH3_64bits_dispatch(ksm->buf, KSM_PAGE_SIZE) != k->checksum)
		return -EAGAIN;
	copy.page = ksm->buf;
	ret = ksm->ops->pool_alloc(ksm->opaque, ksm->buf, &pidx);
	if (ret)
		return ret;
	dup = ksm_stable_insert(ksm, &copy, pidx);
	if (!dup) {
		ksm->ops->pool_free(ksm->opaque, pidx);
		return -ENOMEM;
	}
	ret = merge_with_dup(ksm, tr, tidx, dup);
	if (ret) {
		ksm_dup_free(ksm, dup);           /* nobody maps it */
		return ret;
	}
	ret = merge_with_dup(ksm, r, idx, dup);
	if (ret && !ksm->ops->unmerge(ksm->opaque, tr, tidx))
		ksm_remove_rmap_item_from_tree(ksm, tr, &tr->items[tidx]);
	return ret;
}

/* ------------------------------------------------------------ the scan */

static unsigned int skip_age(uint8_t age)
{
	if (age <= 3)
		return 1;
	if (age <= 5)
		return 2;
	if (age <= 8)
		return 4;
	return 8;
}

bool ksm_rmap_item_wants_checksum(const struct ksm *ksm,
				  const struct ksm_rmap_item *it)
{
	/* should_skip_rmap_item's verdict, without its side effects */
	return !ksm->knobs.smart_scan || it->age < 3 || !it->remaining_skips;
}

/* Linux's should_skip_rmap_item (merged pages are never skipped). */
static bool should_skip_rmap_item(struct ksm *ksm, struct ksm_region *r,
				  struct ksm_rmap_item *it)
{
	uint8_t age = it->age;

	if (!ksm->knobs.smart_scan)
		return false;
	if (age != UINT8_MAX)
		it->age++;
	if (age < 3)
		return false;
	if (!it->remaining_skips) {
		it->remaining_skips = skip_age(age);
		return false;
	}
	ksm->stats.pages_skipped++;
	it->remaining_skips--;
	ksm_remove_rmap_item_from_tree(ksm, r, it);
	return true;
}

/* Steps 3, 5 and 6 of the overview for the page @k points at. */
static void try_merge(struct ksm *ksm, struct ksm_region *r, uint64_t idx,
		      struct ksm_tree_key *k)
{
	struct ksm_rmap_item *it = &r->items[idx], *t;
	struct ksm_stable_chain *c;
	struct ksm_stable_dup *dup;
	struct ksm_region *tr;

	c = ksm_stable_search(ksm, k);
	if (c && (dup = ksm_chain_pick(ksm, &c, r, idx))) {
		if (!merge_with_dup(ksm, r, idx, dup))
			return;
		if (!dup->rmap_count)
			ksm_dup_free(ksm, dup);   /* a stripe page made for it */
	}
	if (r->mm->merge_stopped)
		return;
	if (it->oldchecksum != k->checksum || !(it->flags & RMAP_CHECKSUMMED)) {
		it->oldchecksum = k->checksum;
		it->flags |= RMAP_CHECKSUMMED;
		return;
	}
	/* the zero checksum is the candidate test: the VM compares the
	 * frozen page with zeros before it punches it */
	if (ksm->knobs.use_zero_pages && k->checksum == ksm->zero_checksum) {
		if (!ksm->ops->merge_zero(ksm->opaque, r, idx)) {
			it->flags |= RMAP_ZERO;
			it->age = 0;
			ksm->stats.ksm_zero_pages++;
			r->mm->ksm_zero_pages++;
		}
		return;
	}
	t = unstable_search_insert(ksm, k, it);
	if (!t)
		return;
	tr = ksm_item_region(ksm, t);
	unstable_erase(ksm, t);
	if (tr->mm->merge_stopped)
		return;
	merge_two_pages(ksm, k, r, idx, tr, t - tr->items);
}

/* Linux's cmp_and_merge_page, for page @idx of @r (which holds data),
 * @ahead pages left in the batch. The checksum comes from ops->checksum
 * (the VM hashes its own pages); the page itself is read (in place,
 * guarded) only when its contents are copied into a new pool page. */
static void cmp_and_merge_page(struct ksm *ksm, struct ksm_region *r,
			       uint64_t idx, uint64_t ahead)
{
	struct ksm_rmap_item *it = rmap_item_get(ksm, r, idx);
	struct ksm_tree_key k = { .nid = key_nid(ksm, r) };

	if (it->flags & RMAP_STABLE) {
		if (ksm->ops->still_merged(ksm->opaque, r, idx) == 1)
			return;
		ksm_remove_rmap_item_from_tree(ksm, r, it);
	}
	k.page = ksm->ops->page(ksm->opaque, r, idx);
	if (!k.page)
		return;
	/* data where the zero page was: the guest wrote it */
	if (it->flags & RMAP_ZERO)
		ksm_remove_rmap_item_from_tree(ksm, r, it);
	if (it->flags & RMAP_UNSTABLE)
		ksm_remove_rmap_item_from_tree(ksm, r, it);
	if (should_skip_rmap_item(ksm, r, it))
		return;
	if (ksm->ops->checksum(ksm->opaque, r, idx, ahead, &k.checksum))
		return;                         /* a hole now, or no answer */
	if (r->mm->merge_stopped) {
		it->oldchecksum = k.checksum;
		it->flags |= RMAP_CHECKSUMMED;
		return;
	}
	try_merge(ksm, r, idx, &k);
}

/* A new full scan: the unstable tree is forgotten (its items' seqnr tells
 * them apart) and the advisor looks at the last one. */
static void start_full_scan(struct ksm *ksm)
{
	ksm_hindex_clear(&ksm->unstable);
	ksm->stats.pages_unshared = 0;
	ksm->seqnr++;
}

/* Free the rmap items of pages in [from, to) that are holes now (except
 * zero-page merges, which are holes by design). */
static void drop_hole_items(struct ksm *ksm, struct ksm_region *r,
			    uint64_t from, uint64_t to)
{
	for (; from < to; from++) {
		struct ksm_rmap_item *it = &r->items[from];

		if ((it->flags & RMAP_ALLOCATED) &&
		    !(it->flags & (RMAP_ZERO | RMAP_STABLE)))
			ksm_rmap_item_free(ksm, r, it);
	}
}

/* The next page to scan, moving the cursor; false at the end of a scan. */
static bool next_page(struct ksm *ksm, struct ksm_region **rp, uint64_t *ip)
{
	while (ksm->cur_mm) {
		struct ksm_mm *mm = ksm->cur_mm;

		while (ksm->cur_region < mm->nr_regions) {
			struct ksm_region *r = mm->regions[ksm->cur_region];
			uint64_t i = ksm->cur_idx, d;

			/* merged pages are holes in the memfd: visit them */
			d = i < r->nr_pages ? ksm->ops->next_data(ksm->opaque, r, i)
					    : r->nr_pages;
			while (i < d && !(r->items[i].flags & RMAP_STABLE))
				i++;
			drop_hole_items(ksm, r, ksm->cur_idx, i);
			if (i < r->nr_pages) {
				ksm->cur_idx = i + 1;
				*rp = r;
				*ip = i;
				return true;
			}
			ksm->cur_region++;
			ksm->cur_idx = 0;
		}
		ksm->cur_mm = mm->next;
		ksm->cur_region = 0;
		ksm->cur_idx = 0;
	}
	return false;
}

unsigned int ksm_scan(struct ksm *ksm, unsigned int nr)
{
	struct ksm_region *r;
	unsigned int done = 0;
	bool wrapped = false;
	uint64_t idx;

	while (done < nr && ksm->mm_list) {
		if (!ksm->cur_mm) {
			if (wrapped)
				break;          /* nothing to scan at all */
			ksm->cur_mm = ksm->mm_list;
			ksm->cur_region = 0;
			ksm->cur_idx = 0;
			start_full_scan(ksm);
		}
		if (!next_page(ksm, &r, &idx)) {
			ksm->stats.full_scans++;
			wrapped = true;
			continue;
		}
		wrapped = false;
		cmp_and_merge_page(ksm, r, idx, nr - done);
		ksm->stats.pages_scanned++;
		done++;
	}
	return done;
}

int ksm_unmerge_all(struct ksm *ksm)
{
	struct ksm_mm *mm;
	unsigned int i;
	uint64_t p;
	int ret, first = 0;

	for (mm = ksm->mm_list; mm; mm = mm->next)
		for (i = 0; i < mm->nr_regions; i++) {
			struct ksm_region *r = mm->regions[i];

			for (p = 0; p < r->nr_pages; p++) {
				struct ksm_rmap_item *it = &r->items[p];

				if (it->flags & RMAP_ZERO)
					ksm_remove_rmap_item_from_tree(ksm, r, it);
				if (!(it->flags & RMAP_STABLE))
					continue;
				ret = ksm->ops->unmerge(ksm->opaque, r, p);
				if (ret && !first)
					first = ret;
				if (!ret)
					ksm_remove_rmap_item_from_tree(ksm, r, it);
			}
		}
	return first;
}

/* ------------------------------------------------------------ VMs */
