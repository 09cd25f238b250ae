/*
 * The shell's disk commands, on the block layer (kernel/blkdev.h):
 *
 *   dd if=IN of=OUT [bs=SIZE] [count=N] [skip=N] [seek=N] [csum=off]
 *                   [split=SIZE]
 *	IN: /dev/vdX or /dev/zero; OUT: /dev/vdX or /dev/null. Reports as
 *	GNU dd does (records, bytes, seconds, MB/s), then the FNV-1a
 *	checksum of the data read from a disk (64-bit words, little-endian:
 *	h = (h ^ w) * 0x100000001b3 from 0xcbf29ce484222325), which a test
 *	recomputes over the same bytes of the image. The checksum costs
 *	kernel instructions (~3 per 8 bytes); csum=off leaves it out when
 *	only the rate matters. bs is at most 4 MiB (one physically
 *	contiguous buffer, order 10); split=SIZE describes each block to the
 *	device as runs of SIZE bytes (scatter-gather, as the page cache will)
 *	instead of one.
 *	Reads from a disk go through its page cache (guest/mm/filemap.c):
 *	the pages of each block not cached are read with bios straight into
 *	fresh cache pages, cached ones are not read again; the checksum (and
 *	the copy for of=/dev/vdX) is taken from the cache pages. Between
 *	two reads dd lets a task woken meanwhile run (cond_resched): kswapd,
 *	woken by the reads' allocations, keeps memory free ahead of them.
 *	iflag=direct bypasses the cache (Linux's O_DIRECT): reads go two
 *	blocks deep, block i+1 on the device while block i is checksummed.
 *	Writes are write-through: the block goes to the disk, then the disk's
 *	cached pages of that range are updated with the same bytes.
 *   sync
 *	flush every disk's write cache.
 */
#include "kernel/blk_cmds.h"
#include "include/errno.h"
#include "kernel/blkdev.h"
#include "kernel/sched.h"
#include "kernel/shell.h"
#include "kernel/string.h"
#include "kernel/tsc.h"
#include "mm/mm.h"

#define DD_MAX_ORDER	10		/* bs <= 4 MiB */
#define FNV_OFFSET	0xcbf29ce484222325ull
#define FNV_PRIME	0x100000001b3ull

struct dd_args {
	const char *in, *out;
	struct gendisk *idisk, *odisk;	/* NULL: /dev/zero, /dev/null */
	unsigned long bs, split;
	unsigned long long count, skip, seek;
	bool has_count, csum, direct;
};

/* One block in flight. */
struct dd_buf {
	void *data;
	struct bio bio;
	struct bio_vec *vec;
};

static const char *blk_strerror(int err)
{
	switch (-err) {
	case EIO: return "Input/output error";
	case EROFS: return "Read-only file system";
	case EINVAL: return "Invalid argument";
	case ENOMEM: return "Cannot allocate memory";
	case EOPNOTSUPP: return "Operation not supported";
	case ENOSPC: return "No space left on device";
	default: return "Unknown error";
	}
}

/* "1M", "512K", "4096": bytes (binary suffixes, as GNU dd). */
static int parse_bytes(const char *s, unsigned long *out)
{
	unsigned long long v = 0;
	unsigned int shift = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (unsigned long long)(*p - '0');
	if (p == s)
		return -EINVAL;
	if (*p == 'K' || *p == 'k')
		shift = 10;
	else if (*p == 'M')
		shift = 20;
	else if (*p == 'G')
		shift = 30;
	if (shift)
		p++;
	if (*p)
		return -EINVAL;
	*out = (unsigned long)(v << shift);
	return 0;
}

static uint64_t fnv1a64(uint64_t h, const uint64_t *w, size_t n)
{
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		h = (h ^ w[i]) * FNV_PRIME;
		h = (h ^ w[i + 1]) * FNV_PRIME;
		h = (h ^ w[i + 2]) * FNV_PRIME;
		h = (h ^ w[i + 3]) * FNV_PRIME;
	}
	for (; i < n; i++)
		h = (h ^ w[i]) * FNV_PRIME;
	return h;
}

/* ------------------------------------------------------------ arguments */

