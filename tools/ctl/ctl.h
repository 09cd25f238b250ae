/*
 * memvisor ctl: a QMP client for DIMM hotplug that works the same against
 * memvisor and QEMU.
 *
 *   memvisor ctl --qmp PATH [--timeout SEC] COMMAND
 *     dimm add SIZE [--node N] [--id ID] [--wait]
 *     dimm del ID [--wait]
 *     dimm list
 *     status
 *
 * Exit status: 0 done, 1 the VMM or the guest reported a failure (or did
 * not answer in time), 2 a usage mistake. Errors are one line on stderr.
 */
#ifndef TOOLS_CTL_CTL_H
#define TOOLS_CTL_CTL_H

#include <stdint.h>

#include "vmm/error.h"

enum ctl_cmd {
	CTL_NONE,
	CTL_DIMM_ADD,
	CTL_DIMM_DEL,
	CTL_DIMM_LIST,
	CTL_STATUS,
};

struct ctl_args {
	const char *qmp;        /* socket path */
	unsigned int timeout;   /* seconds, for every wait */
	enum ctl_cmd cmd;
	uint64_t size;          /* dimm add */
	unsigned int node;      /* dimm add */
	const char *id;         /* dimm add (NULL: pick dimmN), dimm del */
	int wait;               /* dimm add/del --wait */
};

/* Entry point: @argv[0] is "ctl". Returns the exit status. */
int ctl_main(int argc, char **argv);

/* Parse the command line (pure); 0, or -EINVAL with @e filled. */
int ctl_parse_args(int argc, char **argv, struct ctl_args *a,
		   struct errmsg *e);

/* What an ACPI _OST (source event, status code) pair means, in words. */
const char *ctl_ost_meaning(uint32_t source, uint32_t status);

/* The "state" column of dimm list, from the slot's last _OST pair. */
const char *ctl_dimm_state(int hotplugged, uint32_t source, uint32_t status);

#endif
