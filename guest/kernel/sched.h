/*
 * The scheduler: one CPU, round robin, preemptive for user mode only
 * (kernel/sched.c).
 *
 * The kernel itself is not preemptible: a task gives up the CPU in
 * schedule(), which it calls when it sleeps or on its way back to user
 * mode (exit_to_user_mode), never while holding a lock.  That makes every
 * task that is off the CPU parked at a point where it owns nothing, which
 * is what lets the shell kill it directly (task_kill).
 */
#ifndef GUEST_KERNEL_SCHED_H
#define GUEST_KERNEL_SCHED_H

#include "kernel/task.h"
#include "arch/x86/cpu.h"

extern struct task_struct *current_task;
#define current current_task

/* Make the boot context task 1 ("sh"), create the idle task. */
void sched_init(void);
/* Give up the CPU; back when picked again (at once if nothing else
 * runs).  A task that set its state to TASK_INTERRUPTIBLE first stays
 * off the runqueue until woken.  Interrupts: any; restored. */
void schedule(void);
/* Make @t runnable (front of the queue: woken tasks go first). */
void wake_up_process(struct task_struct *t);
/* Remove @t (not current) from the runqueue, for good. */
void sched_remove(struct task_struct *t);
/* Timer tick: time slices. */
void sched_tick(void);
/* After a device interrupt: wake the console reader if it may have work. */
void sched_irq_exit(void);
/* Sleep until the next device interrupt other than the tick (the
 * console's idle point); before sched_init() just halt until one. */
void sched_wait_irq(void);
/* Before returning to user mode, interrupts off: reschedule if asked. */
void exit_to_user_mode(void);
/* A long kernel loop's point where it owns nothing: give up the CPU if
 * a task was woken meanwhile (Linux's cond_resched; kswapd, say, which a
 * reader's allocations woke and which otherwise would not run before the
 * reader's direct reclaim did its work 32 pages at a time). */
void cond_resched(void);
/* Unload @mm from the CPU if it is loaded there (before it is freed). */
void sched_drop_mm(struct mm_struct *mm);
/* First run of a new task: finish the switch from @prev. */
void schedule_tail(struct task_struct *prev);

/*
 * Sleep until @cond holds.  The condition is checked with interrupts off
 * and the task marked asleep before it, so a wake-up between the check
 * and the switch is not lost.  Whoever makes @cond true must
 * wake_up_process() the sleeper.
 */
#define wait_event(cond)						\
	do {								\
		uint64_t __flags = cpu_irq_save();			\
		for (;;) {						\
			current->state = TASK_INTERRUPTIBLE;		\
			if (cond)					\
				break;					\
			schedule();					\
		}							\
		current->state = TASK_RUNNING;				\
		cpu_irq_restore(__flags);				\
	} while (0)

#endif
