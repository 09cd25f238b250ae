/*
 * The virtio-blk device (virtio 1.2, 5.2), host side, behaving as QEMU's
 * virtio-blk-pci behind -drive file=PATH,if=virtio,format=raw, so one
 * guest driver works on both.
 *
 * What the guest sees: one virtio-pci function (virtio/) per --drive,
 * device id 0x1042, class 0x0100 (SCSI storage, as QEMU), one request
 * queue of 256 entries. Features: SEG_MAX (254), BLK_SIZE (512), FLUSH,
 * RO for readonly=on, INDIRECT_DESC, VERSION_1, and memvisor's own
 * MV_RELEASE (abi/virtio.h: a write that leaves its source pages zero,
 * for swap-out; cleared by the host after the write succeeded).
 * Configuration: capacity in
 * 512-byte sectors (the image's size at start, rounded down), seg_max,
 * blk_size.
 *
 * What the host does with a request (request.c): checks its shape
 * (malformed chains are given back with length 0 and counted), then
 * preadv/pwritev between the image and the guest's buffers themselves,
 * fdatasync for FLUSH, and answers with the status byte.
 *
 * Threads. Each drive has a worker thread of its own rather than the
 * VM's shared deferred-work thread (vm_defer): a disk request can block
 * for a long time (fdatasync, an image on a slow or network file system),
 * and on the shared thread it would hold up the balloon's and the hotplug
 * controller's work and every other drive's; with a thread per drive
 * drives proceed in parallel and a doorbell costs the vCPU one condition
 * signal. The doorbell (vCPU thread) sets `pending` and signals; the
 * worker takes a batch of requests under the transport's lock, does their
 * I/O without it, then gives them all back under it (unless the driver
 * reset the device in between: the queue's epoch) with one interrupt.
 *
 * An image in memory (tmpfs, ramfs: /dev/shm) is the exception: there a
 * request is a memory copy that cannot wait for a device, and the driver
 * that rang is about to wait for it anyway, so the ringing vCPU thread
 * works the queue itself unless another thread already is (`busy`). The
 * hand-off it saves costs two thread wake-ups per request (the worker,
 * then the halted vCPU): ~45 us each on the nested development host when
 * it is idle, milliseconds when it is shared (measured with perf and the
 * kvm tracepoints: docs/bench/reclaim.md). The worker still takes every
 * doorbell that finds the queue busy.
 *
 * An image on a disk's file system gets the same for the reads the
 * host's page cache holds: the ringing thread tries each read with
 * RWF_NOWAIT (request.c). The first request that would wait (a read of
 * what is not cached, any write or FLUSH) stops it: that request, popped
 * and parsed, is carried (d->carry) to the worker, which does it first
 * and goes on with the queue; the ones done already are answered at
 * once.
 * d->lock protects pending, busy, stop and the counters.
 *
 * Life cycle: create opens the image (read-only for readonly=on), sizes
 * it, registers the function and starts the worker; close stops the
 * worker (it finishes the batch in hand); destroy closes the image.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "abi/pci.h"
#include "blk/blk.h"
#include "blk/blk_internal.h"
#include "vmm/pci.h"
#include "vmm/qmp.h"
#include "vmm/vm.h"

/* ------------------------------------------------------------ config space */

static void config_read(void *opaque, uint64_t off, void *data,
			unsigned int len)
{
	struct blk_drive *d = opaque;
	struct virtio_blk_config cfg = {
		.capacity = d->img.capacity,
		.seg_max = BLK_SEG_MAX,
		.blk_size = VIRTIO_BLK_SECTOR_SIZE,
		.num_queues = 1,
	};

	memset(data, 0, len);
	if (off < sizeof(cfg))
		memcpy(data, (uint8_t *)&cfg + off,
		       len < sizeof(cfg) - off ? len : sizeof(cfg) - off);
}

/* ------------------------------------------------------------ the queue */

void blk_get_counters(struct blk_drive *d, struct blk_counters *out)
{
	pthread_mutex_lock(&d->lock);
	*out = d->cnt;
	pthread_mutex_unlock(&d->lock);
}

static void add_counters(struct blk_drive *d, const struct blk_counters *c)
{
	pthread_mutex_lock(&d->lock);
	blk_counters_add(&d->cnt, c);
	pthread_mutex_unlock(&d->lock);
}

