/*
 * The scanner's algorithm (ksm/ksm.c, ksm/knobs.c) against a fake host:
 * regions are arrays of pages whose state is data, hole or "maps pool page
 * P"; the fake's merge compares whole contents as the VM does, and a guest
 * write to a merged page takes a private copy (copy-on-write).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <xxhash.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ksm/ksm.h"
#include "ksm/ksm_internal.h"
#include "ksm/ksmd_internal.h"
#include "ksm/vm_internal.h"

#define PG KSM_PAGE_SIZE
#define MAXP 200
#define POOL 512

enum { DATA, HOLE, MAPPED };

struct fpage {
	int state;
	uint64_t pidx;
	bool refuse;            /* the VM refuses to merge it */
	uint8_t data[PG];
};

struct fake {
	struct fpage reg[4][MAXP];
	uint8_t pool[POOL][PG];
	bool pool_used[POOL];           /* filled */
	bool pool_reserved[POOL];       /* a stripe's */
	int pool_count;                 /* filled or reserved */
	int merges_left;        /* -1: no limit; 0: -ENOMEM */
	int refuse;             /* merge says contents differ */
	uint64_t now;           /* the clock, in ms */
	int stills;             /* still_merged calls */
	bool lie;               /* VM 1 reports VM 0's checksums */
	bool lie_zero;          /* VM 1 reports the zero page's checksum */
};

static struct fake *F;
static struct ksm K;

static struct fpage *fp(struct ksm_region *r, uint64_t i)
{
	return &F->reg[r->id][i];
}

static const void *f_page(void *o, struct ksm_region *r, uint64_t i)
{
	return fp(r, i)->state == DATA ? fp(r, i)->data : NULL;
}

static uint64_t f_next(void *o, struct ksm_region *r, uint64_t i)
{
	while (i < r->nr_pages && fp(r, i)->state != DATA)
		i++;
	return i;
}

/* The VM's SUM_RUN for one page: data is hashed, a hole (or a page
 * mapping the pool) has no checksum. */
static int f_checksum(void *o, struct ksm_region *r, uint64_t i,
		      uint64_t ahead, uint64_t *sum)
{
	static const uint8_t z[PG];

	if (fp(r, i)->state != DATA)
		return 1;
	*sum = XXH3_64bits(fp(r, i)->data, PG);
	if (r->id == 1 && F->lie)
		*sum = XXH3_64bits(F->reg[0][i].data, PG);
	if (r->id == 1 && F->lie_zero)
		*sum = XXH3_64bits(z, PG);
	return 0;
}

static const void *f_pool_page(void *o, uint64_t p)
{
	ck_assert(F->pool_used[p]);
	return F->pool[p];
}

static int f_pool_alloc(void *o, const void *buf, uint64_t *p)
{
	uint64_t i;

	for (i = 0; i < POOL; i++)
		if (!F->pool_used[i] && !F->pool_reserved[i]) {
			F->pool_used[i] = true;
			memcpy(F->pool[i], buf, PG);
			F->pool_count++;
			*p = i;
			return 0;
		}
	return -ENOSPC;
}

static void f_pool_free(void *o, uint64_t p)
{
	ck_assert(F->pool_used[p] || F->pool_reserved[p]);
	F->pool_used[p] = false;
	F->pool_reserved[p] = false;
	memset(F->pool[p], 0xaa, PG);   /* poison */
	F->pool_count--;
}

static int f_pool_reserve(void *o, uint64_t n, uint64_t *base)
{
	uint64_t i, j;

	for (i = 0; i + n <= POOL; i++) {
		for (j = 0; j < n && !F->pool_used[i + j] &&
			    !F->pool_reserved[i + j]; j++)
			;
		if (j < n)
			continue;
		for (j = 0; j < n; j++)
			F->pool_reserved[i + j] = true;
		F->pool_count += n;
		*base = i;
		return 0;
	}
	return -ENOSPC;
}

static int f_pool_fill(void *o, uint64_t p, const void *buf)
{
	ck_assert(F->pool_reserved[p] && !F->pool_used[p]);
	F->pool_used[p] = true;
	memcpy(F->pool[p], buf, PG);
	return 0;
}

static void f_pool_punch(void *o, uint64_t p)
{
	ck_assert(F->pool_reserved[p] && F->pool_used[p]);
	F->pool_used[p] = false;
	memset(F->pool[p], 0xaa, PG);   /* poison */
}

static int f_merge(void *o, struct ksm_region *r, uint64_t i, uint64_t p)
{
	struct fpage *g = fp(r, i);

	ck_assert(F->pool_used[p]);
	if (g->state != DATA || F->refuse || g->refuse ||
	    memcmp(g->data, F->pool[p], PG))
		return -EAGAIN;
	if (F->merges_left == 0)
		return -ENOMEM;
	if (F->merges_left > 0)
		F->merges_left--;
	g->state = MAPPED;
	g->pidx = p;
	return 0;
}

static int f_merge_zero(void *o, struct ksm_region *r, uint64_t i)
{
	static const uint8_t z[PG];
	struct fpage *g = fp(r, i);

	if (g->state != DATA || memcmp(g->data, z, PG))
		return -EAGAIN;
	g->state = HOLE;
	return 0;
}

static int f_unmerge(void *o, struct ksm_region *r, uint64_t i)
{
	struct fpage *g = fp(r, i);

	if (g->state == MAPPED) {
		memcpy(g->data, F->pool[g->pidx], PG);
		g->state = DATA;
	}
	return 0;
}

static int f_still(void *o, struct ksm_region *r, uint64_t i)
{
	F->stills++;
	return fp(r, i)->state == MAPPED;
}

static uint64_t f_now(void *o)
{
	return F->now;
}

static const struct ksm_ops fops = {
	.page = f_page, .next_data = f_next, .checksum = f_checksum,
	.pool_page = f_pool_page,
	.pool_alloc = f_pool_alloc, .pool_free = f_pool_free,
	.merge = f_merge, .merge_zero = f_merge_zero, .unmerge = f_unmerge,
	.still_merged = f_still, .now_ms = f_now,
};

