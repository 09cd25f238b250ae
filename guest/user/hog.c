/*
 * hog: the memory workload.  hog_main(size, pattern, seed) maps @size
 * bytes of anonymous memory, fills every page with the pattern, keeps a
 * 64-bit checksum per page (FNV-1a over the page's 512 words) in a second
 * mapping of its own, reports how long the fill took, and then serves the
 * shell's commands through mv_cmd_wait(): MV_CMD_VERIFY recomputes every
 * checksum and answers with the page count or the first bad page;
 * MV_CMD_TOUCH reads the first N pages again (a working set for idle
 * page tracking); MV_CMD_EXIT ends the task.
 *
 * Patterns (enum hog_pattern): zero; same (page 0 from the seed, copied
 * to every page: what KSM merges); seq (page i holds the value i in every
 * word: all pages differ); random (one splitmix64 stream from the seed
 * over the whole area, so a seed gives the same bytes in any guest).
 *
 * File mode (HOG_FILE, `hog SIZE file /dev/vda`): instead of filling
 * anonymous memory the hog maps the first @size bytes of the disk the
 * shell opened for it (fd MV_FD_FILE, mmap MAP_SHARED read-only: the
 * disk's page cache), reads every word once -- the FNV-1a checksum of the
 * whole range, over 64-bit words as the shell's dd takes it, so a test
 * compares it with the image's -- and keeps the per-page checksums;
 * verify reads the mapping again, so pages reclaimed meanwhile come back
 * from the disk and must hold the same bytes.
 *
 * Everything here runs at CPL 3, natively: the fill and the checksums
 * cost nanoseconds per word.  What the kernel pays for is the page
 * faults behind the first touch of each chunk.
 */
#include "user/ulib.h"

#define WORDS		(U_PAGE_SIZE / sizeof(uint64_t))
#define FNV_BASIS	0xcbf29ce484222325ull
#define FNV_PRIME	0x100000001b3ull
#define MIB		(1024UL * 1024)

