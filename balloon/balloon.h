/*
 * balloon/: the virtio-balloon device (virtio 1.x over virtio-pci, as
 * QEMU's virtio-balloon-pci), its flags (--no-balloon, --balloon ...) and
 * its QMP commands (balloon, query-balloon, qom-get/qom-set of the guest
 * statistics, the BALLOON_CHANGE event).
 */
#ifndef BALLOON_BALLOON_H
#define BALLOON_BALLOON_H

#include "vmm/device.h"

extern const struct device_ops balloon_device;

#endif
