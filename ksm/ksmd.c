/*
 * ksmd: the scanner daemon that VMs register their guest memory with.
 *
 * Design: the daemon decides, the VM executes. Only a process can change
 * its own mappings, so ksmd never writes guest memory: it has each VM hash
 * its own pages (SUM_RUN, into a checksum buffer ksmd shares with it at
 * HELLO; the values are only candidates), reads a guest page itself only
 * to copy it into a pool page (in place, through a read-only mapping of
 * the region's memfd; a page punched meanwhile raises SIGBUS through
 * ksmd's userfaultfd instead of being allocated again, see guard.c and
 * ksmd_ops.c), keeps the trees (ksm.c), and owns the
 * pool, one memfd holding every merged page. To merge, it fills a pool page
 * and asks the VM (KSM_MERGE); the VM write-protects its page, compares the
 * whole page with the pool page and only then maps the pool page privately
 * in its place (a later write by anyone in that process gets a private copy
 * from the kernel) and punches its own memfd there. VMs get the pool
 * read-only, so no VM can change what another maps.
 *
 * Data structures: one struct client per connection (a VM or a control
 * client); a VM's client has its ksm_mm, its regions' memfds (and their
 * mappings: struct ksmd_region), its checksum buffer, and a queue
 * of what it sent while ksmd was waiting for one of its answers (applied
 * after the scan batch, when the core holds no pointers into it). The pool
 * grows by POOL_CHUNK pages; freed pages are punched and reused, newest
 * first, so merges made in one pass lie at consecutive pool offsets and a
 * VM's run of merged pages stays one mapping.
 *
 * What ksmd does for the core (the ksm_ops) is in ksmd_ops.c (the pool,
 * reading guest memory, the VMs' checksums) and ksmd_vmreq.c (asking VMs,
 * merges sent in runs).
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
#include "ksm/ksmd_internal.h"

static uint64_t cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ull +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

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
	struct ksmd_region *map = NULL;

	if (fd < 0 || !region_fd_ok(fd, m->a) ||
	    ksmd_region_open(d, fd, m->a, &map) ||
	    !ksm_region_add(c->mm, m->region, (int)(m->nid & 0xff), m->a, map)) {
		fprintf(stderr, "ksmd: VM pid %u: region %u refused\n", c->pid,
			m->region);
		if (map)
			ksmd_region_close(map);         /* closes fd */
		else if (fd >= 0)
			close(fd);
		return;
	}
	/* a restarted scan picks the new region up at the tail */
}

static void region_del(struct ksmd *d, struct client *c, uint32_t id)
{
	struct ksm_region *r = ksm_region_find(c->mm, id);
	struct ksmd_region *map;

	if (!r)
		return;
	map = r->priv;
	ksmd_read_forget(d);
	ksm_region_remove(c->mm, r);
	ksmd_region_close(map);
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

static void ctl_set(struct ksmd *d, struct client *c, const char *text)
{
	struct errmsg e = { { 0 }, 0 };
	unsigned int old_run = d->ksm.knobs.run;
	int ret = ksm_knob_assign(&d->ksm, text, &e);

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

/* The VM's checksum buffer (SUM_BUF, after HELLO's answer); without one
 * ksmd hashes the VM's pages itself. */
static void send_sums(struct client *c)
{
	struct ksm_msg m = { .type = KSM_SUM_BUF };
	int fd = ksmd_sums_create(c);

	if (fd < 0) {
		fprintf(stderr, "ksmd: VM pid %u: no checksum buffer (%s): ksmd hashes its pages\n",
			c->pid, strerror(-fd));
		return;
	}
	if (ksm_msg_send(c->sock, &m, fd))
		c->dead = true;
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
	send_sums(c);
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
	ksmd_sums_free(c);
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
			ksmd_run_flush(d->cl[i]);
	for (i = 0; i < d->nr_cl; i++) {
		struct client *c = d->cl[i];

		for (k = 0; k < c->nr_failed && !c->dead && c->mm; k++) {
			struct ksm_region *r = ksm_region_find(c->mm, c->failed[k].region);

			if (r)
				ksm_merge_failed(r, c->failed[k].idx,
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

	d->still.r = NULL;              /* the VMs ran meanwhile */
	d->sum.r = NULL;
	if (k->knobs.run == 2 && !d->unmerged) {
		ksm_unmerge_all(k);
		d->unmerged = true;
	}
	if (k->knobs.run == 1)
		ksm_scan(k, k->knobs.pages_to_scan);
	if (k->stats.full_scans != scans)
		ksm_advisor_full_scan(k, ksmd_now_ms(), cpu_us());
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
	uint64_t next = ksmd_now_ms();
	unsigned int i, n;

	while (!stop) {
		uint64_t t = ksmd_now_ms();
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
		if (ksmd_now_ms() >= next) {
			scan_batch(d);
			clients_settle(d);
			push_stats(d);
			next = ksmd_now_ms() + d->ksm.knobs.sleep_millisecs;
		}
	}
}

int ksmd_serve(const char *path, struct errmsg *e)
{
	struct ksmd *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return errmsg_set(e, -ENOMEM, "out of memory");
	d->uffd = -1;
	ret = ksm_init(&d->ksm, &ksmd_ops, d);
	if (ret)
		goto out_free;
	ret = ksmd_uffd_open(d);
	if (!ret)
		ret = ksm_guard_install();
	if (ret) {
		errmsg_set(e, ret, "cannot set up userfaultfd, which ksmd needs to read guest memory without touching holes: %s",
			   strerror(-ret));
		goto out_ksm;
	}
	d->pool_fd = memfd_create("memvisor-ksm-pool", MFD_CLOEXEC);
	d->pool = mmap(NULL, POOL_MAX * KSM_PAGE_SIZE, PROT_READ,
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
		munmap((void *)d->pool, POOL_MAX * KSM_PAGE_SIZE);
	if (d->pool_fd >= 0)
		close(d->pool_fd);
out_ksm:
	ksm_destroy(&d->ksm);
out_free:
	if (d->uffd >= 0)
		close(d->uffd);
	free(d->pool_free);
	free(d);
	return ret;
}
