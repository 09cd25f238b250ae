/*
 * The shell's disk commands: dd and sync.
 */
#ifndef GUEST_KERNEL_BLK_CMDS_H
#define GUEST_KERNEL_BLK_CMDS_H

/* Register dd and sync. */
void blk_cmds_init(void);

#endif