static int dd_operand(struct dd_args *a, const char *key, const char *val)
{
	unsigned long long n;

	if (!strcmp(key, "if"))
		a->in = val;
	else if (!strcmp(key, "of"))
		a->out = val;
	else if (!strcmp(key, "bs"))
		return parse_bytes(val, &a->bs);
	else if (!strcmp(key, "split"))
		return parse_bytes(val, &a->split);
	else if (!strcmp(key, "csum"))
		a->csum = strcmp(val, "off") != 0;
	else if (!strcmp(key, "iflag")) {
		if (strcmp(val, "direct"))
			return -EINVAL;
		a->direct = true;
	}
	else if (kstrtoull(val, &n))
		return -EINVAL;
	else if (!strcmp(key, "count"))
		a->count = n, a->has_count = true;
	else if (!strcmp(key, "skip"))
		a->skip = n;
	else if (!strcmp(key, "seek"))
		a->seek = n;
	else
		return -EINVAL;
	return 0;
}

/* Resolve if=/of= to disks; "dd: ..." printed on error. */
static int dd_files(struct dd_args *a)
{
	if (!a->in || !a->out) {
		shell_printf("dd: if= and of= are required\n");
		return -EINVAL;
	}
	a->idisk = strcmp(a->in, "/dev/zero") ? get_disk(a->in) : NULL;
	a->odisk = strcmp(a->out, "/dev/null") ? get_disk(a->out) : NULL;
	if (!a->idisk && strcmp(a->in, "/dev/zero")) {
		shell_printf("dd: failed to open '%s': No such file or directory\n", a->in);
		return -ENOENT;
	}
	if (!a->odisk && strcmp(a->out, "/dev/null")) {
		shell_printf("dd: failed to open '%s': No such file or directory\n", a->out);
		return -ENOENT;
	}
	return 0;
}

static int dd_parse(struct dd_args *a, int argc, char **argv)
{
	int i;

	*a = (struct dd_args){ .bs = SECTOR_SIZE, .csum = true };
	for (i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			goto bad;
		*eq = '\0';
		if (dd_operand(a, argv[i], eq + 1)) {
			*eq = '=';
			goto bad;
		}
		*eq = '=';
	}
	if (!a->bs || a->bs % SECTOR_SIZE || a->bs > (PAGE_SIZE << DD_MAX_ORDER) ||
	    (a->split && (a->split % SECTOR_SIZE || a->bs % a->split))) {
		shell_printf("dd: bs and split must be multiples of 512, bs at most 4M, split dividing bs\n");
		return -EINVAL;
	}
	return dd_files(a);
bad:
	shell_printf("dd: invalid operand '%s' (if= of= bs= count= skip= seek= csum=off split= iflag=direct)\n",
		     argv[i]);
	return -EINVAL;
}

/* Blocks to copy when count= is not given: to the end of the input disk,
 * else of the output disk. */
static unsigned long long dd_default_count(const struct dd_args *a)
{
	const struct gendisk *d = a->idisk ? a->idisk : a->odisk;
	unsigned long long start = a->idisk ? a->skip : a->seek;
	uint64_t bytes = d ? d->capacity << SECTOR_SHIFT : 0;

	if (bytes / a->bs <= start)
		return 0;
	return bytes / a->bs - start;
}

/* ------------------------------------------------------------ the copy */

struct dd_run {
	struct dd_args a;
	struct dd_buf buf[2];
	unsigned int order;
	unsigned long long done;	/* blocks completed */
	uint64_t hash;
	uint64_t csum_ns;
	struct page **pages;		/* the cached path's, FILEMAP_MAX_READ */
};

#define DD_CHUNK_PAGES	512		/* pages per filemap_read */

/* Write-through: the disk has @len bytes at @pos; so do its cached pages. */
static void dd_update_cache(struct gendisk *disk, uint64_t pos,
			    const void *data, unsigned long len)
{
	if (disk->page_cache)
		filemap_write(disk->page_cache, pos, data, len);
}

static int dd_buf_init(struct dd_buf *b, const struct dd_args *a,
		       unsigned int order)
{
	unsigned long run = a->split ? a->split : a->bs;
	unsigned int n = (unsigned int)(a->bs / run);
	gfp_t gfp = GFP_KERNEL | (a->idisk ? 0 : __GFP_ZERO);
	struct page *p = alloc_pages(gfp, order);

	b->vec = kzalloc(n * sizeof(*b->vec), GFP_KERNEL);
	if (!p || !b->vec) {
		if (p)
			__free_pages(p, order);
		return -ENOMEM;
	}
	b->data = page_address(p);
	for (unsigned int i = 0; i < n; i++)
		b->vec[i] = (struct bio_vec){ __pa(b->data) + i * run,
					      (uint32_t)run };
	b->bio = (struct bio){ .vcnt = n, .vec = b->vec };
	return 0;
}

static void dd_buf_free(struct dd_buf *b, unsigned int order)
{
	if (b->data)
		__free_pages(virt_to_page(b->data), order);
	kfree(b->vec);
}

