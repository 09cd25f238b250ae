/*
 * The scanner's core (ksm.c), the wire protocol (proto.c) and the parts the
 * daemon (ksmd.c) and the VM's side (vm.c) share. Internal to ksm/ (and its
 * tests). See the overview at the top of ksm.c.
 */
#ifndef KSM_KSM_INTERNAL_H
#define KSM_KSM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/error.h"

#define KSM_PAGE_SIZE 4096u

/* rmap_item flags */
#define RMAP_ALLOCATED  0x01   /* counted in ksm_rmap_items */
#define RMAP_UNSTABLE   0x02   /* in the unstable tree of this scan */
#define RMAP_STABLE     0x04   /* merged: maps dup's pool page */
#define RMAP_ZERO       0x08   /* merged with the zero page (a hole) */
#define RMAP_CHECKSUMMED 0x10  /* oldchecksum is valid */
#define RMAP_REFUSED    0x20   /* the VM refused this merge (undone later) */

/*
 * One per guest page the scanner has seen holding data (Linux's
 * ksm_rmap_item). Regions keep them in an array indexed by page.
 */
struct ksm_rmap_item {
	struct {                      /* its dup's sharers, while RMAP_STABLE */
		struct ksm_rmap_item *next, **pprev;
	} sharer;
	uint64_t oldchecksum;         /* XXH3 of the contents at the last visit */
	struct ksm_stable_dup *dup;   /* the merged page, while RMAP_STABLE */
	uint32_t seqnr;               /* full scan that put it in the unstable tree */
	uint8_t flags;
	uint8_t age;                  /* smart scan: visits without merging */
	uint8_t remaining_skips;      /* smart scan: visits left to skip */
};

/* A pool page holding merged contents (Linux's stable node, or a dup of a
 * chain when max_page_sharing splits one content over several pages). */
struct ksm_stable_dup {
	uint64_t pidx;                /* page index in the pool */
	uint32_t rmap_count;          /* guest pages mapping it */
	struct ksm_rmap_item *sharers; /* those pages (Linux's hlist) */
	struct ksm_stable_chain *chain;
	struct ksm_stable_dup *next;  /* in the chain, the one to fill first */
	struct ksm_stripe *stripe;    /* the stripe its pool page is in, or NULL */
};

/* Pool pages in a stripe: a run of guest pages of one content maps this
 * many pool pages in a row (see stable.c). */
#define KSM_STRIPE_PAGES 64

/*
 * A chain's stripe: KSM_STRIPE_PAGES consecutive pool pages reserved for
 * its contents, page j filled (and a dup of the chain) only while a guest
 * page maps it; guest page idx of a run takes page idx % KSM_STRIPE_PAGES.
 */
struct ksm_stripe {
	uint64_t base;                /* its first pool page */
	unsigned int nr_dups;         /* pages filled: dup[j] not NULL */
	struct ksm_stable_chain *chain;
	struct ksm_stable_dup *dup[KSM_STRIPE_PAGES];
};

/* One content in the stable tree: one or more dups holding it. */
struct ksm_stable_chain {
	uint64_t checksum;
	int nid;                      /* -1 when merge_across_nodes */
	unsigned int nr_dups;
	struct ksm_stable_dup *dups;
	uint64_t prune_time_ms;       /* last pruned (or made a chain) */
	struct ksm_stripe *stripe;    /* the one runs fill, or NULL */
};

/* A guest memory region (boot RAM, a DIMM) of one VM. */
struct ksm_region {
	struct ksm_mm *mm;
	uint32_t id;                  /* the VM's name for it */
	int nid;                      /* NUMA node */
	uint64_t nr_pages;
	struct ksm_rmap_item *items;  /* nr_pages of them */
	void *priv;                   /* the daemon's (memfd) */
};

#define KSM_MAX_REGIONS 264

