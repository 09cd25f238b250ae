/*
 * balloon/: the virtio-balloon device (virtio 1.x over virtio-pci, as
 * QEMU's virtio-balloon-pci), its flags (--no-balloon, --balloon ...) and
 * its QMP commands (balloon, query-balloon, qom-get/qom-set of the guest
 * statistics, the BALLOON_CHANGE event).
 */
#ifndef BALLOON_BALLOON_H
#define BALLOON_BALLOON_H

#include <stdint.h>

#include "vmm/device.h"
#include "vmm/error.h"

extern const struct device_ops balloon_device;

/*
 * The host pressure policy's settings (policy.c), public so that
 * `memvisor ctl balloon auto` checks them as `run --balloon-policy` does
 * before it sends them (QMP x-balloon-policy).
 */
struct balloon_policy {
	uint64_t free_min;      /* free-host-min: inflate under it (bytes) */
	uint64_t free_max;      /* free-host-max: deflate over it */
	uint64_t step;          /* bytes per action */
	unsigned int interval;  /* seconds between actions */
	uint64_t min_guest;     /* never inflate the guest below this */
};

/* The defaults (step 128M, interval 5, min-guest 256M; no floor). */
void balloon_policy_init(struct balloon_policy *p);
/* Parse "free-host-min=SIZE[,free-host-max=SIZE][,step=SIZE]
 * [,interval=SECONDS][,min-guest=SIZE]" over @p; errors name @what (the
 * flag). 0, or -EINVAL with @e filled (the user's mistake). */
int balloon_policy_parse(struct balloon_policy *p, const char *arg,
			 const char *what, struct errmsg *e);
/* Are @p's settings consistent? 0 or -EINVAL with @e filled. */
int balloon_policy_check(const struct balloon_policy *p, const char *what,
			 struct errmsg *e);

#endif