static void dd_end(struct bio *bio)
{
	bio->done = true;
	wake_up_process(bio->waiter);
}

/* Start block @i: a read from the input disk, or a write of zeros. */
static void dd_issue(struct dd_run *r, unsigned long long i)
{
	struct dd_buf *b = &r->buf[i & 1];
	uint64_t per = r->a.bs >> SECTOR_SHIFT;
	int err;

	b->bio.disk = r->a.idisk ? r->a.idisk : r->a.odisk;
	b->bio.op = r->a.idisk ? REQ_OP_READ : REQ_OP_WRITE;
	b->bio.sector = ((r->a.idisk ? r->a.skip : r->a.seek) + i) * per;
	b->bio.end_io = dd_end;
	b->bio.waiter = current;
	b->bio.done = false;
	err = submit_bio(&b->bio);
	if (err) {
		b->bio.status = err;
		b->bio.done = true;
	}
}

/* Fold @len bytes at @data into the checksum, if one is kept, and time it. */
static void dd_csum(struct dd_run *r, const void *data, unsigned long len)
{
	uint64_t t;

	if (!r->a.csum)
		return;
	t = ktime_get_ns();
	r->hash = fnv1a64(r->hash, (const uint64_t *)data, len / 8);
	r->csum_ns += ktime_get_ns() - t;
}

/* Write block @i (in @b) to the output disk and keep its cache in step.
 * 0 or -errno (printed). */
static int dd_write_out(struct dd_run *r, struct dd_buf *b,
			unsigned long long i)
{
	int err;

	b->bio.disk = r->a.odisk;
	b->bio.op = REQ_OP_WRITE;
	b->bio.sector = (r->a.seek + i) * (r->a.bs >> SECTOR_SHIFT);
	err = submit_bio_wait(&b->bio);
	if (err)
		shell_printf("dd: error writing '%s': %s\n", r->a.out,
			     blk_strerror(err));
	else
		dd_update_cache(r->a.odisk, (r->a.seek + i) * r->a.bs,
				b->data, r->a.bs);
	return err;
}

/* Finish block @i: wait, checksum, write it out. 0 or -errno (printed). */
static int dd_complete(struct dd_run *r, unsigned long long i)
{
	struct dd_buf *b = &r->buf[i & 1];
	int err;

	wait_event(b->bio.done);
	err = b->bio.status;
	if (err) {
		shell_printf("dd: error %s '%s': %s\n", r->a.idisk ? "reading" :
			     "writing", r->a.idisk ? r->a.in : r->a.out,
			     blk_strerror(err));
		return err;
	}
	if (!r->a.idisk) {
		dd_update_cache(r->a.odisk, (r->a.seek + i) * r->a.bs,
				b->data, r->a.bs);
		return 0;
	}
	dd_csum(r, b->data, r->a.bs);
	return r->a.odisk ? dd_write_out(r, b, i) : 0;
}

/* Checksum (and copy to @dst) @len bytes from offset @off of the cache
 * pages @pages. */
static void dd_from_pages(struct dd_run *r, struct page **pages,
			  unsigned long off, unsigned long len, char *dst)
{
	if (!r->a.csum && !dst)
		return;			/* nothing to take from them */
	for (unsigned int j = 0; len; j++) {
		const char *src = (const char *)page_address(pages[j]) + off;
		unsigned long n = min(len, PAGE_SIZE - off);

		dd_csum(r, src, n);
		if (dst) {
			memcpy(dst, src, n);
			dst += n;
		}
		len -= n;
		off = 0;
	}
}

/* Block @i through the input disk's page cache. 0 or -errno (printed). */
static int dd_cached_block(struct dd_run *r, unsigned long long i)
{
	struct address_space *m = disk_page_cache(r->a.idisk);
	struct dd_buf *b = &r->buf[0];
	uint64_t pos = (r->a.skip + i) * r->a.bs;
	unsigned long left = r->a.bs, done = 0;
	int err = 0;

	if (!m)
		err = -ENOMEM;
	else if (pos + r->a.bs > r->a.idisk->capacity << SECTOR_SHIFT)
		err = -EIO;		/* past the end: as the device would */
	while (!err && left) {
		unsigned long first = (unsigned long)(pos >> PAGE_SHIFT);
		unsigned long off = (unsigned long)(pos & (PAGE_SIZE - 1));
		unsigned long n = min(left, DD_CHUNK_PAGES * PAGE_SIZE - off);
		unsigned int nr = (unsigned int)((off + n + PAGE_SIZE - 1) >>
						 PAGE_SHIFT);

		err = filemap_read(m, first, nr, r->pages);
		if (err)
			break;
		dd_from_pages(r, r->pages, off, n, r->a.odisk ?
			      (char *)b->data + done : NULL);
		filemap_release(r->pages, nr);
		cond_resched();		/* kswapd, if the read woke it */
		pos += n;
		done += n;
		left -= n;
	}
	if (err) {
		shell_printf("dd: error reading '%s': %s\n", r->a.in,
			     blk_strerror(err));
		return err;
	}
	return r->a.odisk ? dd_write_out(r, b, i) : 0;
}

