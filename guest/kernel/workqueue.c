/*
 * Deferred work (see workqueue.h): a singly linked FIFO of work items.
 *
 * schedule_work() appends under cpu_irq_save() (the queue is shared with
 * interrupt handlers; one CPU runs the kernel's process context).  The
 * runner pops one item at a time with interrupts off, clears ->pending
 * before calling ->func (so the function may re-queue itself, and an event
 * arriving while it runs queues it again), and calls it with interrupts on.
 * A running flag keeps the runner from recursing when a work function ends
 * up back in an idle point (e.g. it waits for console input).
 */
#include "kernel/workqueue.h"
#include "arch/x86/cpu.h"

static struct work_struct *work_head;
static struct work_struct **work_tail = &work_head;
static bool work_running;

bool schedule_work(struct work_struct *work)
{
	uint64_t flags = cpu_irq_save();
	bool queued = !work->pending;

	if (queued) {
		work->pending = true;
		work->next = NULL;
		*work_tail = work;
		work_tail = &work->next;
	}
	cpu_irq_restore(flags);
	return queued;
}

/* The oldest pending item, unlinked and no longer pending; interrupts
 * must be off. NULL if none. */
static struct work_struct *pop_work(void)
{
	struct work_struct *w = work_head;

	if (!w)
		return NULL;
	work_head = w->next;
	if (!work_head)
		work_tail = &work_head;
	w->next = NULL;
	w->pending = false;
	return w;
}

/* Interrupts off on entry and on return. */
static void run_all(void)
{
	struct work_struct *w;

	work_running = true;
	while ((w = pop_work()) != NULL) {
		cpu_sti();
		w->func(w);
		cpu_cli();
	}
	work_running = false;
}

bool run_scheduled_work(void)
{
	if (!work_head || work_running)
		return false;
	run_all();
	cpu_sti();
	return true;
}

void flush_scheduled_work(void)
{
	uint64_t flags = cpu_irq_save();

	if (!work_running)
		run_all();
	cpu_irq_restore(flags);
}