/* A VM (Linux's mm_slot). */
struct ksm_mm {
	struct ksm *ksm;
	uint32_t id;
	unsigned int nr_regions;
	struct ksm_region *regions[KSM_MAX_REGIONS];
	/* /proc/PID/ksm_stat */
	uint64_t ksm_rmap_items;
	uint64_t ksm_zero_pages;
	uint64_t ksm_merging_pages;
	bool merge_stopped;           /* a limit was hit: no more merging */
	char stop_reason[96];
	void *priv;                   /* the daemon's (client) */
	struct ksm_mm *next;
};

/*
 * What the core asks of its environment: the daemon implements these with
 * memfds and requests to the VMs, the unit tests with arrays.
 */
struct ksm_ops {
	/* Where page @idx of @r can be read, or NULL (a hole); the core
	 * reads it only to copy it into a pool page. The page may vanish
	 * under the reader: read it only with ksm_guard_* below. */
	const void *(*page)(void *opaque, struct ksm_region *r, uint64_t idx);
	/* First page at or after @idx holding data (SEEK_DATA), or nr_pages. */
	uint64_t (*next_data)(void *opaque, struct ksm_region *r, uint64_t idx);
	/* The XXH3 of page @idx's contents now, into *sum: 0; 1 if it holds
	 * no data (a hole, or merged meanwhile); -errno. @ahead: how many
	 * pages from @idx on the scan batch may still visit (a hint for
	 * hashing them at once). The value may come from the VM and is not
	 * to be trusted: it only ever makes candidates (see "Compares"). */
	int (*checksum)(void *opaque, struct ksm_region *r, uint64_t idx,
			uint64_t ahead, uint64_t *sum);
	/* Contents of pool page @pidx (read only). */
	const void *(*pool_page)(void *opaque, uint64_t pidx);
	/* A pool page holding @buf (a stable copy): 0 and *pidx, or -errno. */
	int (*pool_alloc)(void *opaque, const void *buf, uint64_t *pidx);
	/* Release pool page @pidx (filled or only reserved). */
	void (*pool_free)(void *opaque, uint64_t pidx);
	/* @n consecutive pool pages, reserved and empty (not to be read
	 * until filled): 0 and *base, or -errno. NULL: no stripes. */
	int (*pool_reserve)(void *opaque, uint64_t n, uint64_t *base);
	/* Fill reserved pool page @pidx with @buf (a stable copy): 0 or
	 * -errno. */
	int (*pool_fill)(void *opaque, uint64_t pidx, const void *buf);
	/* Empty pool page @pidx again; it stays reserved. */
	void (*pool_punch)(void *opaque, uint64_t pidx);
	/* The VM write-protects page @idx, compares it with pool page @pidx
	 * and maps the pool page there: 0 merged, -EAGAIN contents differ,
	 * -ENOMEM a mapping limit (no more merging), other -errno. */
	int (*merge)(void *opaque, struct ksm_region *r, uint64_t idx,
		     uint64_t pidx);
	/* The same against the zero page (the page becomes a hole). */
	int (*merge_zero)(void *opaque, struct ksm_region *r, uint64_t idx);
	/* The VM gives page @idx its own copy again: 0 or -errno. */
	int (*unmerge)(void *opaque, struct ksm_region *r, uint64_t idx);
	/* Is merged page @idx still mapping the pool? 1 yes, 0 no (the VM
	 * took it back after a copy-on-write break), -errno. */
	int (*still_merged)(void *opaque, struct ksm_region *r, uint64_t idx);
	/* A monotonic clock in ms (stable_node_chains_prune_millisecs). */
	uint64_t (*now_ms)(void *opaque);
};

/* The trees' index: checksum -> what holds those contents, several per
 * checksum (hindex.c). */
struct ksm_hindex_slot {
	uint64_t key;                 /* checksum | 1; 0 empty, 2 deleted */
	void *val;
};

struct ksm_hindex {
	struct ksm_hindex_slot *slots;
	size_t cap, used, deleted;
};

