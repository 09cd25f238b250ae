/*
 * The VM's side of KSM: `memvisor run --ksm PATH` (the ksm device).
 *
 * What: registers the VM's guest memory with ksmd (boot RAM, every DIMM,
 * hot-added ones as they come, removed ones dropped) by passing each
 * region's memfd, and carries out what ksmd asks, since only this process
 * can change its own mappings:
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
 *   MERGE_RUN     MERGE for each of n neighbouring pages onto n neighbouring
 *                 pool pages: one write-protect of the range, a compare per
 *                 page (against the pool mapped read-only), one mmap per
 *                 run of equal pages; a bitmap of the pages not merged.
 *                 With KSM_RUN_SAME all onto one pool page (a mapping each).
 *   STILL_RUN     STILL for n neighbouring pages (one pagemap read); a
 *                 bitmap of those still merged.
 *   MERGE_ZERO    the same for an all-zero page: it is punched out (a hole
 *                 reads as zeros).
 *   UNMERGE       write-protect, copy what the guest sees back into the
 *                 memfd, map the memfd there again (MAP_SHARED), wake.
 *   STILL         is page i still the pool page? /proc/self/pagemap tells
 *                 a file page from an anonymous one: after a copy-on-write
 *                 break it is anonymous, and the page is folded back into
 *                 the memfd (as UNMERGE) and reported not merged.
 *
 * The balloon's guest_mem_discard on a merged page: the core calls the
 * discard hook first, which maps the (punched, so zero) memfd page back
 * shared and tells ksmd (DROPPED); the core's MADV_REMOVE then does what it
 * always did. If ksmd goes away, nothing changes in the mappings: merged
 * pages stay valid (the pool memfd lives while mapped) and copy-on-write is
 * the kernel's; the VM logs it once and dials the same path again (back-off
 * 100 ms doubling to 5 s). When a new ksmd answers, the VM folds every
 * merged page back into its memfd (as UNMERGE), drops the old pool, and
 * registers its regions again: the new ksmd merges them afresh and can
 * unmerge them, and no page stays tied to a pool nobody manages.
 *
 * Data structures: struct kregion per registered region, with one byte per
 * page (merged or not). Locking: ksm_vm.lock protects the regions and every
 * change of mappings (the ksm thread's requests, the memory hooks from the
 * vCPU, QMP and balloon threads); send_lock orders messages on the socket.
 * Threads: one, reading ksmd's requests, and redialling when it goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "ksm/ksm.h"
#include "ksm/ksm_internal.h"
#include "vmm/memory.h"
#include "vmm/qmp.h"
#include "vmm/vm.h"

#define PG KSM_PAGE_SIZE

struct kregion {
	bool used;
	uint32_t id;
	int memfd;
	uint8_t *hva;
	uint64_t nr_pages;
	uint8_t *merged;
};

struct ksm_vm {
	const char *path;               /* NULL: no --ksm */
	int sock, pool_fd, uffd, pagemap_fd;
	pthread_mutex_t lock, send_lock;
	pthread_t thread;
	bool thread_started;
	struct kregion reg[KSM_MAX_REGIONS];
	uint64_t merging;               /* pages mapping the pool */
	uint64_t rmap_items, zero_pages;  /* as ksmd last said */
	bool stopped, limit_logged, gone;
	volatile bool quit;             /* the VM ends: no more reconnecting */
	uint64_t merging_folded;        /* folded back at the last reattach */
	char reason[96];
	uint8_t tmp[PG];
	const uint8_t *pool_view;       /* the pool, read-only, for MERGE_RUN */
};

struct ksm_vm_config {
	char *path;
};

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

static int uffd_register(struct ksm_vm *k, uint8_t *hva, uint64_t len)
{
	struct uffdio_register r = {
		.range = { (uintptr_t)hva, len },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};

	return ioctl(k->uffd, UFFDIO_REGISTER, &r) < 0 ? -errno : 0;
}

