/*
 * ksmd: the scanner daemon that VMs register their guest memory with.
 *
 * Design: the daemon decides, the VM executes. Only a process can change
 * its own mappings, so ksmd never maps or writes guest memory: it reads
 * each region's memfd (pread, after lseek SEEK_DATA, so a hole is never
 * touched and never allocated again), keeps the trees (ksm.c), and owns the
 * pool, one memfd holding every merged page. To merge, it fills a pool page
 * and asks the VM (KSM_MERGE); the VM write-protects its page, compares the
 * whole page with the pool page and only then maps the pool page privately
 * in its place (a later write by anyone in that process gets a private copy
 * from the kernel) and punches its own memfd there. VMs get the pool
 * read-only, so no VM can change what another maps.
 *
 * Data structures: one struct client per connection (a VM or a control
 * client); a VM's client has its ksm_mm, its regions' memfds, and a queue
 * of what it sent while ksmd was waiting for one of its answers (applied
 * after the scan batch, when the core holds no pointers into it). The pool
 * grows by POOL_CHUNK pages; freed pages are punched and reused, newest
 * first, so merges made in one pass lie at consecutive pool offsets and a
 * VM's run of merged pages stays one mapping.
 *
 * Merges go out in runs: the core's merge of page a onto pool page b is
 * taken as done at once and added to the VM's pending run while the next
 * ones continue it (a+1 onto b+1, ...); the run goes out as one MERGE_RUN
 * when it breaks, is full (KSM_RUN_MAX), before any other request to that
 * VM, and at the end of the scan batch. The VM merges a run with one
 * mapping change; the pages it refused come back as a bitmap and are
 * undone (ksm_merge_failed) between batches, like the messages queued.
 * One socket round trip and one mmap per run instead of per page. The
 * scan's "is it still merged?" goes the same way: one STILL_RUN answers
 * for up to KSM_RUN_MAX pages until the batch ends.
 *
 * Threads: one. poll() on the listening socket and the clients; between
 * polls, a batch of pages_to_scan pages every sleep_millisecs (run=1).
 * A request to a VM waits for its answer at most REPLY_TIMEOUT_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ksm/ksm.h"
#include "ksm/ksm_internal.h"

#define MAX_CLIENTS 64
#define MAX_QUEUED 512
#define REPLY_TIMEOUT_MS 5000
#define POOL_CHUNK 4096                 /* pages */
#define POOL_MAX KSM_POOL_MAX_PAGES

struct queued {
	struct ksm_msg m;
	int fd;
};

/* A merge the VM refused after the core took it as done (see runs). */
struct failed {
	uint32_t region;
	int err;
	uint64_t idx, pidx;
};

struct client {
	int sock;
	bool is_vm, dead;
	uint32_t pid;
	struct ksm_mm *mm;
	uint32_t seq;
	unsigned int nr_queued;
	struct queued q[MAX_QUEUED];
	/* merges not yet sent: pages a.. onto pool pages b.., n of them */
	struct { uint32_t region; uint32_t n; uint64_t a, b; bool same; } run;
	struct failed *failed;          /* applied between batches */
	unsigned int nr_failed, failed_cap;
};

#define RA_PAGES 32                     /* read-ahead of the scan cursor */

