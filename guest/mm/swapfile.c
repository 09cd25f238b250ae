/*
 * Swap space: the swap map of each device, swapon/swapoff, /proc/swaps,
 * and the I/O entry the reclaimer and the fault path use.
 *
 * A swap device is a whole disk (no mkswap header): slot i is the 4 KiB
 * at byte i * 4096.  Where a page went is a swap entry (type, offset),
 * kept in the page-table entry that mapped it (pgtable.h draws the
 * format); one owner per slot, since this kernel has no fork -- that
 * entry, or the page read back from it while it stays in the swap cache
 * (swap_state.c) -- so a slot is simply taken or free and the map is a
 * bitmap (Linux keeps a count per slot for shared anon pages; we have
 * none).
 *
 * Allocation clusters (Linux's swap clusters, SWAPFILE_CLUSTER = 512
 * slots): cluster_used[] counts the taken slots of each.  A 2 MiB chunk
 * takes a whole free cluster (found by scanning the counts: one word per
 * 2 MiB of swap), so it is one run on the disk and one bio.  4 KiB and
 * 64 KiB requests take the first free (aligned) slots at or after
 * cluster_next and move it past them, so pages reclaimed one after the
 * other get consecutive slots and their writes merge into long runs; the
 * search looks at 64 slots per bitmap word, skipping full clusters.
 *
 * Cost: a 2 MiB allocation reads nr_clusters counts and writes 8 words;
 * a 4 KiB one usually tests one word.  Nothing is per page in the hot
 * path except the bit.
 *
 * swapoff walks every mm (mmlist) and brings its pages back (unuse_mm,
 * memory.c) before the device's map is freed; while it runs the device
 * takes no new slots (SWP_WRITEOK clear).
 *
 * Locking: swap_lock covers swap_info[] and every map (taken with
 * interrupts off: reclaim may run from any allocating context).
 */
#include "mm_internal.h"

struct swap_info_struct *swap_info[MAX_SWAPFILES];
long nr_swap_pages;				/* free slots, all types */
static unsigned long total_swap_pages;		/* slots, all types */
static spinlock_t swap_lock;			/* see the overview */

#define BITS_PER_LONG	64
#define WORDS_PER_CLUSTER (SWAPFILE_CLUSTER / BITS_PER_LONG)

/* ------------------------------------------------------------ the map */

static void take_slots(struct swap_info_struct *si, unsigned long off,
		       unsigned long nr)
{
	unsigned long *w = &si->map[off / BITS_PER_LONG];

	if (nr >= BITS_PER_LONG) {
		for (unsigned long i = 0; i < nr / BITS_PER_LONG; i++)
			w[i] = ~0UL;
	} else {
		*w |= ((1UL << nr) - 1) << (off % BITS_PER_LONG);
	}
	si->cluster_used[off / SWAPFILE_CLUSTER] += (unsigned short)nr;
	si->inuse_pages += nr;
	nr_swap_pages -= (long)nr;	/* only SWP_WRITEOK types allocate */
}

/* A cluster with no slot taken, from cluster_next's on; -1 if none. */
static long find_free_cluster(struct swap_info_struct *si)
{
	unsigned long n = si->nr_clusters, c0 = si->cluster_next /
					      SWAPFILE_CLUSTER;

	for (unsigned long i = 0; i < n; i++) {
		unsigned long c = (c0 + i) % n;

		if (!si->cluster_used[c] &&
		    (c + 1) * SWAPFILE_CLUSTER <= si->max)
			return (long)c;
	}
	return -1;
}

/* First 2^@order (0 or 4) free aligned slots in word @w from bit @from. */
static int word_find(unsigned long w, unsigned int from, unsigned int order)
{
	unsigned int nr = 1u << order;
	unsigned long mask = nr >= BITS_PER_LONG ? ~0UL : (1UL << nr) - 1;

	for (unsigned int b = ALIGN(from, nr); b < BITS_PER_LONG; b += nr) {
		if (order == 0 && (w >> b) == ~0UL >> b)
			return -1;		/* the rest is taken */
		if (!((w >> b) & mask))
			return (int)b;
	}
	return -1;
}