static void send_msg(struct ksm_vm *k, struct ksm_msg *m, int fd)
{
	pthread_mutex_lock(&k->send_lock);
	if (!k->gone)
		ksm_msg_send(k->sock, m, fd);
	pthread_mutex_unlock(&k->send_lock);
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

/* ------------------------------------------------------------ requests */

/* Map the memfd back at page @idx (its contents are already there). */
static int map_own(struct ksm_vm *k, struct kregion *r, uint64_t idx)
{
	uint8_t *hva = r->hva + idx * PG;

	if (mmap(hva, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 r->memfd, idx * PG) == MAP_FAILED)
		return -errno;
	uffd_register(k, hva, PG);
	r->merged[idx] = 0;
	k->merging--;
	return 0;
}

static int do_unmerge(struct ksm_vm *k, struct kregion *r, uint64_t idx)
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
	ret = map_own(k, r, idx);
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
	uffd_register(k, hva, PG);
	r->merged[idx] = 1;
	k->merging++;
	uffd_wake(k, hva);
	return 0;
}

static int do_merge_zero(struct ksm_vm *k, struct kregion *r, uint64_t idx)
{
	static const uint8_t zero[PG];
	uint8_t *hva = r->hva + idx * PG;
	int ret;

	if (r->merged[idx] || !is_data(r, idx))
		return -EAGAIN;
	ret = uffd_wp(k, hva, true);
	if (ret)
		return ret;
	ret = memcmp(hva, zero, PG) ? -EAGAIN : 0;
	if (!ret && madvise(hva, PG, MADV_REMOVE) < 0)
		ret = -errno;
	uffd_wp(k, hva, false);
	return ret;
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

static void pool_view_drop(struct ksm_vm *k)
{
	if (k->pool_view)
		munmap((void *)k->pool_view, KSM_POOL_MAX_PAGES * PG);
	k->pool_view = NULL;
}

/* Map pool pages [pidx, pidx+n) at pages [idx, idx+n), all frozen and
 * equal: 0 or -errno (nothing changed). */
static int map_pool_run(struct ksm_vm *k, struct kregion *r, uint64_t idx,
			uint64_t pidx, uint64_t n)
{
	uint8_t *hva = r->hva + idx * PG;
	uint64_t i;

	if (mmap(hva, n * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
		 k->pool_fd, pidx * PG) == MAP_FAILED)
		return -errno;
	fallocate(r->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  idx * PG, n * PG);
	uffd_register(k, hva, n * PG);
	for (i = 0; i < n; i++)
		r->merged[idx + i] = 1;
	k->merging += n;
	return 0;
}

/*
 * MERGE_RUN: pages [a, a+n) onto pool pages [b, b+n), each only if equal
 * while frozen; equal neighbours are mapped with one mmap. Bit i of @bad
 * is set for each page not merged; the result is their error (0: they
 * differed or were not candidates; -ENOMEM: the mapping limit).
 */
static int do_merge_run(struct ksm_vm *k, struct kregion *r, uint64_t a,
			uint64_t b, uint32_t n, bool same, uint8_t *bad)
{
	uint64_t step = same ? 0 : 1;
	const uint8_t *pool = pool_view(k);
	uint8_t *hva = r->hva + a * PG;
	struct stat st;
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
	for (i = 0; i < n; i++)         /* frozen: the final word */
		if (!r->merged[a + i] && is_data(r, a + i) &&
		    !memcmp(hva + (uint64_t)i * PG, pool + (b + i * step) * PG, PG))
			bad[i / 8] &= ~(1u << (i % 8));
	for (i = 0; i < n && !err; i = s) {
		for (; i < n && (bad[i / 8] >> (i % 8) & 1); i++)
			;
		for (s = i; s < n && !(bad[s / 8] >> (s % 8) & 1) &&
		     (!same || s == i); s++)
			;                       /* one pool page: page by page */
		if (s > i && (err = map_pool_run(k, r, a + i, b + i * step, s - i))) {
			for (s = i; s < n; s++)
				bad[s / 8] |= 1u << (s % 8);
			if (err == -ENOMEM)
				limit_hit(k);
		}
	}
	for (i = 0; i < n; i++)         /* the pages left as they were */
		if (bad[i / 8] >> (i % 8) & 1)
			uffd_wp(k, hva + (uint64_t)i * PG, false);
	uffd_wake_range(k, hva, (uint64_t)n * PG);
	return err;
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
	return do_unmerge(k, r, idx) ? 1 : 0;
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
		    !do_unmerge(k, r, a + i))
			continue;
		yes[i / 8] |= 1u << (i % 8);
	}
	return 0;
}