/* The same with a pool that reserves ranges: chains make stripes. */
static const struct ksm_ops fops_stripes = {
	.page = f_page, .next_data = f_next, .checksum = f_checksum,
	.pool_page = f_pool_page,
	.pool_alloc = f_pool_alloc, .pool_free = f_pool_free,
	.pool_reserve = f_pool_reserve, .pool_fill = f_pool_fill,
	.pool_punch = f_pool_punch,
	.merge = f_merge, .merge_zero = f_merge_zero, .unmerge = f_unmerge,
	.still_merged = f_still, .now_ms = f_now,
};

/* What the guest reads at page @i. */
static const uint8_t *guest_view(int reg, uint64_t i)
{
	static const uint8_t z[PG];
	struct fpage *g = &F->reg[reg][i];

	return g->state == DATA ? g->data : g->state == HOLE ? z : F->pool[g->pidx];
}

/* A guest write: merged pages get their own copy first. */
static void guest_write(int reg, uint64_t i, uint8_t byte)
{
	struct fpage *g = &F->reg[reg][i];

	if (g->state == MAPPED)
		memcpy(g->data, F->pool[g->pidx], PG);
	else if (g->state == HOLE)
		memset(g->data, 0, PG);
	g->state = DATA;
	g->data[i % PG] = byte;
}

static void fill(int reg, uint64_t i, uint32_t seed)
{
	uint32_t *w = (uint32_t *)F->reg[reg][i].data;
	unsigned int k;

	F->reg[reg][i].state = DATA;
	for (k = 0; k < PG / 4; k++) {
		seed = seed * 1103515245u + 12345u;
		w[k] = seed;
	}
}

static void setup(void)
{
	F = calloc(1, sizeof(*F));
	F->merges_left = -1;
	ck_assert_int_eq(ksm_init(&K, &fops, F), 0);
	K.knobs.smart_scan = 0;
}

static void teardown(void)
{
	ksm_destroy(&K);
	ck_assert_int_eq(F->pool_count, 0);   /* every pool page released */
	free(F);
}

/* Two VMs, one region each, @n pages; VM b's page i = VM a's page i. */
static void two_vms(uint64_t n, struct ksm_region **ra, struct ksm_region **rb)
{
	struct ksm_mm *a = ksm_mm_add(&K, 1, NULL), *b = ksm_mm_add(&K, 2, NULL);
	uint64_t i;

	*ra = ksm_region_add(a, 0, 0, n, NULL);
	*rb = ksm_region_add(b, 1, 0, n, NULL);
	for (i = 0; i < n; i++) {
		fill(0, i, 1000 + i);
		fill(1, i, 1000 + i);
	}
}

static void full_scans(unsigned int n)
{
	uint64_t want = K.stats.full_scans + n;

	int guard = 100000;

	while (K.stats.full_scans < want && guard--)
		ksm_scan(&K, 7);
	ck_assert_uint_eq(K.stats.full_scans, want);
}

static void check_contents(int reg, uint64_t n, uint32_t seed0)
{
	uint8_t *save = F->reg[3][0].data;
	uint64_t i;

	for (i = 0; i < n; i++) {
		fill(3, 0, seed0 + i);
		ck_assert_mem_eq(guest_view(reg, i), save, PG);
	}
}

START_TEST(identical_vms_merge)
{
	struct ksm_region *ra, *rb;
	uint64_t i;

	two_vms(48, &ra, &rb);
	full_scans(3);
	ck_assert_uint_eq(K.stats.pages_shared, 48);
	ck_assert_uint_eq(K.stats.pages_sharing, 48);
	ck_assert_int_eq(F->pool_count, 48);
	for (i = 0; i < 48; i++) {
		ck_assert_int_eq(F->reg[0][i].state, MAPPED);
		ck_assert_int_eq(F->reg[1][i].state, MAPPED);
		ck_assert_uint_eq(F->reg[0][i].pidx, F->reg[1][i].pidx);
	}
	check_contents(0, 48, 1000);
	check_contents(1, 48, 1000);
	ck_assert_uint_eq(ra->mm->ksm_merging_pages, 48);
	ck_assert_uint_eq(ksm_pages_volatile(&K), 0);
	ck_assert_int_gt(ksm_general_profit(&K), 0);
	ck_assert_int_eq(ksm_mm_profit(rb->mm),
			 48 * PG - 48 * (int64_t)sizeof(struct ksm_rmap_item));
}
END_TEST

START_TEST(hash_match_alone_never_merges)
{
	struct ksm_region *ra, *rb;

	two_vms(16, &ra, &rb);
	F->refuse = 1;                  /* the VM's full compare fails */
	full_scans(4);
	ck_assert_uint_eq(K.stats.pages_shared, 0);
	ck_assert_uint_eq(K.stats.pages_sharing, 0);
	ck_assert_int_eq(F->pool_count, 0);
	ck_assert_uint_gt(K.stats.merge_failures, 0);
	check_contents(0, 16, 1000);
	check_contents(1, 16, 1000);
}
END_TEST

/* A VM whose checksums lie (another VM's, or the zero page's, for pages
 * that hold something else) gets candidates that fail: nothing is merged,
 * no pool page is left, and neither VM's memory changes. */
START_TEST(lying_checksums_merge_nothing)
{
	struct ksm_region *ra, *rb;
	uint64_t i;

	two_vms(16, &ra, &rb);
	for (i = 0; i < 16; i++)
		fill(1, i, 5000 + i);           /* VM b's pages differ */
	F->lie = true;
	full_scans(4);
	ck_assert_uint_eq(K.stats.pages_sharing, 0);
	ck_assert_int_eq(F->pool_count, 0);
	F->lie = false;
	F->lie_zero = true;
	K.knobs.use_zero_pages = 1;
	full_scans(4);
	ck_assert_uint_eq(K.stats.ksm_zero_pages, 0);
	for (i = 0; i < 16; i++)
		ck_assert_int_eq(F->reg[1][i].state, DATA);
	check_contents(0, 16, 1000);
	check_contents(1, 16, 5000);
}
END_TEST

START_TEST(changing_pages_stay_out)
{
	struct ksm_region *ra, *rb;
	uint64_t i;
	int s;

	two_vms(8, &ra, &rb);
	for (s = 0; s < 4; s++) {
		/* both change every scan: checksum never stable */
		for (i = 0; i < 8; i++) {
			fill(0, i, 50 * s + i);
			fill(1, i, 50 * s + i);
		}
		full_scans(1);
	}
	ck_assert_uint_eq(K.stats.pages_shared, 0);
	ck_assert_uint_eq(ksm_pages_volatile(&K), 16);
}
END_TEST

