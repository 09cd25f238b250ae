/*
 * The scheduler: one CPU, round robin over the runnable tasks, preemption
 * of user mode on the timer tick (see sched.h for why the kernel itself is
 * not preemptible).
 *
 * Data: the runqueue, a list of the runnable tasks (the running one
 * included, the idle task never); current_task; need_resched, set by the
 * tick when another task waits and by wake_up_process(); loaded_mm, whose
 * page tables CR3 holds.
 *
 * Policy: a woken task goes to the front of the queue (the shell, woken
 * by a keystroke, runs at once); a task that used its tick goes to the
 * back.  The slice is one tick (10 ms), and the tick asks for a switch
 * only when another task is runnable, so a lone hog runs undisturbed.
 *
 * Context switch (context_switch): CR3 only when the next task has an mm
 * other than the loaded one (kernel tasks borrow whatever is loaded, as
 * Linux's lazy TLB mode does: switching hog -> shell -> hog writes CR3
 * not at all); TSS.RSP0 and the per-CPU stack top for the entry code;
 * then __switch_to_asm for the registers.  The task switched away from
 * is freed by the next one if it died (finish_task_switch).
 *
 * Idle: the idle task (pid 0) halts with interrupts on while the queue is
 * empty.  The shell sleeps in sched_wait_irq() between keystrokes and is
 * woken after any device interrupt other than the tick (the UART's, or
 * the SCI's whose deferred work it runs).
 *
 * Locking: interrupts off around every runqueue change (one CPU).
 */
#include "kernel/sched.h"
#include "kernel/panic.h"
#include "kernel/time.h"
#include "arch/x86/gdt.h"
#include "arch/x86/percpu.h"

struct task_struct *current_task;

static struct task_struct boot_task;		/* pid 1: the shell */
static struct task_struct idle_task;		/* pid 0 */
static char idle_stack[THREAD_SIZE] __aligned(16);
static struct list_head runqueue = LIST_HEAD_INIT(runqueue);
static bool need_resched;
static struct mm_struct *loaded_mm;		/* whose tables CR3 holds */
static bool tick_irq;				/* this interrupt is the tick */
static struct task_struct *irq_waiter;		/* in sched_wait_irq() */

extern char boot_stack_top[];			/* head.S */
struct task_struct *__switch_to_asm(struct task_struct *prev,
				    struct task_struct *next);

static void enqueue(struct task_struct *t, bool front)
{
	if (front)
		list_add(&t->run_list, &runqueue);
	else
		list_add_tail(&t->run_list, &runqueue);
	t->on_rq = true;
}

static void dequeue(struct task_struct *t)
{
	list_del(&t->run_list);
	t->on_rq = false;
}

static struct task_struct *pick_next(void)
{
	if (list_empty(&runqueue))
		return &idle_task;
	return list_entry(runqueue.next, struct task_struct, run_list);
}

static void switch_mm(struct mm_struct *mm)
{
	if (mm && mm != loaded_mm) {
		write_cr3(mm->pgd);
		loaded_mm = mm;
	}
}

static void finish_task_switch(struct task_struct *prev)
{
	if (prev->state == TASK_DEAD)
		task_free(prev);
}

static void context_switch(struct task_struct *prev, struct task_struct *next)
{
	switch_mm(next->mm);
	if (next->mm) {
		tss_set_rsp0(next->stack_top);
		this_pcpu()->kernel_rsp = next->stack_top;
	}
	current_task = next;
	prev = __switch_to_asm(prev, next);
	finish_task_switch(prev);
}

void schedule(void)
{
	uint64_t flags = cpu_irq_save();
	struct task_struct *prev = current, *next;

	need_resched = false;
	if (prev->on_rq) {
		if (prev->state == TASK_RUNNING)
			list_move_tail(&prev->run_list, &runqueue);
		else
			dequeue(prev);
	}
	next = pick_next();
	if (next != prev)
		context_switch(prev, next);
	cpu_irq_restore(flags);
}

void schedule_tail(struct task_struct *prev)
{
	finish_task_switch(prev);
}

void wake_up_process(struct task_struct *t)
{
	uint64_t flags = cpu_irq_save();

	if (t->state != TASK_DEAD) {
		t->state = TASK_RUNNING;
		if (!t->on_rq && t != &idle_task)
			enqueue(t, true);
		if (t != current)
			need_resched = true;
	}
	cpu_irq_restore(flags);
}

void sched_remove(struct task_struct *t)
{
	uint64_t flags = cpu_irq_save();

	if (t->on_rq)
		dequeue(t);
	cpu_irq_restore(flags);
}

void sched_drop_mm(struct mm_struct *mm)
{
	uint64_t flags = cpu_irq_save();

	if (loaded_mm == mm) {
		write_cr3(init_mm.pgd);
		loaded_mm = &init_mm;
	}
	cpu_irq_restore(flags);
}

/* Another task than the running one is runnable. */
static bool others_runnable(void)
{
	struct list_head *first = runqueue.next;

	if (first == &runqueue)
		return false;
	return first != &current->run_list || first->next != &runqueue;
}

void sched_tick(void)
{
	tick_irq = true;
	if (others_runnable())
		need_resched = true;
}

void sched_irq_exit(void)
{
	if (!tick_irq && irq_waiter)
		wake_up_process(irq_waiter);
	tick_irq = false;
}

void sched_wait_irq(void)
{
	uint64_t flags = cpu_irq_save();

	if (!current) {				/* before sched_init() */
		cpu_idle();
		cpu_irq_restore(flags);
		return;
	}
	irq_waiter = current;
	current->state = TASK_INTERRUPTIBLE;
	schedule();
	irq_waiter = NULL;
	cpu_irq_restore(flags);
}

void exit_to_user_mode(void)
{
	while (need_resched)
		schedule();
}

void cond_resched(void)
{
	if (need_resched)
		schedule();
}

static void idle_loop(void *arg)
{
	for (;;) {
		cpu_cli();
		if (!list_empty(&runqueue)) {
			schedule();
			continue;
		}
		cpu_idle();			/* sti; hlt */
	}
}

void sched_init(void)
{
	task_init_idle(&idle_task, "swapper", idle_stack, idle_loop);
	task_init_boot(&boot_task, "sh", (unsigned long)boot_stack_top);
	current_task = &boot_task;
	enqueue(&boot_task, false);
	loaded_mm = &init_mm;
}
