/*
 * The kernel's side of swap and reclaim (guest/mm/swapfile.c and
 * vmscan.c hold the algorithms):
 *
 *   - swap I/O for guest/mm (mm_hooks.swap_rw): runs of (slot, physical
 *     address, length) become bios straight on the pages -- a run whose
 *     slots continue the previous one's joins its bio as another segment
 *     -- submitted under one plug (one doorbell), then waited for by
 *     polling the disk (bio_poll), halting with interrupts on (sti; hlt)
 *     while it has nothing, never by scheduling: the
 *     caller may hold an mm->lock, and a task parked in the middle of a
 *     pageout could be killed under it.  The CPU is idle meanwhile.
 *     Swap writes are REQ_OP_WRITE_RELEASE where the disk offers it
 *     (memvisor): the device leaves the pages zero, and guest/mm frees
 *     them as known-zero (mm_hooks.swap_write_releases);
 *   - the shell's swapon DEV / swapoff DEV, /proc/swaps;
 *   - /proc/sys/vm/swappiness and min_free_kbytes (cat and echo), and
 *     drop_caches (echo 1 or 3: drop the clean page cache);
 *   - page cache I/O for guest/mm (mm_hooks.filemap_rw): swap_rw's
 *     machinery, the slot being the page offset on the disk;
 *   - kswapd: one kernel thread per node ([kswapd0]), started by the
 *     first swapon or the first page cache fill (blk_cmds.c; without
 *     either it has nothing to reclaim), woken by the allocator below the low watermark
 *     (mm_hooks.wakeup_kswapd) and running kswapd_balance() rounds,
 *     letting other tasks run between them, until the node is above its
 *     high watermarks;
 *   - direct reclaim: mm_hooks.try_to_free_pages = guest/mm's.
 */
#include "kernel/swap.h"
#include "include/errno.h"
#include "kernel/blkdev.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/shell.h"
#include "kernel/string.h"
#include "kernel/sysfs.h"
#include "mm/mm.h"

#define SWAP_MAX_BIOS		256
#define SECTORS_PER_PAGE	(PAGE_SIZE >> SECTOR_SHIFT)

static struct bio swap_bios[SWAP_MAX_BIOS];
static struct bio_vec swap_vecs[SWAP_MAX_BIOS];
static volatile unsigned int swap_pending;	/* bios not yet ended */
static volatile int swap_status;		/* first error */

static struct task_struct *kswapd_task[MAX_NUMNODES];
static volatile bool kswapd_wanted[MAX_NUMNODES];

/* ---------------------------------------------------------- swap I/O */

static void swap_end_io(struct bio *bio)
{
	if (bio->status && !swap_status)
		swap_status = bio->status;
	swap_pending--;
}

/* Until every bio has ended: polling the disk (a device that has them
 * done already costs no interrupt), halting with interrupts on when it
 * has none yet; never scheduling. */
static void swap_wait(struct gendisk *disk)
{
	uint64_t flags = cpu_irq_save();

	while (swap_pending)
		if (!bio_poll(disk))
			cpu_sti_hlt();
	cpu_cli();
	cpu_irq_restore(flags);
}

/* Bios for the runs of @iov, merging runs whose slots continue. */
static unsigned int swap_build(struct gendisk *disk, enum req_op op,
			       const struct swap_iov *iov, unsigned int n)
{
	unsigned int nb = 0;
	unsigned long next_slot = ~0UL;

	for (unsigned int i = 0; i < n; i++) {
		struct bio *bio = nb ? &swap_bios[nb - 1] : NULL;

		swap_vecs[i].addr = iov[i].addr;
		swap_vecs[i].len = (uint32_t)iov[i].len;
		if (bio && iov[i].slot == next_slot &&
		    bio->vcnt < disk->max_segments) {
			bio->vcnt++;
		} else {
			bio = &swap_bios[nb++];
			*bio = (struct bio){
				.disk = disk,
				.sector = (uint64_t)iov[i].slot *
					  SECTORS_PER_PAGE,
				.op = op,
				.vcnt = 1,
				.vec = &swap_vecs[i],
				.end_io = swap_end_io,
				.polled = true,
			};
		}
		next_slot = iov[i].slot + (iov[i].len >> PAGE_SHIFT);
	}
	return nb;
}