START_TEST(cow_break_leaves_other_sharer)
{
	struct ksm_region *ra, *rb;

	two_vms(4, &ra, &rb);
	full_scans(3);
	ck_assert_uint_eq(K.stats.pages_sharing, 4);
	guest_write(0, 2, 0x5a);
	ck_assert_int_eq(F->reg[0][2].data[2], 0x5a);
	full_scans(1);
	ck_assert_uint_eq(K.stats.pages_sharing, 3);
	ck_assert_uint_eq(K.stats.pages_shared, 4);   /* b keeps its page */
	check_contents(1, 4, 1000);
	ck_assert_uint_eq(ra->mm->ksm_merging_pages, 3);
	ck_assert_uint_eq(rb->mm->ksm_merging_pages, 4);
	/* b writes too: the pool page is freed */
	guest_write(1, 2, 0x33);
	full_scans(1);
	ck_assert_uint_eq(K.stats.pages_shared, 3);
	ck_assert_int_eq(F->pool_count, 3);
}
END_TEST

START_TEST(max_page_sharing_makes_chains)
{
	struct ksm_mm *mm = ksm_mm_add(&K, 1, NULL);
	uint64_t i;

	ksm_region_add(mm, 0, 0, 6, NULL);
	for (i = 0; i < 6; i++)
		fill(0, i, 77);           /* six equal pages */
	ck_assert_int_eq(ksm_knob_set(&K, "max_page_sharing", "2", NULL), 0);
	full_scans(4);
	ck_assert_uint_eq(K.stats.pages_shared, 3);
	ck_assert_uint_eq(K.stats.pages_sharing, 3);
	ck_assert_uint_eq(K.stats.stable_node_chains, 1);
	ck_assert_uint_eq(K.stats.stable_node_dups, 3);
	ck_assert_int_eq(ksm_unmerge_all(&K), 0);
	ck_assert_uint_eq(K.stats.stable_node_chains, 0);
	ck_assert_uint_eq(K.stats.stable_node_dups, 0);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(F->reg[0][i].state, DATA);
}
END_TEST

/* Visit the first @n pages of a new full scan. */
static void scan_from_start(unsigned int n)
{
	K.cur_mm = NULL;                  /* the next batch starts a full scan */
	ck_assert_uint_eq(ksm_scan(&K, n), n);
}

/*
 * stable_node_chains_prune_millisecs: both sharers of one dup of a chain
 * take private copies; a lookup on the chain before the interval leaves
 * the stale dup alone, one after it frees the dup and its pool page before
 * the scan comes back to the sharers; then lookups take the head without
 * asking the VMs. VM a (region 0) holds two probe pages the cursor visits
 * first, VM b (region 1) the six equal pages.
 */
START_TEST(stale_dups_pruned)
{
	struct ksm_mm *a = ksm_mm_add(&K, 1, NULL), *b = ksm_mm_add(&K, 2, NULL);
	uint64_t i, stale = POOL;
	int stills;

	ksm_region_add(a, 0, 0, 2, NULL);
	ksm_region_add(b, 1, 0, 6, NULL);
	fill(0, 0, 1);
	fill(0, 1, 2);
	for (i = 0; i < 6; i++)
		fill(1, i, 77);
	ck_assert_int_eq(ksm_knob_set(&K, "max_page_sharing", "2", NULL), 0);
	ck_assert_int_eq(ksm_knob_set(&K, "stable_node_chains_prune_millisecs",
				      "1000", NULL), 0);
	full_scans(4);
	ck_assert_uint_eq(K.stats.stable_node_chains, 1);
	ck_assert_uint_eq(K.stats.stable_node_dups, 3);
	for (i = 0; i < 6; i++) {             /* b's sharers of one dup write */
		if (stale == POOL)
			stale = F->reg[1][i].pidx;
		if (F->reg[1][i].pidx == stale)
			guest_write(1, i, 0x11);
	}
	fill(0, 0, 77);                       /* the probes find the chain */
	fill(0, 1, 77);
	F->now += 999;
	scan_from_start(1);
	ck_assert_uint_eq(K.stats.stable_node_dups, 3);
	ck_assert(F->pool_used[stale]);
	F->now += 1;
	scan_from_start(2);                   /* probe 1: pruned */
	ck_assert_uint_eq(K.stats.stable_node_chains, 1);
	ck_assert_uint_eq(K.stats.stable_node_dups, 2);
	ck_assert(!F->pool_used[stale]);
	ck_assert_int_eq(F->pool_count, 2);
	ck_assert_uint_eq(K.stats.pages_shared + K.stats.pages_sharing, 4);
	fill(3, 0, 77);                       /* nobody lost a byte */
	for (i = 0; i < 6; i++) {
		uint8_t want[PG];

		memcpy(want, F->reg[3][0].data, PG);
		if (F->reg[1][i].state == DATA)
			want[i % PG] = 0x11;
		ck_assert_mem_eq(guest_view(1, i), want, PG);
	}
	stills = F->stills;
	scan_from_start(2);                   /* between prunes: no asking */
	ck_assert_int_eq(F->stills, stills);
}
END_TEST

/* No chain, dup or pool page is left. */
static void check_nothing_merged(void)
{
	ck_assert_uint_eq(K.stats.stable_node_chains, 0);
	ck_assert_uint_eq(K.stats.stable_node_dups, 0);
	ck_assert_uint_eq(K.stats.pages_shared, 0);
	ck_assert_int_eq(F->pool_count, 0);
}

/*
 * Stripes (stable.c). The books and the fake's state agree: every page
 * mapping the pool is a sharer of the dup of that pool page, no pool page
 * has more than max_page_sharing sharers, every filled pool page is a dup
 * (pages_shared) with a sharer, and stable_node_dups counts them when
 * they are a chain's. Returns how many mappings the VMs need: a page whose
 * pool page does not follow its predecessor's starts one.
 */
