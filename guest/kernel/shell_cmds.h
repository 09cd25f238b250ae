/*
 * The shell's built-in commands.
 */
#ifndef GUEST_KERNEL_SHELL_CMDS_H
#define GUEST_KERNEL_SHELL_CMDS_H

/* Register echo, cat, dmesg, uptime, poweroff and the hidden test
 * commands crash and panic. */
void shell_cmds_init(void);

#endif
