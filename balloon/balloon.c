/*
 * The virtio-balloon device (virtio 1.2, 5.5), host side, behaving as
 * QEMU's virtio-balloon-pci so one guest driver works on both.
 *
 * What the guest sees: a virtio-pci function (virtio/), device id 0x1045,
 * class 0x00ff ("other"), queues inflate 0, deflate 1, stats 2 and, with
 * free-page-reporting=on, reporting 3 (QEMU's numbering when the free page
 * hint is not offered); 128 entries each. Features: STATS_VQ always,
 * DEFLATE_ON_OOM and REPORTING as configured, INDIRECT_DESC, VERSION_1.
 * Configuration: num_pages (the target, set by QMP `balloon`) and actual
 * (what the driver holds, written by it), 8 bytes as QEMU exposes them.
 *
 * What the host does:
 *   inflate    every PFN that is guest RAM is released: a batch of buffers
 *              is popped, its PFNs sorted and merged into runs, each run
 *              one guest_mem_discard (holes punched in the memfd); then
 *              the buffers are given back. PFNs outside RAM are counted.
 *   deflate    nothing to do: a released page reads zero on next touch.
 *   reporting  each device-writable segment is a free range: discarded as
 *              above, then given back.
 *   stats      the driver's buffer is parsed and held; every stats-period
 *              seconds (QOM guest-stats-polling-interval) the timer thread
 *              gives it back, and the driver refills it with fresh numbers.
 *
 * Threads and locking. A doorbell (vCPU thread) only marks the queue
 * pending and queues the work on the VM's deferred-work thread, which
 * processes queues one at a time: pop a batch under the transport's lock,
 * discard without it, push under it again unless the device was reset in
 * between (the queue's epoch). b->lock protects the config fields, the
 * stats, the counters and the poll interval; it is never held while
 * taking the transport's lock. The timer thread sleeps on timer_cond.
 * Close stops new work (closing) and the timer; work already queued runs
 * and returns at once; destroy comes after the deferred-work thread ends.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abi/pci.h"
#include "balloon/balloon.h"
#include "balloon/balloon_internal.h"
#include "vmm/pci.h"
#include "vmm/qmp.h"
#include "vmm/vm.h"

/* ------------------------------------------------------------ config space */

uint64_t balloon_ram_size(struct balloon *b)
{
	return b->boot_ram + (b->vm ? vm_plugged_memory(b->vm) : 0);
}

static void config_read(void *opaque, uint64_t off, void *data,
			unsigned int len)
{
	struct balloon *b = opaque;
	uint32_t cfg[2];

	pthread_mutex_lock(&b->lock);
	cfg[0] = b->num_pages;
	cfg[1] = b->actual;
	pthread_mutex_unlock(&b->lock);
	memset(data, 0, len);
	if (off < sizeof(cfg))
		memcpy(data, (uint8_t *)cfg + off,
		       len < sizeof(cfg) - off ? len : sizeof(cfg) - off);
}

static void emit_change(struct balloon *b, uint64_t actual_bytes)
{
	json_t *data;

	if (!b->qmp)
		return;
	data = json_pack("{s:I}", "actual", (json_int_t)actual_bytes);
	if (data) {
		qmp_emit_event(b->qmp, "BALLOON_CHANGE", data);
		json_decref(data);
	}
}

/* Only `actual` is the driver's to write. */
static void config_write(void *opaque, uint64_t off, const void *data,
			 unsigned int len)
{
	struct balloon *b = opaque;
	uint32_t cfg[2];
	bool changed;

	if (off >= sizeof(cfg) || len > sizeof(cfg) - off)
		return;
	pthread_mutex_lock(&b->lock);
	cfg[0] = b->num_pages;
	cfg[1] = b->actual;
	memcpy((uint8_t *)cfg + off, data, len);
	changed = cfg[1] != b->actual;
	b->actual = cfg[1];
	pthread_mutex_unlock(&b->lock);
	if (changed)
		emit_change(b, balloon_actual_bytes(b));
}