static unsigned int check_stripes(unsigned int nr_regions, uint64_t n)
{
	unsigned int sharers[POOL] = { 0 }, maps = 0, reg;
	uint64_t i, shared = 0, mapped = 0;

	for (reg = 0; reg < nr_regions; reg++)
		for (i = 0; i < n; i++) {
			struct fpage *g = &F->reg[reg][i];

			if (g->state != MAPPED)
				continue;
			mapped++;
			ck_assert(F->pool_used[g->pidx]);
			sharers[g->pidx]++;
			if (!i || F->reg[reg][i - 1].state != MAPPED ||
			    F->reg[reg][i - 1].pidx + 1 != g->pidx)
				maps++;
		}
	for (i = 0; i < POOL; i++) {
		ck_assert_uint_le(sharers[i], K.knobs.max_page_sharing);
		ck_assert(!F->pool_used[i] || sharers[i]);
		shared += sharers[i] > 0;
	}
	ck_assert_uint_eq(K.stats.pages_shared, shared);
	ck_assert_uint_eq(K.stats.pages_shared + K.stats.pages_sharing, mapped);
	if (K.stats.stable_node_chains == 1)
		ck_assert_uint_eq(K.stats.stable_node_dups, shared);
	return maps;
}

/* One VM, @n pages of one content (seed 77), stripes on. */
static struct ksm_region *one_run(uint64_t n, const char *max_sharing)
{
	struct ksm_mm *mm = ksm_mm_add(&K, 1, NULL);
	uint64_t i;

	K.ops = &fops_stripes;
	ck_assert_int_eq(ksm_knob_set(&K, "max_page_sharing", max_sharing,
				      NULL), 0);
	for (i = 0; i < n; i++)
		fill(0, i, 77);
	return ksm_region_add(mm, 0, 0, n, NULL);
}

/*
 * A run of 200 equal pages, max_page_sharing 4: pages 0-3 share one dup
 * (0 and 1 the unstable tree's pair, 2 and 3 join it), then the chain
 * needs a new dup for page 4, which continues the run: a stripe, and page
 * i maps its page i % KSM_STRIPE_PAGES, so the run needs a mapping per
 * stripe's length, not one per page.
 */
START_TEST(stripe_maps_runs_in_a_row)
{
	struct ksm_region *r = one_run(MAXP, "4");
	uint64_t i, base;

	full_scans(3);
	for (i = 0; i < MAXP; i++)
		ck_assert_int_eq(F->reg[0][i].state, MAPPED);
	base = F->reg[0][4].pidx - 4;
	ck_assert_uint_eq(F->reg[0][0].pidx, F->reg[0][3].pidx);
	for (i = 4; i < MAXP; i++)
		ck_assert_uint_eq(F->reg[0][i].pidx, base + i % KSM_STRIPE_PAGES);
	/* pages 0-3 one each, 4, then each wrap of the stripe */
	ck_assert_uint_eq(check_stripes(1, MAXP),
			  4 + 1 + (MAXP - 1) / KSM_STRIPE_PAGES);
	ck_assert_uint_eq(K.stats.stable_node_chains, 1);
	ck_assert_uint_eq(K.stats.stable_node_dups, 1 + KSM_STRIPE_PAGES);
	ck_assert_int_eq(F->pool_count, 1 + KSM_STRIPE_PAGES);
	check_contents(0, 1, 77);
	for (i = 1; i < MAXP; i++)
		ck_assert_mem_eq(guest_view(0, i), guest_view(0, 0), PG);
	ck_assert_uint_eq(r->mm->ksm_merging_pages, MAXP);
}
END_TEST

/*
 * max_page_sharing 2: the stripe's pages fill as the run comes round to
 * them again, and the run goes on in a second stripe; a second VM's run
 * of the same contents joins. max_page_sharing holds for every pool page
 * and the counters stay true; unmerging everything releases both stripes.
 */
START_TEST(stripe_full_starts_another)
{
	struct ksm_mm *b;
	uint64_t i;

	one_run(MAXP, "2");
	b = ksm_mm_add(&K, 2, NULL);
	for (i = 0; i < 100; i++)
		fill(1, i, 77);
	ksm_region_add(b, 1, 0, 100, NULL);
	full_scans(3);
	for (i = 0; i < MAXP; i++)
		ck_assert_int_eq(F->reg[0][i].state, MAPPED);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(F->reg[1][i].state, MAPPED);
	ck_assert_uint_le(check_stripes(2, MAXP), 12);  /* for 300 pages */
	ck_assert_int_gt(F->pool_count, 2 * KSM_STRIPE_PAGES);
	ck_assert_int_eq(ksm_unmerge_all(&K), 0);
	check_nothing_merged();
}
END_TEST

/* Scattered sharers (every other page) never make a stripe. */
START_TEST(stripe_not_for_scattered_pages)
{
	struct ksm_region *r = one_run(MAXP, "4");
	uint64_t i;

	for (i = 1; i < MAXP; i += 2)
		fill(0, i, 1000 + i);
	full_scans(3);
	check_stripes(1, MAXP);
	ck_assert_uint_eq(K.stats.stable_node_dups, MAXP / 2 / 4);
	ck_assert_int_eq(F->pool_count, MAXP / 2 / 4);
	ck_assert_uint_eq(r->mm->ksm_merging_pages, MAXP / 2);
}
END_TEST

/*
 * A stripe page made for a page whose VM then refuses the merge is freed
 * at once; sharers that took private copies are pruned from the chain, and
 * with the last of a stripe's dups its whole range goes.
 */
START_TEST(stripe_refused_and_pruned)
{
	struct ksm_mm *b;
	uint64_t i;

	one_run(MAXP, "4");
	ck_assert_int_eq(ksm_knob_set(&K, "stable_node_chains_prune_millisecs",
				      "1000", NULL), 0);
	full_scans(3);
	b = ksm_mm_add(&K, 2, NULL);
	for (i = 0; i < 100; i++) {
		fill(1, i, 77);
		F->reg[1][i].refuse = i >= 50;
	}
	ksm_region_add(b, 1, 0, 100, NULL);
	full_scans(3);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(F->reg[1][i].state, i < 50 ? MAPPED : DATA);
	check_stripes(2, MAXP);
	for (i = 0; i < MAXP; i++)       /* VM a's pages all write */
		guest_write(0, i, 0x11);
	for (i = 0; i < 50; i++)
		guest_write(1, i, 0x22);
	F->now += 1000;                  /* a lookup of the chain prunes it */
	K.cur_mm = b;
	K.cur_region = 0;
	K.cur_idx = 51;
	ck_assert_uint_eq(ksm_scan(&K, 1), 1);
	check_nothing_merged();
}
END_TEST

