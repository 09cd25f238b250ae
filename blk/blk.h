/*
 * blk/: the virtio-blk device (virtio 1.x over virtio-pci, as QEMU's
 * -drive file=PATH,if=virtio,format=raw): one PCI function per
 * `--drive file=PATH[,readonly=on][,id=ID]`, raw images, and QMP
 * query-block.
 */
#ifndef BLK_BLK_H
#define BLK_BLK_H

#include "vmm/device.h"

extern const struct device_ops blk_device;

#endif