static int handle_request(struct ksm_vm *k, struct ksm_msg *m)
{
	struct kregion *r = kregion_by_id(k, m->region);

	if (m->type == KSM_MERGE_RUN)
		memset(m->text, 0xff, (m->nid + 7) / 8);
	if (m->type == KSM_STILL_RUN)
		memset(m->text, 0, (m->nid + 7) / 8);
	if (!r || m->a >= r->nr_pages)
		return -ENOENT;
	switch (m->type) {
	case KSM_MERGE_RUN:
		return do_merge_run(k, r, m->a, m->b, m->nid,
				    m->flags & KSM_RUN_SAME, (uint8_t *)m->text);
	case KSM_STILL_RUN:
		return do_still_run(k, r, m->a, m->nid, (uint8_t *)m->text);
	case KSM_MERGE:
		return k->stopped ? -ENOMEM : do_merge(k, r, m->a, m->b);
	case KSM_MERGE_ZERO:
		return do_merge_zero(k, r, m->a);
	case KSM_UNMERGE:
		return do_unmerge(k, r, m->a);
	case KSM_STILL:
		return do_still(k, r, m->a);
	}
	return -EINVAL;
}

/* Serve ksmd's requests until the connection ends. */
static void ksm_serve(struct ksm_vm *k)
{
	struct ksm_msg m;
	int fd;

	while (ksm_msg_recv(k->sock, &m, &fd) == 0) {
		if (fd >= 0)
			close(fd);
		pthread_mutex_lock(&k->lock);
		if (m.type == KSM_STATS) {
			k->rmap_items = m.a;
			k->zero_pages = m.nid;
			pthread_mutex_unlock(&k->lock);
			continue;
		}
		m.result = handle_request(k, &m);
		pthread_mutex_unlock(&k->lock);
		send_msg(k, &m, -1);
	}
}

static int ksm_dial(const char *path, int *sock, int *pool_fd, struct errmsg *e);
static void kregion_announce(struct ksm_vm *k, struct kregion *r);

/*
 * A new ksmd on the same path: fold every merged page back into its
 * region's memfd (the old daemon's pool pages are dropped, so nothing of
 * the old pool stays mapped), then register every region again; the new
 * ksmd scans and merges them afresh.
 */
static void ksm_reattach(struct ksm_vm *k, int sock, int pool_fd)
{
	unsigned int i;
	uint64_t p;

	pthread_mutex_lock(&k->lock);
	for (i = 0; i < KSM_MAX_REGIONS; i++)
		for (p = 0; k->reg[i].used && p < k->reg[i].nr_pages; p++)
			if (k->reg[i].merged[p])
				do_unmerge(k, &k->reg[i], p);
	pthread_mutex_lock(&k->send_lock);
	close(k->sock);
	pool_view_drop(k);
	close(k->pool_fd);
	k->sock = sock;
	k->pool_fd = pool_fd;
	k->gone = false;
	pthread_mutex_unlock(&k->send_lock);
	k->rmap_items = k->zero_pages = 0;
	k->stopped = k->limit_logged = false;
	k->reason[0] = '\0';
	for (i = 0; i < KSM_MAX_REGIONS; i++)
		if (k->reg[i].used)
			kregion_announce(k, &k->reg[i]);
	pthread_mutex_unlock(&k->lock);
	fprintf(stderr, "memvisor: ksm: registered again with the scanner at %s (%" PRIu64 " merged pages folded back)\n",
		k->path, k->merging_folded);
}