/*
 * MV_OUT_RELEASE done: the guest was promised its pages read zero now.
 * The host clears them itself (native memset, ~0.1 ms per 2 MiB) rather
 * than punching holes: a page swapped out is taken again soon by the same
 * guest under pressure, and a hole would cost a host fault and a KVM
 * mapping fault per 4 KiB on that next touch (measured with bench reclaim
 * on the nested KVM: holes 155 MB/s out and 88 in, clearing 170 and 97).
 * Giving memory back to the host is the balloon's job, not swap's.
 */
static void release_pages(const struct blk_req *req, struct blk_counters *c)
{
	for (unsigned int i = 0; i < req->niov; i++) {
		memset(req->iov[i].iov_base, 0, req->iov[i].iov_len);
		c->released += req->iov[i].iov_len;
	}
}

/* Under nothing: pop the next request (the transport's lock taken for
 * the pop only). 1, 0 (none, or the queue was reset since @epoch), or
 * -EINVAL (malformed; d->el->head says whether to give it back). */
static int pop_one(struct blk_drive *d, uint32_t epoch)
{
	struct virtq *vq;
	int r = 0;

	virtio_pci_lock(d->vp);
	vq = __virtio_pci_queue(d->vp, VIRTIO_BLK_VQ_REQUEST);
	if (vq->ready && vq->epoch == epoch) {
		r = virtq_pop(vq, d->mem, d->el);
		if (r == -EIO) {
			__virtio_pci_needs_reset(d->vp);
			r = 0;
		}
	}
	virtio_pci_unlock(d->vp);
	return r;
}

/* Do the popped, parsed request in d->el/d->req into slot @n (releasing
 * its pages after an MV_OUT_RELEASE). With @nowait, false if it would
 * have waited: nothing is done, and the request stays for the worker. */
static bool execute(struct blk_drive *d, size_t n, bool nowait,
		    struct blk_counters *c)
{
	uint8_t status;

	if (!nowait)
		status = blk_execute(&d->img, d->req, &d->lens[n], c);
	else if (!blk_execute_nowait(&d->img, d->req, &d->lens[n], &status, c))
		return false;
	if (status == VIRTIO_BLK_S_OK && blk_req_releases(d->req))
		release_pages(d->req, c);
	return true;
}

/*
 * One batch: every request the driver has offered (up to a queue's
 * worth), each popped under the transport's lock and done without it
 * (so the vCPU's ISR reads and doorbells never wait for the disk); then
 * all given back at once with one interrupt. A request carried from a
 * ringer goes first (dropped if the driver reset the queue since). With
 * @nowait (the ringer), the batch ends at the first request that would
 * wait, carried for the worker, or at once if one is carried already.
 * True if there may be more.
 */
static bool process_batch(struct blk_drive *d, bool nowait)
{
	struct blk_counters c = { 0 };
	struct virtq *vq;
	uint32_t epoch;
	size_t n = 0, i;
	bool stopped = false;
	int r;

	virtio_pci_lock(d->vp);
	vq = __virtio_pci_queue(d->vp, VIRTIO_BLK_VQ_REQUEST);
	if (!vq || !vq->ready || !__virtio_pci_driver_ok(d->vp)) {
		d->carry = false;
		virtio_pci_unlock(d->vp);
		return false;
	}
	epoch = vq->epoch;
	virtio_pci_unlock(d->vp);

	if (d->carry && nowait)
		return false;                   /* the worker's, first */
	if (d->carry) {
		d->carry = false;
		if (d->carry_epoch == epoch) {
			d->heads[n] = d->el->head;
			execute(d, n++, false, &c);
		}
	}
	while (n < BLK_QUEUE_SIZE && (r = pop_one(d, epoch)) != 0) {
		if (d->el->head == VIRTQ_NO_HEAD) {
			c.bad_requests++;
			continue;
		}
		d->heads[n] = d->el->head;
		d->lens[n] = 0;
		if (r < 0 || blk_parse_request(d->el, d->req)) {
			c.bad_requests++;
		} else if (!execute(d, n, nowait, &c)) {
			d->carry = true;
			d->carry_epoch = epoch;
			stopped = true;
			break;
		}
		n++;
	}

	virtio_pci_lock(d->vp);
	vq = __virtio_pci_queue(d->vp, VIRTIO_BLK_VQ_REQUEST);
	if (vq->epoch == epoch && n) {
		for (i = 0; i < n; i++)
			virtq_push(vq, d->heads[i], d->lens[i]);
		__virtio_pci_notify(d->vp, VIRTIO_BLK_VQ_REQUEST);
	}
	virtio_pci_unlock(d->vp);
	add_counters(d, &c);
	return n == BLK_QUEUE_SIZE && !stopped;
}

void blk_drive_process(struct blk_drive *d)
{
	while (process_batch(d, false))
		;
}

