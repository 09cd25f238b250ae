/*
 * The block layer: disks (struct gendisk, "vda", "vdb"...) and the I/O
 * requests on them (struct bio), for the shell's dd today and the page
 * cache and swap tomorrow. Names after Linux's (include/linux/blkdev.h,
 * bio.h), much reduced:
 *
 *   - a bio is one request: a disk, a start sector (512 bytes), an
 *     operation, and the guest-physical runs of memory it reads into or
 *     writes from (bio_vec: any run of physically contiguous bytes, a page
 *     or a 2 MiB block alike; the device reads and writes them directly,
 *     nothing is copied by the CPU);
 *   - submit_bio() queues it and returns at once; the driver calls
 *     bio_endio() when the device is done, from its interrupt handler,
 *     which runs the bio's end_io callback (interrupts off: it must not
 *     sleep; it may wake a task, or submit another bio);
 *   - submit_bio_wait() and blkdev_rw() are the synchronous forms: the
 *     caller sleeps until the completion wakes it;
 *   - blk_start_plug()/blk_finish_plug() around a burst of submit_bio()s
 *     let the driver tell the device once (one VM exit) for the lot;
 *   - a polled bio (Linux's REQ_POLLED) is one whose submitter waits by
 *     calling bio_poll(), which ends what the device has completed
 *     without its interrupt: a device that completes requests while the
 *     doorbell's exit is handled (memvisor's, for an image in memory)
 *     then costs no interrupt at all.
 *
 * No request merging, no elevator, no page cache here (guest/mm/filemap.c
 * is the cache; the shell's dd reads through it): callers hand over
 * requests as large as they want them (up to disk->max_segments runs).
 * Out-of-range sectors are the device's to refuse (it answers I/O error);
 * writes to a read-only disk are refused here with -EROFS.
 *
 * Locking: one CPU, a non-preemptible kernel. The drivers' queues are
 * shared with their interrupt handlers, so they are touched with
 * interrupts off.
 */
#ifndef GUEST_KERNEL_BLKDEV_H
#define GUEST_KERNEL_BLKDEV_H

#include "include/types.h"

#define SECTOR_SHIFT		9
#define SECTOR_SIZE		(1u << SECTOR_SHIFT)
#define DISK_NAME_LEN		8
#define MAX_DISKS		8
#define VIRTBLK_MAJOR		253	/* Linux's first dynamic block major */
#define DISK_MINORS		16	/* minors per disk: vda 0, vdb 16... */

enum req_op {
	REQ_OP_READ = 0,
	REQ_OP_WRITE = 1,
	REQ_OP_FLUSH = 2,		/* no data: make earlier writes durable */
	/* a write after which the device has released the pages written
	 * from: they read zero (disk->release; memvisor's MV_RELEASE) */
	REQ_OP_WRITE_RELEASE = 3,
};

/* A run of guest-physical memory, contiguous. */
struct bio_vec {
	phys_addr_t addr;
	uint32_t len;			/* bytes; the bio's total: sectors */
};

struct bio;
struct gendisk;
struct task_struct;
struct address_space;
typedef void (*bio_end_io_t)(struct bio *bio);

struct bio {
	struct gendisk *disk;
	uint64_t sector;		/* first 512-byte sector */
	enum req_op op;
	unsigned int vcnt;		/* runs in vec[] (0 for a flush) */
	struct bio_vec *vec;		/* the caller's; kept until end_io */
	bio_end_io_t end_io;		/* interrupt context; NULL: none */
	bool polled;			/* REQ_POLLED: see bio_poll() */
	void *private;			/* the caller's */
	int status;			/* at end_io: 0, -EIO, -EOPNOTSUPP */
	struct bio *next;		/* the driver's queue */
	/* submit_bio_wait's */
	struct task_struct *waiter;
	volatile bool done;
};

struct block_device_operations {
	/* Queue @bio (vec, op checked); issue it now unless the disk is
	 * plugged. Interrupts are off. 0 or -errno (then no end_io). */
	int (*submit_bio)(struct gendisk *disk, struct bio *bio);
	/* Tell the device about everything queued (the plug ended). */
	void (*unplug)(struct gendisk *disk);
	/* End the bios the device has completed (interrupts off): how
	 * many; 0 means none yet, and the device interrupts for the next. */
	int (*poll)(struct gendisk *disk);
};

/* Per-disk counts, as /sys/block/vda/stat has them (reads, writes). */
struct disk_stats {
	unsigned long ios[2];		/* completed requests: READ, WRITE */
	unsigned long sectors[2];
	unsigned long errors;
	unsigned long flushes;
};

struct gendisk {
	char disk_name[DISK_NAME_LEN];	/* "vda": set by add_disk */
	int major, first_minor;
	uint64_t capacity;		/* 512-byte sectors */
	bool ro;			/* writes fail with -EROFS */
	bool flush;			/* the device honours REQ_OP_FLUSH */
	bool release;			/* ... and REQ_OP_WRITE_RELEASE */
	unsigned int max_segments;	/* bio_vecs per bio */
	const struct block_device_operations *fops;
	void *private_data;		/* the driver's */
	unsigned int plugged;		/* blk_start_plug depth */
	struct address_space *page_cache; /* guest/mm's, made on first read */
	struct disk_stats stats;
};

/* Name @disk "vd" + the next letter and list it (/proc/partitions,
 * /sys/block). 0 or -ENOSPC. */
int add_disk(struct gendisk *disk);
/* The disk named @name ("vda" or "/dev/vda"), or NULL. */
struct gendisk *get_disk(const char *name);
/* The @i-th disk added (NULL past the last). */
struct gendisk *disk_by_index(unsigned int i);
/* @disk's page cache (guest/mm/filemap.c), made on first use, when
 * kswapd is started too (clean cache pages are reclaimable); NULL
 * without memory. */
struct address_space *disk_page_cache(struct gendisk *disk);

/* Queue @bio. 0: end_io will run once. Else -EINVAL (no runs, too many,
 * not whole sectors), -EROFS (a write to a read-only disk), -EOPNOTSUPP
 * (a flush the device lacks: nothing to do), or the driver's error; then
 * end_io does not run. */
int submit_bio(struct bio *bio);
/* Submit @bio and sleep until it completes (process context; its end_io
 * and waiter are set here). Its status, or submit_bio's error. */
int submit_bio_wait(struct bio *bio);
/* The driver: @bio is done with @status; runs its end_io. */
void bio_endio(struct bio *bio, int status);
/* End the bios of @disk the device has completed, without waiting for
 * its interrupt (interrupts off). How many ended; 0: none yet, and the
 * device will interrupt when one does, so the caller may halt. */
int bio_poll(struct gendisk *disk);

/* Synchronous I/O of @len bytes at @sector to/from @buf, which must be
 * physically contiguous (the direct map, a block from alloc_pages). */
int blkdev_rw(struct gendisk *disk, enum req_op op, uint64_t sector,
	      void *buf, uint32_t len);
/* Make the disk's earlier writes durable (0 if it has no cache). */
int blkdev_issue_flush(struct gendisk *disk);

/* Hold the doorbell over a burst of submit_bio()s on @disk. */
void blk_start_plug(struct gendisk *disk);
void blk_finish_plug(struct gendisk *disk);

/* Register /proc/partitions and /sys/block. */
void blkdev_init(void);

#endif