/* After ksmd went away: try again, 100 ms doubling to 5 s, until a new one
 * answers or the VM ends. */
static bool ksm_redial(struct ksm_vm *k)
{
	unsigned int wait_ms = 100, slept;
	struct errmsg e = { .msg = "" };
	int sock, pool_fd;

	while (!k->quit) {
		for (slept = 0; slept < wait_ms && !k->quit; slept += 20)
			usleep(20000);
		if (k->quit)
			break;
		if (!ksm_dial(k->path, &sock, &pool_fd, &e)) {
			k->merging_folded = k->merging;
			ksm_reattach(k, sock, pool_fd);
			return true;
		}
		wait_ms = wait_ms >= 2500 ? 5000 : wait_ms * 2;
	}
	return false;
}

static void *ksm_thread(void *arg)
{
	struct ksm_vm *k = arg;

	do {
		ksm_serve(k);
		if (k->quit)
			break;
		pthread_mutex_lock(&k->send_lock);
		if (!k->gone)
			fprintf(stderr, "memvisor: ksm: the scanner at %s went away; merged pages stay valid and copy-on-write; trying to reconnect\n",
				k->path);
		k->gone = true;
		pthread_mutex_unlock(&k->send_lock);
	} while (ksm_redial(k));
	return NULL;
}

/* ------------------------------------------------------------ memory hooks */

/* REGION_ADD with the region's memfd. */
static void kregion_announce(struct ksm_vm *k, struct kregion *r)
{
	struct ksm_msg m = { .type = KSM_REGION_ADD, .region = r->id,
			     .a = r->nr_pages };

	send_msg(k, &m, r->memfd);
}

static int kregion_add(struct ksm_vm *k, uint32_t id, int memfd, uint8_t *hva,
		       uint64_t size)
{
	unsigned int i;

	for (i = 0; i < KSM_MAX_REGIONS && k->reg[i].used; i++)
		;
	if (i == KSM_MAX_REGIONS)
		return -ENOSPC;
	k->reg[i] = (struct kregion){ .used = true, .id = id, .memfd = memfd,
				      .hva = hva, .nr_pages = size / PG };
	k->reg[i].merged = calloc(size / PG, 1);
	if (!k->reg[i].merged) {
		k->reg[i].used = false;
		return -ENOMEM;
	}
	if (uffd_register(k, hva, size))
		fprintf(stderr, "memvisor: ksm: cannot write-protect guest memory (userfaultfd): region %u is not merged\n", id);
	else
		kregion_announce(k, &k->reg[i]);
	return 0;
}

static struct kregion *kregion_by_hva(struct ksm_vm *k, const uint8_t *hva)
{
	unsigned int i;

	for (i = 0; i < KSM_MAX_REGIONS; i++) {
		struct kregion *r = &k->reg[i];

		if (r->used && hva >= r->hva && hva < r->hva + r->nr_pages * PG)
			return r;
	}
	return NULL;
}

static void on_region_added(void *opaque, const struct mem_region *mr)
{
	struct ksm_vm *k = opaque;

	pthread_mutex_lock(&k->lock);
	kregion_add(k, mr->slot + 1, mr->memfd, mr->hva, mr->size);
	pthread_mutex_unlock(&k->lock);
}

static void on_region_removed(void *opaque, const struct mem_region *mr)
{
	struct ksm_vm *k = opaque;
	struct kregion *r;
	struct ksm_msg m = { .type = KSM_REGION_DEL };

	pthread_mutex_lock(&k->lock);
	r = kregion_by_hva(k, mr->hva);
	if (r && r->id) {
		uint64_t i;

		for (i = 0; i < r->nr_pages; i++)
			k->merging -= r->merged[i];
		m.region = r->id;
		free(r->merged);
		memset(r, 0, sizeof(*r));
		send_msg(k, &m, -1);
	}
	pthread_mutex_unlock(&k->lock);
}

