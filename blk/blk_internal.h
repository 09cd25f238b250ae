/*
 * Internals of blk/: the drive state shared by blk.c (the device, its
 * queue and worker thread), request.c (request shape and I/O, pure but for
 * the file descriptor), config.c (the --drive flags) and blk_qmp.c
 * (query-block), and what the unit tests and the fuzz harness reach.
 */
#ifndef BLK_BLK_INTERNAL_H
#define BLK_BLK_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "abi/virtio.h"
#include "virtio/virtio.h"
#include "vmm/error.h"
#include "vmm/memory.h"

#define BLK_MAX_DRIVES   8
#define BLK_QUEUE_SIZE   256            /* as QEMU */
#define BLK_SEG_MAX      (BLK_QUEUE_SIZE - 2)   /* QEMU's seg_max */
#define BLK_MAX_IOV      VIRTQ_MAX_SEGS /* data segments we accept */

/* One --drive. */
struct blk_drive_config {
	char *file;
	char *id;                    /* NULL: "virtio<N>", as QEMU names it */
	bool readonly;
};

/* The flags: --drive file=PATH[,readonly=on|off][,id=ID], repeatable. */
struct blk_config {
	unsigned int nr;
	struct blk_drive_config drive[BLK_MAX_DRIVES];
};

/* The image a drive serves: what request.c needs to do I/O. */
struct blk_image {
	int fd;
	bool readonly;
	bool is_bdev;                /* a block device: cannot be truncated */
	uint64_t capacity;           /* 512-byte sectors, fixed at open */
	char serial[VIRTIO_BLK_ID_BYTES];  /* GET_ID (the drive id) */
};

/* A request, its shape checked (blk_parse_request). */
struct blk_req {
	uint32_t type;               /* VIRTIO_BLK_T_* */
	uint64_t sector;
	uint64_t len;                /* data bytes */
	unsigned int niov;
	struct iovec iov[BLK_MAX_IOV];  /* the data, in guest memory */
	gpa_t gpa[BLK_MAX_IOV];         /* where each iov is in the guest */
	uint8_t *status;             /* the status byte, in guest memory */
};

/* What a drive counted since it was created. */
struct blk_counters {
	uint64_t rd_ops, wr_ops, flush_ops;
	uint64_t rd_bytes, wr_bytes;
	uint64_t ioerr;              /* requests answered IOERR */
	uint64_t unsupp;             /* requests answered UNSUPP */
	uint64_t released;           /* bytes released by MV_OUT_RELEASE */
	uint64_t bad_requests;       /* wrong shape: dropped */
};

struct vm;
struct pci_bus;

struct blk_drive {
	unsigned int index;          /* among the drives: virtio<index> */
	char *file, *id;
	struct blk_image img;
	uint64_t size;               /* bytes at open (virtual-size) */
	struct guest_mem *mem;
	struct virtio_pci *vp;

	/* The worker (its own thread; inline in unit tests, vm NULL). */
	bool threaded;
	bool in_memory;              /* image on tmpfs/ramfs: see blk.c */
	bool nowait;                 /* a file: the ringer tries RWF_NOWAIT */
	pthread_t worker;
	pthread_mutex_t lock;        /* pending, busy, stop, cnt */
	pthread_cond_t cond;
	bool pending;                /* the queue was notified */
	bool busy;                   /* a thread is working the queue */
	bool stop;
	struct blk_counters cnt;

	/* Whoever is busy's own (the worker, or a vCPU thread). */
	struct virtq_elem *el;
	struct blk_req *req;
	bool carry;                  /* el/req: popped, left for the worker */
	uint32_t carry_epoch;        /* the queue's epoch when popped */
	uint16_t heads[BLK_QUEUE_SIZE];
	uint32_t lens[BLK_QUEUE_SIZE];
};

struct blk {
	unsigned int nr;
	struct blk_drive *drive[BLK_MAX_DRIVES];
};

/* config.c */
void blk_config_init(struct blk_config *cfg);
/* One --drive argument, appended to @cfg. 0 or -EINVAL with @e filled. */
int blk_parse_drive(struct blk_config *cfg, const char *arg, struct errmsg *e);
/* Each file exists and is a regular file or block device; ids unique. */
int blk_config_check(const struct blk_config *cfg, struct errmsg *e);
void blk_config_free(struct blk_config *cfg);

/* request.c */
/*
 * Check the shape of @el (header device-readable, status byte
 * device-writable, data in the direction its type needs) and fill @req.
 * 0, or -EINVAL: the request is dropped. Unknown types pass (UNSUPP).
 */
int blk_parse_request(const struct virtq_elem *el, struct blk_req *req);
/* Do @req on @img and return its VIRTIO_BLK_S_* status (also stored in
 * the status byte); *@written: bytes written to guest memory, status
 * byte included. Never fails otherwise. Counts into @c. */
uint8_t blk_execute(const struct blk_image *img, const struct blk_req *req,
		    uint32_t *written, struct blk_counters *c);
/* blk_execute without waiting for the disk (RWF_NOWAIT; see
 * request.c): true and *@status if done; false if it would have waited,
 * and then nothing is answered or counted (do it with blk_execute). */
bool blk_execute_nowait(const struct blk_image *img, const struct blk_req *req,
			uint32_t *written, uint8_t *status,
			struct blk_counters *c);
/* Add @c's counts to @to. */
void blk_counters_add(struct blk_counters *to, const struct blk_counters *c);
/* Is @req an MV_OUT_RELEASE (whose pages the caller releases once
 * blk_execute answered OK)? */
bool blk_req_releases(const struct blk_req *req);

/* blk.c */
/* Open @dc and put its device on @pb; @vm NULL (tests): work runs inline
 * on the notifying thread. NULL with @e filled. */
struct blk_drive *blk_drive_new(const struct blk_drive_config *dc,
				unsigned int index, struct vm *vm,
				struct guest_mem *mem, struct pci_bus *pb,
				struct errmsg *e);
void blk_drive_stop(struct blk_drive *d);
void blk_drive_free(struct blk_drive *d);
/* Process the queue now (what the worker does). */
void blk_drive_process(struct blk_drive *d);
void blk_get_counters(struct blk_drive *d, struct blk_counters *out);

/* blk_qmp.c */
struct qmp_server;
struct json_t;
int blk_qmp_register(struct blk *b, struct qmp_server *srv);
/* query-block's answer: a new reference. */
struct json_t *blk_query_block(struct blk *b);

#endif