#define KSM_HINDEX_START ((size_t)-1)

int ksm_hindex_add(struct ksm_hindex *h, uint64_t checksum, void *val);
void ksm_hindex_del(struct ksm_hindex *h, uint64_t checksum, const void *val);
/* The next value filed under @checksum (or under one folded into its key:
 * check), NULL at the end; *@pos is KSM_HINDEX_START at first. */
void *ksm_hindex_next(const struct ksm_hindex *h, uint64_t checksum,
		      size_t *pos);
/* Start loading the slot a lookup of @checksum reads first (a cache and,
 * in a big table, TLB miss): for a lookup a few pages from now. */
void ksm_hindex_prefetch(const struct ksm_hindex *h, uint64_t checksum);
/* Forget every entry (the memory stays for the next use). */
void ksm_hindex_clear(struct ksm_hindex *h);
void ksm_hindex_free(struct ksm_hindex *h);

/* Tunables (Linux's /sys/kernel/mm/ksm names). */
struct ksm_knobs {
	unsigned int run;                       /* 0 stop, 1 run, 2 unmerge */
	unsigned int pages_to_scan;
	unsigned int sleep_millisecs;
	unsigned int max_page_sharing;
	unsigned int merge_across_nodes;
	unsigned int use_zero_pages;
	unsigned int smart_scan;
	unsigned int stable_node_chains_prune_millisecs;
	unsigned int advisor_mode;              /* 0 none, 1 scan-time */
	unsigned int advisor_target_scan_time;  /* seconds */
	unsigned int advisor_max_cpu;           /* percent */
	unsigned int advisor_min_pages_to_scan;
	unsigned int advisor_max_pages_to_scan;
};

/* Counters (Linux's names). */
struct ksm_stats {
	uint64_t pages_shared;
	uint64_t pages_sharing;
	uint64_t pages_unshared;
	uint64_t pages_scanned;
	uint64_t pages_skipped;
	uint64_t full_scans;
	uint64_t stable_node_chains;
	uint64_t stable_node_dups;
	uint64_t ksm_zero_pages;
	uint64_t ksm_rmap_items;
	uint64_t merge_failures;     /* merges the VM refused (contents moved) */
};

/* The advisor's memory between full scans. */
struct ksm_advisor {
	uint64_t scan_start_ms;
	uint64_t cpu_start_us;
	uint64_t per_page_cost_ns;   /* EWMA of CPU per scanned page */
};

struct ksm {
	struct ksm_knobs knobs;
	struct ksm_stats stats;
	struct ksm_advisor advisor;
	const struct ksm_ops *ops;
	void *opaque;
	struct ksm_mm *mm_list;
	struct ksm_hindex stable;       /* the stable tree: chains */
	struct ksm_hindex unstable;     /* the unstable tree: rmap items */
	uint32_t seqnr;               /* full scan number (unstable tree era) */
	/* the scan cursor */
	struct ksm_mm *cur_mm;
	unsigned int cur_region;
	uint64_t cur_idx;
	uint8_t *buf;                 /* a page: a new pool page's copy */
	uint64_t zero_checksum;
};

/*
 * Reads of guest pages that may vanish under the reader (guard.c): hash
 * or copy one page; -EFAULT if it went away meanwhile. ksmd
 * installs the SIGBUS handler that makes that so (its mappings of guest
 * memory raise SIGBUS on a hole instead of allocating it).
 */
int ksm_guard_install(void);
int ksm_guard_hash(const void *page, uint64_t *sum);
int ksm_guard_copy(void *dst, const void *src);

int ksm_init(struct ksm *ksm, const struct ksm_ops *ops, void *opaque);
void ksm_destroy(struct ksm *ksm);

struct ksm_mm *ksm_mm_add(struct ksm *ksm, uint32_t id, void *priv);
/* Forget a VM: its pages leave both trees, its references to pool pages are
 * dropped (the VM keeps what it maps; nothing is asked of it). */