/* 4 KiB or 64 KiB: the first free aligned run from cluster_next on. */
static long find_small(struct swap_info_struct *si, unsigned int order)
{
	unsigned long words = si->max / BITS_PER_LONG;
	unsigned long w0 = si->cluster_next / BITS_PER_LONG;
	unsigned int from = (unsigned int)(si->cluster_next % BITS_PER_LONG);

	for (unsigned long i = 0; i <= words; i++) {
		unsigned long w = (w0 + i) % words;
		int b;

		if (si->cluster_used[w / WORDS_PER_CLUSTER] ==
		    SWAPFILE_CLUSTER) {		/* skip the full cluster */
			i += WORDS_PER_CLUSTER - 1 - w % WORDS_PER_CLUSTER;
			from = 0;
			continue;
		}
		b = word_find(si->map[w], i ? 0 : from, order);
		if (b >= 0)
			return (long)(w * BITS_PER_LONG + (unsigned int)b);
		from = 0;
	}
	return -1;
}

static long scan_swap_map(struct swap_info_struct *si, unsigned int order)
{
	long off;

	if (order >= HPAGE_PMD_ORDER) {
		long c = find_free_cluster(si);

		off = c < 0 ? -1 : c * SWAPFILE_CLUSTER;
	} else {
		off = find_small(si, order);
	}
	if (off >= 0) {
		take_slots(si, (unsigned long)off, 1UL << order);
		si->cluster_next = ((unsigned long)off + (1UL << order)) %
				   si->max;
	}
	return off;
}

/* Swap device @t if it takes writes and has @nr free slots, else NULL
 * (swap_lock held). */
static struct swap_info_struct *swap_writable(unsigned int t, unsigned long nr)
{
	struct swap_info_struct *si = swap_info[t];

	if (!si || !(si->flags & SWP_WRITEOK) || si->max - si->inuse_pages < nr)
		return NULL;
	return si;
}

int swap_alloc(unsigned int order, swp_entry_t *entry)
{
	unsigned long flags;
	int ret = -ENOSPC;

	spin_lock_irqsave(&swap_lock, flags);
	for (unsigned int t = 0; t < MAX_SWAPFILES && ret; t++) {
		struct swap_info_struct *si = swap_writable(t, 1UL << order);
		long off;

		if (!si)
			continue;
		off = scan_swap_map(si, order);
		if (off >= 0) {
			*entry = swp_entry(t, (unsigned long)off);
			ret = 0;
		}
	}
	spin_unlock_irqrestore(&swap_lock, flags);
	return ret;
}

/*
 * Slots taken ahead (struct swap_slots): the scanner's 64 KiB chunks take
 * their slots from a whole free cluster, reserved at the first chunk of a
 * batch, at a compare and an add each instead of a search of the map
 * under swap_lock.  The device is the one swap_alloc() would pick for 16
 * slots; with no free cluster on it the chunk takes a run the usual way.
 * The reclaimer gives back what it did not use (swap_slots_release)
 * before it drops the mm lock it took them under, so swapoff, which
 * waits for that lock, never finds a slot reserved and unused.
 */
static int swap_slots_refill(struct swap_slots *c, swp_entry_t *entry)
{
	unsigned long flags;
	int ret = -ENOSPC;

	spin_lock_irqsave(&swap_lock, flags);
	for (unsigned int t = 0; t < MAX_SWAPFILES && ret; t++) {
		struct swap_info_struct *si = swap_writable(t, MTHP_NR);
		long off;

		if (!si)
			continue;
		off = scan_swap_map(si, HPAGE_PMD_ORDER);  /* a whole cluster */
		if (off >= 0) {
			*c = (struct swap_slots){
				.type = t, .next = (unsigned long)off + MTHP_NR,
				.left = SWAPFILE_CLUSTER - MTHP_NR };
		} else {
			off = scan_swap_map(si, MTHP_ORDER);
		}
		if (off >= 0) {
			*entry = swp_entry(t, (unsigned long)off);
			ret = 0;
		}
	}
	spin_unlock_irqrestore(&swap_lock, flags);
	return ret;
}

int swap_alloc_chunk(struct swap_slots *c, swp_entry_t *entry)
{
	if (!c->left)
		return swap_slots_refill(c, entry);
	*entry = swp_entry(c->type, c->next);
	c->next += MTHP_NR;
	c->left -= MTHP_NR;
	return 0;
}

void swap_slots_release(struct swap_slots *c)
{
	if (c->left)
		swap_free_nr(swp_entry(c->type, c->next), c->left);
	c->left = 0;
}

