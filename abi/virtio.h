/*
 * virtio 1.x over PCI (modern), as host and guest must agree on it: the
 * virtio-pci capabilities and common configuration, the split virtqueue,
 * the block device and the balloon device. From the OASIS virtio
 * specification 1.2 (1.3 for the newer balloon statistics), sections 2,
 * 4.1, 5.2 and 5.5. Every multi-byte field is little-endian.
 */
#ifndef ABI_VIRTIO_H
#define ABI_VIRTIO_H

#include <stdint.h>

/* ---------------------------------------------------------------- PCI */

#define VIRTIO_PCI_VENDOR_ID        0x1af4
#define VIRTIO_PCI_MODERN_DEVICE_ID(type) (0x1040 + (type))
/* Transitional devices (QEMU's virtio-balloon-pci on -M pc) use device
 * ids 0x1000..0x103f and carry the type in the subsystem id; they have the
 * modern capabilities too, which is all the guest uses. */
#define VIRTIO_PCI_TRANSITIONAL_FIRST 0x1000
#define VIRTIO_PCI_TRANSITIONAL_LAST  0x103f

#define VIRTIO_ID_NET               1
#define VIRTIO_ID_BLOCK             2
#define VIRTIO_ID_BALLOON           5

/* struct virtio_pci_cap: a vendor-specific PCI capability. */
#define VIRTIO_PCI_CAP_COMMON_CFG   1
#define VIRTIO_PCI_CAP_NOTIFY_CFG   2
#define VIRTIO_PCI_CAP_ISR_CFG      3
#define VIRTIO_PCI_CAP_DEVICE_CFG   4
#define VIRTIO_PCI_CAP_PCI_CFG      5

struct virtio_pci_cap {
	uint8_t cap_vndr;           /* PCI_CAP_ID_VNDR */
	uint8_t cap_next;
	uint8_t cap_len;            /* 16, or 20 for the notify cap */
	uint8_t cfg_type;           /* VIRTIO_PCI_CAP_* */
	uint8_t bar;
	uint8_t id;
	uint8_t padding[2];
	uint32_t offset;            /* within the BAR */
	uint32_t length;
} __attribute__((packed));

struct virtio_pci_notify_cap {
	struct virtio_pci_cap cap;
	uint32_t notify_off_multiplier; /* queue's notify address: offset +
					   queue_notify_off * this */
} __attribute__((packed));

/* The common configuration structure (VIRTIO_PCI_CAP_COMMON_CFG). */
struct virtio_pci_common_cfg {
	uint32_t device_feature_select;
	uint32_t device_feature;        /* read-only, 32 bits per select */
	uint32_t driver_feature_select;
	uint32_t driver_feature;
	uint16_t msix_config;
	uint16_t num_queues;            /* read-only */
	uint8_t device_status;
	uint8_t config_generation;      /* read-only */
	uint16_t queue_select;
	uint16_t queue_size;            /* max on read; the driver may shrink */
	uint16_t queue_msix_vector;
	uint16_t queue_enable;
	uint16_t queue_notify_off;      /* read-only */
	uint64_t queue_desc;
	uint64_t queue_driver;          /* the available ring */
	uint64_t queue_device;          /* the used ring */
} __attribute__((packed));

/* ISR status (read clears): bit 0 a queue interrupt, bit 1 a config change. */
#define VIRTIO_PCI_ISR_QUEUE        0x1
#define VIRTIO_PCI_ISR_CONFIG       0x2

#define VIRTIO_MSI_NO_VECTOR        0xffff

/* ---------------------------------------------------------------- status, features */

#define VIRTIO_CONFIG_S_ACKNOWLEDGE 0x01
#define VIRTIO_CONFIG_S_DRIVER      0x02
#define VIRTIO_CONFIG_S_DRIVER_OK   0x04
#define VIRTIO_CONFIG_S_FEATURES_OK 0x08
#define VIRTIO_CONFIG_S_NEEDS_RESET 0x40
#define VIRTIO_CONFIG_S_FAILED      0x80

#define VIRTIO_F_INDIRECT_DESC      28
#define VIRTIO_F_EVENT_IDX          29
#define VIRTIO_F_VERSION_1          32

/* ---------------------------------------------------------------- split virtqueue */

#define VRING_DESC_F_NEXT           1
#define VRING_DESC_F_WRITE          2   /* device writes (else reads) */
#define VRING_DESC_F_INDIRECT       4

struct vring_desc {
	uint64_t addr;                  /* guest-physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

#define VRING_AVAIL_F_NO_INTERRUPT  1
struct vring_avail {
	uint16_t flags;
	uint16_t idx;                   /* free-running */
	uint16_t ring[];                /* queue_size entries, then used_event */
};

struct vring_used_elem {
	uint32_t id;                    /* head of the chain */
	uint32_t len;                   /* bytes the device wrote */
};

#define VRING_USED_F_NO_NOTIFY      1
struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];  /* queue_size entries, then avail_event */
};

#define VIRTQUEUE_MAX_SIZE          32768   /* a power of 2, at most this */

/* ---------------------------------------------------------------- balloon (5.5) */

#define VIRTIO_BALLOON_F_MUST_TELL_HOST 0
#define VIRTIO_BALLOON_F_STATS_VQ       1
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM 2
#define VIRTIO_BALLOON_F_FREE_PAGE_HINT 3
#define VIRTIO_BALLOON_F_PAGE_POISON    4
#define VIRTIO_BALLOON_F_REPORTING      5

/* Inflate/deflate buffers are arrays of 32-bit PFNs of 4 KiB pages. */
#define VIRTIO_BALLOON_PFN_SHIFT        12