struct ksmd {
	struct ksm ksm;
	/* the scan cursor's read-ahead and the data extent it is in; both
	 * forgotten at every batch and when their region goes */
	struct { struct ksm_region *r; uint64_t first, n; } win;
	struct { struct ksm_region *r; uint64_t from, to; bool hole; } ext;
	/* STILL answers for a run of pages, asked once per batch */
	struct { struct ksm_region *r; uint64_t first, n;
		 uint8_t yes[KSM_RUN_MAX / 8]; } still;
	uint8_t *win_buf;               /* RA_PAGES pages */
	int lsock;
	int pool_fd;
	uint8_t *pool;                  /* the whole reservation */
	uint64_t pool_pages, pool_next; /* file size, bump pointer */
	uint64_t *pool_free;            /* stack of freed pages */
	uint64_t nr_free, free_cap;
	struct client *cl[MAX_CLIENTS];
	unsigned int nr_cl;
	uint32_t next_mm_id;
	bool unmerged;                  /* run=2 done */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static uint64_t cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ull +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* ------------------------------------------------------------ the pool */

static int pool_alloc(void *o, const void *buf, uint64_t *pidx)
{
	struct ksmd *d = o;
	uint64_t p;

	if (d->nr_free) {
		p = d->pool_free[--d->nr_free];
	} else {
		if (d->pool_next == POOL_MAX)
			return -ENOSPC;
		if (d->pool_next == d->pool_pages) {
			if (ftruncate(d->pool_fd, (d->pool_pages + POOL_CHUNK) *
				      KSM_PAGE_SIZE) < 0)
				return -errno;
			d->pool_pages += POOL_CHUNK;
		}
		p = d->pool_next++;
	}
	memcpy(d->pool + p * KSM_PAGE_SIZE, buf, KSM_PAGE_SIZE);
	*pidx = p;
	return 0;
}

static void pool_free(void *o, uint64_t pidx)
{
	struct ksmd *d = o;

	fallocate(d->pool_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  pidx * KSM_PAGE_SIZE, KSM_PAGE_SIZE);
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

static const void *pool_page(void *o, uint64_t pidx)
{
	struct ksmd *d = o;

	return d->pool + pidx * KSM_PAGE_SIZE;
}

/* ------------------------------------------------------------ reading VMs */

static int region_fd(const struct ksm_region *r)
{
	return (int)(intptr_t)r->priv;
}

static uint64_t next_data(void *o, struct ksm_region *r, uint64_t idx)
{
	struct ksmd *d = o;
	off_t off, end;

	if (d->ext.r == r && idx >= d->ext.from && idx < d->ext.to)
		return d->ext.hole ? d->ext.to : idx;
	off = lseek(region_fd(r), idx * KSM_PAGE_SIZE, SEEK_DATA);
	if (off < 0 || (uint64_t)off >= r->nr_pages * KSM_PAGE_SIZE)
		off = r->nr_pages * KSM_PAGE_SIZE;
	if ((uint64_t)off > idx * KSM_PAGE_SIZE) {   /* a hole: merged pages */
		d->ext.r = r;
		d->ext.hole = true;
		d->ext.from = idx;
		d->ext.to = off / KSM_PAGE_SIZE;
		return d->ext.to;
	}
	end = lseek(region_fd(r), off, SEEK_HOLE);
	if (end > off) {
		d->ext.r = r;
		d->ext.hole = false;
		d->ext.from = off / KSM_PAGE_SIZE;
		d->ext.to = end / KSM_PAGE_SIZE;
	}
	return off / KSM_PAGE_SIZE;
}

static int read_page(void *o, struct ksm_region *r, uint64_t idx, void *buf)
{
	int fd = region_fd(r);
	off_t off = idx * KSM_PAGE_SIZE;

	if (lseek(fd, off, SEEK_DATA) != off)
		return -ENODATA;
	if (pread(fd, buf, KSM_PAGE_SIZE, off) != KSM_PAGE_SIZE)
		return -EIO;
	return 0;
}

/* The cursor's page, from a window of RA_PAGES read at once (pread of a
 * hole reads zeros and allocates nothing). */
static int read_scan(void *o, struct ksm_region *r, uint64_t idx, void *buf)
{
	struct ksmd *d = o;
	uint64_t n = RA_PAGES;
	ssize_t got;

	if (!(d->win.r == r && idx >= d->win.first && idx < d->win.first + d->win.n)) {
		if (d->ext.r == r && idx >= d->ext.from && idx < d->ext.to &&
		    d->ext.to - idx < n)
			n = d->ext.to - idx;
		if (idx + n > r->nr_pages)
			n = r->nr_pages - idx;
		got = pread(region_fd(r), d->win_buf, n * KSM_PAGE_SIZE,
			    idx * KSM_PAGE_SIZE);
		d->win.r = NULL;
		if (got < KSM_PAGE_SIZE)
			return read_page(o, r, idx, buf);
		d->win.r = r;
		d->win.first = idx;
		d->win.n = got / KSM_PAGE_SIZE;
	}
	memcpy(buf, d->win_buf + (idx - d->win.first) * KSM_PAGE_SIZE, KSM_PAGE_SIZE);
	return 0;
}

static void read_forget(struct ksmd *d)
{
	d->win.r = NULL;
	d->ext.r = NULL;
	d->still.r = NULL;
}

/* ------------------------------------------------------------ asking VMs */

static void client_queue(struct client *c, const struct ksm_msg *m, int fd)
{
	if (c->nr_queued == MAX_QUEUED) {
		c->dead = true;                 /* flooding us: drop it */
		if (fd >= 0)
			close(fd);
		return;
	}
	c->q[c->nr_queued++] = (struct queued){ *m, fd };
}

static int run_flush(struct client *c);

/* Send @m to the VM and wait for its answer (kept in @ans if not NULL):
 * the answer's result. A pending run goes first. */
static int vm_request(struct client *c, struct ksm_msg *m, struct ksm_msg *ans)
{
	struct pollfd p = { c->sock, POLLIN, 0 };
	uint64_t deadline = now_ms() + REPLY_TIMEOUT_MS;
	struct ksm_msg r;
	int fd, ret;

	if (c->run.n)
		run_flush(c);
	if (c->dead)
		return -EPIPE;
	m->seq = ++c->seq;
	if (ksm_msg_send(c->sock, m, -1))
		goto dead;
	for (;;) {
		uint64_t t = now_ms();

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
		client_queue(c, &r, fd);
		if (c->dead)
			return -EPIPE;
	}
dead:
	c->dead = true;
	return -EPIPE;
}

static struct client *region_client(struct ksm_region *r)
{
	return r->mm->priv;
}

static int op(struct ksm_region *r, uint16_t type, uint64_t idx, uint64_t b)
{
	struct ksm_msg m = { .type = type, .region = r->id, .a = idx, .b = b };

	return vm_request(region_client(r), &m, NULL);
}

static void failed_add(struct client *c, uint32_t region, uint64_t idx,
		       uint64_t pidx, int err)
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
	c->failed[c->nr_failed++] = (struct failed){ region, err, idx, pidx };
}

/* Send the pending run; note the pages the VM did not merge. */
static int run_flush(struct client *c)
{
	struct ksm_msg m = { .type = KSM_MERGE_RUN, .region = c->run.region,
			     .a = c->run.a, .b = c->run.b, .nid = c->run.n,
			     .flags = c->run.same ? KSM_RUN_SAME : 0 };
	struct ksm_msg ans = { .result = -EPIPE };
	uint32_t i;
	int ret;

	c->run.n = 0;
	ret = vm_request(c, &m, &ans);
	if (ret == -ENOMEM)
		fprintf(stderr, "ksmd: VM pid %u: mapping limit reached (vm.max_map_count): no more merging for it\n",
			c->pid);
	for (i = 0; i < m.nid; i++)
		if (ret == -EPIPE || (ans.text[i / 8] >> (i % 8) & 1))
			failed_add(c, m.region, m.a + i, m.b + (m.flags & KSM_RUN_SAME ? 0 : i),
				   ret ? ret : -EAGAIN);
	return ret;
}

/* Taken as done; the VM's verdict comes with the run (see the overview). */
static int merge(void *o, struct ksm_region *r, uint64_t idx, uint64_t pidx)
{
	struct client *c = region_client(r);
	struct ksmd *d = o;

	if (d->still.r == r)
		d->still.r = NULL;
	if (c->dead)
		return -EPIPE;
	if (c->run.n && c->run.region == r->id && idx == c->run.a + c->run.n &&
	    c->run.n < KSM_RUN_MAX) {
		if (c->run.n == 1 && pidx == c->run.b)
			c->run.same = true;
		if (pidx == c->run.b + (c->run.same ? 0 : c->run.n)) {
			c->run.n++;
			return 0;
		}
	}
	if (c->run.n)
		run_flush(c);
	if (c->dead)
		return -EPIPE;
	c->run.region = r->id;
	c->run.a = idx;
	c->run.b = pidx;
	c->run.n = 1;
	c->run.same = false;
	return 0;
}

static int merge_zero(void *o, struct ksm_region *r, uint64_t idx)
{
	return op(r, KSM_MERGE_ZERO, idx, 0);
}

static int unmerge(void *o, struct ksm_region *r, uint64_t idx)
{
	struct ksmd *d = o;

	if (d->still.r == r)
		d->still.r = NULL;
	return op(r, KSM_UNMERGE, idx, 0);
}

/* Asked for the run of pages from @idx at once; later pages of the run
 * are answered from that until the batch ends. */
static int still_merged(void *o, struct ksm_region *r, uint64_t idx)
{
	struct ksmd *d = o;
	struct ksm_msg m = { .type = KSM_STILL_RUN, .region = r->id, .a = idx };
	struct ksm_msg ans;
	uint64_t i;
	int ret;

	if (!(d->still.r == r && idx >= d->still.first &&
	      idx < d->still.first + d->still.n)) {
		m.nid = r->nr_pages - idx < KSM_RUN_MAX ? r->nr_pages - idx : KSM_RUN_MAX;
		d->still.r = NULL;
		ret = vm_request(region_client(r), &m, &ans);
		if (ret)
			return ret;
		d->still.r = r;
		d->still.first = idx;
		d->still.n = m.nid;
		memcpy(d->still.yes, ans.text, sizeof(d->still.yes));
	}
	i = idx - d->still.first;
	return d->still.yes[i / 8] >> (i % 8) & 1;
}

static const struct ksm_ops ksmd_ops = {
	.read_page = read_page, .read_scan = read_scan, .next_data = next_data,
	.pool_page = pool_page, .pool_alloc = pool_alloc,
	.pool_free = pool_free, .merge = merge, .merge_zero = merge_zero,
	.unmerge = unmerge, .still_merged = still_merged,
};

/* ------------------------------------------------------------ messages */

/* Is @fd a memfd (or shmem file) of at least @pages pages? */
static bool region_fd_ok(int fd, uint64_t pages)
{
	struct stat st;

	if (fcntl(fd, F_GET_SEALS) < 0 || fstat(fd, &st) < 0)
		return false;
	return S_ISREG(st.st_mode) && (uint64_t)st.st_size >= pages * KSM_PAGE_SIZE;
}

static void region_add(struct ksmd *d, struct client *c,
		       const struct ksm_msg *m, int fd)
{
	if (fd < 0 || !region_fd_ok(fd, m->a) ||
	    !ksm_region_add(c->mm, m->region, (int)(m->nid & 0xff), m->a,
			    (void *)(intptr_t)fd)) {
		fprintf(stderr, "ksmd: VM pid %u: region %u refused\n", c->pid,
			m->region);
		if (fd >= 0)
			close(fd);
		return;
	}
	/* a restarted scan picks the new region up at the tail */
}

static void region_del(struct ksmd *d, struct client *c, uint32_t id)
{
	struct ksm_region *r = ksm_region_find(c->mm, id);
	int fd;

	if (!r)
		return;
	fd = region_fd(r);
	read_forget(d);
	ksm_region_remove(c->mm, r);
	close(fd);
}

static void ctl_line(void *arg, const char *line)
{
	struct client *c = arg;
	struct ksm_msg m = { .type = KSM_LINE };

	snprintf(m.text, sizeof(m.text), "%s", line);
	ksm_msg_send(c->sock, &m, -1);
}

static void ctl_end(struct client *c, int result, const char *text)
{
	struct ksm_msg m = { .type = KSM_END, .result = result };

	snprintf(m.text, sizeof(m.text), "%.200s", text);
	ksm_msg_send(c->sock, &m, -1);
}

static void ctl_set(struct ksmd *d, struct client *c, char *text)
{
	struct errmsg e = { { 0 }, 0 };
	char *eq = strchr(text, '=');
	unsigned int old_run = d->ksm.knobs.run;
	int ret;

	if (!eq) {
		ctl_end(c, -EINVAL, "expected NAME=VALUE");
		return;
	}
	*eq = '\0';
	ret = ksm_knob_set(&d->ksm, text, eq + 1, &e);
	if (!ret && d->ksm.knobs.run == 2 && old_run != 2)
		d->unmerged = false;
	ctl_end(c, ret, ret ? e.msg : "");
}

static void handle_vm_msg(struct ksmd *d, struct client *c,
			  struct ksm_msg *m, int fd)
{
	struct ksm_region *r;

