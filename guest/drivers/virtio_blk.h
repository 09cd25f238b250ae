/*
 * virtio-blk driver (virtio 1.2, 5.2) over virtio-pci: the disks of the
 * block layer (kernel/blkdev.h).
 */
#ifndef GUEST_DRIVERS_VIRTIO_BLK_H
#define GUEST_DRIVERS_VIRTIO_BLK_H

/* Find every virtio-blk function on PCI bus 0 and add each as a disk
 * (vda, vdb, ... in bus order). Needs pci_init() and blkdev_init().
 * 0, or -ENODEV when there is none. */
int virtio_blk_init(void);

#endif
