/*
 * Inside memvisor ctl: the parsed command line, the _OST vocabulary, and
 * what ctl.c (arguments, list, status) and ctl_dimm.c (add, del) share.
 */
#ifndef TOOLS_CTL_CTL_INTERNAL_H
#define TOOLS_CTL_CTL_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "balloon/balloon.h"
#include "tools/ctl/ctl.h"
#include "tools/qmp/qmp_client.h"
#include "vmm/error.h"

#define CTL_NAME "memvisor ctl"

enum ctl_cmd {
	CTL_NONE,
	CTL_DIMM_ADD,
	CTL_DIMM_DEL,
	CTL_DIMM_LIST,
	CTL_STATUS,
	CTL_CONSOLE,            /* --connect only */
	CTL_KSM_GET,
	CTL_KSM_SET,
	CTL_BALLOON_QUERY,      /* balloon */
	CTL_BALLOON_SET,        /* balloon SIZE, balloon --by SIZE */
	CTL_BALLOON_STATS,      /* balloon stats */
	CTL_BALLOON_AUTO,       /* balloon auto on|off [KEY=VALUE,...] */
};

struct ctl_args {
	const char *qmp;
	const char *connect;         /* libvirt URI (ctl_virt.c) */
	const char *domain;          /* with connect: the domain's name */
	const char *ksm;             /* ksmd's socket (ksm get/set) */
	const char *ksm_arg;         /* NAME, NAME=VALUE or NULL */
	unsigned int timeout;   /* seconds, for every wait */
	enum ctl_cmd cmd;
	uint64_t size;          /* dimm add */
	unsigned int node;      /* dimm add */
	const char *id;         /* dimm add (NULL: pick dimmN), dimm del */
	int wait;               /* dimm add/del, balloon SIZE --wait */
	bool by;                /* balloon --by: size is the balloon's */
	bool auto_on;           /* balloon auto on */
	bool policy_given;      /* balloon auto on KEY=VALUE,... */
	struct balloon_policy policy;
};

/* Parse the command line (pure); 0, 1 if --help was printed, or -EINVAL
 * with @e filled. Checks what ctl can check itself: the DIMM id and size
 * rules of hotplug/hotplug.h. */
int ctl_parse_args(int argc, char **argv, struct ctl_args *a,
		   struct errmsg *e);

/* What an ACPI _OST (source event, status code) pair means, in words. */
const char *ctl_ost_meaning(uint32_t source, uint32_t status);

/* The "state" column of dimm list, from the slot's last _OST pair. */
const char *ctl_dimm_state(int hotplugged, uint32_t source, uint32_t status);

/* Is @source an eject's (a removal's) _OST source event? */
bool ctl_ost_is_eject(uint32_t source);

/* @bytes with a unit: "128M", "1G", "0B". */
const char *ctl_size(uint64_t bytes, char *buf, unsigned int len);

/* A member of a JSON object: 0 or "" when absent. */
json_int_t ctl_jint(json_t *o, const char *key);
const char *ctl_jstr(json_t *o, const char *key);

/* The query-memory-devices "data" of DIMM @id (a new reference), or NULL:
 * absent (@e untouched), or the query failed (@e filled). */
json_t *ctl_find_dimm(struct qmpc *c, const char *id, struct errmsg *e);

/* Print the error in @e as ctl's one line on stderr; EXIT_FAIL. */
int ctl_fail_msg(const struct errmsg *e);

/* The guest size balloon SIZE / --by SIZE asks for, given the guest's
 * size @guest (bytes); 0, or -EINVAL with @e filled (the user's mistake:
 * more than the guest has, or nothing left). Pure. */
int ctl_balloon_target(const struct ctl_args *a, uint64_t guest,
		       uint64_t *target, struct errmsg *e);

/* The end of a balloon --wait, in words: "reached", "still in progress"
 * (actual moved within the last @stall_ms) or "stopped". Pure. */
const char *ctl_balloon_wait_state(uint64_t actual, uint64_t target,
				   int64_t since_move_ms, int64_t stall_ms);

/* The balloon's actual size (bytes) into @actual; 0, or the exit status of
 * a failure already reported. */
typedef int (*ctl_actual_fn)(void *opaque, uint64_t *actual);

/* balloon SIZE --wait: poll @actual_of until it is @target, has not moved
 * for a while, or @timeout_ms; print the outcome (from @t0, ms). The exit
 * status. */
int ctl_balloon_wait(ctl_actual_fn actual_of, void *opaque, uint64_t target,
		     int64_t timeout_ms, double t0);

void ctl_sleep_ms(long ms);

int ctl_balloon(struct qmpc *c, const struct ctl_args *a);
/* ctl status's balloon lines, for a guest of @guest bytes. */
void ctl_balloon_status(struct qmpc *c, uint64_t guest);
int ctl_dimm_add(struct qmpc *c, const struct ctl_args *a);
/* The command @a on a libvirt domain (--connect, --domain); exit status. */
int ctl_virt(const struct ctl_args *a);
int ctl_dimm_del(struct qmpc *c, const struct ctl_args *a);

#endif