uint64_t balloon_actual_bytes(struct balloon *b)
{
	uint64_t ram = balloon_ram_size(b), held;

	pthread_mutex_lock(&b->lock);
	held = (uint64_t)b->actual << VIRTIO_BALLOON_PFN_SHIFT;
	pthread_mutex_unlock(&b->lock);
	return held < ram ? ram - held : 0;
}

/* As QEMU's virtio_balloon_to_target: clamp, pages to give, tell. */
void balloon_set_target(struct balloon *b, uint64_t target)
{
	uint64_t ram = balloon_ram_size(b);

	if (target > ram)
		target = ram;
	if (!target)
		return;
	pthread_mutex_lock(&b->lock);
	b->num_pages = (ram - target) >> VIRTIO_BALLOON_PFN_SHIFT;
	pthread_mutex_unlock(&b->lock);
	virtio_pci_config_changed(b->vp);
}

void balloon_get_counters(struct balloon *b, struct balloon_counters *out)
{
	pthread_mutex_lock(&b->lock);
	*out = b->cnt;
	pthread_mutex_unlock(&b->lock);
}

/* ------------------------------------------------------------ queues */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	void *n;

	if (need <= *cap)
		return 0;
	n = realloc(*p, need * elem);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = need;
	return 0;
}

/* Append @el's PFNs to b->pfns; the count added, or -ENOMEM. */
static long take_pfns(struct balloon *b, size_t have)
{
	uint64_t bytes = 0;
	size_t n;
	unsigned int i;

	for (i = 0; i < b->el->n_out; i++)
		bytes += b->el->seg[i].len;
	n = bytes / sizeof(uint32_t);
	if (grow((void **)&b->pfns, &b->pfn_cap, have + n, sizeof(uint32_t)))
		return -ENOMEM;
	virtq_elem_read(b->el, 0, b->pfns + have, n * sizeof(uint32_t));
	return n;
}

/* Append @el's device-writable ranges (reporting) as runs. */
static long take_ranges(struct balloon *b, size_t have)
{
	unsigned int i, n = b->el->n_in;

	if (grow((void **)&b->runs, &b->run_cap, have + n, sizeof(*b->runs)))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct virtq_seg *s = &b->el->seg[b->el->n_out + i];

		b->runs[have + i] = (struct balloon_run){ s->gpa, s->len };
	}
	return n;
}

/*
 * Pop up to a queue's worth of requests of page queue @q (under the
 * transport's lock); their heads in b->heads, their PFNs (inflate,
 * deflate) or ranges (reporting) collected. Returns the number of heads.
 */
static size_t pop_batch(struct balloon *b, struct virtq *vq, unsigned int q,
			size_t *nitems, uint64_t *bad)
{
	bool report = q == BALLOON_VQ_REPORTING;
	size_t nheads = 0;
	long got;
	int r;

	while (nheads < BALLOON_QUEUE_SIZE &&
	       (r = virtq_pop(vq, b->mem, b->el)) != 0) {
		if (r == -EIO) {
			__virtio_pci_needs_reset(b->vp);
			break;
		}
		if (b->el->head != VIRTQ_NO_HEAD)
			b->heads[nheads++] = b->el->head;
		if (r < 0 || (report ? b->el->n_out != 0 : b->el->n_in != 0)) {
			(*bad)++;
			continue;
		}
		got = report ? take_ranges(b, *nitems) : take_pfns(b, *nitems);
		if (got < 0)
			(*bad)++;
		else
			*nitems += got;
	}
	return nheads;
}