/*
 * Queue indices as QEMU's device has them: inflate 0, deflate 1, stats 2
 * (QEMU always creates it), then the free page hint queue if that feature
 * is negotiated, then the reporting queue. memvisor's device and guest
 * driver use the same numbering.
 */
#define VIRTIO_BALLOON_VQ_INFLATE       0
#define VIRTIO_BALLOON_VQ_DEFLATE       1
#define VIRTIO_BALLOON_VQ_STATS         2

struct virtio_balloon_config {
	uint32_t num_pages;             /* device: pages the balloon should hold */
	uint32_t actual;                /* driver: pages it holds */
	uint32_t free_page_hint_cmd_id;
	uint32_t poison_val;
} __attribute__((packed));

/* The stats queue: the driver fills an array of these and offers it; the
 * device returns the buffer when it wants fresh numbers. */
struct virtio_balloon_stat {
	uint16_t tag;
	uint64_t val;
} __attribute__((packed));

#define VIRTIO_BALLOON_S_SWAP_IN        0   /* bytes swapped in */
#define VIRTIO_BALLOON_S_SWAP_OUT       1
#define VIRTIO_BALLOON_S_MAJFLT         2
#define VIRTIO_BALLOON_S_MINFLT         3
#define VIRTIO_BALLOON_S_MEMFREE        4   /* bytes */
#define VIRTIO_BALLOON_S_MEMTOT         5
#define VIRTIO_BALLOON_S_AVAIL          6
#define VIRTIO_BALLOON_S_CACHES         7
#define VIRTIO_BALLOON_S_HTLB_PGALLOC   8
#define VIRTIO_BALLOON_S_HTLB_PGFAIL    9
#define VIRTIO_BALLOON_S_OOM_KILLS      10  /* virtio 1.3 */
#define VIRTIO_BALLOON_S_ALLOC_STALLS   11
#define VIRTIO_BALLOON_S_ASYNC_SCANS    12
#define VIRTIO_BALLOON_S_DIRECT_SCANS   13
#define VIRTIO_BALLOON_S_ASYNC_RECLAIMS 14
#define VIRTIO_BALLOON_S_DIRECT_RECLAIMS 15
#define VIRTIO_BALLOON_S_NR             16

/* ---------------------------------------------------------------- block (5.2) */

#define VIRTIO_BLK_F_SIZE_MAX       1
#define VIRTIO_BLK_F_SEG_MAX        2
#define VIRTIO_BLK_F_GEOMETRY       4
#define VIRTIO_BLK_F_RO             5
#define VIRTIO_BLK_F_BLK_SIZE       6
#define VIRTIO_BLK_F_FLUSH          9
#define VIRTIO_BLK_F_TOPOLOGY       10
/*
 * memvisor's own (not in the virtio spec; QEMU never offers it): the
 * device takes VIRTIO_BLK_T_MV_OUT_RELEASE requests, writes after which
 * the device has released the data segments' pages -- they read zero
 * (memvisor clears them on the host). Swap-out uses it so that the pages
 * it frees need no clearing by the guest CPU. A bit from the
 * device-specific range that virtio-blk leaves unused (it stops at 18).
 */
#define VIRTIO_BLK_F_MV_RELEASE     23

#define VIRTIO_BLK_SECTOR_SHIFT     9   /* capacity, sector: 512-byte units */
#define VIRTIO_BLK_SECTOR_SIZE      (1u << VIRTIO_BLK_SECTOR_SHIFT)
#define VIRTIO_BLK_ID_BYTES         20  /* GET_ID's answer */
#define VIRTIO_BLK_VQ_REQUEST       0   /* the one queue (no F_MQ) */

/* The device configuration, as far as the offered features reach. */
struct virtio_blk_config {
	uint64_t capacity;              /* 512-byte sectors */
	uint32_t size_max;              /* F_SIZE_MAX: bytes per segment */
	uint32_t seg_max;               /* F_SEG_MAX: data segments per request */
	struct {
		uint16_t cylinders;
		uint8_t heads;
		uint8_t sectors;
	} geometry;                     /* F_GEOMETRY */
	uint32_t blk_size;              /* F_BLK_SIZE: logical block, bytes */
	uint8_t physical_block_exp;     /* F_TOPOLOGY */
	uint8_t alignment_offset;
	uint16_t min_io_size;
	uint32_t opt_io_size;
	uint8_t writeback;              /* F_CONFIG_WCE */
	uint8_t unused0;
	uint16_t num_queues;            /* F_MQ */
} __attribute__((packed));

/* A request: this header (device-readable), the data (readable for OUT,
 * writable for IN and GET_ID, none for FLUSH), then one status byte
 * (device-writable). */
struct virtio_blk_outhdr {
	uint32_t type;                  /* VIRTIO_BLK_T_* */
	uint32_t reserved;              /* ioprio in legacy */
	uint64_t sector;                /* 512-byte units, whatever blk_size */
} __attribute__((packed));

#define VIRTIO_BLK_T_IN             0
#define VIRTIO_BLK_T_OUT            1
#define VIRTIO_BLK_T_FLUSH          4
#define VIRTIO_BLK_T_GET_ID         8
/* F_MV_RELEASE: an OUT whose data segments are whole, page-aligned 4 KiB
 * pages; status OK means written to the disk and zero in guest memory. */
#define VIRTIO_BLK_T_MV_OUT_RELEASE 0x4d560001u
#define VIRTIO_BLK_RELEASE_PAGE     4096u

#define VIRTIO_BLK_S_OK             0
#define VIRTIO_BLK_S_IOERR          1
#define VIRTIO_BLK_S_UNSUPP         2

#endif
