/*
 * virtio-balloon: the host asks for pages (config num_pages), the guest
 * gives them (inflate queue), takes them back (deflate queue), reports
 * its memory statistics (stats queue) and its free 2 MiB blocks (free
 * page reporting queue), and gives pages back under memory pressure when
 * deflate-on-OOM is negotiated.
 *
 * Queues (abi/virtio.h): inflate 0, deflate 1, stats 2, reporting 3 (4
 * when the device offers the free page hint, whose queue QEMU creates
 * whenever offered). Features: VERSION_1 (required), STATS_VQ,
 * DEFLATE_ON_OOM, REPORTING when offered; not MUST_TELL_HOST, so a page
 * may be reused before the host acknowledged its deflation (the OOM path
 * does so).
 *
 * Flow. The interrupt (INTx, maybe shared: the ISR says whether it is
 * ours) notes a config change or queue activity and wakes the driver's
 * thread "vballoon" (process context: it may sleep and may trigger the
 * OOM killer). The thread:
 *   - config change: reads num_pages and inflates or deflates towards it,
 *     writing `actual` after each batch;
 *   - stats buffer returned: refills the statistics and offers it again;
 *   - reporting wanted (boot, or guest/mm freed an unreported block of
 *     order >= 9): isolates up to 32 free blocks, offers them as one
 *     chain of device-writable buffers, waits, puts them back.
 *
 * Inflate: balloon_inflate() (guest/mm/balloon.c) takes blocks of order 9
 * first, then smaller, and writes their PFNs into a VB_PFN_MAX-entry
 * array (8192 PFNs, 32 MiB per request: one descriptor, one notify, one
 * interrupt per 32 MiB). First only free memory (no direct reclaim, down
 * to the min watermark). When that falls short, unless the module
 * parameter oom_on_inflate is 0 or deflate-on-OOM was negotiated, the
 * same request is filled up by one direct reclaim of what is still
 * wanted, at most VB_RECLAIM_PAGES (guest/mm's balloon_inflate_reclaim:
 * page cache first, then swap, as reclaim balances them); when reclaim
 * frees nothing, one page through the allocator's full slow path: its
 * reclaim, then the OOM killer, which kills the largest task; then free
 * memory again. So host pressure forces the guest down to the target
 * (Linux's driver stops instead). Until 1 Dec the escalation was one page
 * through the slow path each time (a 32-page direct reclaim) and one
 * request to the host per ~32 pages, whatever kswapd had freed meanwhile:
 * test_reclaim's 124 K pages over a 64 MiB page cache took 10.6 s on
 * memvisor, 5.2 s now (medians of 3).
 *
 * Deflate: balloon_deflate() hands back whole blocks (the last split),
 * the host is told, then they are freed -- known zero when the VMM said
 * memvisor.zeroed_ram=1 (it punched holes in their backing), else not.
 * Reported blocks come back the same way.
 *
 * Deflate-on-OOM: the OOM notifier (kernel/oom.c, before any kill) frees
 * up to VB_OOM_PAGES held pages at once and tells the host without
 * waiting (one of VB_OOM_SLOTS small buffers), from whatever context
 * allocates.
 *
 * Memory offlining (a DIMM being removed holds balloon pages): guest/mm
 * gives the blocks up (balloon_page_offline: freed into the range being
 * isolated) and calls vb_offlined(), which tells the host at once with a
 * deflate that does not wait (one of VB_OFFL_SLOTS buffers of a 2 MiB
 * block's PFNs; none free: the host is not told, which the spec allows
 * without MUST_TELL_HOST -- the pages are leaving anyway) and wakes the
 * thread as a config change would: it re-inflates as many pages
 * elsewhere, so `actual` returns to the target.
 *
 * Waiting: each request carries a struct vb_req; vq_reap() marks the
 * returned ones done; the thread sleeps until its own is (the interrupt
 * wakes it).
 *
 * Locking: one CPU, a non-preemptible kernel: the thread, the OOM
 * notifier and the interrupt handler never run at the same time except
 * the handler, which only sets flags and wakes the thread.
 */
#include "drivers/virtio_balloon.h"
#include "drivers/pci.h"
#include "drivers/virtio.h"
#include "abi/pvh.h"
#include "include/errno.h"
#include "kernel/cmdline.h"
#include "kernel/oom.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/string.h"
#include "kernel/sysfs.h"
#include "kernel/tsc.h"
#include "mm/mm.h"

