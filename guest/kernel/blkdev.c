/*
 * The block layer (kernel/blkdev.h): the table of disks, bio submission
 * and completion, the synchronous helpers, and what Linux users read
 * about disks: /proc/partitions and /sys/block/<disk>/{size,ro,stat}.
 *
 * disks[] holds the registered disks in the order they were added, which
 * names them: vda, vdb, ... (one driver, virtio-blk, so one prefix).
 * submit_bio() checks what every driver would (runs present, whole
 * sectors, not a write to a read-only disk) and hands the bio to its
 * driver with interrupts off, since the driver's queue is shared with its
 * interrupt handler. bio_endio() counts and runs the callback. A sleeping
 * waiter (submit_bio_wait) is woken by its bio's callback; the condition
 * it sleeps on (bio->done) is set in the same interrupt-off section as
 * the wake-up, so no wake-up is lost (kernel/sched.h's wait_event).
 */
#include "kernel/blkdev.h"
#include "include/errno.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/string.h"
#include "kernel/swap.h"
#include "kernel/sysfs.h"
#include "mm/mm.h"

static struct gendisk *disks[MAX_DISKS];
static unsigned int nr_disks;

int add_disk(struct gendisk *disk)
{
	if (nr_disks == MAX_DISKS)
		return -ENOSPC;
	disk->disk_name[0] = 'v';
	disk->disk_name[1] = 'd';
	disk->disk_name[2] = (char)('a' + nr_disks);
	disk->disk_name[3] = '\0';
	disk->major = VIRTBLK_MAJOR;
	disk->first_minor = (int)(nr_disks * DISK_MINORS);
	disks[nr_disks++] = disk;
	return 0;
}

struct address_space *disk_page_cache(struct gendisk *disk)
{
	if (!disk->page_cache) {
		disk->page_cache = filemap_create(disk, (unsigned long)
				(disk->capacity >> (PAGE_SHIFT - SECTOR_SHIFT)));
		if (disk->page_cache)
			kswapd_start();
	}
	return disk->page_cache;
}

struct gendisk *get_disk(const char *name)
{
	if (!strncmp(name, "/dev/", 5))
		name += 5;
	for (unsigned int i = 0; i < nr_disks; i++)
		if (!strcmp(disks[i]->disk_name, name))
			return disks[i];
	return NULL;
}

struct gendisk *disk_by_index(unsigned int i)
{
	return i < nr_disks ? disks[i] : NULL;
}

/* ------------------------------------------------------------ bios */

static int bio_check(const struct bio *bio)
{
	const struct gendisk *disk = bio->disk;
	uint64_t bytes = 0;

	if (bio->op == REQ_OP_FLUSH)
		return bio->vcnt ? -EINVAL : (disk->flush ? 0 : -EOPNOTSUPP);
	if (bio->op == REQ_OP_WRITE_RELEASE && !disk->release)
		return -EOPNOTSUPP;
	if (bio->op != REQ_OP_READ && bio->op != REQ_OP_WRITE &&
	    bio->op != REQ_OP_WRITE_RELEASE)
		return -EINVAL;
	if (!bio->vcnt || bio->vcnt > disk->max_segments)
		return -EINVAL;
	if (bio->op != REQ_OP_READ && disk->ro)
		return -EROFS;
	for (unsigned int i = 0; i < bio->vcnt; i++)
		bytes += bio->vec[i].len;
	return bytes & (SECTOR_SIZE - 1) ? -EINVAL : 0;
}

int submit_bio(struct bio *bio)
{
	uint64_t flags;
	int err = bio_check(bio);

	if (err)
		return err;
	bio->status = 0;
	bio->next = NULL;
	flags = cpu_irq_save();
	err = bio->disk->fops->submit_bio(bio->disk, bio);
	cpu_irq_restore(flags);
	return err;
}

void bio_endio(struct bio *bio, int status)
{
	struct disk_stats *st = &bio->disk->stats;
	uint64_t bytes = 0;

	bio->status = status;
	if (status) {
		st->errors++;
	} else if (bio->op == REQ_OP_FLUSH) {
		st->flushes++;
	} else {
		for (unsigned int i = 0; i < bio->vcnt; i++)
			bytes += bio->vec[i].len;
		st->ios[bio->op != REQ_OP_READ]++;	/* a release is a write */
		st->sectors[bio->op != REQ_OP_READ] += bytes >> SECTOR_SHIFT;
	}
	if (bio->end_io)
		bio->end_io(bio);
}

int bio_poll(struct gendisk *disk)
{
	return disk->fops->poll ? disk->fops->poll(disk) : 0;
}