/* Do the @n runs of @iov as @op bios on @disk, all before returning. */
static int bio_rw(struct gendisk *disk, enum req_op op,
		  const struct swap_iov *iov, unsigned int n)
{
	unsigned int nb;

	if (n > SWAP_MAX_BIOS)
		return -EINVAL;
	nb = swap_build(disk, op, iov, n);
	swap_status = 0;
	swap_pending = nb;
	blk_start_plug(disk);
	for (unsigned int i = 0; i < nb; i++) {
		int err = submit_bio(&swap_bios[i]);

		if (err) {			/* no end_io for this one */
			uint64_t flags = cpu_irq_save();

			swap_pending--;
			if (!swap_status)
				swap_status = err;
			cpu_irq_restore(flags);
		}
	}
	blk_finish_plug(disk);
	swap_wait(disk);
	return swap_status ? -EIO : 0;
}

/* mm_hooks.swap_rw: a write releases its pages where the disk can. */
static int swap_rw(void *bdev, bool write, const struct swap_iov *iov,
		   unsigned int n)
{
	struct gendisk *disk = bdev;
	enum req_op op = !write ? REQ_OP_READ :
			 disk->release ? REQ_OP_WRITE_RELEASE : REQ_OP_WRITE;

	return bio_rw(disk, op, iov, n);
}

static bool swap_write_releases(void *bdev)
{
	return ((struct gendisk *)bdev)->release;
}

/* mm_hooks.filemap_rw: the page cache keeps its pages, never releases. */
static int filemap_rw(void *bdev, bool write, const struct swap_iov *iov,
		      unsigned int n)
{
	return bio_rw(bdev, write ? REQ_OP_WRITE : REQ_OP_READ, iov, n);
}

/* ------------------------------------------------------------ kswapd */

static void kswapd(void *arg)
{
	int nid = (int)(long)arg;

	for (;;) {
		wait_event(kswapd_wanted[nid]);
		kswapd_wanted[nid] = false;
		while (kswapd_balance(nid))
			schedule();		/* let the others run */
	}
}

static void wakeup_kswapd(struct zone *zone, unsigned int order)
{
	int nid = zone->zone_pgdat->node_id;

	(void)order;
	if (kswapd_task[nid] && !kswapd_wanted[nid]) {
		kswapd_wanted[nid] = true;
		wake_up_process(kswapd_task[nid]);
	}
}

void kswapd_start(void)
{
	static const char *const names[] = { "kswapd0", "kswapd1",
					     "kswapd2", "kswapd3" };

	for (int nid = 0; nid < MAX_NUMNODES && nid < 4; nid++) {
		if (!node_data[nid].online || kswapd_task[nid])
			continue;
		kswapd_task[nid] = kthread_create(names[nid], kswapd,
						  (void *)(long)nid);
		if (!kswapd_task[nid])
			pr_err("kswapd%d: no memory for the thread\n", nid);
	}
}

/* ------------------------------------------------ the shell and /proc */

/* "/dev/" + the disk name of @arg ("vdb" or "/dev/vdb") into @dst. */
static void dev_path(char *dst, size_t size, const char *arg)
{
	size_t i = 5;

	if (!strncmp(arg, "/dev/", 5))
		arg += 5;
	memcpy(dst, "/dev/", 5);
	while (*arg && i < size - 1)
		dst[i++] = *arg++;
	dst[i] = '\0';
}

/*
 * Is @disk in use by the page cache?  Swap writes go around the cache, so
 * a task's MAP_SHARED mapping of the disk, or pages cached from it, would
 * go on showing bytes swap has overwritten: refused, -EBUSY, as Linux
 * refuses a device someone holds.  (Says why, once.)
 */
static int swapon_busy(struct gendisk *disk, const char *name)
{
	struct address_space *m = disk->page_cache;

	if (!m)
		return 0;
	if (filemap_mapped(m)) {
		shell_printf("swapon: %s: device is busy (mapped by a task)\n",
			     name);
		return -EBUSY;
	}
	if (filemap_nrpages(m)) {
		shell_printf("swapon: %s: device is busy (%lu pages of it in "
			     "the page cache; echo 1 > "
			     "/proc/sys/vm/drop_caches drops them)\n", name,
			     filemap_nrpages(m));
		return -EBUSY;
	}
	return 0;
}

