/*
 * What the VM does to its own pages when ksmd asks (the ksm device's
 * requests; only this process can change its mappings):
 *
 *   MERGE r,i,p   write-protect page i (userfaultfd WP: a writer, a vCPU
 *                 under KVM included, blocks in the kernel), compare it
 *                 whole with pool page p; if equal, map pool page p there
 *                 MAP_PRIVATE (the kernel gives any later writer, guest or
 *                 VMM, its own copy: that is the copy-on-write break),
 *                 punch the page out of the region's memfd, re-register the
 *                 new mapping for WP; then wake any blocked writer. If the
 *                 contents differ: -EAGAIN; if mmap hits vm.max_map_count:
 *                 -ENOMEM, merging stops for this VM, nothing is lost.
 *   MERGE_ZERO    the same for an all-zero page: it is punched out (a hole
 *                 reads as zeros).
 *   UNMERGE       write-protect, copy what the guest sees back into the
 *                 memfd, map the memfd there again (MAP_SHARED), wake.
 *   STILL         is page i still the pool page? /proc/self/pagemap tells
 *                 a file page from an anonymous one: after a copy-on-write
 *                 break it is anonymous, and the page is folded back into
 *                 the memfd (as UNMERGE) and reported not merged.
 *   MERGE_RUN     MERGE for each of n neighbouring pages onto n neighbouring
 *                 pool pages: one write-protect of the range, a compare per
 *                 page (against the pool mapped read-only), one mmap per
 *                 run of equal pages; a bitmap of the pages not merged.
 *                 With KSM_RUN_SAME all onto one pool page (a mapping each,
 *                 one punch and one write-protect registration for all).
 *                 With KSM_RUN_ZERO, MERGE_ZERO for each (one punch per
 *                 run of all-zero pages).
 *   STILL_RUN     STILL for n neighbouring pages (one pagemap read); a
 *                 bitmap of those still merged.
 *   SUM_RUN       the XXH3 of each of n neighbouring pages that ksmd
 *                 wants (a bitmap) and is data and not merged, into the
 *                 checksum buffer ksmd shared (SUM_BUF); a bitmap of the
 *                 pages that are data and not merged. The pages are read
 *                 through this process's own mapping, which the guest has
 *                 populated: no page faults, and mincore is a PTE check
 *                 (ksmd's mapping of the memfd stays unpopulated, so a
 *                 punch after a merge has no ksmd PTEs to zap). The
 *                 checksums are not trusted by ksmd: they only make
 *                 candidates, which the compares above decide.
 *
 * Every request runs under ksm_vm.lock (vm.c), so no memory hook changes
 * a mapping meanwhile. A page is never merged on ksmd's word alone: it is
 * frozen (write-protected) and compared whole with the pool page first.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxh_x86dispatch.h>

#include "ksm/vm_internal.h"

/* ------------------------------------------------------------ helpers */

static int uffd_wp_range(struct ksm_vm *k, uint8_t *hva, uint64_t len, bool on)
{
	struct uffdio_writeprotect w = {
		.range = { (uintptr_t)hva, len },
		.mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	return ioctl(k->uffd, UFFDIO_WRITEPROTECT, &w) < 0 ? -errno : 0;
}

static int uffd_wp(struct ksm_vm *k, uint8_t *hva, bool on)
{
	return uffd_wp_range(k, hva, PG, on);
}

static void uffd_wake_range(struct ksm_vm *k, uint8_t *hva, uint64_t len)
{
	struct uffdio_range r = { (uintptr_t)hva, len };

	ioctl(k->uffd, UFFDIO_WAKE, &r);
}

static void uffd_wake(struct ksm_vm *k, uint8_t *hva)
{
	uffd_wake_range(k, hva, PG);
}

int ksm_vm_uffd_register(struct ksm_vm *k, uint8_t *hva, uint64_t len)
{
	struct uffdio_register r = {
		.range = { (uintptr_t)hva, len },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};

	return ioctl(k->uffd, UFFDIO_REGISTER, &r) < 0 ? -errno : 0;
}

static struct kregion *kregion_by_id(struct ksm_vm *k, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < KSM_MAX_REGIONS; i++)
		if (k->reg[i].used && k->reg[i].id == id)
			return &k->reg[i];
	return NULL;
}