/*
 * ksmd reads guest memory in place (guard.c, ksmd_ops.c): through its
 * mapping of a memfd, a data page hashes like the bytes written, and a
 * hole, or a page punched after it was read, fails with -EFAULT and stays
 * a hole (nothing is allocated, unlike a plain read of the mapping).
 */
START_TEST(guarded_reads_leave_holes)
{
	struct ksmd *d = calloc(1, sizeof(*d));
	int fd = memfd_create("test-ksm", MFD_CLOEXEC);
	uint8_t page[PG];
	struct ksmd_region *m;
	uint64_t sum;

	ck_assert(d && fd >= 0);
	ck_assert_int_eq(ftruncate(fd, 4 * PG), 0);
	memset(page, 0x5c, PG);
	ck_assert_int_eq(pwrite(fd, page, PG, 0), PG);
	if (ksmd_uffd_open(d)) {
		fprintf(stderr, "guarded_reads_leave_holes: no userfaultfd here, skipped\n");
		close(fd);
		free(d);
		return;
	}
	ck_assert_int_eq(ksm_guard_install(), 0);
	ck_assert_int_eq(ksmd_region_open(d, fd, 4, &m), 0);
	ck_assert_int_eq(ksm_guard_hash(m->map, &sum), 0);
	ck_assert_uint_eq(sum, XXH3_64bits(page, PG));
	ck_assert_int_eq(ksm_guard_hash(m->map + PG, &sum), -EFAULT);
	ck_assert_int_eq(ksm_guard_copy(page, m->map + 3 * PG), -EFAULT);
	ck_assert_int_eq(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				   0, PG), 0);
	ck_assert_int_eq(ksm_guard_hash(m->map, &sum), -EFAULT);
	ck_assert_int_eq(lseek(fd, 0, SEEK_DATA), -1);   /* all holes still */
	ksmd_region_close(m);
	close(d->uffd);
	free(d);
}
END_TEST

/*
 * SUM_RUN through the VM's handler, into the checksum buffer ksmd made:
 * wanted data pages are hashed (ksmd reads the sums through its read-only
 * mapping), holes are reported as such and stay holes, a merged page is
 * not hashed; bad flags and ranges are errors with an empty bitmap, and
 * a buffer without the shrink seal is refused.
 */
START_TEST(sum_run_hashes_own_pages)
{
	struct ksm_vm *k = calloc(1, sizeof(*k));
	struct client *c = calloc(1, sizeof(*c));
	int fd = memfd_create("test-ksm", MFD_CLOEXEC), sfd, plain;
	struct ksm_msg m = { .type = KSM_SUM_RUN, .region = 7, .nid = 8 };
	uint8_t page[PG], *hva;
	uint64_t i;

	ck_assert(k && c && fd >= 0);
	ck_assert_int_eq(ftruncate(fd, 8 * PG), 0);
	hva = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert(hva != MAP_FAILED);
	for (i = 0; i < 6; i++)
		if (i != 1 && i != 4)
			memset(hva + i * PG, (int)i + 1, PG);   /* data */
	k->reg[0] = (struct kregion){ .used = true, .id = 7, .memfd = fd,
				      .hva = hva, .nr_pages = 8 };
	k->reg[0].merged = calloc(8, 1);
	k->reg[0].merged[5] = 1;                        /* maps the pool */
	ck_assert_int_eq(ksm_vm_handle(k, &m), -ENODEV); /* no buffer yet */
	sfd = ksmd_sums_create(c);
	ck_assert_int_ge(sfd, 0);
	plain = memfd_create("test-ksm-plain", MFD_CLOEXEC);
	ck_assert_int_eq(ftruncate(plain, KSM_SUM_BUF_SIZE), 0);
	ck_assert_int_eq(ksm_vm_sums_map(k, plain), -EINVAL);
	ck_assert_int_eq(ksm_vm_sums_map(k, sfd), 0);
	k->sums[3] = 42;
	m.text[0] = (char)0xf7;                         /* all but page 3 */
	ck_assert_int_eq(ksm_vm_handle(k, &m), 0);
	ck_assert_uint_eq((uint8_t)m.text[0], 0x0d);    /* 0, 2, 3 */
	memset(page, 1, PG);
	ck_assert_uint_eq(c->sums[0], XXH3_64bits(page, PG));
	memset(page, 3, PG);
	ck_assert_uint_eq(c->sums[2], XXH3_64bits(page, PG));
	ck_assert_uint_eq(c->sums[3], 42);              /* not wanted */
	ck_assert_int_eq(lseek(fd, PG, SEEK_DATA), 2 * PG); /* holes stay */
	m.flags = 1;
	ck_assert_int_eq(ksm_vm_handle(k, &m), -EINVAL);
	ck_assert_uint_eq((uint8_t)m.text[0], 0);
	m.flags = 0;
	m.a = 8;
	m.text[0] = 1;
	ck_assert_int_eq(ksm_vm_handle(k, &m), -ENOENT);
	ck_assert_uint_eq((uint8_t)m.text[0], 0);
	ksm_vm_sums_drop(k);
	ksmd_sums_free(c);
	munmap(hva, 8 * PG);
	free(k->reg[0].merged);
	close(fd);
	close(sfd);
	close(plain);
	free(c);
	free(k);
}
END_TEST

/* The trees' index: every value filed under a checksum is found (several
 * per checksum), through growth, deletions and a clear. */
static unsigned int found(const struct ksm_hindex *h, uint64_t sum, void *val)
{
	size_t pos = KSM_HINDEX_START;
	unsigned int n = 0;
	void *v;

	while ((v = ksm_hindex_next(h, sum, &pos)))
		n += v == val;
	return n;
}