#define VQ_REPORTING		3	/* after stats; +1 with free page hint */
#define VB_PFN_ORDER		3	/* 32 KiB of PFNs */
#define VB_PFN_MAX		((PAGE_SIZE << VB_PFN_ORDER) / sizeof(uint32_t))
#define VB_RECLAIM_PAGES	4096	/* 16 MiB per reclaim under pressure */
#define VB_OOM_PAGES		256	/* per OOM notification (Linux's) */
#define VB_OOM_SLOTS		4
#define VB_NR_STATS		10
#define VB_OFFL_PAGES		(1U << BALLOON_MAX_ORDER)	/* a block */
#define VB_OFFL_SLOTS		8

struct vb_req {
	bool busy;			/* offered, not returned yet */
	bool done;			/* returned */
};

struct virtio_balloon {
	struct virtio_device vdev;
	struct virtqueue *inflate_vq, *deflate_vq, *stats_vq, *reporting_vq;
	struct balloon_dev_info b;
	uint32_t *pfns;			/* VB_PFN_MAX PFNs */
	struct task_struct *thread;
	volatile bool config_changed;	/* set by the interrupt */
	volatile bool stats_returned;
	volatile bool report_wanted;
	bool zeroed;			/* host zero-fills released pages */
	bool escalate_warned;
	struct vb_req req;		/* the thread's request */
	struct vb_req stats_req;
	struct vb_req oom_req[VB_OOM_SLOTS];
	uint32_t *oom_pfns;		/* VB_OOM_SLOTS x VB_OOM_PAGES */
	struct vb_req offl_req[VB_OFFL_SLOTS];
	uint32_t *offl_pfns;		/* VB_OFFL_SLOTS x VB_OFFL_PAGES */
	unsigned long offl_pages;	/* given up since the thread looked */
	unsigned long offl_untold;	/* of which the host was not told */
	struct virtio_balloon_stat stats[VB_NR_STATS];
	struct page *report[PAGE_REPORTING_CAPACITY];
	struct virtq_buf bufs[PAGE_REPORTING_CAPACITY];
};

static struct virtio_balloon vb_dev;
static bool oom_on_inflate = true;	/* module parameter */

/* ------------------------------------------------------------ requests */

static void vq_reap(struct virtqueue *vq)
{
	struct vb_req *r;

	while ((r = virtqueue_get_buf(vq, NULL)) != NULL) {
		r->busy = false;
		r->done = true;
	}
}

/* Offer @n buffers as one request and sleep until the device returns it.
 * 0 or -ENOSPC. */
static int vb_send(struct virtio_balloon *vb, struct virtqueue *vq,
		   const struct virtq_buf *bufs, unsigned int n)
{
	int err;

	vq_reap(vq);
	vb->req = (struct vb_req){ .busy = true };
	err = virtqueue_add(vq, bufs, n, &vb->req);
	if (err)
		return err;
	virtqueue_kick(vq);
	wait_event((vq_reap(vq), vb->req.done));
	return 0;
}

/* Tell the host about @n PFNs of vb->pfns on @vq. */
static void tell_host(struct virtio_balloon *vb, struct virtqueue *vq,
		      unsigned long n)
{
	struct virtq_buf buf = { .addr = __pa(vb->pfns),
				 .len = (uint32_t)(n * sizeof(uint32_t)) };

	if (vb_send(vb, vq, &buf, 1))
		pr_err("virtio_balloon: queue %u full\n", vq->index);
}

static void update_actual(struct virtio_balloon *vb)
{
	virtio_cwrite32(&vb->vdev, offsetof(struct virtio_balloon_config, actual),
			(uint32_t)vb->b.nr_pages);
}

/* ------------------------------------------------------------ inflate, deflate */

#define GFP_BALLOON_FREE	((GFP_HIGHUSER_MOVABLE & ~__GFP_DIRECT_RECLAIM) | \
				 __GFP_NORETRY)
#define GFP_BALLOON_PRESSURE	GFP_HIGHUSER_MOVABLE

