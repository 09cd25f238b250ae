/*
 * The stable and unstable trees' index: a hash multimap from a page's XXH3
 * checksum to what holds those contents (a stable chain, an unstable rmap
 * item).
 *
 * Why not binary trees, as Linux: both trees here are ordered by checksum
 * first, so a lookup reads a whole page only when checksums are equal, and
 * the walk itself is ~2 ln N dependent cache misses on cold nodes (the
 * profile of the anchor: a quarter of ksmd's CPU went to those misses, the
 * stable tree's on every insert of a merged pair, the unstable tree's on
 * every page of a full scan). A probe here is one or two misses. What a
 * lookup finds is the same: every entry with the page's checksum, each
 * then compared whole (ksm.c, stable.c).
 *
 * Data structure: open addressing, linear probing, a key and its value side
 * by side in a slot (a probe is one cache line), keys with their lowest
 * bit set (0 marks an empty slot, 2 a deleted one); a key may occur more
 * than once (two chains may share a checksum: other contents, or other NUMA
 * nodes; setting the low bit may fold two checksums into one key, so
 * callers check the real checksum of what they get). Grows at half full,
 * rebuilt when deletions leave too many tombstones. Locking: none (ksmd's
 * one thread).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ksm/ksm_internal.h"

#define SLOT_EMPTY 0
#define SLOT_DELETED 2
#define HUGE_BYTES (2u << 20)           /* a transparent huge page */

/*
 * A lookup is one cache miss and, in a table of megabytes, a TLB miss,
 * which under nested paging costs several times the cache miss (the probe
 * was 15% of ksmd's CPU on the density workload). A table of at least a
 * huge page is mapped on its own and asked for huge pages (THP, where the
 * host allows them: "madvise" mode). Zero-filled either way.
 */
static struct ksm_hindex_slot *slots_alloc(size_t cap)
{
	size_t len = cap * sizeof(struct ksm_hindex_slot);
	void *p;

	if (len < HUGE_BYTES)
		return calloc(cap, sizeof(struct ksm_hindex_slot));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

static void slots_free(struct ksm_hindex_slot *slots, size_t cap)
{
	size_t len = cap * sizeof(*slots);

	if (len < HUGE_BYTES)
		free(slots);
	else
		munmap(slots, len);
}

static uint64_t key_of(uint64_t checksum)
{
	return checksum | 1;
}

static size_t slot_of(const struct ksm_hindex *h, uint64_t key)
{
	return (size_t)(key * 0x9e3779b97f4a7c15ull >> 32) & (h->cap - 1);
}

/* The first reusable slot of @key's probe sequence. */
static size_t free_slot(const struct ksm_hindex *h, uint64_t key)
{
	size_t i = slot_of(h, key);

	while (h->slots[i].key != SLOT_EMPTY && h->slots[i].key != SLOT_DELETED)
		i = (i + 1) & (h->cap - 1);
	return i;
}

/* Rebuild with room for @cap slots (a power of two): 0 or -ENOMEM. */
static int rebuild(struct ksm_hindex *h, size_t cap)
{
	struct ksm_hindex n = { .cap = cap };
	size_t i, at;

	n.slots = slots_alloc(cap);
	if (!n.slots)
		return -ENOMEM;
	for (i = 0; i < h->cap; i++) {
		if (h->slots[i].key == SLOT_EMPTY || h->slots[i].key == SLOT_DELETED)
			continue;
		at = free_slot(&n, h->slots[i].key);
		n.slots[at] = h->slots[i];
		n.used++;
	}
	slots_free(h->slots, h->cap);
	*h = n;
	return 0;
}

int ksm_hindex_add(struct ksm_hindex *h, uint64_t checksum, void *val)
{
	uint64_t key = key_of(checksum);
	size_t at;

	if ((h->used + h->deleted + 1) * 2 > h->cap &&
	    rebuild(h, h->used * 4 > h->cap ? h->cap * 2 : (h->cap ? h->cap : 1024)))
		return -ENOMEM;
	at = free_slot(h, key);
	if (h->slots[at].key == SLOT_DELETED)
		h->deleted--;
	h->slots[at] = (struct ksm_hindex_slot){ key, val };
	h->used++;
	return 0;
}

void ksm_hindex_del(struct ksm_hindex *h, uint64_t checksum, const void *val)
{
	uint64_t key = key_of(checksum);
	size_t i;

	if (!h->cap)
		return;
	for (i = slot_of(h, key); h->slots[i].key != SLOT_EMPTY;
	     i = (i + 1) & (h->cap - 1))
		if (h->slots[i].key == key && h->slots[i].val == val) {
			h->slots[i].key = SLOT_DELETED;
			h->used--;
			h->deleted++;
			return;
		}
}

void ksm_hindex_prefetch(const struct ksm_hindex *h, uint64_t checksum)
{
	if (h->cap)
		__builtin_prefetch(&h->slots[slot_of(h, key_of(checksum))]);
}

void *ksm_hindex_next(const struct ksm_hindex *h, uint64_t checksum,
		      size_t *pos)
{
	uint64_t key = key_of(checksum);
	size_t i;

	if (!h->cap)
		return NULL;
	for (i = *pos == KSM_HINDEX_START ? slot_of(h, key) : *pos;
	     h->slots[i].key != SLOT_EMPTY; i = (i + 1) & (h->cap - 1))
		if (h->slots[i].key == key) {
			*pos = (i + 1) & (h->cap - 1);
			return h->slots[i].val;
		}
	*pos = i;
	return NULL;
}

void ksm_hindex_clear(struct ksm_hindex *h)
{
	if (h->used + h->deleted)
		memset(h->slots, 0, h->cap * sizeof(*h->slots));
	h->used = h->deleted = 0;
}

void ksm_hindex_free(struct ksm_hindex *h)
{
	slots_free(h->slots, h->cap);
	*h = (struct ksm_hindex){ 0 };
}