/* Clear the @nr taken slots from @off, word by word. */
static void release_slot_words(struct swap_info_struct *si,
			       unsigned long off, unsigned long nr)
{
	for (unsigned long i = off; i < off + nr; ) {
		unsigned long *w = &si->map[i / BITS_PER_LONG];
		unsigned int b = (unsigned int)(i % BITS_PER_LONG);
		unsigned long n = min(nr - (i - off),
				      (unsigned long)BITS_PER_LONG - b);
		unsigned long mask = n == BITS_PER_LONG ? ~0UL :
				     ((1UL << n) - 1) << b;

		BUG_ON((*w & mask) != mask);
		*w &= ~mask;
		/* a word lies in one cluster; a run may span several */
		si->cluster_used[i / SWAPFILE_CLUSTER] -= (unsigned short)n;
		i += n;
	}
}

/* A whole cluster's slots from @off (aligned: a 2 MiB unit's), its
 * eight words at once: ~3 instructions a word where the general loop
 * spent ~30 (every 2 MiB swap-in that does not keep its slots). */
static void release_cluster(struct swap_info_struct *si, unsigned long off)
{
	unsigned long *w = &si->map[off / BITS_PER_LONG], all = ~0UL;

#pragma GCC unroll 8
	for (unsigned long i = 0; i < WORDS_PER_CLUSTER; i++) {
		all &= w[i];
		w[i] = 0;
	}
	BUG_ON(all != ~0UL);
	si->cluster_used[off / SWAPFILE_CLUSTER] = 0;
}

static void release_slots(struct swap_info_struct *si, unsigned long off,
			  unsigned long nr)
{
	if (nr == SWAPFILE_CLUSTER && !(off % SWAPFILE_CLUSTER))
		release_cluster(si, off);
	else
		release_slot_words(si, off, nr);
	si->inuse_pages -= nr;
	if (si->flags & SWP_WRITEOK)	/* else not counted free: swapoff */
		nr_swap_pages += (long)nr;
}

void swap_free(swp_entry_t entry, unsigned int order)
{
	swap_free_nr(entry, 1UL << order);
}

void swap_free_nr(swp_entry_t entry, unsigned long nr)
{
	struct swap_info_struct *si = swap_info[swp_type(entry)];
	unsigned long flags;

	BUG_ON(!si || swp_offset(entry) + nr > si->max);
	spin_lock_irqsave(&swap_lock, flags);
	release_slots(si, swp_offset(entry), nr);
	spin_unlock_irqrestore(&swap_lock, flags);
}

bool swap_slots_taken(swp_entry_t entry, unsigned int order)
{
	struct swap_info_struct *si = swap_info[swp_type(entry)];
	unsigned long off = swp_offset(entry);

	if (!si || off + (1UL << order) > si->max)
		return false;
	for (unsigned long i = off; i < off + (1UL << order); i++)
		if (!((si->map[i / BITS_PER_LONG] >> (i % BITS_PER_LONG)) & 1))
			return false;
	return true;
}

bool swap_write_releases(unsigned int type)
{
	struct swap_info_struct *si = swap_info[type];

	return si && mm_hooks.swap_write_releases &&
	       mm_hooks.swap_write_releases(si->bdev);
}

int swap_io(unsigned int type, bool write, const struct swap_iov *iov,
	    unsigned int n)
{
	struct swap_info_struct *si = swap_info[type];

	if (!si || !mm_hooks.swap_rw)
		return -EIO;
	return mm_hooks.swap_rw(si->bdev, write, iov, n);
}

/* ------------------------------------------------- swapon and swapoff */

static void swap_info_free(struct swap_info_struct *si)
{
	kfree(si->map);
	kfree(si->cluster_used);
	kfree(si);
}

static struct swap_info_struct *swap_info_alloc(unsigned long nr_pages)
{
	struct swap_info_struct *si = kzalloc(sizeof(*si), GFP_KERNEL);

	if (!si)
		return NULL;
	si->max = ALIGN_DOWN(nr_pages, BITS_PER_LONG);
	si->nr_clusters = (si->max + SWAPFILE_CLUSTER - 1) / SWAPFILE_CLUSTER;
	si->map = kzalloc(si->nr_clusters * SWAPFILE_CLUSTER / 8, GFP_KERNEL);
	si->cluster_used = kzalloc(si->nr_clusters * sizeof(unsigned short),
				   GFP_KERNEL);
	if (!si->map || !si->cluster_used) {
		swap_info_free(si);
		return NULL;
	}
	/* the tail of a partial last cluster is never handed out */
	for (unsigned long i = si->max; i < si->nr_clusters * SWAPFILE_CLUSTER;
	     i += BITS_PER_LONG)
		si->map[i / BITS_PER_LONG] = ~0UL;
	return si;
}