void ksm_mm_remove(struct ksm *ksm, struct ksm_mm *mm);
struct ksm_mm *ksm_mm_find(struct ksm *ksm, uint32_t id);
struct ksm_region *ksm_region_add(struct ksm_mm *mm, uint32_t id, int nid,
				  uint64_t nr_pages, void *priv);
struct ksm_region *ksm_region_find(struct ksm_mm *mm, uint32_t id);
void ksm_region_remove(struct ksm_mm *mm, struct ksm_region *r);
/* The VM dropped its merged page @idx (discard, unmerge on its own). */
void ksm_page_dropped(struct ksm_region *r, uint64_t idx);
/* A merge of page @idx onto pool page @pidx that ops->merge accepted (0)
 * for later was refused by the VM: the page's rmap item is marked if it
 * still stands for that merge (nothing is freed: the core may be in the
 * middle of a lookup). Any time. */
void ksm_merge_refused(struct ksm_region *r, uint64_t idx, uint64_t pidx);
/* Then, between scan batches, with the VM's @err: the item is forgotten if
 * it is still marked (that merge was not left, and no other made since,
 * even onto a reused pool page), and -ENOMEM/-ENOSPC stop merging for the
 * VM. */
void ksm_merge_failed(struct ksm_region *r, uint64_t idx, int err);

/* ------------------------------------------------------------ the core
 *
 * Shared by the core's files (ksm.c: trees, rmap items, the scan;
 * stable.c: the stable tree's chains, dups and their pruning; vms.c: VMs
 * and regions); nobody else calls these.
 */

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

/* The key a lookup carries: the page's node and checksum, and the page,
 * read in place (guarded: it may vanish). */
struct ksm_tree_key {
	int nid;
	uint64_t checksum;
	const uint8_t *page;
};

/* The region an rmap item belongs to (a search over the VMs). */
struct ksm_region *ksm_item_region(struct ksm *ksm,
				   const struct ksm_rmap_item *it);
/* Take @it out of whatever tree, dup or zero page holds it. */
void ksm_remove_rmap_item_from_tree(struct ksm *ksm, struct ksm_region *r,
				    struct ksm_rmap_item *it);
/* Forget page @it of @r altogether (its rmap item is free again). */
void ksm_rmap_item_free(struct ksm *ksm, struct ksm_region *r,
			struct ksm_rmap_item *it);
/* A limit was hit (@err -ENOMEM/-ENOSPC): no more merging for @mm. */
void ksm_mm_stop_merging(struct ksm_mm *mm, int err);

/* The chain holding @k's contents, or NULL. */
struct ksm_stable_chain *ksm_stable_search(struct ksm *ksm,
					   struct ksm_tree_key *k);
/* A new dup for @k's contents in pool page @pidx, or NULL. */
struct ksm_stable_dup *ksm_stable_insert(struct ksm *ksm,
					 struct ksm_tree_key *k,
					 uint64_t pidx);
/* A dup of *@cp with room for one more sharer for page @idx of @r, or
 * NULL, the chain pruned first when that is due (*@cp NULL if it went); a
 * page that continues a run of the chain's contents takes its stripe's
 * page (a dup made for it, perhaps in a new stripe). A dup made here
 * that nobody joins must be freed (ksm_dup_free). */
struct ksm_stable_dup *ksm_chain_pick(struct ksm *ksm,
				      struct ksm_stable_chain **cp,
				      struct ksm_region *r, uint64_t idx);
/* Page @it of @r now maps @dup's pool page / leaves it. */
void ksm_dup_get(struct ksm *ksm, struct ksm_stable_dup *dup,
		 struct ksm_region *r, struct ksm_rmap_item *it);
void ksm_dup_leave(struct ksm *ksm, struct ksm_region *r,
		   struct ksm_rmap_item *it);
