/*
 * KSM for memvisor guests: the scanner daemon (`memvisor ksmd`), the VM's
 * side of it (the ksm device: `memvisor run --ksm PATH`), and the control
 * client (`memvisor ctl --ksm PATH ksm get|set`). The design is explained
 * at the top of ksm/ksm.c (the algorithm), ksm/ksmd.c (the daemon) and
 * ksm/vm.c (what the VM does).
 */
#ifndef KSM_KSM_H
#define KSM_KSM_H

#include <stdio.h>

#include "vmm/device.h"
#include "vmm/error.h"

extern const struct device_ops ksm_device;

/* Run the daemon on unix socket @path until SIGINT/SIGTERM: 0 or -errno. */
int ksmd_serve(const char *path, struct errmsg *e);

/* `ksm get [NAME]` (NULL: everything): "NAME: VALUE" lines to @out. */
int ksm_ctl_get(const char *path, const char *name, FILE *out,
		struct errmsg *e);
/* `ksm set NAME=VALUE`: 0, or -errno with @e filled. */
int ksm_ctl_set(const char *path, const char *assignment, struct errmsg *e);
/* Would a fresh `memvisor ksmd` take these @n NAME=VALUE settings, one
 * after the other, as `ksm set` gives them? 0, or the first refusal's
 * -errno with @e filled ("NAME=VALUE: why"). Nothing is started. */
int ksm_settings_check(const char *const *set, unsigned int n,
		       struct errmsg *e);

#endif