static bool name_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static struct swap_info_struct *swap_find(const char *name)
{
	for (unsigned int t = 0; t < MAX_SWAPFILES; t++)
		if (swap_info[t] && name_eq(swap_info[t]->name, name))
			return swap_info[t];
	return NULL;
}

int swapon(void *bdev, const char *name, unsigned long nr_pages)
{
	struct swap_info_struct *si;
	unsigned long flags;
	unsigned int t;

	if (nr_pages < BITS_PER_LONG)
		return -EINVAL;
	if (swap_find(name))
		return -EBUSY;
	for (t = 0; t < MAX_SWAPFILES && swap_info[t]; t++)
		;
	if (t == MAX_SWAPFILES)
		return -ENOSPC;
	si = swap_info_alloc(nr_pages);
	if (!si)
		return -ENOMEM;
	si->type = t;
	si->bdev = bdev;
	for (unsigned int i = 0; name[i] && i < sizeof(si->name) - 1; i++)
		si->name[i] = name[i];
	si->flags = SWP_USED | SWP_WRITEOK;
	spin_lock_irqsave(&swap_lock, flags);
	swap_info[t] = si;
	nr_swap_pages += (long)si->max;
	total_swap_pages += si->max;
	spin_unlock_irqrestore(&swap_lock, flags);
	mm_log(MM_LOG_INFO, "Adding %luk swap on %s.  Priority:-2 extents:1 "
	       "across:%luk", si->max << 2, name, si->max << 2);
	return 0;
}

/* Bring back every page of @si from every mm.  0 or -ENOMEM. */
static int try_to_unuse(struct swap_info_struct *si)
{
	struct mm_struct *mm;
	int err = 0;

	spin_lock(&mmlist_lock);
	list_for_each_entry(mm, &mmlist, mmlist) {
		err = unuse_mm(mm, si->type);
		if (err)
			break;
	}
	spin_unlock(&mmlist_lock);
	return err ? err : (si->inuse_pages ? -EBUSY : 0);
}

int swapoff(const char *name)
{
	struct swap_info_struct *si = swap_find(name);
	unsigned long flags;
	int err;

	if (!si)
		return -EINVAL;
	spin_lock_irqsave(&swap_lock, flags);
	si->flags &= ~SWP_WRITEOK;
	nr_swap_pages -= (long)(si->max - si->inuse_pages);
	spin_unlock_irqrestore(&swap_lock, flags);
	err = try_to_unuse(si);
	spin_lock_irqsave(&swap_lock, flags);
	if (err) {
		si->flags |= SWP_WRITEOK;
		nr_swap_pages += (long)(si->max - si->inuse_pages);
	} else {
		swap_info[si->type] = NULL;
		total_swap_pages -= si->max;
	}
	spin_unlock_irqrestore(&swap_lock, flags);
	if (!err)
		swap_info_free(si);
	return err;
}

void si_swapinfo(unsigned long *total, unsigned long *free)
{
	*total = total_swap_pages;
	*free = nr_swap_pages > 0 ? (unsigned long)nr_swap_pages : 0;
}

/* Linux's /proc/swaps: sizes in kB, our devices are partitions. */
int mm_show_swaps(char *buf, size_t len)
{
	struct mm_seq s = { buf, len, 0 };

	mm_seq_printf(&s, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\t"
		      "Priority\n");
	for (unsigned int t = 0; t < MAX_SWAPFILES; t++) {
		const struct swap_info_struct *si = swap_info[t];

		if (si)
			mm_seq_printf(&s, "%-40s%s\t%lu\t\t%lu\t\t%d\n",
				      si->name, "partition", si->max << 2,
				      si->inuse_pages << 2, -2 - (int)t);
	}
	return mm_seq_result(&s);
}

#ifdef MM_HOST
void swap_host_reset(void)
{
	memset(swap_info, 0, sizeof(swap_info));
	nr_swap_pages = 0;
	total_swap_pages = 0;
}
#endif