	switch (m->type) {
	case KSM_REGION_ADD:
		region_add(d, c, m, fd);
		return;
	case KSM_REGION_DEL:
		region_del(d, c, m->region);
		break;
	case KSM_DROPPED:
		r = ksm_region_find(c->mm, m->region);
		if (r)
			ksm_page_dropped(r, m->a);
		break;
	default:
		c->dead = true;                 /* not a VM's message */
	}
	if (fd >= 0)
		close(fd);
}

static void hello(struct ksmd *d, struct client *c, const struct ksm_msg *m)
{
	struct ksm_msg r = { .type = KSM_HELLO, .seq = m->seq };
	char path[64];
	int ro;

	c->mm = ksm_mm_add(&d->ksm, ++d->next_mm_id, c);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", d->pool_fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	if (!c->mm || ro < 0) {
		c->dead = true;
		if (ro >= 0)
			close(ro);
		return;
	}
	c->is_vm = true;
	c->pid = (uint32_t)m->a;
	fprintf(stderr, "ksmd: VM pid %u registered\n", c->pid);
	if (ksm_msg_send(c->sock, &r, ro))
		c->dead = true;
	close(ro);
}

static void handle_msg(struct ksmd *d, struct client *c, struct ksm_msg *m,
		       int fd)
{
	if (c->is_vm) {
		handle_vm_msg(d, c, m, fd);
		return;
	}
	if (fd >= 0)
		close(fd);
	switch (m->type) {
	case KSM_HELLO:
		hello(d, c, m);
		break;
	case KSM_CTL_GET:
		if (ksm_format(&d->ksm, m->text[0] ? m->text : NULL, ctl_line, c))
			ctl_end(c, -ENOENT, "unknown ksm tunable or statistic");
		else
			ctl_end(c, 0, "");
		break;
	case KSM_CTL_SET:
		ctl_set(d, c, m->text);
		break;
	default:
		c->dead = true;
	}
}