START_TEST(hash_index)
{
	struct ksm_hindex h = { 0 };
	size_t pos = KSM_HINDEX_START;
	uint64_t i;

	ck_assert_ptr_null(ksm_hindex_next(&h, 42, &pos));
	for (i = 0; i < 5000; i++)
		ck_assert_int_eq(ksm_hindex_add(&h, i * 0x100000001b3ull,
						(void *)(uintptr_t)(i + 1)), 0);
	ck_assert_int_eq(ksm_hindex_add(&h, 0, (void *)(uintptr_t)9999), 0);
	ck_assert_uint_eq(found(&h, 0, (void *)(uintptr_t)1), 1);
	ck_assert_uint_eq(found(&h, 0, (void *)(uintptr_t)9999), 1);
	for (i = 1; i < 5000; i += 2)
		ksm_hindex_del(&h, i * 0x100000001b3ull, (void *)(uintptr_t)(i + 1));
	ksm_hindex_del(&h, 0, (void *)(uintptr_t)9999);
	ck_assert_uint_eq(found(&h, 0, (void *)(uintptr_t)1), 1);
	for (i = 0; i < 5000; i++)
		ck_assert_uint_eq(found(&h, i * 0x100000001b3ull,
					(void *)(uintptr_t)(i + 1)), !(i & 1));
	for (i = 0; i < 20000; i++) {                     /* tombstones reused */
		ck_assert_int_eq(ksm_hindex_add(&h, ~i, &h), 0);
		ksm_hindex_del(&h, ~i, &h);
	}
	ck_assert_uint_eq(found(&h, 2 * 0x100000001b3ull, (void *)(uintptr_t)3), 1);
	ck_assert_uint_le(h.cap, 16384);
	ksm_hindex_clear(&h);
	ck_assert_uint_eq(found(&h, 0, (void *)(uintptr_t)1), 0);
	ck_assert_int_eq(ksm_hindex_add(&h, 7, &h), 0);
	ck_assert_uint_eq(found(&h, 7, &h), 1);
	ksm_hindex_free(&h);
}
END_TEST

/* A table past a huge page (mapped on its own) grows, clears and frees
 * like a small one. */
START_TEST(hash_index_large)
{
	struct ksm_hindex h = { 0 };
	uint64_t i;

	for (i = 0; i < 200000; i++)
		ck_assert_int_eq(ksm_hindex_add(&h, i * 0x9e3779b97f4a7c15ull,
						(void *)(uintptr_t)(i + 1)), 0);
	ck_assert_uint_ge(h.cap * sizeof(*h.slots), 2u << 20);
	for (i = 0; i < 200000; i += 997)
		ck_assert_uint_eq(found(&h, i * 0x9e3779b97f4a7c15ull,
					(void *)(uintptr_t)(i + 1)), 1);
	ksm_hindex_clear(&h);
	ck_assert_uint_eq(found(&h, 0, (void *)(uintptr_t)1), 0);
	ksm_hindex_free(&h);
}
END_TEST

START_TEST(zero_pages)
{
	struct ksm_mm *mm = ksm_mm_add(&K, 1, NULL);
	uint64_t i;

	ksm_region_add(mm, 0, 0, 8, NULL);
	for (i = 0; i < 8; i++)
		F->reg[0][i].state = DATA;    /* zero-filled data */
	K.knobs.use_zero_pages = 1;
	full_scans(3);
	ck_assert_uint_eq(K.stats.ksm_zero_pages, 8);
	ck_assert_uint_eq(mm->ksm_zero_pages, 8);
	ck_assert_uint_eq(K.stats.pages_shared, 0);
	ck_assert_int_eq(F->reg[0][5].state, HOLE);
	guest_write(0, 5, 1);             /* the guest writes one again */
	full_scans(1);
	ck_assert_uint_eq(K.stats.ksm_zero_pages, 7);
	ck_assert_int_eq(ksm_unmerge_all(&K), 0);   /* run=2 forgets them */
	ck_assert_uint_eq(K.stats.ksm_zero_pages, 0);
	ck_assert_uint_eq(mm->ksm_zero_pages, 0);
	ck_assert_int_eq(F->reg[0][4].state, HOLE); /* still reads as zeros */
}
END_TEST

/* A zero merge taken as done (ksmd sends them in runs) and refused later:
 * the page leaves the zero page's books and is merged again later. */
START_TEST(deferred_zero_merge_refused)
{
	struct ksm_mm *mm = ksm_mm_add(&K, 1, NULL);
	struct ksm_region *r;
	uint64_t i;

	r = ksm_region_add(mm, 0, 0, 8, NULL);
	for (i = 0; i < 8; i++)
		F->reg[0][i].state = DATA;
	K.knobs.use_zero_pages = 1;
	full_scans(3);
	ck_assert_uint_eq(K.stats.ksm_zero_pages, 8);
	F->reg[0][3].state = DATA;              /* the VM did not punch it */
	ksm_merge_refused(r, 3, 0);             /* not a zero merge: kept */
	ksm_merge_failed(r, 3, -EAGAIN);
	ck_assert_uint_eq(K.stats.ksm_zero_pages, 8);
	ksm_merge_refused(r, 3, KSM_ZERO_PIDX);
	ksm_merge_failed(r, 3, -EAGAIN);
	ck_assert_uint_eq(K.stats.ksm_zero_pages, 7);
	ck_assert_uint_eq(mm->ksm_zero_pages, 7);
	full_scans(3);                          /* merged again */
	ck_assert_uint_eq(K.stats.ksm_zero_pages, 8);
	ck_assert_int_eq(F->reg[0][3].state, HOLE);
}
END_TEST

START_TEST(smart_scan_skips)
{
	struct ksm_mm *mm = ksm_mm_add(&K, 1, NULL);
	uint64_t i;

	ksm_region_add(mm, 0, 0, 8, NULL);
	for (i = 0; i < 8; i++)
		fill(0, i, i);            /* unique: never merge */
	K.knobs.smart_scan = 1;
	full_scans(12);
	ck_assert_uint_gt(K.stats.pages_skipped, 8);
	ck_assert_uint_eq(K.stats.pages_shared, 0);
}
END_TEST

START_TEST(map_limit_stops_merging)
{
	struct ksm_region *ra, *rb;

	two_vms(16, &ra, &rb);
	F->merges_left = 10;
	full_scans(4);
	ck_assert(ra->mm->merge_stopped || rb->mm->merge_stopped);
	ck_assert_ptr_nonnull(strstr(ra->mm->merge_stopped ? ra->mm->stop_reason
				     : rb->mm->stop_reason, "max_map_count"));
	check_contents(0, 16, 1000);
	check_contents(1, 16, 1000);
	ck_assert_uint_eq(K.stats.pages_shared + K.stats.pages_sharing, 10);
}
END_TEST

