/*
 * The checksums of the stable tree's chains, as a hash set: a filter in
 * front of the stable tree.
 *
 * Why: every page the scanner visits searches the stable tree first (step 3
 * of ksm.c's overview), and nearly all of those searches miss (a page that
 * is not merged yet rarely matches a merged one); a miss in a binary tree
 * of N chains is ~2 ln N dependent cache misses. One probe here answers
 * "no chain has this checksum" for almost all of them; the tree is searched
 * only when the answer is "maybe". The tree stays what orders and finds
 * merged pages; this only says when a search cannot succeed.
 *
 * Data structure: open addressing, linear probing, keys with their lowest
 * bit set (0 marks an empty slot, 2 a deleted one), a count per key (two
 * chains may share a checksum: other contents, or other NUMA nodes; setting
 * the low bit may fold two checksums into one key, which only makes the
 * answer "maybe" more often). Grows at half full, rebuilt when deletions
 * leave too many tombstones. Locking: none (ksmd's one thread).
 */
#include <errno.h>
#include <stdlib.h>

#include "ksm/ksm_internal.h"

#define SLOT_EMPTY 0
#define SLOT_DELETED 2

static uint64_t key_of(uint64_t checksum)
{
	return checksum | 1;
}

static size_t slot_of(const struct ksm_csum_set *s, uint64_t key)
{
	return (size_t)(key * 0x9e3779b97f4a7c15ull >> 32) & (s->cap - 1);
}

/* The slot holding @key, or the end of its probe sequence (an empty
 * slot; *@spare is the first reusable one met on the way). */
static size_t probe(const struct ksm_csum_set *s, uint64_t key, size_t *spare)
{
	size_t i = slot_of(s, key);

	*spare = s->cap;
	for (;; i = (i + 1) & (s->cap - 1)) {
		if (s->keys[i] == key)
			return i;
		if (s->keys[i] == SLOT_DELETED && *spare == s->cap)
			*spare = i;
		if (s->keys[i] == SLOT_EMPTY) {
			if (*spare == s->cap)
				*spare = i;
			return i;
		}
	}
}

/* Rebuild with room for @cap slots (a power of two): 0 or -ENOMEM. */
static int rebuild(struct ksm_csum_set *s, size_t cap)
{
	struct ksm_csum_set n = { .cap = cap };
	size_t i, at, spare;

	n.keys = calloc(cap, sizeof(*n.keys));
	n.counts = calloc(cap, sizeof(*n.counts));
	if (!n.keys || !n.counts) {
		free(n.keys);
		free(n.counts);
		return -ENOMEM;
	}
	for (i = 0; i < s->cap; i++) {
		if (s->keys[i] == SLOT_EMPTY || s->keys[i] == SLOT_DELETED)
			continue;
		probe(&n, s->keys[i], &spare);
		at = spare;
		n.keys[at] = s->keys[i];
		n.counts[at] = s->counts[i];
		n.used++;
	}
	free(s->keys);
	free(s->counts);
	*s = n;
	return 0;
}

int ksm_csum_set_add(struct ksm_csum_set *s, uint64_t checksum)
{
	uint64_t key = key_of(checksum);
	size_t at, spare;

	if ((s->used + s->deleted + 1) * 2 > s->cap &&
	    rebuild(s, s->used * 4 > s->cap ? s->cap * 2 : (s->cap ? s->cap : 1024)))
		return -ENOMEM;
	at = probe(s, key, &spare);
	if (s->keys[at] == key) {
		s->counts[at]++;
		return 0;
	}
	if (s->keys[spare] == SLOT_DELETED)
		s->deleted--;
	s->keys[spare] = key;
	s->counts[spare] = 1;
	s->used++;
	return 0;
}

void ksm_csum_set_del(struct ksm_csum_set *s, uint64_t checksum)
{
	uint64_t key = key_of(checksum);
	size_t at, spare;

	if (!s->cap)
		return;
	at = probe(s, key, &spare);
	if (s->keys[at] != key || --s->counts[at])
		return;
	s->keys[at] = SLOT_DELETED;
	s->used--;
	s->deleted++;
}

bool ksm_csum_set_has(const struct ksm_csum_set *s, uint64_t checksum)
{
	uint64_t key = key_of(checksum);
	size_t spare;

	return s->cap && s->keys[probe(s, key, &spare)] == key;
}

void ksm_csum_set_free(struct ksm_csum_set *s)
{
	free(s->keys);
	free(s->counts);
	*s = (struct ksm_csum_set){ 0 };
}
