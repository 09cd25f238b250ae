/*
 * What ksmd does for the scanner's core (the struct ksm_ops of ksmd.c's
 * struct ksm): the pool of merged pages, reading guest memory and the
 * VMs' checksums. Asking VMs to change their mappings (merges in runs,
 * unmerges, STILL) is ksmd_vmreq.c's.
 *
 * Checksums: the VM hashes its own pages. ksmd gives each VM a checksum
 * buffer at HELLO (a memfd of KSM_RUN_MAX slots, sealed against resizing
 * so the VM cannot make ksmd's reads fault; ksmd maps it read-only, the VM
 * read-write), and asks for a window of pages with one SUM_RUN: from the
 * page the core asks about, as many as the batch may still visit (at most
 * KSM_RUN_MAX), with a bitmap of the checksums the scan will want (smart
 * scan's skipped pages are not hashed). The VM hashes those that are data
 * in its memfd and not merged, through its own populated mapping (no page
 * faults; its mincore is a PTE check), and answers with a bitmap of the
 * pages that are data and not merged. The window serves
 * the core's checksums and, through its bitmap, next_data (the cursor
 * skips the window's holes without a system call; past the window,
 * SEEK_DATA skips a hole whole). It is forgotten at the end of every
 * batch (the VMs ran meanwhile) and at a new full scan (a page's checksum
 * is taken afresh at each of its visits), a page's slot when ksmd merges
 * or unmerges that page. What the VM writes is untrusted (see "Compares" in
 * ksm.c): it only makes candidates. A VM without a buffer (ksmd could not
 * make one, or the VM could not map it: -ENODEV) has its pages hashed by
 * ksmd.
 *
 * Reading: each region's memfd is mapped read-only and registered with
 * ksmd's userfaultfd (MISSING mode, UFFD_FEATURE_SIGBUS), so a read of a
 * hole raises SIGBUS instead of allocating the page (guard.c catches it).
 * ksmd reads a guest page only to copy it into a new pool page, so its
 * mapping stays mostly unpopulated: no fault per page scanned, and a
 * VM's punch after a merge has few ksmd page-table entries to zap. The
 * userfaultfd is created
 * UFFD_USER_MODE_ONLY (no privilege needed): ksmd never hands an address
 * in those mappings to a system call (a new pool page is written from the
 * core's copy), so only its own reads fault there.
 *
 * The pool: pages are written with pwrite (shmem then allocates the page
 * without clearing it first, and there is no page fault) from the core's
 * stable copy; ksmd reads them through its own mapping of the pool. A
 * freed page is punched and reused first; a chain's stripe (stable.c) is
 * a range reserved from the end, its pages filled and punched one by one.
 *
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ksm/ksmd_internal.h"

uint64_t ksmd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ the pool */

/* @n pool pages in a row from the bump pointer (the file grows by
 * POOL_CHUNKs), empty: a new page, or a chain's stripe. */
static int pool_reserve(void *o, uint64_t n, uint64_t *base)
{
	struct ksmd *d = o;
	uint64_t end = d->pool_next + n, pages;

	if (end > POOL_MAX)
		return -ENOSPC;
	if (end > d->pool_pages) {
		pages = (end + POOL_CHUNK - 1) / POOL_CHUNK * POOL_CHUNK;
		if (ftruncate(d->pool_fd, pages * KSM_PAGE_SIZE) < 0)
			return -errno;
		d->pool_pages = pages;
	}
	*base = d->pool_next;
	d->pool_next = end;
	return 0;
}

static int pool_fill(void *o, uint64_t pidx, const void *buf)
{
	struct ksmd *d = o;

	if (pwrite(d->pool_fd, buf, KSM_PAGE_SIZE, pidx * KSM_PAGE_SIZE) !=
	    KSM_PAGE_SIZE)
		return -ENOMEM;
	return 0;
}

static void pool_punch(void *o, uint64_t pidx)
{
	struct ksmd *d = o;

	fallocate(d->pool_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  pidx * KSM_PAGE_SIZE, KSM_PAGE_SIZE);
}

/* The page goes on the stack of freed pages, filled first. */
static void pool_free(void *o, uint64_t pidx)
{
	struct ksmd *d = o;

	pool_punch(o, pidx);
	if (d->nr_free == d->free_cap) {
		uint64_t cap = d->free_cap ? 2 * d->free_cap : 1024;
		uint64_t *n = realloc(d->pool_free, cap * sizeof(*n));

		if (!n)
			return;                 /* leaks one pool slot */
		d->pool_free = n;
		d->free_cap = cap;
	}
	d->pool_free[d->nr_free++] = pidx;
}

/* A page holding @buf: the newest freed, else the bump pointer. */
static int pool_alloc(void *o, const void *buf, uint64_t *pidx)
{
	struct ksmd *d = o;
	uint64_t p = 0;
	int ret;

	if (d->nr_free)
		p = d->pool_free[--d->nr_free];
	else if ((ret = pool_reserve(o, 1, &p)))
		return ret;
	ret = pool_fill(o, p, buf);
	if (ret) {
		if (p == d->pool_next - 1)
			d->pool_next--;
		else
			d->pool_free[d->nr_free++] = p; /* where it came from */
		return ret;
	}
	*pidx = p;
	return 0;
}