static void bio_wake(struct bio *bio)
{
	bio->done = true;
	wake_up_process(bio->waiter);
}

int submit_bio_wait(struct bio *bio)
{
	int err;

	bio->end_io = bio_wake;
	bio->waiter = current;
	bio->done = false;
	err = submit_bio(bio);
	if (err)
		return err;
	wait_event(bio->done);
	return bio->status;
}

int blkdev_rw(struct gendisk *disk, enum req_op op, uint64_t sector,
	      void *buf, uint32_t len)
{
	struct bio_vec v = { .addr = __pa(buf), .len = len };
	struct bio bio = { .disk = disk, .sector = sector, .op = op,
			   .vcnt = 1, .vec = &v };

	return submit_bio_wait(&bio);
}

int blkdev_issue_flush(struct gendisk *disk)
{
	struct bio bio = { .disk = disk, .op = REQ_OP_FLUSH };
	int err = submit_bio_wait(&bio);

	return err == -EOPNOTSUPP ? 0 : err;
}

void blk_start_plug(struct gendisk *disk)
{
	disk->plugged++;
}

void blk_finish_plug(struct gendisk *disk)
{
	uint64_t flags;

	if (--disk->plugged)
		return;
	flags = cpu_irq_save();
	disk->fops->unplug(disk);
	cpu_irq_restore(flags);
}

/* ------------------------------------------------------------ /proc, /sys */

/* As Linux's: 1 KiB blocks, whole disks only (no partition tables). */
static void partitions_show(struct seq_buf *m)
{
	seq_printf(m, "major minor  #blocks  name\n\n");
	for (unsigned int i = 0; i < nr_disks; i++)
		seq_printf(m, "%4d  %7d %10lu %s\n", disks[i]->major,
			   disks[i]->first_minor,
			   (unsigned long)(disks[i]->capacity >> 1),
			   disks[i]->disk_name);
}

static const struct proc_file partitions_file = {
	"/proc/partitions", partitions_show
};

static const char *const block_attrs[] = { "dev", "ro", "size", "stat" };

/* The disk @rel names and the attribute after it ("" for the directory);
 * NULL if none. */
static struct gendisk *split_rel(const char *rel, const char **attr)
{
	char name[DISK_NAME_LEN];
	const char *slash = strchr(rel, '/');
	size_t n = slash ? (size_t)(slash - rel) : strlen(rel);

	if (n >= sizeof(name))
		return NULL;
	memcpy(name, rel, n);
	name[n] = '\0';
	*attr = slash ? slash + 1 : "";
	return get_disk(name);
}

static int block_readdir(const char *rel, sysfs_emit_t emit, void *arg)
{
	const char *attr;
	struct gendisk *disk;

	if (!*rel) {
		for (unsigned int i = 0; i < nr_disks; i++)
			emit(disks[i]->disk_name, arg);
		return 0;
	}
	disk = split_rel(rel, &attr);
	if (!disk)
		return -ENOENT;
	if (*attr)
		return -ENOTDIR;
	for (unsigned int i = 0; i < ARRAY_SIZE(block_attrs); i++)
		emit(block_attrs[i], arg);
	return 0;
}

/* /sys/block/vda/stat: Linux's first eleven fields (times not kept). */
static void show_stat(struct seq_buf *m, const struct gendisk *d)
{
	seq_printf(m, "%8lu %8u %8lu %8u %8lu %8u %8lu %8u %8u %8u %8u\n",
		   d->stats.ios[REQ_OP_READ], 0u, d->stats.sectors[REQ_OP_READ], 0u,
		   d->stats.ios[REQ_OP_WRITE], 0u, d->stats.sectors[REQ_OP_WRITE], 0u,
		   0u, 0u, 0u);
}

static int block_show(const char *rel, struct seq_buf *m)
{
	const char *attr;
	struct gendisk *d = split_rel(rel, &attr);

	if (!d)
		return -ENOENT;
	if (!*attr)
		return -EISDIR;
	if (!strcmp(attr, "size"))
		seq_printf(m, "%lu\n", (unsigned long)d->capacity);
	else if (!strcmp(attr, "ro"))
		seq_printf(m, "%d\n", d->ro);
	else if (!strcmp(attr, "dev"))
		seq_printf(m, "%d:%d\n", d->major, d->first_minor);
	else if (!strcmp(attr, "stat"))
		show_stat(m, d);
	else
		return -ENOENT;
	return 0;
}

static const struct sysfs_dir block_dir = {
	.path = "/sys/block",
	.readdir = block_readdir,
	.show = block_show,
};

void blkdev_init(void)
{
	proc_register(&partitions_file);
	sysfs_register(&block_dir);
}