/* ksmd takes a merge as done and hears later that the VM refused it */
START_TEST(deferred_merge_refused)
{
	struct ksm_region *ra, *rb;
	uint64_t p;

	two_vms(48, &ra, &rb);
	full_scans(3);
	ck_assert_uint_eq(K.stats.pages_sharing, 48);
	p = F->reg[1][5].pidx;
	F->reg[1][5].state = DATA;              /* the VM did not map it */
	ksm_merge_refused(rb, 5, p + 1);        /* not that merge: kept */
	ksm_merge_failed(rb, 5, -EAGAIN);
	ck_assert_uint_eq(rb->mm->ksm_merging_pages, 48);
	ksm_merge_refused(rb, 5, p);
	ksm_merge_failed(rb, 5, -EAGAIN);
	ck_assert_uint_eq(rb->mm->ksm_merging_pages, 47);
	ck_assert_uint_eq(K.stats.pages_sharing, 47);
	ck_assert(!rb->mm->merge_stopped);
	full_scans(3);                          /* merged again */
	ck_assert_uint_eq(K.stats.pages_sharing, 48);
	ck_assert_int_eq(F->reg[1][5].state, MAPPED);
	p = F->reg[0][7].pidx;
	F->reg[0][7].state = DATA;
	ksm_merge_refused(ra, 7, p);
	ksm_merge_failed(ra, 7, -ENOMEM);       /* the mapping limit */
	ck_assert(ra->mm->merge_stopped);
	ck_assert_ptr_nonnull(strstr(ra->mm->stop_reason, "max_map_count"));
	check_contents(0, 48, 1000);
	check_contents(1, 48, 1000);
}
END_TEST

/* The refusal is undone between batches; meanwhile the page left that
 * merge and was merged again onto the same pool page (the pool reuses a
 * freed page at once): the new merge stands. */
START_TEST(refused_merge_then_merged_again)
{
	struct ksm_region *ra, *rb;
	struct ksm_stable_dup *dup;
	uint64_t p;

	two_vms(8, &ra, &rb);
	full_scans(3);
	ck_assert_uint_eq(K.stats.pages_sharing, 8);
	dup = rb->items[5].dup;
	p = dup->pidx;
	ksm_merge_refused(rb, 5, p);
	ksm_remove_rmap_item_from_tree(&K, rb, &rb->items[5]);
	ksm_dup_get(&K, dup, rb, &rb->items[5]);        /* merged again */
	ksm_merge_failed(rb, 5, -EAGAIN);
	ck_assert_uint_eq(rb->mm->ksm_merging_pages, 8);
	ck_assert_uint_eq(K.stats.pages_sharing, 8);
	ck_assert(rb->items[5].flags & RMAP_STABLE);
	ck_assert_uint_eq(K.stats.merge_failures, 1);
}
END_TEST

START_TEST(unmerge_all_restores)
{
	struct ksm_region *ra, *rb;
	uint64_t i;

	two_vms(32, &ra, &rb);
	full_scans(3);
	ck_assert_uint_eq(K.stats.pages_sharing, 32);
	ck_assert_int_eq(ksm_unmerge_all(&K), 0);
	ck_assert_uint_eq(K.stats.pages_shared, 0);
	ck_assert_uint_eq(K.stats.pages_sharing, 0);
	ck_assert_int_eq(F->pool_count, 0);
	for (i = 0; i < 32; i++)
		ck_assert_int_eq(F->reg[1][i].state, DATA);
	check_contents(0, 32, 1000);
	check_contents(1, 32, 1000);
}
END_TEST

START_TEST(vm_gone_releases_pool)
{
	struct ksm_region *ra, *rb;

	two_vms(8, &ra, &rb);
	full_scans(3);
	ksm_mm_remove(&K, ra->mm);
	ck_assert_uint_eq(K.stats.pages_shared, 8);
	ck_assert_uint_eq(K.stats.pages_sharing, 0);
	ck_assert_uint_eq(K.stats.ksm_rmap_items, 8);
	ksm_page_dropped(rb, 3);          /* b discards one (balloon) */
	ck_assert_uint_eq(K.stats.pages_shared, 7);
	ck_assert_int_eq(F->pool_count, 7);
	ksm_region_remove(rb->mm, rb);    /* b's DIMM goes */
	ck_assert_int_eq(F->pool_count, 0);
	ck_assert_uint_eq(K.stats.ksm_rmap_items, 0);
	full_scans(1);
}
END_TEST

START_TEST(knobs_by_name)
{
	struct ksm_region *ra, *rb;
	struct errmsg e = { { 0 }, 0 };
	struct ksm_knobs before;

	ck_assert_int_eq(ksm_knob_set(&K, "pages_to_scan", "5000", &e), 0);
	ck_assert_uint_eq(K.knobs.pages_to_scan, 5000);
	before = K.knobs;
	ck_assert_int_eq(ksm_knob_set(&K, "no_such", "1", &e), -ENOENT);
	ck_assert_int_eq(e.user, 1);
	ck_assert_int_eq(ksm_knob_set(&K, "run", "3", &e), -ERANGE);
	ck_assert_int_eq(ksm_knob_set(&K, "run", "-1", &e), -EINVAL);
	ck_assert_int_eq(ksm_knob_set(&K, "run", "1x", &e), -EINVAL);
	ck_assert_int_eq(ksm_knob_set(&K, "max_page_sharing", "1", &e), -ERANGE);
	ck_assert_int_eq(ksm_knob_set(&K, "advisor_mode", "fast", &e), -EINVAL);
	ck_assert_mem_eq(&before, &K.knobs, sizeof(before));
	ck_assert_int_eq(ksm_knob_set(&K, "advisor_mode", "scan-time", &e), 0);
	ck_assert_int_eq(ksm_knob_set(&K, "pages_to_scan", "10", &e), -EINVAL);
	two_vms(4, &ra, &rb);
	K.knobs.advisor_mode = 0;
	full_scans(3);
	ck_assert_int_eq(ksm_knob_set(&K, "merge_across_nodes", "0", &e), -EBUSY);
	ck_assert_int_eq(ksm_knob_set(&K, "use_zero_pages", "1", &e), 0);
}
END_TEST