/* Before [hva, hva+len) is discarded: merged pages become the memfd's
 * (punched, zero) pages again, so MADV_REMOVE leaves a zero-filled hole. */
static void on_discard(void *opaque, uint8_t *hva, uint64_t len)
{
	struct ksm_vm *k = opaque;
	uint8_t *end = hva + len;

	pthread_mutex_lock(&k->lock);
	for (; hva < end; hva += PG) {
		struct kregion *r = kregion_by_hva(k, hva);
		uint64_t idx;
		struct ksm_msg m = { .type = KSM_DROPPED };

		if (!r)
			continue;
		idx = (hva - r->hva) / PG;
		if (!r->merged[idx] || map_own(k, r, idx))
			continue;
		m.region = r->id;
		m.a = idx;
		send_msg(k, &m, -1);
	}
	pthread_mutex_unlock(&k->lock);
}

static const struct guest_mem_observer ksm_observer = {
	.region_added = on_region_added,
	.region_removed = on_region_removed,
	.discard = on_discard,
};

/* ------------------------------------------------------------ x-query-ksm */

static json_t *qmp_query_ksm(void *opaque, json_t *args, struct qmp_error *err)
{
	struct ksm_vm *k = opaque;
	json_t *ret;
	int64_t profit;

	pthread_mutex_lock(&k->lock);
	profit = (int64_t)(k->merging + k->zero_pages) * PG -
		 (int64_t)k->rmap_items * sizeof(struct ksm_rmap_item);
	ret = json_pack("{s:I, s:I, s:I, s:I, s:b, s:s, s:b}",
			"ksm_rmap_items", (json_int_t)k->rmap_items,
			"ksm_zero_pages", (json_int_t)k->zero_pages,
			"ksm_merging_pages", (json_int_t)k->merging,
			"ksm_process_profit", (json_int_t)profit,
			"merging_stopped", k->stopped, "reason", k->reason,
			"connected", !k->gone);
	pthread_mutex_unlock(&k->lock);
	return ret;
}

/* ------------------------------------------------------------ the device */

enum { OPT_KSM };

static const struct cli_option ksm_options[] = {
	{ "ksm", "PATH", "register guest memory with the ksmd listening on\n"
	  "unix socket PATH (memvisor ksmd)", OPT_KSM },
	{ 0 },
};

static int ksm_config_parse(void *cfg, int key, const char *arg,
			    struct errmsg *e)
{
	struct ksm_vm_config *c = cfg;

	free(c->path);
	c->path = strdup(arg);
	return c->path ? 0 : errmsg_set(e, -ENOMEM, "out of memory");
}

/* Connect to ksmd at @path, HELLO, and its pool fd in answer. */
static int ksm_dial(const char *path, int *sock, int *pool_fd, struct errmsg *e)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timeval tv = { 5, 0 };
	struct ksm_msg m = { .type = KSM_HELLO, .a = (uint64_t)getpid() };
	int s, ret;

	*pool_fd = -1;
	if (strlen(path) >= sizeof(a.sun_path))
		return errmsg_user(e, -ENAMETOOLONG, "--ksm: path too long");
	strcpy(a.sun_path, path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		ret = errmsg_user(e, -errno, "--ksm: cannot reach ksmd at %s: %s",
				  path, strerror(errno));
		goto fail;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (ksm_msg_send(s, &m, -1) || ksm_msg_recv(s, &m, pool_fd) ||
	    m.type != KSM_HELLO || *pool_fd < 0) {
		ret = errmsg_set(e, -EPROTO, "--ksm: ksmd at %s did not answer", path);
		goto fail;
	}
	tv.tv_sec = 0;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	*sock = s;
	return 0;
fail:
	if (*pool_fd >= 0)
		close(*pool_fd);
	*pool_fd = -1;
	if (s >= 0)
		close(s);
	return ret;
}