struct hog {
	uint64_t *mem;		/* the filled area, @pages pages */
	uint64_t *sums;		/* checksum of each page */
	unsigned long pages;
	unsigned long pattern;	/* enum hog_pattern */
	uint64_t seed;
};

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t page_sum(const uint64_t *p)
{
	uint64_t h = FNV_BASIS;

	for (unsigned long i = 0; i < WORDS; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

/* Page @i gets the value @v in every word. */
static U_NOLIBCALL void fill_value(struct hog *h, unsigned long i, uint64_t v)
{
	uint64_t *p = h->mem + i * WORDS;

	for (unsigned long j = 0; j < WORDS; j++)
		p[j] = v;
}

static U_NOLIBCALL void fill_random(struct hog *h, unsigned long i,
				    uint64_t *state)
{
	uint64_t *p = h->mem + i * WORDS;

	for (unsigned long j = 0; j < WORDS; j++)
		p[j] = splitmix64(state);
}

static U_NOLIBCALL void copy_page0(struct hog *h, unsigned long i)
{
	uint64_t *p = h->mem + i * WORDS;

	for (unsigned long j = 0; j < WORDS; j++)
		p[j] = h->mem[j];
}

static void hog_fill(struct hog *h)
{
	uint64_t state = h->seed;

	for (unsigned long i = 0; i < h->pages; i++) {
		switch (h->pattern) {
		case HOG_ZERO:
			fill_value(h, i, 0);
			break;
		case HOG_SEQ:
			fill_value(h, i, i);
			break;
		case HOG_SAME:
			if (i)
				copy_page0(h, i);
			else
				fill_random(h, 0, &state);
			break;
		default:
			fill_random(h, i, &state);
			break;
		}
		h->sums[i] = page_sum(h->mem + i * WORDS);
	}
}

/* File mode: each page's checksum, and the whole range's. */
static uint64_t hog_read_file(struct hog *h)
{
	uint64_t all = FNV_BASIS;

	for (unsigned long i = 0; i < h->pages; i++) {
		const uint64_t *p = h->mem + i * WORDS;

		h->sums[i] = page_sum(p);
		for (unsigned long j = 0; j < WORDS; j++)
			all = (all ^ p[j]) * FNV_PRIME;
	}
	return all;
}

/* Read every word of the first @n pages (MV_CMD_TOUCH: a working set
 * that idle page tracking can see); the pages read. */
static long hog_touch(const struct hog *h, unsigned long n)
{
	volatile uint64_t sink = 0;

	n = n < h->pages ? n : h->pages;
	for (unsigned long i = 0; i < n; i++)
		sink ^= page_sum(h->mem + i * WORDS);
	(void)sink;
	return (long)n;
}

/* MV_VERIFY_OK with the page count, or MV_VERIFY_MISMATCH and the page. */
static long hog_verify(const struct hog *h, long *detail)
{
	for (unsigned long i = 0; i < h->pages; i++) {
		if (page_sum(h->mem + i * WORDS) != h->sums[i]) {
			*detail = (long)i;
			return MV_VERIFY_MISMATCH;
		}
	}
	*detail = (long)h->pages;
	return MV_VERIFY_OK;
}

static const char *const hog_pattern_names[NR_HOG_PATTERNS] = {
	"zero", "same", "seq", "random",
};

/* "hog: pid 2 VERB 64 MiB (" into @l: the size in MiB when whole. */
static void hog_line_start(struct u_line *l, const struct hog *h,
			   const char *verb)
{
	unsigned long bytes = h->pages * U_PAGE_SIZE;

	l->len = 0;
	u_put_str(l, "hog: pid ");
	u_put_dec(l, (unsigned long)u_getpid());
	u_put_str(l, verb);
	u_put_dec(l, bytes % MIB ? bytes >> 10 : bytes >> 20);
	u_put_str(l, bytes % MIB ? " KiB (" : " MiB (");
}

/* "hog: pid 2 filled 64 MiB (random, seed 1) in 412 ms" */
static void hog_report(const struct hog *h, uint64_t ns)
{
	struct u_line l;

	hog_line_start(&l, h, " filled ");
	u_put_str(&l, hog_pattern_names[h->pattern]);
	if (h->pattern == HOG_SAME || h->pattern == HOG_RANDOM) {
		u_put_str(&l, ", seed ");
		u_put_dec(&l, h->seed);
	}
	u_put_str(&l, ") in ");
	u_put_dec(&l, ns / 1000000);
	u_put_str(&l, " ms\n");
	u_flush(&l);
}

/* "hog: pid 2 read 64 MiB (file) in 41 ms, fnv1a64 0x0123456789abcdef" */
static void hog_report_file(const struct hog *h, uint64_t ns, uint64_t sum)
{
	struct u_line l;

	hog_line_start(&l, h, " read ");
	u_put_str(&l, "file) in ");
	u_put_dec(&l, ns / 1000000);
	u_put_str(&l, " ms, fnv1a64 ");
	u_put_hex64(&l, sum);
	u_put_str(&l, "\n");
	u_flush(&l);
}

static void hog_fail(const char *what)
{
	struct u_line l;

	l.len = 0;
	u_put_str(&l, "hog: ");
	u_put_str(&l, what);
	u_put_str(&l, "\n");
	u_flush(&l);
	u_exit(1);
}

void hog_main(unsigned long size, unsigned long pattern, unsigned long seed)
{
	struct hog h;
	long status, detail;
	uint64_t t0;

	h.pages = size / U_PAGE_SIZE;
	h.pattern = pattern <= HOG_FILE ? pattern : HOG_RANDOM;
	h.seed = seed;
	h.sums = u_mmap_anon(h.pages * sizeof(uint64_t));
	if (h.pattern == HOG_FILE)	/* read only: never written */
		h.mem = (uint64_t *)u_mmap_file(h.pages * U_PAGE_SIZE,
						(int)seed);
	else
		h.mem = u_mmap_anon(h.pages * U_PAGE_SIZE);
	if (!h.pages || !h.sums || !h.mem)
		hog_fail("cannot map the memory");
	t0 = u_now_ns();
	if (h.pattern == HOG_FILE) {
		uint64_t sum = hog_read_file(&h);

		hog_report_file(&h, u_now_ns() - t0, sum);
	} else {
		hog_fill(&h);
		hog_report(&h, u_now_ns() - t0);
	}
	status = MV_VERIFY_OK;
	detail = (long)h.pages;
	for (;;) {
		long cmd = u_cmd_wait(status, detail);

		switch (cmd & ((1L << MV_CMD_SHIFT) - 1)) {
		case MV_CMD_VERIFY:
			status = hog_verify(&h, &detail);
			break;
		case MV_CMD_TOUCH:
			status = 0;
			detail = hog_touch(&h, (unsigned long)cmd >>
					   MV_CMD_SHIFT);
			break;
		case MV_CMD_EXIT:
			u_exit(0);
		default:
			status = -22;	/* EINVAL: unknown command */
			break;
		}
	}
}
