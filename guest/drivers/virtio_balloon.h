/*
 * virtio-balloon driver (virtio 1.2, 5.5) over virtio-pci.
 */
#ifndef GUEST_DRIVERS_VIRTIO_BALLOON_H
#define GUEST_DRIVERS_VIRTIO_BALLOON_H

/* Register the module parameter (/sys/module/virtio_balloon/parameters),
 * find the device on PCI bus 0, start its thread. Needs pci_init(),
 * sched, oom_init(). 0, or -ENODEV when there is no device (logged). */
int virtio_balloon_init(void);

#endif