/* ------------------------------------------------------------ clients */

static void client_free(struct ksmd *d, unsigned int i)
{
	struct client *c = d->cl[i];
	unsigned int k;

	for (k = 0; k < c->nr_queued; k++)
		if (c->q[k].fd >= 0)
			close(c->q[k].fd);
	free(c->failed);
	if (c->mm) {
		while (c->mm->nr_regions)
			region_del(d, c, c->mm->regions[0]->id);
		ksm_mm_remove(&d->ksm, c->mm);
		fprintf(stderr, "ksmd: VM pid %u gone\n", c->pid);
	}
	close(c->sock);
	free(c);
	d->cl[i] = d->cl[--d->nr_cl];
}

/* Pending runs out; merges the VMs refused undone; what VMs sent while
 * ksmd waited for their answers; the dead go. */
static void clients_settle(struct ksmd *d)
{
	unsigned int i, k;

	for (i = 0; i < d->nr_cl; i++)
		if (d->cl[i]->run.n)
			run_flush(d->cl[i]);
	for (i = 0; i < d->nr_cl; i++) {
		struct client *c = d->cl[i];

		for (k = 0; k < c->nr_failed && !c->dead && c->mm; k++) {
			struct ksm_region *r = ksm_region_find(c->mm, c->failed[k].region);

			if (r)
				ksm_merge_failed(r, c->failed[k].idx, c->failed[k].pidx,
						 c->failed[k].err);
		}
		c->nr_failed = 0;

		for (k = 0; k < c->nr_queued && !c->dead; k++)
			handle_msg(d, c, &c->q[k].m, c->q[k].fd);
		c->nr_queued = 0;
	}
	for (i = d->nr_cl; i-- > 0;)
		if (d->cl[i]->dead)
			client_free(d, i);
}