static int cmd_swapon(int argc, char **argv)
{
	struct gendisk *disk = argc == 2 ? get_disk(argv[1]) : NULL;
	char name[DISK_NAME_LEN + 5];
	int err;

	if (argc != 2) {
		shell_printf("usage: swapon /dev/vdX\n");
		return -EINVAL;
	}
	if (!disk) {
		shell_printf("swapon: %s: no such disk\n", argv[1]);
		return -ENODEV;
	}
	if (disk->ro) {
		shell_printf("swapon: %s: read-only disk\n", argv[1]);
		return -EROFS;
	}
	dev_path(name, sizeof(name), disk->disk_name);
	err = swapon_busy(disk, name);
	if (err)
		return err;
	err = swapon(disk, name, (unsigned long)(disk->capacity /
						 SECTORS_PER_PAGE));
	if (err)
		shell_printf("swapon: %s: %s\n", name, err == -EBUSY ?
		       "already in use" : err == -EINVAL ? "too small" :
		       "cannot add swap");
	else
		kswapd_start();
	return err;
}

static int cmd_swapoff(int argc, char **argv)
{
	char name[DISK_NAME_LEN + 5];
	int err;

	if (argc != 2) {
		shell_printf("usage: swapoff /dev/vdX\n");
		return -EINVAL;
	}
	dev_path(name, sizeof(name), argv[1]);
	err = swapoff(name);
	if (err == -EINVAL)
		shell_printf("swapoff: %s: not a swap device\n", argv[1]);
	else if (err)
		shell_printf("swapoff: %s: cannot bring every page back (%s)\n",
		       argv[1], err == -ENOMEM ? "out of memory" : "busy");
	return err;
}

static const struct shell_cmd swap_cmds[] = {
	{ "swapon", cmd_swapon, "use a whole disk as swap: swapon /dev/vdb" },
	{ "swapoff", cmd_swapoff, "bring its pages back, stop: swapoff /dev/vdb" },
};

static void swaps_show(struct seq_buf *m)
{
	size_t room = m->size - m->len;
	int n = mm_show_swaps(m->buf + m->len, room);

	if (n >= 0)
		m->len += (size_t)n < room ? (size_t)n : room - 1;
}

static const struct proc_file swaps_file = { "/proc/swaps", swaps_show };

/* /proc/sys/vm: the reclaim tunables. */
static int vm_readdir(const char *rel, sysfs_emit_t emit, void *arg)
{
	if (*rel)
		return -ENOTDIR;
	emit("drop_caches", arg);
	emit("min_free_kbytes", arg);
	emit("swappiness", arg);
	return 0;
}

static int vm_show(const char *rel, struct seq_buf *m)
{
	if (!strcmp(rel, "swappiness"))
		seq_printf(m, "%d\n", vm_swappiness);
	else if (!strcmp(rel, "min_free_kbytes"))
		seq_printf(m, "%d\n", min_free_kbytes);
	else if (!strcmp(rel, "drop_caches"))
		seq_printf(m, "0\n");
	else
		return *rel ? -ENOENT : -EISDIR;
	return 0;
}

static int vm_store(const char *rel, const char *buf)
{
	unsigned long long v;
	char num[24];
	size_t i;

	for (i = 0; i < sizeof(num) - 1 && buf[i] && buf[i] != '\n'; i++)
		num[i] = buf[i];
	num[i] = '\0';
	if (kstrtoull(num, &v))
		return -EINVAL;
	if (!strcmp(rel, "swappiness")) {
		if (v > 200)
			return -EINVAL;
		vm_swappiness = (int)v;
		return 0;
	}
	if (!strcmp(rel, "drop_caches")) {
		if (v < 1 || v > 3)
			return -EINVAL;
		if (v & 1)
			drop_pagecache();
		return 0;
	}
	if (!strcmp(rel, "min_free_kbytes"))
		return v > 1048576 ? -EINVAL : set_min_free_kbytes((int)v);
	return -ENOENT;
}

static const struct sysfs_dir vm_dir = {
	.path = "/proc/sys/vm",
	.readdir = vm_readdir,
	.show = vm_show,
	.store = vm_store,
};

void swap_init(void)
{
	mm_hooks.swap_rw = swap_rw;
	mm_hooks.swap_write_releases = swap_write_releases;
	mm_hooks.filemap_rw = filemap_rw;
	mm_hooks.try_to_free_pages = try_to_free_pages;
	mm_hooks.wakeup_kswapd = wakeup_kswapd;
	for (unsigned int i = 0; i < ARRAY_SIZE(swap_cmds); i++)
		shell_register(&swap_cmds[i]);
	proc_register(&swaps_file);
	sysfs_register(&vm_dir);
}
