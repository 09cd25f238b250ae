/*
 * The VM's side of KSM: `memvisor run --ksm PATH` (the ksm device).
 *
 * What: registers the VM's guest memory with ksmd (boot RAM, every DIMM,
 * hot-added ones as they come, removed ones dropped) by passing each
 * region's memfd, and carries out what ksmd asks (vm_pages.c: merge, merge
 * runs, unmerge, still merged?), since only this process can change its own
 * mappings; and hashes its own pages for the scan (SUM_RUN, into the
 * checksum buffer ksmd sends after HELLO), since only this process has
 * them mapped and populated already.
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
 * page (merged or not); the checksum buffer (ksm_vm.sums, dropped when
 * ksmd goes). Locking: ksm_vm.lock protects the regions and every
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
#include "ksm/vm_internal.h"
#include "vmm/memory.h"
#include "vmm/qmp.h"
#include "vmm/vm.h"

struct ksm_vm_config {
	char *path;
};

/* ------------------------------------------------------------ helpers */

static void send_msg(struct ksm_vm *k, struct ksm_msg *m, int fd)
{
	pthread_mutex_lock(&k->send_lock);
	if (!k->gone)
		ksm_msg_send(k->sock, m, fd);
	pthread_mutex_unlock(&k->send_lock);
}

/* Serve ksmd's requests until the connection ends. */
static void ksm_serve(struct ksm_vm *k)
{
	struct ksm_msg m;
	int fd;

	while (ksm_msg_recv(k->sock, &m, &fd) == 0) {
		pthread_mutex_lock(&k->lock);
		if (m.type == KSM_SUM_BUF && ksm_vm_sums_map(k, fd))
			fprintf(stderr, "memvisor: ksm: the scanner's checksum buffer is unusable: it hashes this VM's pages itself\n");
		if (fd >= 0)
			close(fd);
		if (m.type == KSM_STATS) {
			k->rmap_items = m.a;
			k->zero_pages = m.nid;
		}
		if (m.type == KSM_STATS || m.type == KSM_SUM_BUF) {
			pthread_mutex_unlock(&k->lock);
			continue;
		}
		m.result = ksm_vm_handle(k, &m);
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
				ksm_vm_unmerge_page(k, &k->reg[i], p);
	pthread_mutex_lock(&k->send_lock);
	close(k->sock);
	ksm_vm_pool_view_drop(k);
	ksm_vm_sums_drop(k);            /* the new ksmd sends its own */
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
	if (ksm_vm_uffd_register(k, hva, size))
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
		if (!r->merged[idx] || ksm_vm_map_own(k, r, idx))
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
	ksm_vm_pool_view_drop(k);
	ksm_vm_sums_drop(k);
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