/* Discard b->runs[0..n), counting in @c; ranges not RAM are skipped. */
static void discard_runs(struct balloon *b, size_t n,
			 struct balloon_counters *c)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		const struct balloon_run *r = &b->runs[i];

		if (!r->len)
			continue;
		if ((r->gpa | r->len) & (BALLOON_PAGE_SIZE - 1) ||
		    !guest_mem_is_any_ram(b->mem, r->gpa, r->len)) {
			c->bad_pfns += (r->len + BALLOON_PAGE_SIZE - 1) /
				       BALLOON_PAGE_SIZE;
			continue;
		}
		ret = guest_mem_discard(b->mem, r->gpa, r->len);
		c->discards++;
		if (ret)
			c->discard_errors++;
		else
			c->released += r->len;
	}
}

/* Keep the PFNs that are guest RAM; count the others. */
static size_t filter_pfns(struct balloon *b, size_t n, uint64_t *bad)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++) {
		gpa_t gpa = (gpa_t)b->pfns[i] << VIRTIO_BALLOON_PFN_SHIFT;

		if (guest_mem_is_any_ram(b->mem, gpa, BALLOON_PAGE_SIZE))
			b->pfns[kept++] = b->pfns[i];
		else
			(*bad)++;
	}
	return kept;
}

/* Act on what a batch of queue @q brought; counts into @c. */
static void handle_items(struct balloon *b, unsigned int q, size_t n,
			 struct balloon_counters *c)
{
	size_t nruns, i;

	if (q == BALLOON_VQ_REPORTING) {
		nruns = balloon_merge_runs(b->runs, n);
		for (i = 0; i < nruns; i++)
			c->reported += b->runs[i].len / BALLOON_PAGE_SIZE;
		discard_runs(b, nruns, c);
		return;
	}
	n = filter_pfns(b, n, &c->bad_pfns);
	if (q == VIRTIO_BALLOON_VQ_DEFLATE) {
		c->deflated += n;
		return;
	}
	c->inflated += n;
	if (grow((void **)&b->runs, &b->run_cap, n, sizeof(*b->runs))) {
		c->discard_errors++;
		return;
	}
	nruns = balloon_pfns_to_runs(b->pfns, n, b->runs);
	discard_runs(b, nruns, c);
}

static void add_counters(struct balloon *b, const struct balloon_counters *c)
{
	pthread_mutex_lock(&b->lock);
	b->cnt.inflated += c->inflated;
	b->cnt.deflated += c->deflated;
	b->cnt.reported += c->reported;
	b->cnt.bad_pfns += c->bad_pfns;
	b->cnt.bad_requests += c->bad_requests;
	b->cnt.discards += c->discards;
	b->cnt.discard_errors += c->discard_errors;
	b->cnt.released += c->released;
	pthread_mutex_unlock(&b->lock);
}

/* One batch of page queue @q; true if there may be more. */
static bool process_pages(struct balloon *b, unsigned int q)
{
	struct balloon_counters c = { 0 };
	size_t nheads, nitems = 0, i;
	struct virtq *vq;
	uint32_t epoch;

	virtio_pci_lock(b->vp);
	vq = __virtio_pci_queue(b->vp, q);
	if (!vq || !vq->ready || !__virtio_pci_driver_ok(b->vp)) {
		virtio_pci_unlock(b->vp);
		return false;
	}
	epoch = vq->epoch;
	nheads = pop_batch(b, vq, q, &nitems, &c.bad_requests);
	virtio_pci_unlock(b->vp);

	handle_items(b, q, nitems, &c);

	virtio_pci_lock(b->vp);
	vq = __virtio_pci_queue(b->vp, q);
	if (vq->epoch == epoch && nheads) {
		for (i = 0; i < nheads; i++)
			virtq_push(vq, b->heads[i], 0);
		__virtio_pci_notify(b->vp, q);
	}
	virtio_pci_unlock(b->vp);
	add_counters(b, &c);
	return nheads == BALLOON_QUEUE_SIZE;
}