static bool is_data(const struct kregion *r, uint64_t idx)
{
	off_t off = idx * PG;

	return lseek(r->memfd, off, SEEK_DATA) == off;
}

static const uint8_t zero_page[PG];

/* The next run [*from, *to) of pages whose bit in @bad is clear, at or
 * after *from (empty at the end). */
static void good_run(const uint8_t *bad, uint32_t n, uint32_t *from,
		     uint32_t *to)
{
	uint32_t i = *from, s;

	while (i < n && ksm_bit(bad, i))
		i++;
	for (s = i; s < n && !ksm_bit(bad, s); s++)
		;
	*from = i;
	*to = s;
}

/* Which of pages [a, a+n) the memfd holds (reading a hole through the
 * guest's mapping would allocate it again): vec[i] & 1, from one mincore
 * of the guest's mapping (pages merged already map the pool and are left
 * out by the caller); an lseek per page if mincore fails. */
static void data_pages(const struct kregion *r, uint64_t a, uint32_t n,
		       uint8_t *vec)
{
	uint32_t i;

	if (!mincore(r->hva + a * PG, (uint64_t)n * PG, vec))
		return;
	for (i = 0; i < n; i++)
		vec[i] = is_data(r, a + i);
}

/* ------------------------------------------------------------ requests */

/* Map the memfd back at page @idx (its contents are already there). */
int ksm_vm_map_own(struct ksm_vm *k, struct kregion *r, uint64_t idx)
{
	uint8_t *hva = r->hva + idx * PG;

	if (mmap(hva, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 r->memfd, idx * PG) == MAP_FAILED)
		return -errno;
	ksm_vm_uffd_register(k, hva, PG);
	r->merged[idx] = 0;
	k->merging--;
	return 0;
}

int ksm_vm_unmerge_page(struct ksm_vm *k, struct kregion *r, uint64_t idx)
{
	uint8_t *hva = r->hva + idx * PG;
	int ret;

	if (!r->merged[idx])
		return 0;
	uffd_wp(k, hva, true);
	if (pwrite(r->memfd, hva, PG, idx * PG) != PG) {
		ret = -errno;
		uffd_wp(k, hva, false);
		return ret ? ret : -EIO;
	}
	ret = ksm_vm_map_own(k, r, idx);
	if (ret)
		uffd_wp(k, hva, false);
	uffd_wake(k, hva);
	return ret;
}

static void limit_hit(struct ksm_vm *k)
{
	k->stopped = true;
	snprintf(k->reason, sizeof(k->reason), "mapping limit reached (vm.max_map_count)");
	if (!k->limit_logged)
		fprintf(stderr, "memvisor: ksm: %s: no more pages of this VM are merged\n",
			k->reason);
	k->limit_logged = true;
}

static int do_merge(struct ksm_vm *k, struct kregion *r, uint64_t idx,
		    uint64_t pidx)
{
	uint8_t *hva = r->hva + idx * PG;
	struct stat st;
	int ret;

	if (r->merged[idx] || !is_data(r, idx))
		return -EAGAIN;
	if (fstat(k->pool_fd, &st) < 0 || (uint64_t)st.st_size < (pidx + 1) * PG ||
	    pread(k->pool_fd, k->tmp, PG, pidx * PG) != PG)
		return -EINVAL;
	ret = uffd_wp(k, hva, true);
	if (ret)
		return ret;
	if (memcmp(hva, k->tmp, PG)) {          /* frozen: the final word */
		uffd_wp(k, hva, false);
		return -EAGAIN;
	}
	if (mmap(hva, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
		 k->pool_fd, pidx * PG) == MAP_FAILED) {
		ret = -errno;
		if (ret == -ENOMEM)
			limit_hit(k);
		uffd_wp(k, hva, false);
		return ret;
	}
	fallocate(r->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  idx * PG, PG);
	ksm_vm_uffd_register(k, hva, PG);
	r->merged[idx] = 1;
	k->merging++;
	uffd_wake(k, hva);
	return 0;
}


