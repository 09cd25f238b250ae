/*
 * memvisor ctl: a QMP client for DIMM hotplug and the balloon that works the same against
 * memvisor and QEMU.
 *
 *   memvisor ctl --qmp PATH [--timeout SEC] COMMAND
 *     dimm add SIZE [--node N] [--id ID] [--wait]
 *     dimm del ID [--wait]
 *     dimm list
 *     balloon [SIZE [--wait] | --by SIZE [--wait] | stats | auto on|off [KEYS]]
 *     status
 *
 * Exit status: 0 done, 1 the VMM or the guest reported a failure (or did
 * not answer in time), 2 a usage mistake. Errors are one line on stderr.
 */
#ifndef TOOLS_CTL_CTL_H
#define TOOLS_CTL_CTL_H

/* Entry point: @argv[0] is "ctl". Returns the exit status. */
int ctl_main(int argc, char **argv);

#endif