static bool may_escalate(const struct virtio_balloon *vb)
{
	return oom_on_inflate &&
	       !virtio_has_feature(&vb->vdev, VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
}

/*
 * Past free memory: reclaim up to @want more pages (at most
 * VB_RECLAIM_PAGES) in one direct reclaim and take them into @pfns.  If
 * reclaim freed nothing and the request is empty so far (@had 0), one
 * page through the allocator's full slow path: its reclaim, then the
 * OOM killer.  The next request starts with free memory again.
 */
static unsigned long inflate_under_pressure(struct virtio_balloon *vb,
					    uint32_t *pfns, unsigned long want,
					    unsigned long had)
{
	unsigned long got = balloon_inflate_reclaim(&vb->b,
			GFP_BALLOON_PRESSURE, pfns, MIN(want, VB_RECLAIM_PAGES));

	if (got || had)
		return got;
	vb->b.order = 0;
	got = balloon_inflate(&vb->b, GFP_BALLOON_PRESSURE, pfns, 1);
	vb->b.order = BALLOON_MAX_ORDER;
	return got;
}

/* One request to the host: up to @want pages, free memory first, the
 * rest (may_escalate) by reclaim -- not just what kswapd freed
 * meanwhile, which came 32 pages and one request at a time. */
static unsigned long inflate_batch(struct virtio_balloon *vb,
				   unsigned long want)
{
	unsigned long got = balloon_inflate(&vb->b, GFP_BALLOON_FREE,
					    vb->pfns, want);

	if (got < want && may_escalate(vb))
		got += inflate_under_pressure(vb, vb->pfns + got, want - got,
					      got);
	return got;
}

static void fill_balloon(struct virtio_balloon *vb, unsigned long want)
{
	unsigned long left = want;

	vb->b.order = BALLOON_MAX_ORDER;
	while (left) {
		unsigned long got = inflate_batch(vb, MIN(left, VB_PFN_MAX));

		if (!got)
			break;
		tell_host(vb, vb->inflate_vq, got);
		left -= got;
		update_actual(vb);
	}
	if (left && !vb->escalate_warned) {
		pr_warn("virtio_balloon: out of puff: %lu of %lu pages not "
			"inflated\n", left, want);
		vb->escalate_warned = true;
	}
}

static void leak_balloon(struct virtio_balloon *vb, unsigned long want)
{
	struct list_head out = LIST_HEAD_INIT(out);

	while (want) {
		unsigned long got = balloon_deflate(&vb->b, vb->pfns,
						    MIN(want, VB_PFN_MAX), &out);

		if (!got)
			break;
		tell_host(vb, vb->deflate_vq, got);
		balloon_release(&out, vb->zeroed);
		want -= got;
		update_actual(vb);
	}
}

static void update_balloon_size(struct virtio_balloon *vb)
{
	unsigned long target = virtio_cread32(&vb->vdev,
			offsetof(struct virtio_balloon_config, num_pages));
	unsigned long before = vb->b.nr_pages;
	uint64_t start = ktime_get_ns();

	if (target > before) {
		vb->escalate_warned = false;
		fill_balloon(vb, target - before);
	} else if (target < before) {
		leak_balloon(vb, before - target);
	}
	update_actual(vb);
	if (target != before)
		pr_info("virtio_balloon: %s %lu pages in %lu us, holding %lu\n",
			target > before ? "inflated" : "deflated",
			target > before ? vb->b.nr_pages - before :
					  before - vb->b.nr_pages,
			(unsigned long)((ktime_get_ns() - start) / 1000),
			vb->b.nr_pages);
}

/* ------------------------------------------------------------ deflate on OOM */

/* The OOM notifier: give up to VB_OOM_PAGES back at once. */
static unsigned long vb_oom_notify(void)
{
	struct virtio_balloon *vb = &vb_dev;
	struct list_head out = LIST_HEAD_INIT(out);
	struct virtq_buf buf;
	unsigned long got;
	unsigned int slot;

	vq_reap(vb->deflate_vq);
	for (slot = 0; slot < VB_OOM_SLOTS && vb->oom_req[slot].busy; slot++)
		;
	if (slot == VB_OOM_SLOTS)
		return 0;
	got = balloon_deflate(&vb->b, vb->oom_pfns + slot * VB_OOM_PAGES,
			      VB_OOM_PAGES, &out);
	if (!got)
		return 0;
	buf = (struct virtq_buf){ .addr = __pa(vb->oom_pfns + slot * VB_OOM_PAGES),
				  .len = (uint32_t)(got * sizeof(uint32_t)) };
	vb->oom_req[slot] = (struct vb_req){ .busy = true };
	if (!virtqueue_add(vb->deflate_vq, &buf, 1, &vb->oom_req[slot]))
		virtqueue_kick(vb->deflate_vq);
	else
		vb->oom_req[slot].busy = false;
	balloon_release(&out, false);	/* not acknowledged: not known zero */
	update_actual(vb);
	pr_info("virtio_balloon: out of memory: released %lu pages\n", got);
	return got;
}

/* ------------------------------------------------------------ offlining */

/* guest/mm gave up the block at @pfn (memory being offlined): tell the
 * host without waiting, have the thread re-inflate. */
static void vb_offlined(struct balloon_dev_info *b, pfn_t pfn,
			unsigned int order)
{
	struct virtio_balloon *vb = &vb_dev;
	unsigned long n = 1UL << order;
	struct virtq_buf buf;
	unsigned int slot;

	(void)b;
	vb->offl_pages += n;
	vq_reap(vb->deflate_vq);
	for (slot = 0; slot < VB_OFFL_SLOTS && vb->offl_req[slot].busy; slot++)
		;
	if (slot == VB_OFFL_SLOTS || n > VB_OFFL_PAGES) {
		vb->offl_untold += n;
	} else {
		uint32_t *pfns = vb->offl_pfns + slot * VB_OFFL_PAGES;

		balloon_fill_pfns(pfns, pfn, n);
		buf = (struct virtq_buf){ .addr = __pa(pfns),
					  .len = (uint32_t)(n * sizeof(uint32_t)) };
		vb->offl_req[slot] = (struct vb_req){ .busy = true };
		if (!virtqueue_add(vb->deflate_vq, &buf, 1, &vb->offl_req[slot]))
			virtqueue_kick(vb->deflate_vq);
		else
			vb->offl_req[slot].busy = false, vb->offl_untold += n;
	}
	vb->config_changed = true;
	wake_up_process(vb->thread);
}

/* The thread's side: say what was given up (re-inflation follows). */
static void offlined_report(struct virtio_balloon *vb)
{
	if (!vb->offl_pages)
		return;
	pr_info("virtio_balloon: gave up %lu pages of memory being offlined "
		"(%lu not told to the host), re-inflating elsewhere\n",
		vb->offl_pages, vb->offl_untold);
	vb->offl_pages = vb->offl_untold = 0;
	update_actual(vb);		/* the host sees the dip, then the refill */
}

/* ------------------------------------------------------------ stats */

static void set_stat(struct virtio_balloon *vb, unsigned int *i, uint16_t tag,
		     uint64_t val)
{
	vb->stats[*i].tag = tag;
	vb->stats[*i].val = val;
	(*i)++;
}

static void update_stats(struct virtio_balloon *vb)
{
	unsigned long majflt = global_vm_event(PGMAJFAULT);
	unsigned int i = 0;

	set_stat(vb, &i, VIRTIO_BALLOON_S_SWAP_IN, global_vm_event(PSWPIN) << PAGE_SHIFT);
	set_stat(vb, &i, VIRTIO_BALLOON_S_SWAP_OUT, global_vm_event(PSWPOUT) << PAGE_SHIFT);
	set_stat(vb, &i, VIRTIO_BALLOON_S_MAJFLT, majflt);
	set_stat(vb, &i, VIRTIO_BALLOON_S_MINFLT, global_vm_event(PGFAULT) - majflt);
	set_stat(vb, &i, VIRTIO_BALLOON_S_MEMFREE,
		 (uint64_t)global_page_state(NR_FREE_PAGES) << PAGE_SHIFT);
	set_stat(vb, &i, VIRTIO_BALLOON_S_MEMTOT, (uint64_t)totalram_pages << PAGE_SHIFT);
	set_stat(vb, &i, VIRTIO_BALLOON_S_AVAIL, (uint64_t)si_mem_available() << PAGE_SHIFT);
	set_stat(vb, &i, VIRTIO_BALLOON_S_CACHES,
		 (uint64_t)global_page_state(NR_FILE_PAGES) << PAGE_SHIFT);
	set_stat(vb, &i, VIRTIO_BALLOON_S_OOM_KILLS, global_vm_event(OOM_KILL));
	set_stat(vb, &i, VIRTIO_BALLOON_S_ALLOC_STALLS, global_vm_event(ALLOCSTALL_NORMAL));
}

/* (Re)offer the statistics buffer. */
static void stats_offer(struct virtio_balloon *vb)
{
	struct virtq_buf buf = { .addr = __pa(vb->stats), .len = sizeof(vb->stats) };

	update_stats(vb);
	vb->stats_req = (struct vb_req){ .busy = true };
	if (!virtqueue_add(vb->stats_vq, &buf, 1, &vb->stats_req))
		virtqueue_kick(vb->stats_vq);
}

/* ------------------------------------------------------------ reporting */

static void vb_report_notify(void)
{
	if (!vb_dev.report_wanted) {
		vb_dev.report_wanted = true;
		wake_up_process(vb_dev.thread);
	}
}

static void report_free_pages(struct virtio_balloon *vb)
{
	unsigned int n;

	do {
		n = page_reporting_isolate(vb->report, PAGE_REPORTING_CAPACITY);
		if (!n)
			return;
		if (n > vb->reporting_vq->num)
			n = vb->reporting_vq->num;	/* not expected: 32 */
		for (unsigned int i = 0; i < n; i++)
			vb->bufs[i] = (struct virtq_buf){
				.addr = page_to_pfn(vb->report[i]) << PAGE_SHIFT,
				.len = (uint32_t)(PAGE_SIZE << vb->report[i]->private),
				.write = true,
			};
		vb_send(vb, vb->reporting_vq, vb->bufs, n);
		page_reporting_putback(vb->report, n, vb->zeroed);
	} while (n == PAGE_REPORTING_CAPACITY);
}

/* ------------------------------------------------------------ thread, irq */

static bool vb_has_work(struct virtio_balloon *vb)
{
	return vb->config_changed || vb->stats_returned || vb->report_wanted;
}

static void __noreturn vb_thread(void *arg)
{
	struct virtio_balloon *vb = arg;

	cpu_sti();
	for (;;) {
		wait_event(vb_has_work(vb));
		if (vb->config_changed) {
			vb->config_changed = false;
			offlined_report(vb);
			update_balloon_size(vb);
		}
		if (vb->stats_returned) {
			vb->stats_returned = false;
			vq_reap(vb->stats_vq);
			if (!vb->stats_req.busy)
				stats_offer(vb);
		}
		if (vb->report_wanted) {
			vb->report_wanted = false;
			if (vb->reporting_vq)
				report_free_pages(vb);
		}
	}
}

static void vb_interrupt(void *ctx)
{
	struct virtio_balloon *vb = ctx;
	uint8_t isr = virtio_read_isr(&vb->vdev);

	if (!isr)
		return;				/* another device's line */
	if (isr & VIRTIO_PCI_ISR_CONFIG)
		vb->config_changed = true;
	if ((isr & VIRTIO_PCI_ISR_QUEUE) && vb->stats_vq &&
	    virtqueue_has_used(vb->stats_vq))
		vb->stats_returned = true;
	wake_up_process(vb->thread);
}

/* ------------------------------------------------------------ module parameter */

static int param_readdir(const char *rel, sysfs_emit_t emit, void *arg)
{
	if (*rel)
		return strcmp(rel, "oom_on_inflate") ? -ENOENT : -ENOTDIR;
	emit("oom_on_inflate", arg);
	return 0;
}

static int param_show(const char *rel, struct seq_buf *m)
{
	if (strcmp(rel, "oom_on_inflate"))
		return -ENOENT;
	seq_printf(m, "%c\n", oom_on_inflate ? 'Y' : 'N');
	return 0;
}

/* Linux's bool parameter: 0/1, y/n, Y/N. */
static int parse_bool(const char *s, bool *v)
{
	if (s[0] && s[1] && s[1] != '\n')
		return -EINVAL;
	if (s[0] == '1' || s[0] == 'y' || s[0] == 'Y')
		*v = true;
	else if (s[0] == '0' || s[0] == 'n' || s[0] == 'N')
		*v = false;
	else
		return -EINVAL;
	return 0;
}

static int param_store(const char *rel, const char *buf)
{
	if (strcmp(rel, "oom_on_inflate"))
		return -ENOENT;
	return parse_bool(buf, &oom_on_inflate);
}

static const struct sysfs_dir param_dir = {
	.path = "/sys/module/virtio_balloon/parameters",
	.readdir = param_readdir,
	.show = param_show,
	.store = param_store,
};

/* ------------------------------------------------------------ probe */

static bool ram_is_zeroed(void)
{
	char val[4];

	return cmdline_param(PVH_PARAM_ZEROED_RAM, val, sizeof(val)) &&
	       !strcmp(val, "1");
}

static int vb_setup_queues(struct virtio_balloon *vb, uint64_t offered)
{
	unsigned int rq = VQ_REPORTING +
		((offered >> VIRTIO_BALLOON_F_FREE_PAGE_HINT) & 1);

	vb->inflate_vq = virtio_setup_vq(&vb->vdev, VIRTIO_BALLOON_VQ_INFLATE, 128);
	vb->deflate_vq = virtio_setup_vq(&vb->vdev, VIRTIO_BALLOON_VQ_DEFLATE, 128);
	if (!vb->inflate_vq || !vb->deflate_vq)
		return -ENOMEM;
	if (virtio_has_feature(&vb->vdev, VIRTIO_BALLOON_F_STATS_VQ))
		vb->stats_vq = virtio_setup_vq(&vb->vdev, VIRTIO_BALLOON_VQ_STATS, 4);
	if (virtio_has_feature(&vb->vdev, VIRTIO_BALLOON_F_REPORTING))
		vb->reporting_vq = virtio_setup_vq(&vb->vdev, rq,
						   PAGE_REPORTING_CAPACITY);
	return 0;
}

static int vb_alloc(struct virtio_balloon *vb)
{
	struct page *p = alloc_pages(GFP_KERNEL, VB_PFN_ORDER);
	struct page *o = alloc_pages(GFP_KERNEL, 2);	/* 4 x 256 PFNs */
	struct page *f = alloc_pages(GFP_KERNEL, 2);	/* 8 x 512 PFNs */

	if (!p || !o || !f) {
		if (p)
			__free_pages(p, VB_PFN_ORDER);
		if (o)
			__free_pages(o, 2);
		if (f)
			__free_pages(f, 2);
		return -ENOMEM;
	}
	vb->pfns = page_address(p);
	vb->oom_pfns = page_address(o);
	vb->offl_pfns = page_address(f);
	return 0;
}

static int vb_probe(struct virtio_balloon *vb)
{
	uint64_t offered, want;
	int err;

	err = virtio_pci_probe(&vb->vdev, VIRTIO_ID_BALLOON);
	if (err)
		return err;
	offered = virtio_get_features(&vb->vdev);
	want = offered & ((1ull << VIRTIO_F_VERSION_1) |
			  (1ull << VIRTIO_BALLOON_F_STATS_VQ) |
			  (1ull << VIRTIO_BALLOON_F_DEFLATE_ON_OOM) |
			  (1ull << VIRTIO_BALLOON_F_REPORTING));
	err = virtio_finalize_features(&vb->vdev, want);
	if (!err)
		err = vb_alloc(vb);
	if (!err)
		err = vb_setup_queues(vb, offered);
	if (!err) {
		vb->thread = kthread_create("vballoon", vb_thread, vb);
		err = vb->thread ? 0 : -ENOMEM;
	}
	if (!err)
		err = pci_request_irq(vb->vdev.pci, vb_interrupt, vb);
	if (err)
		virtio_fail(&vb->vdev);
	return err;
}

int virtio_balloon_init(void)
{
	struct virtio_balloon *vb = &vb_dev;
	char val[4];
	int err;

	if (cmdline_param("virtio_balloon.oom_on_inflate", val, sizeof(val)))
		parse_bool(val, &oom_on_inflate);
	sysfs_register(&param_dir);
	balloon_init(&vb->b);
	vb->b.offlined = vb_offlined;
	vb->zeroed = ram_is_zeroed();
	err = vb_probe(vb);
	if (err) {
		pr_info("virtio_balloon: no virtio-balloon device found%s\n",
			err == -ENODEV ? "" : " usable");
		return err;
	}
	virtio_device_ready(&vb->vdev);
	if (vb->stats_vq)
		stats_offer(vb);
	if (virtio_has_feature(&vb->vdev, VIRTIO_BALLOON_F_DEFLATE_ON_OOM))
		oom_register_notifier(vb_oom_notify);
	if (vb->reporting_vq) {
		mm_hooks.page_reporting_notify = vb_report_notify;
		vb->report_wanted = true;
	}
	vb->config_changed = true;		/* a target may be set already */
	wake_up_process(vb->thread);
	pr_info("virtio_balloon: virtio-pci 0000:00:%02x.%u, features %#lx%s%s%s\n",
		vb->vdev.pci->dev, vb->vdev.pci->fn,
		(unsigned long)vb->vdev.features,
		vb->stats_vq ? ", stats" : "",
		virtio_has_feature(&vb->vdev, VIRTIO_BALLOON_F_DEFLATE_ON_OOM) ?
		", deflate-on-oom" : "",
		vb->reporting_vq ? ", free page reporting" : "");
	return 0;
}
