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
 * A chain may have stripes (struct ksm_stripe, see "Stripes" below):
 * ranges of consecutive pool pages reserved for its contents, each filled
 * page one of its dups.
 *
 * Invariants: a dup's rmap_count is the length of its sharers list; a dup
 * is freed with its pool page when that reaches 0, a chain when its last
 * dup goes; a chain with more than one dup counts in stable_node_chains
 * and each of its dups in stable_node_dups. A stripe's page j is filled
 * exactly while dup[j] is set (a dup of the stripe's chain); a stripe is
 * released, its range with it, when its last dup goes.
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

static uint64_t now_ms(struct ksm *ksm)
{
	return ksm->ops->now_ms ? ksm->ops->now_ms(ksm->opaque) : 0;
}

static bool has_room(const struct ksm *ksm, const struct ksm_stable_dup *d)
{
	return d->rmap_count < ksm->knobs.max_page_sharing;
}

/*
 * Stripes. A run of a VM's pages with one content (the zero pages of a
 * buffer, a pattern written over it) merges onto one dup of the chain,
 * and in the VM each of those pages is a mapping of its own (an mmap and a
 * VMA a page): a run maps consecutive pages only onto consecutive pool
 * pages. So once a chain needs a new dup (none has room) for a page that
 * continues a run (its predecessor maps a dup of the same chain), it
 * reserves a stripe of KSM_STRIPE_PAGES consecutive pool pages, and such
 * a page idx takes stripe page idx % KSM_STRIPE_PAGES: the run maps
 * consecutive pool pages, one ordinary merge run (one mmap, one VMA) per
 * stripe's length. A stripe page is filled when a page first takes it and
 * emptied (punched, still reserved) when its last sharer leaves: each
 * filled one is a dup like any other (counted, max_page_sharing, pruned),
 * and a stripe costs memory only for the pages in use. When the page a
 * run needs is full, the run goes on in a new stripe; the old one lives
 * while any of its pages is in use. Contents with fewer sharers than
 * max_page_sharing, or only scattered ones, never get a stripe.
 */

/* Does page @idx of @r continue a run of @c's contents (the page before
 * it maps a dup of @c)? */
static bool continues_run(const struct ksm_region *r, uint64_t idx,
			  const struct ksm_stable_chain *c)
{
	const struct ksm_rmap_item *prev;

	if (!idx)
		return false;
	prev = &r->items[idx - 1];
	return (prev->flags & RMAP_STABLE) && prev->dup->chain == c;
}

/* Link @dup into @c at the head (the one to fill first). */
static void chain_add(struct ksm *ksm, struct ksm_stable_chain *c,
		      struct ksm_stable_dup *dup)
{
	if (c->nr_dups == 1) {                  /* a chain from now on */
		ksm->stats.stable_node_chains++;
		ksm->stats.stable_node_dups++;
		c->prune_time_ms = now_ms(ksm);
	}
	if (c->nr_dups)
		ksm->stats.stable_node_dups++;
	dup->chain = c;
	dup->next = c->dups;
	c->dups = dup;
	c->nr_dups++;
}

/* A new stripe for @c, its current one, or NULL. */
static struct ksm_stripe *stripe_new(struct ksm *ksm,
				     struct ksm_stable_chain *c)
{
	struct ksm_stripe *s;

	if (!ksm->ops->pool_reserve)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (ksm->ops->pool_reserve(ksm->opaque, KSM_STRIPE_PAGES, &s->base)) {
		free(s);
		return NULL;
	}
	s->chain = c;
	c->stripe = s;
	return s;
}

/* Release @s, none of whose pages is filled, and its range. */
static void stripe_free(struct ksm *ksm, struct ksm_stripe *s)
{
	unsigned int j;

	if (s->chain->stripe == s)
		s->chain->stripe = NULL;
	for (j = 0; j < KSM_STRIPE_PAGES; j++)
		ksm->ops->pool_free(ksm->opaque, s->base + j);
	free(s);
}

/* Fill page @j of @s with its chain's contents: the new dup, or NULL. */
static struct ksm_stable_dup *stripe_fill(struct ksm *ksm,
					  struct ksm_stripe *s, unsigned int j)
{
	struct ksm_stable_chain *c = s->chain;
	struct ksm_stable_dup *dup = calloc(1, sizeof(*dup));

	/* pool pages never change: any dup's is the contents */
	memcpy(ksm->buf, ksm->ops->pool_page(ksm->opaque, c->dups->pidx),
	       KSM_PAGE_SIZE);
	if (!dup || ksm->ops->pool_fill(ksm->opaque, s->base + j, ksm->buf)) {
		free(dup);
		if (!s->nr_dups)
			stripe_free(ksm, s);
		return NULL;
	}
	dup->pidx = s->base + j;
	dup->stripe = s;
	s->dup[j] = dup;
	s->nr_dups++;
	chain_add(ksm, c, dup);
	return dup;
}

/* The dup for page @idx of a run on @c: its page of @c's stripe (filled
 * now if empty; in a new stripe if that is full or there is none), or
 * NULL. */
static struct ksm_stable_dup *stripe_pick(struct ksm *ksm,
					  struct ksm_stable_chain *c,
					  uint64_t idx)
{
	unsigned int j = idx % KSM_STRIPE_PAGES;
	struct ksm_stripe *s = c->stripe;

	if (s && !s->dup[j])
		return stripe_fill(ksm, s, j);
	if (s && has_room(ksm, s->dup[j]))
		return s->dup[j];
	s = stripe_new(ksm, c);
	return s ? stripe_fill(ksm, s, j) : NULL;
}

/* @dup of a stripe goes: its page is emptied, the stripe released with
 * its last. */
static void stripe_put(struct ksm *ksm, struct ksm_stable_dup *dup)
{
	struct ksm_stripe *s = dup->stripe;

	ksm->ops->pool_punch(ksm->opaque, dup->pidx);
	s->dup[dup->pidx - s->base] = NULL;
	if (!--s->nr_dups)
		stripe_free(ksm, s);
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
	if (dup->stripe)
		stripe_put(ksm, dup);
	else
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

/* A dup of @c with room for one more sharer, or NULL: the head, unless
 * it is full or @walk (after a prune): then the fullest with room, moved
 * to the head. */
static struct ksm_stable_dup *chain_pick_any(struct ksm *ksm,
					     struct ksm_stable_chain *c,
					     bool walk)
{
	struct ksm_stable_dup *d, *best = NULL;

	if (!walk && has_room(ksm, c->dups))
		return c->dups;                 /* between prunes: the head */
	for (d = c->dups; d; d = d->next)
		if (has_room(ksm, d) && (!best || d->rmap_count > best->rmap_count))
			best = d;
	if (best && best != c->dups)
		chain_front(c, best);
	return best;
}

struct ksm_stable_dup *ksm_chain_pick(struct ksm *ksm,
				      struct ksm_stable_chain **cp,
				      struct ksm_region *r, uint64_t idx)
{
	struct ksm_stable_chain *c = *cp;
	struct ksm_stable_dup *d;
	bool pruned = false;

	if (c->nr_dups > 1 && now_ms(ksm) - c->prune_time_ms >=
	    ksm->knobs.stable_node_chains_prune_millisecs) {
		c = *cp = chain_prune(ksm, c);
		if (!c)
			return NULL;
		pruned = true;
	}
	if (!continues_run(r, idx, c))
		return chain_pick_any(ksm, c, pruned);
	if (!c->stripe && (d = chain_pick_any(ksm, c, pruned)))
		return d;                       /* room left: no stripe yet */
	d = stripe_pick(ksm, c, idx);
	return d ? d : chain_pick_any(ksm, c, pruned);
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
	}
	dup->pidx = pidx;
	chain_add(ksm, c, dup);
	return dup;
}
