/*
 * The OOM killer's kernel half: the task scan, the kill, Linux's log
 * lines, /proc/PID/oom_score and oom_score_adj (kernel/oom.c). The choice
 * itself (badness) is guest/mm's oom_kill.c.
 */
#ifndef GUEST_KERNEL_OOM_H
#define GUEST_KERNEL_OOM_H

#include "mm/mm.h"

/* Something that can give memory back before anyone is killed (the
 * balloon with deflate-on-OOM): returns the pages it freed. */
typedef unsigned long (*oom_notifier_t)(void);

/* Install the allocator's hook and the /proc/PID files. */
void oom_init(void);
/* At most one notifier (the balloon); 0 or -EBUSY. */
int oom_register_notifier(oom_notifier_t fn);
void oom_unregister_notifier(oom_notifier_t fn);
/*
 * An allocation of 2^@order pages with @gfp failed after reclaim: ask the
 * notifier, else kill the task with the largest badness. true if memory
 * was freed (retry); false if nothing could be done or the victim is the
 * current task (it is marked oom_victim and must end).
 */
bool out_of_memory(gfp_t gfp, unsigned int order);
/* A user fault found no memory (VM_FAULT_OOM): returns if another task
 * was killed (retry the access), else ends the current task. */
void pagefault_out_of_memory(void);

#endif