static const void *pool_page(void *o, uint64_t pidx)
{
	struct ksmd *d = o;

	return d->pool + pidx * KSM_PAGE_SIZE;
}

/* ------------------------------------------------------------ reading VMs */

int ksmd_region_fd(const struct ksm_region *r)
{
	return ((const struct ksmd_region *)r->priv)->fd;
}

int ksmd_region_open(struct ksmd *d, int fd, uint64_t pages,
		     struct ksmd_region **out)
{
	struct ksmd_region *m = calloc(1, sizeof(*m));
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	void *map;

	if (!m)
		return -ENOMEM;
	map = mmap(NULL, pages * KSM_PAGE_SIZE, PROT_READ,
		   MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (map == MAP_FAILED) {
		free(m);
		return -errno;
	}
	reg.range = (struct uffdio_range){ (uintptr_t)map, pages * KSM_PAGE_SIZE };
	if (ioctl(d->uffd, UFFDIO_REGISTER, &reg) < 0) {
		int err = -errno;

		munmap(map, pages * KSM_PAGE_SIZE);
		free(m);
		return err;
	}
	*m = (struct ksmd_region){ .fd = fd, .map = map,
				   .len = pages * KSM_PAGE_SIZE };
	*out = m;
	return 0;
}

void ksmd_region_close(struct ksmd_region *m)
{
	munmap((void *)m->map, m->len);  /* unregisters it too */
	close(m->fd);
	free(m);
}

int ksmd_uffd_open(struct ksmd *d)
{
	struct uffdio_api api = { .api = UFFD_API,
				  .features = UFFD_FEATURE_SIGBUS };

	d->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (d->uffd < 0)
		return -errno;
	if (ioctl(d->uffd, UFFDIO_API, &api) < 0) {
		int err = -errno;

		close(d->uffd);
		d->uffd = -1;
		return err;
	}
	return 0;
}

static bool in_window(const struct ksmd *d, const struct ksm_region *r,
		      uint64_t idx)
{
	return d->sum.r == r && d->sum.seqnr == d->ksm.seqnr &&
	       idx >= d->sum.first && idx < d->sum.first + d->sum.n;
}

/* The first page at or after @idx (in the checksum window) that the VM
 * hashed, i.e. held data, or the window's end. */
static uint64_t window_next(const struct ksmd *d, uint64_t idx)
{
	uint64_t end = d->sum.first + d->sum.n, i;

	for (i = idx - d->sum.first; i < d->sum.n; i++)
		if (ksm_bit(d->sum.have, i))
			return d->sum.first + i;
	return end;
}

/* The first page at or after @idx holding data: inside the checksum
 * window, from its bitmap (the VM's mincore of its own mapping: no system
 * call here); outside, SEEK_DATA (a hole is skipped whole). Merged pages
 * are holes the core visits from its own books, one call each: the answer
 * for [from, to] is kept, so walking the merged pages of a long hole does
 * not ask again. */
static uint64_t next_data(void *o, struct ksm_region *r, uint64_t idx)
{
	struct ksmd *d = o;
	uint64_t i = idx;
	off_t off;

	if (d->hint.r == r && d->hint.seqnr == d->ksm.seqnr &&
	    idx >= d->hint.from && idx <= d->hint.to)
		return d->hint.to;
	if (in_window(d, r, i))
		i = window_next(d, i);
	if (i < r->nr_pages && !in_window(d, r, i)) {
		off = lseek(ksmd_region_fd(r), i * KSM_PAGE_SIZE, SEEK_DATA);
		i = off < 0 ? r->nr_pages : (uint64_t)off / KSM_PAGE_SIZE;
		if (i > r->nr_pages)
			i = r->nr_pages;        /* ENXIO: no data after */
	}
	d->hint.r = r;
	d->hint.seqnr = d->ksm.seqnr;
	d->hint.from = idx;
	d->hint.to = i;
	return i;
}

/* In place, through the region's mapping (guard.c reads it). */
static const void *page(void *o, struct ksm_region *r, uint64_t idx)
{
	return ((const struct ksmd_region *)r->priv)->map + idx * KSM_PAGE_SIZE;
}

void ksmd_read_forget(struct ksmd *d)
{
	d->hint.r = NULL;
	d->still.r = NULL;
	d->sum.r = NULL;
}

/* ------------------------------------------------------------ checksums */

int ksmd_sums_create(struct client *c)
{
	int fd = memfd_create("memvisor-ksm-sums", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	void *map;
	int err;

	if (fd < 0)
		return -errno;
	/* sealed: the VM cannot shrink it under ksmd's reads (a SIGBUS) */
	if (ftruncate(fd, KSM_SUM_BUF_SIZE) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		goto fail;
	map = mmap(NULL, KSM_SUM_BUF_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		goto fail;
	c->sums = map;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

void ksmd_sums_free(struct client *c)
{
	if (c->sums)
		munmap((void *)c->sums, KSM_SUM_BUF_SIZE);
	c->sums = NULL;
}

/* ksmd merges or unmerges page @idx of @r: the STILL answers for @r are
 * stale; of the checksum window only that page's (the others' contents
 * did not change, and dropping the window would hash it again for each
 * merge). */
void ksmd_pages_changed(struct ksmd *d, struct ksm_region *r, uint64_t idx)
{
	uint64_t i = idx - d->sum.first;

	if (d->still.r == r)
		d->still.r = NULL;
	if (in_window(d, r, idx))
		ksm_bit_clear(d->sum.have, i);
}

/* Page @idx hashed by ksmd itself through its mapping (guarded): for a
 * VM without a checksum buffer. */
static int local_checksum(struct ksm_region *r, uint64_t idx, uint64_t *sum)
{
	return ksm_guard_hash(page(NULL, r, idx), sum) ? 1 : 0;
}

/* One SUM_RUN for pages [idx, idx+n), n as many as the batch may still
 * visit (at most KSM_RUN_MAX), asking for the checksums the scan will
 * want (page idx's, which it is visiting now, and those smart scan will
 * not skip): the VM hashes those that are data and not merged into the
 * checksum buffer; its bitmap of data pages becomes the window. */
static int sum_run(struct ksmd *d, struct ksm_region *r, uint64_t idx,
		   uint64_t ahead)
{
	uint64_t n = r->nr_pages - idx, i;
	struct ksm_msg m = { .type = KSM_SUM_RUN, .region = r->id, .a = idx };
	struct ksm_msg ans;
	int ret;

	if (ahead < n)
		n = ahead ? ahead : 1;
	m.nid = n < KSM_RUN_MAX ? n : KSM_RUN_MAX;
	memset(d->sum.want, 0, sizeof(d->sum.want));
	d->sum.want[0] = 1;
	for (i = 1; i < m.nid; i++)
		if (ksm_rmap_item_wants_checksum(&d->ksm, &r->items[idx + i]))
			ksm_bit_set(d->sum.want, i);
	memcpy(m.text, d->sum.want, sizeof(d->sum.want));
	d->sum.r = NULL;
	ret = ksmd_vm_request(ksmd_client_of(r), &m, &ans);
	if (ret)
		return ret;
	d->sum.r = r;
	d->sum.seqnr = d->ksm.seqnr;
	d->sum.first = idx;
	d->sum.n = m.nid;
	memcpy(d->sum.have, ans.text, sizeof(d->sum.have));
	return 0;
}


/*
 * The scan probes both trees' indexes with each page's checksum, a cache
 * miss each that the CPU waits for (a sixth of ksmd's CPU on the density
 * workload); the window holds the checksums of the pages to come, so
 * their slots are loaded while the pages before them are looked up.
 */
#define PREFETCH_PAGES 6

static void prefetch_ahead(const struct ksmd *d, const struct client *c,
			   uint64_t i)
{
	if (i >= d->sum.n || !ksm_bit(d->sum.have, i) || !ksm_bit(d->sum.want, i))
		return;
	ksm_hindex_prefetch(&d->ksm.stable, c->sums[i]);
	ksm_hindex_prefetch(&d->ksm.unstable, c->sums[i]);
}

/* From the window the VM hashed (one SUM_RUN from @idx when @idx is not in
 * it), until the batch ends or the VM's pages change under ksmd. The
 * value is read from the shared buffer as the VM left it: untrusted, a
 * candidate at most (see the overview). */
static int checksum(void *o, struct ksm_region *r, uint64_t idx,
		    uint64_t ahead, uint64_t *sum)
{
	const struct client *c = ksmd_client_of(r);
	struct ksmd *d = o;
	uint64_t i;
	int ret;

	if (!c->sums)
		return local_checksum(r, idx, sum);
	/* a page not wanted when the window was asked for (its rmap item was
	 * forgotten since, so smart scan starts over): a new window */
	if (!in_window(d, r, idx) ||
	    (ksm_bit(d->sum.have, idx - d->sum.first) &&
	     !ksm_bit(d->sum.want, idx - d->sum.first))) {
		ret = sum_run(d, r, idx, ahead);
		if (ret == -ENODEV)
			return local_checksum(r, idx, sum);   /* no buffer there */
		if (ret)
			return ret;
	}
	i = idx - d->sum.first;
	prefetch_ahead(d, c, i + PREFETCH_PAGES);
	if (!ksm_bit(d->sum.have, i))
		return 1;
	*sum = c->sums[i];
	return 0;
}

static uint64_t now_ms(void *o)
{
	return ksmd_now_ms();
}

const struct ksm_ops ksmd_ops = {
	.page = page, .next_data = next_data, .checksum = checksum,
	.pool_page = pool_page, .pool_alloc = pool_alloc,
	.pool_free = pool_free, .pool_reserve = pool_reserve,
	.pool_fill = pool_fill, .pool_punch = pool_punch,
	.merge = ksmd_merge, .merge_zero = ksmd_merge_zero,
	.unmerge = ksmd_unmerge, .still_merged = ksmd_still_merged,
	.now_ms = now_ms,
};