/* What a fresh ksmd would take, in order, as ksm set gives it */
START_TEST(settings_checked_in_order)
{
	const char *ok[] = { "use_zero_pages=1", "advisor_mode=scan-time",
			     "advisor_max_pages_to_scan=50000",
			     "advisor_min_pages_to_scan=40000" };
	const char *late[] = { "advisor_min_pages_to_scan=40000",
			       "advisor_max_pages_to_scan=50000" };
	const char *bad[] = { "use_zero_pages=1", "no_such=1" };
	const char *noeq[] = { "run" };
	const char *longname[] = { "advisor_max_pages_to_scan_advisor_max_pages_to_scan_and_a_bit_more=1" };
	struct errmsg e = { { 0 }, 0 };

	ck_assert_int_eq(ksm_settings_check(ok, 4, &e), 0);
	ck_assert_int_eq(ksm_settings_check(late, 2, &e), -EINVAL);
	ck_assert_str_eq(e.msg, "advisor_min_pages_to_scan=40000: advisor_min_pages_to_scan: advisor_min_pages_to_scan must not exceed advisor_max_pages_to_scan");
	ck_assert_int_eq(ksm_settings_check(bad, 2, &e), -ENOENT);
	ck_assert_str_eq(e.msg, "no_such=1: unknown ksm tunable 'no_such'");
	ck_assert_int_eq(e.user, 1);
	ck_assert_int_eq(ksm_settings_check(noeq, 1, &e), -EINVAL);
	ck_assert_str_eq(e.msg, "run: expected NAME=VALUE");
	/* longer than any knob's name: unknown, as ksmd's `ksm set` says */
	ck_assert_int_eq(ksm_settings_check(longname, 1, &e), -ENOENT);
	ck_assert_str_eq(e.msg, "advisor_max_pages_to_scan_advisor_max_pages_to_scan_and_a_bit_more=1: unknown ksm tunable 'advisor_max_pages_to_scan_advisor_max_pages_to_scan_and_a_bit_more'");
}
END_TEST

static char out_buf[4096];

static void out_line(void *arg, const char *line)
{
	strcat(out_buf, line);
	strcat(out_buf, "\n");
}

START_TEST(format_names)
{
	out_buf[0] = 0;
	ck_assert_int_eq(ksm_format(&K, "pages_sharing", out_line, NULL), 0);
	ck_assert_str_eq(out_buf, "pages_sharing: 0\n");
	out_buf[0] = 0;
	ck_assert_int_eq(ksm_format(&K, "advisor_mode", out_line, NULL), 0);
	ck_assert_str_eq(out_buf, "advisor_mode: none\n");
	ck_assert_int_eq(ksm_format(&K, "bogus", out_line, NULL), -ENOENT);
	out_buf[0] = 0;
	ck_assert_int_eq(ksm_format(&K, NULL, out_line, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out_buf, "general_profit: "));
	ck_assert_ptr_nonnull(strstr(out_buf, "stable_node_chains_prune_millisecs: 2000\n"));
}
END_TEST

START_TEST(advisor)
{
	struct ksm_knobs k = K.knobs;

	k.sleep_millisecs = 20;
	k.advisor_target_scan_time = 10;    /* 500 batches */
	/* 1M pages in 10 s: 2000 a batch, cheap pages */
	ck_assert_uint_eq(ksm_advisor_pages(&k, 1000000, 100), 2000);
	/* the CPU cap: 70 % of 20 ms at 1 us a page is ~46666 pages */
	ck_assert_uint_eq(ksm_advisor_pages(&k, 100000000, 1000), 30000);
	k.advisor_max_cpu = 10;            /* 10 %: 2222 pages */
	ck_assert_uint_eq(ksm_advisor_pages(&k, 100000000, 1000), 2222);
	ck_assert_uint_eq(ksm_advisor_pages(&k, 10, 1000), 500);  /* min */
}
END_TEST

START_TEST(merge_across_nodes_off)
{
	struct ksm_mm *mm = ksm_mm_add(&K, 1, NULL);

	ck_assert_int_eq(ksm_knob_set(&K, "merge_across_nodes", "0", NULL), 0);
	ksm_region_add(mm, 0, 0, 2, NULL);
	ksm_region_add(mm, 1, 1, 2, NULL);
	fill(0, 0, 9); fill(0, 1, 9); fill(1, 0, 9); fill(1, 1, 9);
	full_scans(3);
	ck_assert_uint_eq(K.stats.pages_shared, 2);     /* one per node */
	ck_assert_uint_eq(K.stats.pages_sharing, 2);
	ck_assert_uint_ne(F->reg[0][0].pidx, F->reg[1][0].pidx);
}
END_TEST

Suite *ksm_suite(void)
{
	Suite *s = suite_create("ksm");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, identical_vms_merge);
	tcase_add_test(tc, hash_match_alone_never_merges);
	tcase_add_test(tc, lying_checksums_merge_nothing);
	tcase_add_test(tc, changing_pages_stay_out);
	tcase_add_test(tc, cow_break_leaves_other_sharer);
	tcase_add_test(tc, max_page_sharing_makes_chains);
	tcase_add_test(tc, stale_dups_pruned);
	tcase_add_test(tc, stripe_maps_runs_in_a_row);
	tcase_add_test(tc, stripe_full_starts_another);
	tcase_add_test(tc, stripe_not_for_scattered_pages);
	tcase_add_test(tc, stripe_refused_and_pruned);
	tcase_add_test(tc, guarded_reads_leave_holes);
	tcase_add_test(tc, sum_run_hashes_own_pages);
	tcase_add_test(tc, hash_index);
	tcase_add_test(tc, hash_index_large);
	tcase_add_test(tc, zero_pages);
	tcase_add_test(tc, deferred_zero_merge_refused);
	tcase_add_test(tc, smart_scan_skips);
	tcase_add_test(tc, map_limit_stops_merging);
	tcase_add_test(tc, deferred_merge_refused);
	tcase_add_test(tc, refused_merge_then_merged_again);
	tcase_add_test(tc, unmerge_all_restores);
	tcase_add_test(tc, vm_gone_releases_pool);
	tcase_add_test(tc, knobs_by_name);
	tcase_add_test(tc, settings_checked_in_order);
	tcase_add_test(tc, format_names);
	tcase_add_test(tc, advisor);
	tcase_add_test(tc, merge_across_nodes_off);
	suite_add_tcase(s, tc);
	return s;
}