/* The pool mapped read-only (KSM_POOL_MAX_PAGES reserved; a page is read
 * only below the pool's size): compare without a pread per page. */
static const uint8_t *pool_view(struct ksm_vm *k)
{
	void *p;

	if (k->pool_view)
		return k->pool_view;
	p = mmap(NULL, KSM_POOL_MAX_PAGES * PG, PROT_READ, MAP_SHARED | MAP_NORESERVE,
		 k->pool_fd, 0);
	k->pool_view = p == MAP_FAILED ? NULL : p;
	return k->pool_view;
}

void ksm_vm_pool_view_drop(struct ksm_vm *k)
{
	if (k->pool_view)
		munmap((void *)k->pool_view, KSM_POOL_MAX_PAGES * PG);
	k->pool_view = NULL;
}

/*
 * Map pool pages at pages [idx, idx+n), all frozen and equal: pool page
 * pidx+i at page idx+i with one mmap (@step 1), or pool page pidx at every
 * page, a mapping each (@step 0: a chain's dup). Returns how many pages,
 * from the first, were mapped (*err: what stopped the rest); those are
 * punched out of the memfd and registered for write-protect again with
 * one call each for the whole run (a punch costs ~3 us for one page and
 * ~0.5 us a page for a run).
 */
static uint64_t map_pool_run(struct ksm_vm *k, struct kregion *r,
			     uint64_t idx, uint64_t pidx, uint64_t n,
			     uint64_t step, int *err)
{
	uint8_t *hva = r->hva + idx * PG;
	uint64_t i, done;

	*err = 0;
	for (done = 0; done < n; done += step ? n : 1)
		if (mmap(hva + done * PG, (step ? n : 1) * PG,
			 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
			 k->pool_fd, pidx * PG) == MAP_FAILED) {
			*err = -errno;
			break;
		}
	if (!done)
		return 0;
	fallocate(r->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  idx * PG, done * PG);
	ksm_vm_uffd_register(k, hva, done * PG);
	for (i = 0; i < done; i++)
		r->merged[idx + i] = 1;
	k->merging += done;
	return done;
}

/*
 * MERGE_RUN: pages [a, a+n) onto pool pages [b, b+n), each only if equal
 * while frozen; equal neighbours are mapped with one mmap (@same: onto
 * pool page b, a mapping each, but one punch for them all). Bit i of @bad
 * is set for each page not merged; the result is their error (0: they
 * differed or were not candidates; -ENOMEM: the mapping limit).
 */
static int do_merge_run(struct ksm_vm *k, struct kregion *r, uint64_t a,
			uint64_t b, uint32_t n, bool same, uint8_t *bad)
{
	uint64_t step = same ? 0 : 1;
	const uint8_t *pool = pool_view(k);
	uint8_t *hva = r->hva + a * PG;
	uint8_t data[KSM_RUN_MAX];
	struct stat st;
	uint64_t done;
	uint32_t i, s;
	int err = 0;

	memset(bad, 0xff, (n + 7) / 8);
	if (k->stopped)
		return -ENOMEM;
	if (a + n > r->nr_pages || !pool || fstat(k->pool_fd, &st) < 0 ||
	    (uint64_t)st.st_size < (b + (n - 1) * step + 1) * PG)
		return -EINVAL;
	if (uffd_wp_range(k, hva, (uint64_t)n * PG, true))
		return -EAGAIN;
	/* the pool pages into the view at once, not a fault per 16 */
	if (step)
		madvise((void *)(pool + b * PG), (uint64_t)n * PG, MADV_POPULATE_READ);
	data_pages(r, a, n, data);
	for (i = 0; i < n; i++)         /* frozen: the final word */
		if (!r->merged[a + i] && (data[i] & 1) &&
		    !memcmp(hva + (uint64_t)i * PG, pool + (b + i * step) * PG, PG))
			ksm_bit_clear(bad, i);
	for (i = 0; i < n && !err; i = s) {
		good_run(bad, n, &i, &s);
		if (s > i &&
		    (done = map_pool_run(k, r, a + i, b + i * step, s - i, step,
					 &err)) < s - i) {
			for (s = i + done; s < n; s++)  /* the rest stays */
				ksm_bit_set(bad, s);
			if (err == -ENOMEM)
				limit_hit(k);
		}
	}
	for (i = 0; i < n; i++)         /* the pages left as they were */
		if (ksm_bit(bad, i))
			uffd_wp(k, hva + (uint64_t)i * PG, false);
	uffd_wake_range(k, hva, (uint64_t)n * PG);
	return err;
}