static void accept_client(struct ksmd *d)
{
	int s = accept4(d->lsock, NULL, NULL, SOCK_CLOEXEC);
	struct client *c;

	if (s < 0)
		return;
	if (d->nr_cl == MAX_CLIENTS || !(c = calloc(1, sizeof(*c)))) {
		close(s);
		return;
	}
	c->sock = s;
	d->cl[d->nr_cl++] = c;
}

static void client_readable(struct ksmd *d, struct client *c)
{
	struct ksm_msg m;
	int fd, ret = ksm_msg_recv(c->sock, &m, &fd);

	if (ret == -EAGAIN || ret == -EINTR)
		return;
	if (ret) {
		c->dead = true;
		return;
	}
	handle_msg(d, c, &m, fd);
}

/* Tell each VM its share (x-query-ksm). */
static void push_stats(struct ksmd *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_cl; i++) {
		struct client *c = d->cl[i];
		struct ksm_msg m = { .type = KSM_STATS };

		if (!c->is_vm || c->dead)
			continue;
		m.a = c->mm->ksm_rmap_items;
		m.b = c->mm->ksm_merging_pages;
		m.nid = (uint32_t)c->mm->ksm_zero_pages;
		m.region = c->mm->merge_stopped;
		snprintf(m.text, sizeof(m.text), "%s", c->mm->stop_reason);
		if (ksm_msg_send(c->sock, &m, -1))
			c->dead = true;
	}
}

