/*
 * Shell commands for user tasks (kernel/task_cmds.c): hog, ps, kill,
 * verify, and the hidden segv.
 */
#ifndef GUEST_KERNEL_TASK_CMDS_H
#define GUEST_KERNEL_TASK_CMDS_H

/* Register the commands. */
void task_cmds_init(void);

#endif