/* Free @dup, which no page maps, with its pool page (and its chain if it
 * was the last). */
void ksm_dup_free(struct ksm *ksm, struct ksm_stable_dup *dup);

/* Will the scan want @it's checksum when it next visits the page (smart
 * scan skips a page that keeps failing to merge)? For the daemon, which
 * asks the VM only for the checksums wanted. */
bool ksm_rmap_item_wants_checksum(const struct ksm *ksm,
				  const struct ksm_rmap_item *it);
/* Scan up to @nr pages; returns how many were scanned. */
unsigned int ksm_scan(struct ksm *ksm, unsigned int nr);
/* run=2: unmerge every merged page, forget the zero-page merges (such a
 * page is a hole of its VM's own memory, which nobody shares: it reads as
 * the zeros it held and gets memory when the guest writes it, as Linux's
 * unmerged page would); 0 or the first -errno. */
int ksm_unmerge_all(struct ksm *ksm);

/* Tunables and statistics by name. */
int ksm_knob_set(struct ksm *ksm, const char *name, const char *value,
		 struct errmsg *e);
/* ksm_knob_set from "NAME=VALUE", as `ksm set` gives it. */
int ksm_knob_assign(struct ksm *ksm, const char *assignment,
		    struct errmsg *e);
/* Each "NAME: VALUE" line for @name (NULL: all knobs then all stats), to
 * @out; -ENOENT for an unknown name. */
int ksm_format(const struct ksm *ksm, const char *name,
	       void (*out)(void *arg, const char *line), void *arg);
uint64_t ksm_pages_volatile(const struct ksm *ksm);
int64_t ksm_general_profit(const struct ksm *ksm);
int64_t ksm_mm_profit(const struct ksm_mm *mm);

/*
 * The advisor (pure): pages_to_scan for the next full scan, given the
 * pages a full scan visits, the last scan's CPU cost per page in ns, the
 * sleep between batches, and the knobs.
 */
unsigned int ksm_advisor_pages(const struct ksm_knobs *k, uint64_t pages,
			       uint64_t per_page_cost_ns);
/* After a full scan: update the cost estimate from CPU and wall time. */
void ksm_advisor_full_scan(struct ksm *ksm, uint64_t now_ms,
			   uint64_t cpu_us);


/* ------------------------------------------------------------ protocol
 *
 * ksmd listens on a unix SOCK_SEQPACKET socket (mode 0600); every message
 * is one struct ksm_msg. A VM says HELLO (the reply carries the pool memfd,
 * read-only, by SCM_RIGHTS, then SUM_BUF carries its checksum buffer),
 * then REGION_ADD (with the region's memfd), REGION_DEL and DROPPED as its
 * memory changes; ksmd sends it MERGE, MERGE_ZERO, UNMERGE, STILL and
 * SUM_RUN requests (the VM answers each with the same type and seq, and
 * result 0 or -errno) and STATS. A control client sends
 * CTL_GET or CTL_SET and gets LINE messages then END.
 */
#define KSM_MSG_MAGIC 0x4b534d31u    /* "KSM1" */
#define KSM_MAX_REGION_PAGES (1ull << 28)  /* 1 TiB */
#define KSM_POOL_MAX_PAGES (1ull << 26)    /* the pool: 256 GiB */
#define KSM_RUN_MAX 1024                   /* pages in one MERGE_RUN */
#define KSM_RUN_SAME 0x1                   /* MERGE_RUN onto one pool page */
#define KSM_RUN_ZERO 0x2                   /* MERGE_RUN onto the zero page */
#define KSM_ZERO_PIDX UINT64_MAX           /* "pool page" of a zero merge */
#define KSM_SUM_BUF_SIZE (KSM_RUN_MAX * sizeof(uint64_t)) /* SUM_BUF's memfd */

