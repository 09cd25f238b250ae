/*
 * The shell's page_idle command (kernel/page_idle_cmd.c): idle page
 * tracking (guest/mm/page_idle.c) over one task's pages.
 */
#ifndef GUEST_KERNEL_PAGE_IDLE_CMD_H
#define GUEST_KERNEL_PAGE_IDLE_CMD_H

/* Register page_idle. */
void page_idle_cmd_init(void);

#endif