/* Under d->lock, which it drops meanwhile: work the queue as its only
 * user (d->el, d->req), @nowait if this is the ringer of a disk image's
 * (a request carried from it is the worker's), then wake a worker
 * waiting for it. */
static void __process_busy(struct blk_drive *d, bool nowait)
{
	d->busy = true;
	pthread_mutex_unlock(&d->lock);
	while (process_batch(d, nowait))
		;
	pthread_mutex_lock(&d->lock);
	d->busy = false;
	if (d->carry)
		d->pending = true;
	pthread_cond_broadcast(&d->cond);
}

static void *worker(void *arg)
{
	struct blk_drive *d = arg;

	pthread_mutex_lock(&d->lock);
	for (;;) {
		while ((!d->pending || d->busy) && !d->stop)
			pthread_cond_wait(&d->cond, &d->lock);
		if (d->stop)
			break;
		d->pending = false;
		__process_busy(d, false);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

static void blk_notify(void *opaque, unsigned int q)
{
	struct blk_drive *d = opaque;

	if (!d->threaded) {                 /* unit tests: inline, */
		while (d->nowait && process_batch(d, true))
			;                       /* the ringer's part, */
		blk_drive_process(d);            /* then the worker's */
		return;
	}
	pthread_mutex_lock(&d->lock);
	if ((d->in_memory || d->nowait) && !d->busy) {
		__process_busy(d, d->nowait);    /* on this vCPU thread */
	} else if (!d->pending) {
		d->pending = true;
		pthread_cond_signal(&d->cond);
	}
	pthread_mutex_unlock(&d->lock);
}

static const struct virtio_dev_ops blk_virtio_ops = {
	.config_read = config_read,
	.notify = blk_notify,
};

/* ------------------------------------------------------------ life cycle */

/* Is @fd's file in memory (tmpfs, ramfs), so its I/O never waits for a
 * device? Not asked of block devices (their node's file system, /dev, is
 * a tmpfs too; brd and zram are left to the worker). */
static bool image_in_memory(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf))
		return false;
	return sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC;
}

/* Open the image and size it. */
static int open_image(struct blk_drive *d, const struct blk_drive_config *dc,
		      struct errmsg *e)
{
	struct stat st;
	uint64_t size;