/*
 * MERGE_RUN with KSM_RUN_ZERO: MERGE_ZERO for pages [a, a+n), with one
 * write-protect of the range and one punch per run of all-zero pages. Bit
 * i of @bad is set for each page not merged (written meanwhile, not data,
 * merged already).
 */
static int do_merge_zero_run(struct ksm_vm *k, struct kregion *r, uint64_t a,
			     uint32_t n, uint8_t *bad)
{
	uint8_t *hva = r->hva + a * PG;
	uint8_t data[KSM_RUN_MAX];
	uint32_t i, s, j;

	memset(bad, 0xff, (n + 7) / 8);
	if (a + n > r->nr_pages)
		return -EINVAL;
	if (uffd_wp_range(k, hva, (uint64_t)n * PG, true))
		return -EAGAIN;
	data_pages(r, a, n, data);
	for (i = 0; i < n; i++)         /* frozen: the final word */
		if (!r->merged[a + i] && (data[i] & 1) &&
		    !memcmp(hva + (uint64_t)i * PG, zero_page, PG))
			ksm_bit_clear(bad, i);
	for (i = 0; i < n; i = s) {
		good_run(bad, n, &i, &s);
		if (s > i && fallocate(r->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				       (a + i) * PG, (uint64_t)(s - i) * PG) < 0)
			for (j = i; j < s; j++)
				ksm_bit_set(bad, j);
	}
	/* lifts the write-protect markers the punch left as well */
	uffd_wp_range(k, hva, (uint64_t)n * PG, false);
	uffd_wake_range(k, hva, (uint64_t)n * PG);
	return 0;
}

/* MERGE_ZERO: the run of one page. */
static int do_merge_zero_one(struct ksm_vm *k, struct kregion *r, uint64_t idx)
{
	uint8_t bad = 0;
	int ret = do_merge_zero_run(k, r, idx, 1, &bad);

	return ret ? ret : bad & 1 ? -EAGAIN : 0;
}

/* 1 still the pool page; 0 not merged (a copy-on-write break is folded
 * back into the memfd). */
static int do_still(struct ksm_vm *k, struct kregion *r, uint64_t idx)
{
	uint8_t *hva = r->hva + idx * PG;
	uint64_t e;

	if (!r->merged[idx])
		return 0;
	if (pread(k->pagemap_fd, &e, 8, ((uintptr_t)hva / PG) * 8) != 8)
		return 1;
	if (!(e >> 63 & 1) || (e >> 61 & 1))
		return 1;               /* not faulted in, or the pool's page */
	return ksm_vm_unmerge_page(k, r, idx) ? 1 : 0;
}

/* STILL for pages [a, a+n): bit i of @yes set for each still merged. */
static int do_still_run(struct ksm_vm *k, struct kregion *r, uint64_t a,
			uint32_t n, uint8_t *yes)
{
	uint64_t e[KSM_RUN_MAX], vpn = (uintptr_t)(r->hva + a * PG) / PG;
	bool have;
	uint32_t i;

	memset(yes, 0, (n + 7) / 8);
	if (a + n > r->nr_pages)
		n = r->nr_pages - a;
	have = pread(k->pagemap_fd, e, n * 8, vpn * 8) == (ssize_t)n * 8;
	for (i = 0; i < n; i++) {
		if (!r->merged[a + i])
			continue;
		/* not faulted in, or the pool's page: still merged */
		if (have && (e[i] >> 63 & 1) && !(e[i] >> 61 & 1) &&
		    !ksm_vm_unmerge_page(k, r, a + i))
			continue;
		ksm_bit_set(yes, i);
	}
	return 0;
}

