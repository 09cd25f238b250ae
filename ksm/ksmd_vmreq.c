/*
 * Asking VMs to change their mappings (ksmd's side of the protocol in
 * ksm.h; the VM's side is vm_pages.c): requests and their answers, merges
 * in runs, unmerges, STILL.
 *
 * Merges go out in runs: the core's merge of page a onto pool page b is
 * taken as done at once and added to the VM's pending run while the next
 * ones continue it (a+1 onto b+1, ...); the run goes out as one MERGE_RUN
 * when it breaks, is full (KSM_RUN_MAX), before any other request to that
 * VM, and at the end of the scan batch. The VM merges a run with one
 * mapping change; the pages it refused come back as a bitmap, are marked
 * at once (ksm_merge_refused) and undone (ksm_merge_failed) between
 * batches, like the messages queued.
 * One socket round trip and one mmap per run instead of per page. The
 * scan's "is it still merged?" goes the same way: one STILL_RUN answers
 * for the aligned run of KSM_RUN_MAX pages around the page asked about,
 * until the batch ends.
 *
 * A request to a VM waits for its answer at most REPLY_TIMEOUT_MS; what the
 * VM sends meanwhile is queued for ksmd.c to apply between batches.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ksm/ksmd_internal.h"

void ksmd_client_queue(struct client *c, const struct ksm_msg *m, int fd)
{
	if (c->nr_queued == MAX_QUEUED) {
		c->dead = true;                 /* flooding us: drop it */
		if (fd >= 0)
			close(fd);
		return;
	}
	c->q[c->nr_queued++] = (struct queued){ *m, fd };
}


/* Send @m to the VM and wait for its answer (kept in @ans if not NULL):
 * the answer's result. A pending run goes first. */
int ksmd_vm_request(struct client *c, struct ksm_msg *m, struct ksm_msg *ans)
{
	struct pollfd p = { c->sock, POLLIN, 0 };
	uint64_t deadline = ksmd_now_ms() + REPLY_TIMEOUT_MS;
	struct ksm_msg r;
	int fd, ret;

	if (c->run.n)
		ksmd_run_flush(c);
	if (c->dead)
		return -EPIPE;
	m->seq = ++c->seq;
	if (ksm_msg_send(c->sock, m, -1))
		goto dead;
	for (;;) {
		uint64_t t = ksmd_now_ms();

		if (t >= deadline || poll(&p, 1, deadline - t) <= 0)
			goto dead;
		ret = ksm_msg_recv(c->sock, &r, &fd);
		if (ret)
			goto dead;
		if (r.type == m->type && r.seq == m->seq) {
			if (fd >= 0)
				close(fd);
			if (ans)
				*ans = r;
			return r.result;
		}
		ksmd_client_queue(c, &r, fd);
		if (c->dead)
			return -EPIPE;
	}
dead:
	c->dead = true;
	return -EPIPE;
}

static int op(struct ksm_region *r, uint16_t type, uint64_t idx, uint64_t b)
{
	struct ksm_msg m = { .type = type, .region = r->id, .a = idx, .b = b };

	return ksmd_vm_request(ksmd_client_of(r), &m, NULL);
}

static void failed_add(struct client *c, uint32_t region, uint64_t idx,
		       int err)
{
	if (c->nr_failed == c->failed_cap) {
		unsigned int cap = c->failed_cap ? 2 * c->failed_cap : 256;
		struct failed *n = realloc(c->failed, cap * sizeof(*n));

		if (!n) {
			c->dead = true;         /* cannot keep the books: drop it */
			return;
		}
		c->failed = n;
		c->failed_cap = cap;
	}
	c->failed[c->nr_failed++] = (struct failed){ region, err, idx };
}

/* Send the pending run; mark the pages the VM did not merge (their merges
 * are undone between batches: by then the page may have left that pool
 * page and been merged again, even onto the same pool page reused, and the
 * mark, which leaving clears, tells that apart). */