static int ksm_connect(struct ksm_vm *k, struct errmsg *e)
{
	return ksm_dial(k->path, &k->sock, &k->pool_fd, e);
}

static int ksm_open_uffd(struct ksm_vm *k, struct errmsg *e)
{
	struct uffdio_api api = { .api = UFFD_API };

	k->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (k->uffd < 0 || ioctl(k->uffd, UFFDIO_API, &api) < 0)
		return errmsg_set(e, -errno, "--ksm: userfaultfd: %s", strerror(errno));
	k->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (k->pagemap_fd < 0)
		return errmsg_set(e, -errno, "--ksm: /proc/self/pagemap: %s", strerror(errno));
	return 0;
}

static void ksm_vm_free(struct ksm_vm *k)
{
	unsigned int i;

	if (k->thread_started) {
		k->quit = true;
		pthread_mutex_lock(&k->send_lock);
		shutdown(k->sock, SHUT_RDWR);
		pthread_mutex_unlock(&k->send_lock);
		pthread_join(k->thread, NULL);
	}
	for (i = 0; i < KSM_MAX_REGIONS; i++)
		free(k->reg[i].merged);
	pool_view_drop(k);
	if (k->sock >= 0)
		close(k->sock);
	if (k->pool_fd >= 0)
		close(k->pool_fd);
	if (k->uffd >= 0)
		close(k->uffd);
	if (k->pagemap_fd >= 0)
		close(k->pagemap_fd);
	free(k);
}

static void *ksm_create(struct vm *vm, const void *cfg, struct errmsg *e)
{
	const struct ksm_vm_config *c = cfg;
	struct ksm_vm *k = calloc(1, sizeof(*k));
	unsigned int i;

	if (!k)
		return errmsg_set(e, -ENOMEM, "out of memory"), NULL;
	k->sock = k->pool_fd = k->uffd = k->pagemap_fd = -1;
	k->path = c->path;
	pthread_mutex_init(&k->lock, NULL);
	pthread_mutex_init(&k->send_lock, NULL);
	if (!k->path)
		return k;                       /* no --ksm: untouched */
	if (ksm_open_uffd(k, e) || ksm_connect(k, e))
		goto fail;
	kregion_add(k, 0, vm->mem.ram_fd, vm->mem.ram_hva, vm->mem.ram_size);
	for (i = 0; i < vm->mem.nr_regions; i++)
		if (!vm->mem.regions[i].is_boot_ram)
			on_region_added(k, &vm->mem.regions[i]);
	guest_mem_set_observer(&vm->mem, &ksm_observer, k);
	if (pthread_create(&k->thread, NULL, ksm_thread, k)) {
		errmsg_set(e, -EAGAIN, "--ksm: cannot start its thread");
		guest_mem_set_observer(&vm->mem, NULL, NULL);
		goto fail;
	}
	k->thread_started = true;
	pthread_setname_np(k->thread, "ksm");   /* its CPU, for bench density */
	return k;
fail:
	ksm_vm_free(k);
	return NULL;
}

static int ksm_qmp(void *dev, struct qmp_server *srv, struct errmsg *e)
{
	struct ksm_vm *k = dev;
	int ret;

	if (!k->path)
		return 0;
	ret = qmp_register(srv, "x-query-ksm", qmp_query_ksm, k);
	return ret ? errmsg_set(e, ret, "QMP: cannot register x-query-ksm") : 0;
}

static void ksm_destroy_dev(void *dev)
{
	ksm_vm_free(dev);
}

const struct device_ops ksm_device = {
	.name = "ksm",
	.cli_title = "memory merging (memvisor ksmd)",
	.cli_options = ksm_options,
	.config_size = sizeof(struct ksm_vm_config),
	.config_parse = ksm_config_parse,
	.create = ksm_create,
	.qmp = ksm_qmp,
	.destroy = ksm_destroy_dev,
};
