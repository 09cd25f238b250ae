/*
 * Tasks: struct task_struct, user task creation, exit and kill, and the
 * command mailbox through which the shell drives a task (kernel/task.c).
 *
 * A task is a kernel stack plus, for a user task, an address space
 * (struct mm_struct, guest/mm).  pid 0 is the idle task, pid 1 the shell
 * (the boot context), user tasks count up from 2.  Scheduling is
 * kernel/sched.h's.
 */
#ifndef GUEST_KERNEL_TASK_H
#define GUEST_KERNEL_TASK_H

#include "mm/mm.h"
#include "user/user.h"

#define TASK_COMM_LEN	16
#define THREAD_ORDER	2			/* kernel stacks: 16 KiB */
#define THREAD_SIZE	(PAGE_SIZE << THREAD_ORDER)
#define USER_STACK_SIZE	(64UL << 10)

enum task_state {
	TASK_RUNNING,		/* running or on the runqueue */
	TASK_INTERRUPTIBLE,	/* asleep until wake_up_process() */
	TASK_DEAD,		/* exited; freed by the next task to run */
};

/*
 * The shell's commands to a task and its answers.  posted counts the
 * commands sent (the implicit MV_CMD_START is the first), answered those
 * answered; the task waits while answered == posted, the shell while
 * answered < posted.
 */
struct task_mailbox {
	unsigned long posted;
	unsigned long answered;
	long cmd;			/* the last command posted (MV_CMD_*) */
	long status;			/* the last answer */
	long detail;
	struct task_struct *waiter;	/* woken by answers and by the exit */
};

struct task_struct {
	unsigned long sp;		/* saved RSP while off the CPU: first,
					 * switch_to.S relies on it */
	int pid;
	enum task_state state;
	char comm[TASK_COMM_LEN];
	struct mm_struct *mm;		/* NULL for kernel tasks */
	void *stack;			/* THREAD_SIZE bytes from the buddy
					 * allocator; NULL: a static stack
					 * (the boot and idle tasks) */
	unsigned long stack_top;	/* initial RSP, TSS.RSP0 */
	struct list_head run_list;	/* on the runqueue while on_rq */
	bool on_rq;
	struct list_head tasks;		/* on the list of all tasks */
	struct task_mailbox mbox;
	int exit_code;			/* what ended it (signal number) */
	int oom_score_adj;		/* -1000 .. 1000, /proc/PID/oom_score_adj */
	bool oom_victim;		/* chosen by the OOM killer while it was
					 * the one allocating: ends at once */
	bool kthread;			/* made by kthread_create: ps shows
					 * [comm], as Linux does */
	/* open files: a disk's page cache, read-only (only MV_FD_FILE is
	 * ever set: given by the shell at creation) */
	struct address_space *files[MV_NR_FILES];
};

/* What a user task runs. */
struct user_task_args {
	const char *comm;
	user_entry_t *entry;		/* in the user image */
	unsigned long arg[3];		/* RDI, RSI, RDX */
	struct task_struct *waiter;	/* mailbox waiter, or NULL */
	struct address_space *file;	/* open as MV_FD_FILE, or NULL */
};

/* Make @boot, the running boot context on the boot stack, a kernel task
 * (the next pid: 1). */
void task_init_boot(struct task_struct *boot, const char *comm,
		    unsigned long stack_top);
/* Make @idle, static like its THREAD_SIZE @stack, the idle task: pid 0,
 * listed nowhere, starting in @fn(NULL) when first switched to; it never
 * ends (task_free() must not see it).  Called once, before any other task
 * is created. */
void task_init_idle(struct task_struct *idle, const char *comm,
		    void *stack, void (*fn)(void *));
/* Create a kernel task running @fn(@arg), not yet runnable, with the next
 * pid (task_init_idle() took 0).  NULL without memory. */
struct task_struct *kthread_create(const char *comm, void (*fn)(void *),
				   void *arg);
/* Start a user task; its pid, or -ENOMEM. */
int task_create_user(const struct user_task_args *a);
/* The live task with @pid, or NULL. */
struct task_struct *task_find(int pid);
/* Call @fn for each live task in pid order (pid 0 excepted). */
void task_for_each(void (*fn)(struct task_struct *t, void *arg), void *arg);
/* End @t (not the current task), freeing all it has.  0, or -EPERM for
 * kernel tasks. */
int task_kill(struct task_struct *t);
/* End the current task with @code (a signal number, 0 for exit). */
void __noreturn do_exit(int code);
/* Size of @t's address space in kB (its VMAs), 0 for kernel tasks. */
unsigned long task_total_vm_kb(const struct task_struct *t);
/* Free a task that died, after the switch away from it (sched.c). */
void task_free(struct task_struct *t);

/* Shell side of the mailbox: post @cmd to @t; waiter is the caller. */
void task_post_cmd(struct task_struct *t, long cmd);
/* Has @t answered everything posted to it? */
static inline bool task_answered(const struct task_struct *t)
{
	return t->mbox.answered == t->mbox.posted;
}
/* Task side: mv_cmd_wait(). */
long sys_mv_cmd_wait(long status, long detail);

/* Resident set of @t in kB (0 for kernel tasks). */
unsigned long task_rss_kb(const struct task_struct *t);

#endif
