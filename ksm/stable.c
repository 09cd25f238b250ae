/*
 * The stable tree of merged contents (see the overview at the top of
 * ksm.c): its lookups and inserts, the chains of dups max_page_sharing
 * makes, each dup's list of sharers, and the pruning of chains.
 *
 * Data structures: struct ksm_stable_chain per content, filed under its
 * checksum in ksm->stable (hindex.c; a lookup takes the chain of the same
 * node and checksum), with its struct
 * ksm_stable_dup pool pages (the head first: the one to fill); each dup
 * lists the rmap items mapping it (sharer, Linux's hlist).
 *
 * Invariants: a dup's rmap_count is the length of its sharers list; a dup
 * is freed with its pool page when that reaches 0, a chain when its last
 * dup goes; a chain with more than one dup counts in stable_node_chains
 * and each of its dups in stable_node_dups.
 *
 * Locking: none (ksmd's one thread).
 */
#include <stdlib.h>
#include <string.h>

#include "ksm/ksm_internal.h"

/* Is @c a candidate for @k's contents: the same node and checksum? (Not
 * compared: the VM does, frozen; see "Compares" in ksm.c.) */
static bool chain_matches(const struct ksm_tree_key *k,
			  const struct ksm_stable_chain *c)
{
	return c->nid == k->nid && c->checksum == k->checksum;
}

struct ksm_stable_chain *ksm_stable_search(struct ksm *ksm,
					   struct ksm_tree_key *k)
{
	size_t pos = KSM_HINDEX_START;
	struct ksm_stable_chain *c;

	while ((c = ksm_hindex_next(&ksm->stable, k->checksum, &pos)))
		if (chain_matches(k, c))
			return c;
	return NULL;
}

/* Free @dup, which no page maps any more, and its pool page. */
void ksm_dup_free(struct ksm *ksm, struct ksm_stable_dup *dup)
{
	struct ksm_stable_chain *c = dup->chain;
	struct ksm_stable_dup **pp;

	if (c->nr_dups > 1) {
		ksm->stats.stable_node_dups--;
		if (c->nr_dups == 2) {
			ksm->stats.stable_node_chains--;
			ksm->stats.stable_node_dups--;
		}
	}
	for (pp = &c->dups; *pp != dup; pp = &(*pp)->next)
		;
	*pp = dup->next;
	c->nr_dups--;
	ksm->ops->pool_free(ksm->opaque, dup->pidx);
	free(dup);
	if (!c->nr_dups) {
		ksm_hindex_del(&ksm->stable, c->checksum, c);
		free(c);
	}
}

static void dup_put(struct ksm *ksm, struct ksm_stable_dup *dup)
{
	if (--dup->rmap_count) {
		ksm->stats.pages_sharing--;
		return;
	}
	ksm->stats.pages_shared--;
	ksm_dup_free(ksm, dup);
}

/* @it joins (leaves) @dup's list of sharers. */
static void sharer_add(struct ksm_stable_dup *dup, struct ksm_rmap_item *it)
{
	it->sharer.next = dup->sharers;
	it->sharer.pprev = &dup->sharers;
	if (dup->sharers)
		dup->sharers->sharer.pprev = &it->sharer.next;
	dup->sharers = it;
}

static void sharer_del(struct ksm_rmap_item *it)
{
	*it->sharer.pprev = it->sharer.next;
	if (it->sharer.next)
		it->sharer.next->sharer.pprev = it->sharer.pprev;
	it->sharer.next = NULL;
	it->sharer.pprev = NULL;
}

void ksm_dup_get(struct ksm *ksm, struct ksm_stable_dup *dup,
		 struct ksm_region *r, struct ksm_rmap_item *it)
{
	sharer_add(dup, it);
	if (dup->rmap_count++)
		ksm->stats.pages_sharing++;
	else
		ksm->stats.pages_shared++;
	it->flags |= RMAP_STABLE;
	it->dup = dup;
	it->age = 0;
	r->mm->ksm_merging_pages++;
}

/* Merged page @it of @r leaves its dup (which goes when it was the last). */
void ksm_dup_leave(struct ksm *ksm, struct ksm_region *r,
		   struct ksm_rmap_item *it)
{
	sharer_del(it);
	dup_put(ksm, it->dup);
	it->dup = NULL;
	r->mm->ksm_merging_pages--;
}

static uint64_t now_ms(struct ksm *ksm)
{
	return ksm->ops->now_ms ? ksm->ops->now_ms(ksm->opaque) : 0;
}