/* Blocks 0..count, two deep. */
static void dd_copy(struct dd_run *r, unsigned long long count)
{
	unsigned long long i;

	if (r->a.idisk && !r->a.direct) {
		for (i = 0; i < count && !dd_cached_block(r, i); i++)
			r->done++;
		return;
	}
	if (count)
		dd_issue(r, 0);
	for (i = 0; i < count; i++) {
		if (i + 1 < count)
			dd_issue(r, i + 1);
		if (dd_complete(r, i))
			break;
		r->done++;
	}
	if (i + 1 < count)			/* stopped early: drain */
		wait_event(r->buf[(i + 1) & 1].bio.done);
}

static void dd_report(const struct dd_run *r, uint64_t ns)
{
	uint64_t bytes = r->done * r->a.bs, us = ns / 1000;

	if (!ns)
		ns = 1;
	shell_printf("%llu+0 records in\n%llu+0 records out\n", r->done, r->done);
	shell_printf("%lu bytes (%lu.%lu MB, %lu.%lu MiB) copied, %lu.%06lu s, %lu.%lu MB/s\n",
		     (unsigned long)bytes, (unsigned long)(bytes / 1000000),
		     (unsigned long)(bytes / 100000 % 10),
		     (unsigned long)(bytes >> 20),
		     (unsigned long)((bytes * 10 >> 20) % 10),
		     (unsigned long)(us / 1000000), (unsigned long)(us % 1000000),
		     (unsigned long)(bytes * 1000 / ns),
		     (unsigned long)(bytes * 10000 / ns % 10));
	if (r->a.idisk && r->a.csum)
		shell_printf("fnv1a64 0x%016lx (checksum %lu.%03lu s)\n",
			     (unsigned long)r->hash,
			     (unsigned long)(r->csum_ns / 1000000000),
			     (unsigned long)(r->csum_ns / 1000000 % 1000));
}

static int cmd_dd(int argc, char **argv)
{
	static struct dd_run r;
	unsigned long long count;
	uint64_t start;
	int err = 0;

	memset(&r, 0, sizeof(r));
	if (dd_parse(&r.a, argc, argv))
		return -EINVAL;
	while ((PAGE_SIZE << r.order) < r.a.bs)
		r.order++;
	count = r.a.has_count ? r.a.count : dd_default_count(&r.a);
	r.pages = kmalloc(FILEMAP_MAX_READ * sizeof(*r.pages), GFP_KERNEL);
	if (!r.pages || dd_buf_init(&r.buf[0], &r.a, r.order) ||
	    dd_buf_init(&r.buf[1], &r.a, r.order)) {
		shell_printf("dd: memory exhausted\n");
		err = -ENOMEM;
		goto out;
	}
	r.hash = FNV_OFFSET;
	start = ktime_get_ns();
	dd_copy(&r, count);
	dd_report(&r, ktime_get_ns() - start);
	err = r.done == count ? 0 : -EIO;
out:
	dd_buf_free(&r.buf[0], r.order);
	dd_buf_free(&r.buf[1], r.order);
	kfree(r.pages);
	return err;
}

static int cmd_sync(int argc, char **argv)
{
	struct gendisk *d;
	int err, ret = 0;

	for (unsigned int i = 0; (d = disk_by_index(i)) != NULL; i++) {
		err = blkdev_issue_flush(d);
		if (err) {
			shell_printf("sync: %s: %s\n", d->disk_name, blk_strerror(err));
			ret = err;
		}
	}
	return ret;
}

static const struct shell_cmd blk_cmds[] = {
	{ "dd", cmd_dd, "copy disk blocks: dd if=/dev/vda|/dev/zero of=/dev/null|/dev/vdb bs=1M count=N [skip= seek= csum=off split=8K iflag=direct]" },
	{ "sync", cmd_sync, "flush every disk's write cache" },
};

void blk_cmds_init(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(blk_cmds); i++)
		shell_register(&blk_cmds[i]);
}