/* ------------------------------------------------------------ the loop */

static void scan_batch(struct ksmd *d)
{
	struct ksm *k = &d->ksm;
	uint64_t scans = k->stats.full_scans;

	read_forget(d);
	if (k->knobs.run == 2 && !d->unmerged) {
		ksm_unmerge_all(k);
		d->unmerged = true;
	}
	if (k->knobs.run == 1)
		ksm_scan(k, k->knobs.pages_to_scan);
	if (k->stats.full_scans != scans)
		ksm_advisor_full_scan(k, now_ms(), cpu_us());
}

static int listen_on(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	mode_t old;
	int s;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	unlink(path);
	old = umask(0077);                    /* the socket is 0600 */
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0) {
		int err = -errno;

		umask(old);
		close(s);
		return err;
	}
	umask(old);
	chmod(path, 0600);
	return s;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void serve(struct ksmd *d)
{
	struct pollfd p[MAX_CLIENTS + 1];
	uint64_t next = now_ms();
	unsigned int i, n;

	while (!stop) {
		uint64_t t = now_ms();
		int timeout = t >= next ? 0 : (int)(next - t);

		if (d->ksm.knobs.run != 1 || !d->ksm.mm_list)
			timeout = 200;
		p[0] = (struct pollfd){ d->lsock, POLLIN, 0 };
		for (n = 0; n < d->nr_cl; n++)
			p[n + 1] = (struct pollfd){ d->cl[n]->sock, POLLIN, 0 };
		if (poll(p, n + 1, timeout) < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++)
			if (p[i + 1].revents)
				client_readable(d, d->cl[i]);
		if (p[0].revents & POLLIN)
			accept_client(d);
		clients_settle(d);
		if (now_ms() >= next) {
			scan_batch(d);
			clients_settle(d);
			push_stats(d);
			next = now_ms() + d->ksm.knobs.sleep_millisecs;
		}
	}
}

int ksmd_serve(const char *path, struct errmsg *e)
{
	struct ksmd *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return errmsg_set(e, -ENOMEM, "out of memory");
	ret = ksm_init(&d->ksm, &ksmd_ops, d);
	if (ret)
		goto out_free;
	d->win_buf = malloc(RA_PAGES * KSM_PAGE_SIZE);
	if (!d->win_buf) {
		ret = errmsg_set(e, -ENOMEM, "out of memory");
		goto out_ksm;
	}
	d->pool_fd = memfd_create("memvisor-ksm-pool", MFD_CLOEXEC);
	d->pool = mmap(NULL, POOL_MAX * KSM_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_NORESERVE, d->pool_fd, 0);
	if (d->pool_fd < 0 || d->pool == MAP_FAILED) {
		ret = errmsg_set(e, -errno, "cannot create the pool: %s", strerror(errno));
		goto out_ksm;
	}
	d->lsock = listen_on(path);
	if (d->lsock < 0) {
		ret = errmsg_set(e, d->lsock, "cannot listen on %s: %s", path,
				 strerror(-d->lsock));
		goto out_pool;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "ksmd: listening on %s\n", path);
	serve(d);
	while (d->nr_cl)
		client_free(d, d->nr_cl - 1);
	close(d->lsock);
	unlink(path);
out_pool:
	if (d->pool != MAP_FAILED)
		munmap(d->pool, POOL_MAX * KSM_PAGE_SIZE);
	if (d->pool_fd >= 0)
		close(d->pool_fd);
out_ksm:
	ksm_destroy(&d->ksm);
out_free:
	free(d->win_buf);
	free(d->pool_free);
	free(d);
	return ret;
}