int ksm_vm_sums_map(struct ksm_vm *k, int fd)
{
	struct stat st;
	void *p;
	int seals = fd >= 0 ? fcntl(fd, F_GET_SEALS) : -1;

	ksm_vm_sums_drop(k);
	/* a buffer that can shrink could fault this process */
	if (seals < 0 || !(seals & F_SEAL_SHRINK) || fstat(fd, &st) < 0 ||
	    (uint64_t)st.st_size < KSM_SUM_BUF_SIZE)
		return -EINVAL;
	p = mmap(NULL, KSM_SUM_BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	k->sums = p;
	return 0;
}

void ksm_vm_sums_drop(struct ksm_vm *k)
{
	if (k->sums)
		munmap(k->sums, KSM_SUM_BUF_SIZE);
	k->sums = NULL;
}

/*
 * SUM_RUN: bit i of @bits (in: wanted; out: data) is set for each page of
 * [a, a+n) that is data in the memfd and not merged (merged pages are
 * STILL_RUN's); each such page that was wanted is hashed, through the
 * guest's mapping (populated: no fault; a hole is never read, which would
 * allocate it), into slot i of the checksum buffer.
 */
static int do_sum_run(struct ksm_vm *k, struct kregion *r, uint64_t a,
		      uint32_t n, uint8_t *bits)
{
	uint8_t data[KSM_RUN_MAX], want[KSM_RUN_MAX / 8];
	uint32_t i;

	memcpy(want, bits, (n + 7) / 8);
	memset(bits, 0, (n + 7) / 8);
	if (!k->sums)
		return -ENODEV;
	if (a + n > r->nr_pages)
		n = r->nr_pages - a;
	data_pages(r, a, n, data);
	for (i = 0; i < n; i++) {
		if (r->merged[a + i] || !(data[i] & 1))
			continue;
		if (ksm_bit(want, i))
			k->sums[i] = XXH3_64bits_dispatch(r->hva + (a + i) * PG, PG);
		ksm_bit_set(bits, i);
	}
	return 0;
}

int ksm_vm_handle(struct ksm_vm *k, struct ksm_msg *m)
{
	struct kregion *r = kregion_by_id(k, m->region);

	if (m->type == KSM_MERGE_RUN)
		memset(m->text, 0xff, (m->nid + 7) / 8);
	if (m->type == KSM_STILL_RUN)
		memset(m->text, 0, (m->nid + 7) / 8);
	if (!r || m->a >= r->nr_pages) {
		if (m->type == KSM_SUM_RUN)
			memset(m->text, 0, (m->nid + 7) / 8);
		return -ENOENT;
	}
	switch (m->type) {
	case KSM_MERGE_RUN:
		if (m->flags & ~(KSM_RUN_SAME | KSM_RUN_ZERO) ||
		    m->flags == (KSM_RUN_SAME | KSM_RUN_ZERO))
			return -EINVAL;
		if (m->flags & KSM_RUN_ZERO)
			return do_merge_zero_run(k, r, m->a, m->nid,
						 (uint8_t *)m->text);
		return do_merge_run(k, r, m->a, m->b, m->nid,
				    m->flags & KSM_RUN_SAME, (uint8_t *)m->text);
	case KSM_STILL_RUN:
		return do_still_run(k, r, m->a, m->nid, (uint8_t *)m->text);
	case KSM_SUM_RUN:
		if (m->flags) {
			memset(m->text, 0, (m->nid + 7) / 8);
			return -EINVAL;
		}
		return do_sum_run(k, r, m->a, m->nid, (uint8_t *)m->text);
	case KSM_MERGE:
		return k->stopped ? -ENOMEM : do_merge(k, r, m->a, m->b);
	case KSM_MERGE_ZERO:
		return do_merge_zero_one(k, r, m->a);
	case KSM_UNMERGE:
		return ksm_vm_unmerge_page(k, r, m->a);
	case KSM_STILL:
		return do_still(k, r, m->a);
	}
	return -EINVAL;
}

