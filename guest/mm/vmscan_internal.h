/*
 * What the two halves of the LRU scanner share: vmscan.c (anon pages,
 * the balance, direct reclaim and kswapd) and vmscan_file.c (the page
 * cache, drop_caches).
 */
#ifndef GUEST_MM_VMSCAN_INTERNAL_H
#define GUEST_MM_VMSCAN_INTERNAL_H

#define ISOLATE_BATCH		256	/* entries taken off a list at once */

struct scan_control {
	unsigned long nr_to_reclaim;
	unsigned long nr_reclaimed;
	unsigned long nr_scanned;	/* pages (4 KiB units) looked at */
	unsigned long nr_split;		/* pages split for swap (vmscan.c) */
	bool kswapd;
	bool count;			/* pgscan/pgsteal (not drop_caches) */
};

/* One reclaimer at a time (interrupts off while trying): false if one
 * runs already. */
bool reclaim_trylock(void);
void reclaim_unlock(void);

/* One batch of file scanning: age the active file list if the inactive
 * one is low, then evict from the inactive one.  Pages scanned. */
unsigned long shrink_file_batch(struct lruvec *l, unsigned long nr,
				struct scan_control *sc);

#endif