/*
 * Pruning stale dups (Linux's stable_node_dup with prune_stale_stable_nodes).
 * A sharer that took a private copy (a copy-on-write break in the VM) is
 * only noticed when the scan comes back to it; until then its dup counts
 * it, and a dup all of whose sharers did so holds a pool page nobody maps.
 * So, as Linux does, a lookup that lands on a chain whose last prune is
 * stable_node_chains_prune_millisecs old walks all its dups and asks the
 * VMs about each sharer (ksmd answers a run of pages per request): the ones
 * no longer merged leave, empty dups are freed with their pool page, a
 * chain left with one dup is an ordinary stable node again (the counters
 * say so), and the best dup moves to the head, where lookups between
 * prunes take it without walking the chain.
 */

/* Drop @dup's sharers that are merged no more: true if @dup went too. */
static bool dup_prune(struct ksm *ksm, struct ksm_stable_dup *dup)
{
	struct ksm_rmap_item *it = dup->sharers, *next;

	for (; it; it = next) {
		struct ksm_region *r = ksm_item_region(ksm, it);
		bool last = dup->rmap_count == 1;

		next = it->sharer.next;
		if (ksm->ops->still_merged(ksm->opaque, r, it - r->items))
			continue;               /* 1, or the VM is gone: keep */
		ksm_remove_rmap_item_from_tree(ksm, r, it);
		if (last)
			return true;
	}
	return false;
}

/* Prune @c (see above): @c, or NULL if no dup is left (@c is freed). */
static struct ksm_stable_chain *chain_prune(struct ksm *ksm,
					    struct ksm_stable_chain *c)
{
	struct ksm_stable_dup *d, *next;

	c->prune_time_ms = now_ms(ksm);
	for (d = c->dups; d; d = next) {
		bool last = c->nr_dups == 1;

		next = d->next;
		if (dup_prune(ksm, d) && last)
			return NULL;
	}
	return c;
}

/* Move @best to the head of its chain. */
static void chain_front(struct ksm_stable_chain *c, struct ksm_stable_dup *best)
{
	struct ksm_stable_dup **pp;

	for (pp = &c->dups; *pp != best; pp = &(*pp)->next)
		;
	*pp = best->next;
	best->next = c->dups;
	c->dups = best;
}

static bool has_room(const struct ksm *ksm, const struct ksm_stable_dup *d)
{
	return d->rmap_count < ksm->knobs.max_page_sharing;
}

/* A dup of *@cp with room for one more sharer, or NULL; the chain is
 * pruned first when that is due (*@cp is NULL if it is gone). */
struct ksm_stable_dup *ksm_chain_pick(struct ksm *ksm,
				      struct ksm_stable_chain **cp)
{
	struct ksm_stable_chain *c = *cp;
	struct ksm_stable_dup *d, *best = NULL;

	if (c->nr_dups > 1 && now_ms(ksm) - c->prune_time_ms >=
	    ksm->knobs.stable_node_chains_prune_millisecs) {
		c = *cp = chain_prune(ksm, c);
		if (!c)
			return NULL;
	} else if (has_room(ksm, c->dups)) {
		return c->dups;                 /* between prunes: the head */
	}
	for (d = c->dups; d; d = d->next)
		if (has_room(ksm, d) && (!best || d->rmap_count > best->rmap_count))
			best = d;
	if (best && best != c->dups)
		chain_front(c, best);
	return best;
}

/* A new dup for @k's contents in pool page @pidx (a new chain, or one more
 * dup of the chain holding the same contents). */
struct ksm_stable_dup *ksm_stable_insert(struct ksm *ksm,
					 struct ksm_tree_key *k,
					 uint64_t pidx)
{
	struct ksm_stable_chain *c = ksm_stable_search(ksm, k);
	struct ksm_stable_dup *dup = calloc(1, sizeof(*dup));

	if (!dup)
		return NULL;
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c || ksm_hindex_add(&ksm->stable, k->checksum, c)) {
			free(c);
			free(dup);
			return NULL;
		}
		c->checksum = k->checksum;
		c->nid = k->nid;
	} else {
		if (c->nr_dups == 1) {
			ksm->stats.stable_node_chains++;
			ksm->stats.stable_node_dups++;
			c->prune_time_ms = now_ms(ksm);
		}
		ksm->stats.stable_node_dups++;
	}
	dup->pidx = pidx;
	dup->chain = c;
	dup->next = c->dups;
	c->dups = dup;
	c->nr_dups++;
	return dup;
}