int ksmd_run_flush(struct client *c)
{
	struct ksm_msg m = { .type = KSM_MERGE_RUN, .region = c->run.region,
			     .a = c->run.a, .b = c->run.b, .nid = c->run.n,
			     .flags = c->run.zero ? KSM_RUN_ZERO :
				      c->run.same ? KSM_RUN_SAME : 0 };
	struct ksm_msg ans = { .result = -EPIPE };
	struct ksm_region *r;
	uint32_t i;
	int ret;

	c->run.n = 0;
	ret = ksmd_vm_request(c, &m, &ans);
	if (ret == -ENOMEM)
		fprintf(stderr, "ksmd: VM pid %u: mapping limit reached (vm.max_map_count): no more merging for it\n",
			c->pid);
	r = c->mm ? ksm_region_find(c->mm, m.region) : NULL;
	for (i = 0; i < m.nid; i++)
		if (ret == -EPIPE || ksm_bit((const uint8_t *)ans.text, i)) {
			if (r)
				ksm_merge_refused(r, m.a + i,
						  m.flags & KSM_RUN_ZERO ? KSM_ZERO_PIDX :
						  m.b + (m.flags & KSM_RUN_SAME ? 0 : i));
			failed_add(c, m.region, m.a + i, ret ? ret : -EAGAIN);
		}
	return ret;
}

/* Does merging page @idx onto pool page @pidx (@zero: onto the zero page)
 * continue @c's pending run? Extends it if so. */
static bool run_extend(struct client *c, const struct ksm_region *r,
		       uint64_t idx, uint64_t pidx, bool zero)
{
	if (!c->run.n || c->run.zero != zero || c->run.region != r->id ||
	    idx != c->run.a + c->run.n || c->run.n == KSM_RUN_MAX)
		return false;
	if (!zero) {
		if (c->run.n == 1 && pidx == c->run.b)
			c->run.same = true;
		if (pidx != c->run.b + (c->run.same ? 0 : c->run.n))
			return false;
	}
	c->run.n++;
	return true;
}

/* Taken as done; the VM's verdict comes with the run (see the overview):
 * the page joins its VM's pending run, or the run goes out and a new one
 * starts with it. */
static int run_add(struct ksmd *d, struct ksm_region *r, uint64_t idx,
		   uint64_t pidx, bool zero)
{
	struct client *c = ksmd_client_of(r);

	ksmd_pages_changed(d, r, idx);
	if (c->dead)
		return -EPIPE;
	if (run_extend(c, r, idx, pidx, zero))
		return 0;
	if (c->run.n)
		ksmd_run_flush(c);
	if (c->dead)
		return -EPIPE;
	c->run.region = r->id;
	c->run.a = idx;
	c->run.b = zero ? 0 : pidx;
	c->run.n = 1;
	c->run.same = false;
	c->run.zero = zero;
	return 0;
}

int ksmd_merge(void *o, struct ksm_region *r, uint64_t idx, uint64_t pidx)
{
	return run_add(o, r, idx, pidx, false);
}

/* In runs of their own (KSM_RUN_ZERO). */
int ksmd_merge_zero(void *o, struct ksm_region *r, uint64_t idx)
{
	return run_add(o, r, idx, 0, true);
}

int ksmd_unmerge(void *o, struct ksm_region *r, uint64_t idx)
{
	struct ksmd *d = o;

	ksmd_pages_changed(d, r, idx);
	return op(r, KSM_UNMERGE, idx, 0);
}

/* Asked for the aligned run of KSM_RUN_MAX pages holding @idx at once;
 * its other pages are answered from that until the batch ends, in any
 * order (the cursor goes forward, a chain's prune goes its own way). */
int ksmd_still_merged(void *o, struct ksm_region *r, uint64_t idx)
{
	struct ksmd *d = o;
	uint64_t first = idx & ~(uint64_t)(KSM_RUN_MAX - 1), i;
	struct ksm_msg m = { .type = KSM_STILL_RUN, .region = r->id, .a = first };
	struct ksm_msg ans;
	int ret;

	if (!(d->still.r == r && idx >= d->still.first &&
	      idx < d->still.first + d->still.n)) {
		m.nid = r->nr_pages - first < KSM_RUN_MAX ? r->nr_pages - first
							  : KSM_RUN_MAX;
		d->still.r = NULL;
		ret = ksmd_vm_request(ksmd_client_of(r), &m, &ans);
		if (ret)
			return ret;
		d->still.r = r;
		d->still.first = first;
		d->still.n = m.nid;
		memcpy(d->still.yes, ans.text, sizeof(d->still.yes));
	}
	i = idx - d->still.first;
	return ksm_bit(d->still.yes, i);
}
