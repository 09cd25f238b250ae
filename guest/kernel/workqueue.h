/*
 * Deferred work: what an interrupt handler hands to process context, as
 * Linux's schedule_work() on the system workqueue.  Used by drivers whose
 * handling may take long or take sleeping-context locks (the ACPI memory
 * hotplug driver runs add, online, offline and migration from here).
 *
 * Work runs in the kernel's process context, one item at a time, in the
 * order it was scheduled: run_scheduled_work() is called from the idle
 * point of the console loop (console_getc()), and by anyone who waits for
 * queued work (flush_scheduled_work()).
 */
#ifndef GUEST_KERNEL_WORKQUEUE_H
#define GUEST_KERNEL_WORKQUEUE_H

#include "include/types.h"

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	struct work_struct *next;       /* on the pending list */
	work_func_t func;
	bool pending;                   /* queued, not yet started */
};

#define INIT_WORK(w, f) \
	(*(w) = (struct work_struct){ .next = NULL, .func = (f), \
				      .pending = false })

/* Queue @work unless already pending; any context, interrupts on or off.
 * true if it was queued by this call. */
bool schedule_work(struct work_struct *work);

/*
 * Called with interrupts off at an idle point: false (interrupts still
 * off) if nothing is pending; else enables interrupts, runs every pending
 * item and returns true.  So "if (run_scheduled_work()) continue;" before
 * sti;hlt never sleeps with work queued.
 */
bool run_scheduled_work(void);

/* Run whatever is pending now, from process context. */
void flush_scheduled_work(void);

#endif