enum ksm_msg_type {
	KSM_HELLO = 1,       /* VM -> d: a = pid; d -> VM: pool fd */
	KSM_REGION_ADD,      /* VM -> d: region, nid, a = pages; memfd */
	KSM_REGION_DEL,      /* VM -> d: region */
	KSM_DROPPED,         /* VM -> d: region, a = page it took back */
	KSM_MERGE,           /* d -> VM: region, a = page, b = pool page */
	KSM_MERGE_ZERO,      /* d -> VM: region, a = page */
	KSM_UNMERGE,         /* d -> VM: region, a = page */
	KSM_STILL,           /* d -> VM: region, a = page; result 1/0 */
	KSM_STATS,           /* d -> VM: a rmap items, b merging, nid zero
				pages, region 1 if merging stopped, text */
	KSM_CTL_GET,         /* ctl -> d: text = name or "" */
	KSM_CTL_SET,         /* ctl -> d: text = name=value */
	KSM_LINE,            /* d -> ctl: text */
	KSM_END,             /* d -> ctl: result, text = error */
	KSM_MERGE_RUN,       /* d -> VM: region, a = first page, b = first
				pool page, nid = pages (<= KSM_RUN_MAX): MERGE
				of a+i with b+i for each i; the answer's text
				has bit i set for each page not merged and
				result the error of those (0: -EAGAIN); with
				flags KSM_RUN_SAME every page onto pool page b
				(identical pages: a chain's dup); with
				KSM_RUN_ZERO each all-zero page is punched
				(MERGE_ZERO), b unused */
	KSM_STILL_RUN,       /* d -> VM: region, a = first page, nid = pages
				(<= KSM_RUN_MAX): STILL for each; the answer's
				text has bit i set for each still merged */
	KSM_SUM_BUF,         /* d -> VM: the checksum buffer's memfd
				(KSM_RUN_MAX slots of 8 bytes, sealed against
				shrinking), which the VM maps read-write; no
				answer */
	KSM_SUM_RUN,         /* d -> VM: region, a = first page, nid = pages
				(<= KSM_RUN_MAX), flags 0, text bit i set for
				each page wanted: slot i of the checksum
				buffer gets the XXH3 of page a+i if it is
				wanted, data and not merged; the answer's
				text has bit i set for each page that is data
				and not merged (hashed if wanted) */
	KSM_MSG_MAX,
};

struct ksm_msg {
	uint32_t magic;
	uint16_t type;
	uint16_t flags;      /* MERGE_RUN: KSM_RUN_SAME or KSM_RUN_ZERO */
	uint32_t seq;
	int32_t result;
	uint32_t region;
	uint32_t nid;
	uint64_t a, b;
	char text[256];      /* NUL-terminated */
};

/* Bit @i of a message's page bitmap (bit i of byte i / 8: MERGE_RUN,
 * STILL_RUN and SUM_RUN answers, SUM_RUN's request). */
static inline bool ksm_bit(const uint8_t *bits, uint64_t i)
{
	return bits[i / 8] >> (i % 8) & 1;
}

static inline void ksm_bit_set(uint8_t *bits, uint64_t i)
{
	bits[i / 8] |= 1u << (i % 8);
}

static inline void ksm_bit_clear(uint8_t *bits, uint64_t i)
{
	bits[i / 8] &= ~(1u << (i % 8));
}

/* Check a received message of @len bytes: 0, or -EINVAL (the sender is
 * dropped). Ranges of region and page are checked against the VM's state
 * by the receiver. */
int ksm_msg_check(const void *buf, size_t len);
/* Send @m (with @fd if >= 0); 0 or -errno. */
int ksm_msg_send(int sock, struct ksm_msg *m, int fd);
/* Receive one message (and an fd, -1 if none; extra fds are closed):
 * 0, -EPIPE at end of stream, -EINVAL malformed, -errno. */
int ksm_msg_recv(int sock, struct ksm_msg *m, int *fd);

#endif