	d->img.fd = open(dc->file, (dc->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (d->img.fd < 0)
		return errmsg_user(e, -errno, "--drive: cannot open '%s'%s: %s",
				   dc->file, dc->readonly ? "" : " for writing",
				   strerror(errno));
	if (fstat(d->img.fd, &st))
		return errmsg_set(e, -errno, "--drive: cannot stat '%s': %s",
				  dc->file, strerror(errno));
	d->img.is_bdev = S_ISBLK(st.st_mode);
	if (!d->img.is_bdev && !S_ISREG(st.st_mode))
		return errmsg_user(e, -EINVAL, "--drive: '%s' is not a regular file or a block device",
				   dc->file);
	size = st.st_size;
	if (d->img.is_bdev && ioctl(d->img.fd, BLKGETSIZE64, &size))
		return errmsg_set(e, -errno, "--drive: cannot size '%s': %s",
				  dc->file, strerror(errno));
	d->size = size;
	d->in_memory = !d->img.is_bdev && image_in_memory(d->img.fd);
	d->nowait = !d->img.is_bdev && !d->in_memory;
	d->img.capacity = size >> VIRTIO_BLK_SECTOR_SHIFT;
	d->img.readonly = dc->readonly;
	return 0;
}

static int setup_device(struct blk_drive *d, struct pci_bus *pb,
			struct errmsg *e)
{
	struct virtio_pci_desc vd = {
		.name = "virtio-blk", .device_type = VIRTIO_ID_BLOCK,
		.class_code = PCI_CLASS_STORAGE_SCSI,
		.features = 1ull << VIRTIO_BLK_F_SEG_MAX |
			    1ull << VIRTIO_BLK_F_BLK_SIZE |
			    1ull << VIRTIO_BLK_F_FLUSH |
			    1ull << VIRTIO_F_INDIRECT_DESC |
			    1ull << VIRTIO_BLK_F_MV_RELEASE |
			    (uint64_t)d->img.readonly << VIRTIO_BLK_F_RO,
		.num_queues = 1,
		.queue_max = { BLK_QUEUE_SIZE },
		.ops = &blk_virtio_ops, .opaque = d,
	};

	d->el = malloc(sizeof(*d->el));
	d->req = malloc(sizeof(*d->req));
	if (!d->el || !d->req)
		return errmsg_set(e, -ENOMEM, "out of memory");
	d->vp = virtio_pci_create(pb, d->mem, &vd, e);
	return d->vp ? 0 : -EINVAL;
}

static int start_worker(struct blk_drive *d, struct errmsg *e)
{
	int ret = pthread_create(&d->worker, NULL, worker, d);

	if (ret)
		return errmsg_set(e, -ret, "--drive: cannot start the I/O thread: %s",
				  strerror(ret));
	d->threaded = true;
	return 0;
}

struct blk_drive *blk_drive_new(const struct blk_drive_config *dc,
				unsigned int index, struct vm *vm,
				struct guest_mem *mem, struct pci_bus *pb,
				struct errmsg *e)
{
	struct blk_drive *d = calloc(1, sizeof(*d));
	char name[24];

	if (!d) {
		errmsg_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	d->index = index;
	d->mem = mem;
	d->img.fd = -1;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	snprintf(name, sizeof(name), "virtio%u", index);
	d->file = strdup(dc->file);
	d->id = strdup(dc->id ? dc->id : name);
	if (!d->file || !d->id) {
		errmsg_set(e, -ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(d->img.serial, d->id, strnlen(d->id, sizeof(d->img.serial)));
	if (open_image(d, dc, e) || setup_device(d, pb, e) ||
	    (vm && start_worker(d, e)))
		goto fail;
	return d;
fail:
	blk_drive_free(d);
	return NULL;
}

void blk_drive_stop(struct blk_drive *d)
{
	if (!d->threaded)
		return;
	pthread_mutex_lock(&d->lock);
	d->stop = true;
	pthread_cond_signal(&d->cond);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->worker, NULL);
	d->threaded = false;
}

void blk_drive_free(struct blk_drive *d)
{
	if (!d)
		return;
	blk_drive_stop(d);
	virtio_pci_destroy(d->vp);
	if (d->img.fd >= 0)
		close(d->img.fd);
	free(d->el);
	free(d->req);
	free(d->file);
	free(d->id);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* ------------------------------------------------------------ the device */

enum { OPT_DRIVE };

static const struct cli_option blk_options[] = {
	{ "drive", "file=PATH[,readonly=on][,id=ID]",
	  "a raw disk image (or block device) as a virtio-blk disk,\n"
	  "/dev/vda, /dev/vdb, ... in the guest, in the order given;\n"
	  "repeatable (QEMU: -drive file=PATH,if=virtio,format=raw)", OPT_DRIVE },
	{ 0 },
};

static void blk_dev_config_init(void *cfg)
{
	blk_config_init(cfg);
}

static int blk_dev_config_parse(void *cfg, int key, const char *arg,
				struct errmsg *e)
{
	return blk_parse_drive(cfg, arg, e);
}

static int blk_dev_config_finish(void *cfg, const struct vm_config *vm,
				 struct errmsg *e)
{
	return blk_config_check(cfg, e);
}

static void blk_dev_destroy(void *dev);

static void *blk_dev_create(struct vm *vm, const void *cfg, struct errmsg *e)
{
	const struct blk_config *c = cfg;
	struct blk *b = calloc(1, sizeof(*b));
	unsigned int i;

	if (!b) {
		errmsg_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < c->nr; i++) {
		b->drive[i] = blk_drive_new(&c->drive[i], i, vm, &vm->mem,
					    vm->pci, e);
		if (!b->drive[i]) {
			blk_dev_destroy(b);
			return NULL;
		}
		b->nr++;
	}
	return b;
}

static int blk_dev_qmp(void *dev, struct qmp_server *srv, struct errmsg *e)
{
	int ret = blk_qmp_register(dev, srv);

	return ret ? errmsg_set(e, ret, "QMP: cannot register query-block: %s",
				strerror(-ret)) : 0;
}

static void blk_dev_close(void *dev)
{
	struct blk *b = dev;
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		blk_drive_stop(b->drive[i]);
}

static void blk_dev_destroy(void *dev)
{
	struct blk *b = dev;
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		blk_drive_free(b->drive[i]);
	free(b);
}

const struct device_ops blk_device = {
	.name = "blk",
	.cli_title = "disks (as QEMU's -drive file=PATH,if=virtio,format=raw)",
	.cli_options = blk_options,
	.config_size = sizeof(struct blk_config),
	.config_init = blk_dev_config_init,
	.config_parse = blk_dev_config_parse,
	.config_finish = blk_dev_config_finish,
	.create = blk_dev_create,
	.qmp = blk_dev_qmp,
	.close = blk_dev_close,
	.destroy = blk_dev_destroy,
};