/* Under the transport's lock: give the held stats request back. */
static void __give_stats_back(struct balloon *b)
{
	struct virtq *vq = __virtio_pci_queue(b->vp, VIRTIO_BALLOON_VQ_STATS);

	if (b->stats_held && vq->epoch == b->stats_epoch && vq->ready) {
		virtq_push(vq, b->stats_head, 0);
		__virtio_pci_notify(b->vp, VIRTIO_BALLOON_VQ_STATS);
	}
	b->stats_held = false;
}

/* The stats queue: parse the newest request, hold it until the poll. */
static void process_stats(struct balloon *b)
{
	int64_t stats[VIRTIO_BALLOON_S_NR];
	uint8_t buf[VIRTIO_BALLOON_S_NR * 4 * sizeof(struct virtio_balloon_stat)];
	struct virtq *vq;
	uint64_t len = 0, bad = 0;
	bool got = false;
	int r;

	virtio_pci_lock(b->vp);
	vq = __virtio_pci_queue(b->vp, VIRTIO_BALLOON_VQ_STATS);
	while (vq->ready && (r = virtq_pop(vq, b->mem, b->el)) != 0) {
		if (r == -EIO) {
			__virtio_pci_needs_reset(b->vp);
			break;
		}
		if (r < 0 || b->el->n_in) {
			bad++;
			if (b->el->head != VIRTQ_NO_HEAD) {
				virtq_push(vq, b->el->head, 0);
				__virtio_pci_notify(b->vp, VIRTIO_BALLOON_VQ_STATS);
			}
			continue;
		}
		__give_stats_back(b);            /* an older one, if any */
		len = virtq_elem_read(b->el, 0, buf, sizeof(buf));
		b->stats_held = true;
		b->stats_head = b->el->head;
		b->stats_epoch = vq->epoch;
		got = true;
	}
	virtio_pci_unlock(b->vp);

	pthread_mutex_lock(&b->lock);
	b->cnt.bad_requests += bad;
	if (got) {
		memset(stats, 0xff, sizeof(stats));     /* -1: not reported */
		balloon_parse_stats(buf, len, stats);
		memcpy(b->stats, stats, sizeof(stats));
		b->last_update = time(NULL);
	}
	pthread_mutex_unlock(&b->lock);
}

void balloon_process(struct balloon *b, unsigned int q)
{
	if (q == VIRTIO_BALLOON_VQ_STATS)
		process_stats(b);
	else
		while (process_pages(b, q))
			;
}

void balloon_stats_poll(struct balloon *b)
{
	virtio_pci_lock(b->vp);
	__give_stats_back(b);
	virtio_pci_unlock(b->vp);
}

/* Deferred work: every queue notified since the last run. */
static void balloon_work(void *arg)
{
	struct balloon *b = arg;
	uint32_t mask;
	unsigned int q;

	while (!__atomic_load_n(&b->closing, __ATOMIC_ACQUIRE) &&
	       (mask = __atomic_exchange_n(&b->pending, 0, __ATOMIC_ACQ_REL)))
		for (q = 0; q < 32; q++)
			if (mask & (1u << q))
				balloon_process(b, q);
}

static void balloon_notify(void *opaque, unsigned int q)
{
	struct balloon *b = opaque;

	if (!b->vm) {
		balloon_process(b, q);           /* unit tests: inline */
		return;
	}
	if (__atomic_load_n(&b->closing, __ATOMIC_ACQUIRE))
		return;
	if (!__atomic_fetch_or(&b->pending, 1u << q, __ATOMIC_ACQ_REL) &&
	    vm_defer(b->vm, balloon_work, b))
		__atomic_store_n(&b->pending, 0, __ATOMIC_RELEASE);
}

static void balloon_reset(void *opaque)
{
	struct balloon *b = opaque;

	virtio_pci_lock(b->vp);
	b->stats_held = false;                  /* its queue is gone */
	virtio_pci_unlock(b->vp);
}

static const struct virtio_dev_ops balloon_virtio_ops = {
	.config_read = config_read,
	.config_write = config_write,
	.notify = balloon_notify,
	.reset = balloon_reset,
};

/* ------------------------------------------------------------ stats timer */

void balloon_set_poll_interval(struct balloon *b, int64_t secs)
{
	pthread_mutex_lock(&b->lock);
	b->poll_interval = secs;
	pthread_cond_signal(&b->timer_cond);
	pthread_mutex_unlock(&b->lock);
}

static void *timer_thread(void *arg)
{
	struct balloon *b = arg;
	struct timespec t;

	pthread_mutex_lock(&b->lock);
	while (!b->stop) {
		if (b->poll_interval <= 0) {
			pthread_cond_wait(&b->timer_cond, &b->lock);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_sec += b->poll_interval;
		if (pthread_cond_timedwait(&b->timer_cond, &b->lock, &t) != ETIMEDOUT ||
		    b->stop)
			continue;
		pthread_mutex_unlock(&b->lock);
		balloon_stats_poll(b);
		pthread_mutex_lock(&b->lock);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

static int start_timer(struct balloon *b)
{
	pthread_condattr_t attr;
	int ret;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&b->timer_cond, &attr);
	pthread_condattr_destroy(&attr);
	if (!b->vm)
		return 0;                        /* tests poll by hand */
	ret = pthread_create(&b->timer, NULL, timer_thread, b);
	b->timer_started = !ret;
	return -ret;
}

static void stop_timer(struct balloon *b)
{
	pthread_mutex_lock(&b->lock);
	b->stop = true;
	pthread_cond_signal(&b->timer_cond);
	pthread_mutex_unlock(&b->lock);
	if (b->timer_started)
		pthread_join(b->timer, NULL);
	b->timer_started = false;
	balloon_policy_stop(b);
}

/* ------------------------------------------------------------ life cycle */

static uint64_t offered_features(const struct balloon_config *cfg)
{
	uint64_t f = 1ull << VIRTIO_BALLOON_F_STATS_VQ |
		     1ull << VIRTIO_F_INDIRECT_DESC;

	if (cfg->deflate_on_oom)
		f |= 1ull << VIRTIO_BALLOON_F_DEFLATE_ON_OOM;
	if (cfg->free_page_reporting)
		f |= 1ull << VIRTIO_BALLOON_F_REPORTING;
	return f;
}

static int balloon_setup(struct balloon *b, struct pci_bus *pb,
			 struct errmsg *e)
{
	struct virtio_pci_desc d = {
		.name = "virtio-balloon", .device_type = VIRTIO_ID_BALLOON,
		.class_code = PCI_CLASS_OTHERS,
		.features = offered_features(&b->cfg),
		.num_queues = b->cfg.free_page_reporting ? 4 : 3,
		.ops = &balloon_virtio_ops, .opaque = b,
	};
	unsigned int q;

	for (q = 0; q < d.num_queues; q++)
		d.queue_max[q] = BALLOON_QUEUE_SIZE;
	b->el = malloc(sizeof(*b->el));
	if (!b->el)
		return errmsg_set(e, -ENOMEM, "out of memory");
	b->vp = virtio_pci_create(pb, b->mem, &d, e);
	if (!b->vp)
		return -EINVAL;
	if (start_timer(b))
		return errmsg_set(e, -EAGAIN, "balloon: cannot start the stats timer");
	if (balloon_policy_start(b))
		return errmsg_set(e, -EAGAIN, "balloon: cannot start the policy thread");
	if (b->cfg.policy_on)
		balloon_policy_set(b, true, &b->cfg.policy);
	return 0;
}

struct balloon *balloon_new(const struct balloon_config *cfg, struct vm *vm,
			    struct guest_mem *mem, struct pci_bus *pb,
			    uint64_t boot_ram, struct errmsg *e)
{
	struct balloon *b = calloc(1, sizeof(*b));
	unsigned int i;

	if (!b) {
		errmsg_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	b->cfg = *cfg;
	b->vm = vm;
	b->mem = mem;
	b->boot_ram = boot_ram;
	b->poll_interval = cfg->stats_period;
	b->policy = cfg->policy;
	for (i = 0; i < VIRTIO_BALLOON_S_NR; i++)
		b->stats[i] = -1;
	pthread_mutex_init(&b->lock, NULL);
	if (!cfg->disabled && balloon_setup(b, pb, e)) {
		balloon_free(b);
		return NULL;
	}
	return b;
}

void balloon_free(struct balloon *b)
{
	if (!b)
		return;
	if (b->vp)
		stop_timer(b);
	virtio_pci_destroy(b->vp);
	free(b->el);
	free(b->pfns);
	free(b->runs);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

/* ------------------------------------------------------------ the device */

enum { OPT_NO_BALLOON, OPT_BALLOON, OPT_BALLOON_POLICY };

static const struct cli_option balloon_options[] = {
	{ "no-balloon", NULL, "leave out the virtio-balloon device", OPT_NO_BALLOON },
	{ "balloon", "KEY=VALUE,...",
	  "deflate-on-oom=on|off, free-page-reporting=on|off (both\n"
	  "off by default), stats-period=SECONDS (0, the default:\n"
	  "statistics are not polled)", OPT_BALLOON },
	{ "balloon-policy", "free-host-min=SIZE[,...]",
	  "inflate when the host's MemAvailable falls under\n"
	  "free-host-min, deflate over free-host-max (default 2 x\n"
	  "min); step=SIZE per action (128M), interval=SECONDS\n"
	  "between actions (5), min-guest=SIZE floor (256M)",
	  OPT_BALLOON_POLICY },
	{ 0 },
};

static void balloon_dev_config_init(void *cfg)
{
	balloon_config_init(cfg);
}

static int balloon_dev_config_parse(void *cfg, int key, const char *arg,
				    struct errmsg *e)
{
	struct balloon_config *c = cfg;

	if (key == OPT_NO_BALLOON) {
		c->disabled = true;
		return 0;
	}
	if (key == OPT_BALLOON_POLICY) {
		c->policy_on = true;
		return balloon_policy_parse(&c->policy, arg, "--balloon-policy", e);
	}
	return balloon_parse_options(c, arg, e);
}

static int balloon_dev_config_finish(void *cfg, const struct vm_config *vm,
				     struct errmsg *e)
{
	return balloon_config_check(cfg, e);
}

static void *balloon_dev_create(struct vm *vm, const void *cfg,
				struct errmsg *e)
{
	return balloon_new(cfg, vm, &vm->mem, vm->pci, vm->cfg.ram_size, e);
}

static int balloon_dev_qmp(void *dev, struct qmp_server *srv, struct errmsg *e)
{
	int ret = balloon_qmp_register(dev, srv);

	return ret ? errmsg_set(e, ret, "QMP: cannot register the balloon commands: %s",
				strerror(-ret)) : 0;
}

static void balloon_dev_close(void *dev)
{
	struct balloon *b = dev;

	__atomic_store_n(&b->closing, true, __ATOMIC_RELEASE);
	if (b->vp)
		stop_timer(b);
}

static void balloon_dev_destroy(void *dev)
{
	balloon_free(dev);
}

const struct device_ops balloon_device = {
	.name = "balloon",
	.cli_title = "balloon (as QEMU's -device virtio-balloon-pci,id=balloon0)",
	.cli_options = balloon_options,
	.config_size = sizeof(struct balloon_config),
	.config_init = balloon_dev_config_init,
	.config_parse = balloon_dev_config_parse,
	.config_finish = balloon_dev_config_finish,
	.create = balloon_dev_create,
	.qmp = balloon_dev_qmp,
	.close = balloon_dev_close,
	.destroy = balloon_dev_destroy,
};
