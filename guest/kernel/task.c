/*
 * Tasks: creation, exit, kill and the shell's command mailbox.
 *
 * A task (struct task_struct, task.h) owns a kernel stack of THREAD_SIZE
 * from the buddy allocator (the boot and idle tasks, which never end, use
 * static ones, so boot allocates nothing for them) and, if it runs in user
 * mode, an address space
 * from guest/mm: mm_alloc() gives it a PML4 sharing the kernel half; the
 * user programs' image (user/user.h) is mapped read-write-execute at
 * USER_IMAGE_BASE and copied in (faulted in through handle_mm_fault and
 * written through the direct map: the new mm need not be loaded), and a
 * USER_STACK_SIZE stack is mapped top-down like any mmap.
 *
 * A new task's kernel stack is prepared so that the first switch to it
 * lands in entry.S (lowest address first):
 *
 *	sp ->	struct inactive_task_frame	callee-saved regs, then the
 *						return address: ret_from_fork
 *						or ret_from_kernel_thread
 *		struct trap_frame		user registers for IRETQ
 *	stack_top
 *
 * Ends: a task that exits or faults runs do_exit(): it leaves the task
 * list, unloads and puts its mm (mmput frees every page and table), wakes
 * its mailbox waiter and switches away as TASK_DEAD; the next task frees
 * its stack and struct (sched.c, finish_task_switch).  task_kill() ends a
 * task that is not running from outside, at once: every task off the CPU
 * is parked in schedule() owning nothing (sched.h), so its mm, stack and
 * struct can simply be freed.
 *
 * all_tasks lists the live tasks in pid order (pids only grow).
 */
#include "kernel/task.h"
#include "kernel/sched.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "arch/x86/seg.h"
#include "arch/x86/traps.h"

#define USER_RFLAGS	0x202UL		/* IF, and the reserved bit 1 */

/* What __switch_to_asm pops, lowest address first (switch_to.S). */
struct inactive_task_frame {
	unsigned long r15, r14, r13, r12, rbx, rbp;
	unsigned long ret_addr;
};

static struct list_head all_tasks = LIST_HEAD_INIT(all_tasks);
static int next_pid;

void ret_from_fork(void);		/* entry.S */
void ret_from_kernel_thread(void);

BUILD_BUG_ON(offsetof(struct task_struct, sp) != 0);

/* A kernel stack, counted in /proc/meminfo's KernelStack. */
static void *stack_alloc(void)
{
	struct page *page = alloc_pages(GFP_KERNEL, THREAD_ORDER);

	if (!page)
		return NULL;
	mod_zone_page_state(page_zone(page), NR_KERNEL_STACK_KB,
			    THREAD_SIZE >> 10);
	return page_address(page);
}

static void stack_free(void *stack)
{
	struct page *page = virt_to_page(stack);

	mod_zone_page_state(page_zone(page), NR_KERNEL_STACK_KB,
			    -(long)(THREAD_SIZE >> 10));
	__free_pages(page, THREAD_ORDER);
}

static struct task_struct *task_alloc(const char *comm)
{
	struct task_struct *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	t->stack = stack_alloc();
	if (!t->stack) {
		kfree(t);
		return NULL;
	}
	t->stack_top = (unsigned long)t->stack + THREAD_SIZE;
	t->pid = next_pid++;
	strlcpy(t->comm, comm, sizeof(t->comm));
	return t;
}

void task_free(struct task_struct *t)
{
	if (t->stack)
		stack_free(t->stack);
	kfree(t);
}

/* Lay out the first-switch frames; returns the (zeroed) trap frame. */
static struct trap_frame *task_frames(struct task_struct *t, void (*ret)(void))
{
	struct trap_frame *regs = (struct trap_frame *)t->stack_top - 1;
	struct inactive_task_frame *sw = (struct inactive_task_frame *)regs - 1;

	memset(sw, 0, sizeof(*sw) + sizeof(*regs));
	sw->ret_addr = (unsigned long)ret;
	t->sp = (unsigned long)sw;
	return regs;
}

void task_init_boot(struct task_struct *boot, const char *comm,
		    unsigned long stack_top)
{
	boot->pid = next_pid++;
	boot->state = TASK_RUNNING;
	boot->stack_top = stack_top;
	strlcpy(boot->comm, comm, sizeof(boot->comm));
	list_add_tail(&boot->tasks, &all_tasks);
}

/* Make @t, whose stack is set, a kernel thread that starts in @fn(@arg)
 * when first switched to. */
static void kthread_frames(struct task_struct *t, void (*fn)(void *),
			   void *arg)
{
	struct inactive_task_frame *sw;

	task_frames(t, ret_from_kernel_thread);
	sw = (struct inactive_task_frame *)t->sp;
	sw->rbx = (unsigned long)fn;
	sw->r12 = (unsigned long)arg;
	t->state = TASK_INTERRUPTIBLE;
}

void task_init_idle(struct task_struct *idle, const char *comm,
		    void *stack, void (*fn)(void *))
{
	BUG_ON(next_pid != 0);
	idle->pid = next_pid++;
	idle->stack_top = (unsigned long)stack + THREAD_SIZE;
	strlcpy(idle->comm, comm, sizeof(idle->comm));
	kthread_frames(idle, fn, NULL);		/* listed nowhere */
}

struct task_struct *kthread_create(const char *comm, void (*fn)(void *),
				   void *arg)
{
	struct task_struct *t = task_alloc(comm);

	if (!t)
		return NULL;
	kthread_frames(t, fn, arg);
	t->kthread = true;
	list_add_tail(&t->tasks, &all_tasks);
	return t;
}

/*
 * Copy @len bytes from kernel memory @src to user address @va of @mm,
 * faulting the pages in; @mm need not be loaded.  0 or -ENOMEM.
 */
static int mm_copy_to(struct mm_struct *mm, unsigned long va,
		      const char *src, unsigned long len)
{
	while (len) {
		unsigned long n = min(len, PAGE_SIZE - (va & ~PAGE_MASK));
		phys_addr_t pa;

		if (handle_mm_fault(mm, va, FAULT_FLAG_WRITE) ||
		    follow_phys(mm, va, &pa, NULL))
			return -ENOMEM;
		memcpy(__va(pa), src, n);
		va += n;
		src += n;
		len -= n;
	}
	return 0;
}

/* The user image and a stack in @t's new mm; *@sp = initial RSP. */
static int task_setup_mm(struct task_struct *t, unsigned long *sp)
{
	unsigned long size = (unsigned long)__user_image_size, addr;
	int err;

	t->mm = mm_alloc();
	if (!t->mm)
		return -ENOMEM;
	err = do_mmap(t->mm, USER_IMAGE_BASE, PAGE_ALIGN(size),
		      PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, &addr);
	if (!err)
		err = mm_copy_to(t->mm, USER_IMAGE_BASE, __user_image_kva, size);
	if (!err)
		err = do_mmap(t->mm, 0, USER_STACK_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, &addr);
	*sp = addr + USER_STACK_SIZE - 8;	/* as if called: RSP % 16 == 8 */
	return err;
}

int task_create_user(const struct user_task_args *a)
{
	struct task_struct *t = task_alloc(a->comm);
	struct trap_frame *regs;
	unsigned long sp;
	int err;

	if (!t)
		return -ENOMEM;
	err = task_setup_mm(t, &sp);
	if (err) {
		if (t->mm)
			mmput(t->mm, NULL);
		task_free(t);
		return err;
	}
	regs = task_frames(t, ret_from_fork);
	regs->rip = (unsigned long)a->entry;
	regs->cs = USER_CS;
	regs->rflags = USER_RFLAGS;
	regs->rsp = sp;
	regs->ss = USER_DS;
	regs->rdi = a->arg[0];
	regs->rsi = a->arg[1];
	regs->rdx = a->arg[2];
	t->files[MV_FD_FILE] = a->file;
	t->mbox.posted = 1;			/* MV_CMD_START */
	t->mbox.waiter = a->waiter;
	t->state = TASK_INTERRUPTIBLE;
	list_add_tail(&t->tasks, &all_tasks);
	wake_up_process(t);
	return t->pid;
}

struct task_struct *task_find(int pid)
{
	struct task_struct *t;

	list_for_each_entry(t, &all_tasks, tasks)
		if (t->pid == pid)
			return t;
	return NULL;
}

void task_for_each(void (*fn)(struct task_struct *t, void *arg), void *arg)
{
	struct task_struct *t, *next;

	list_for_each_entry_safe(t, next, &all_tasks, tasks)
		fn(t, arg);
}

/* Off the task list, waiter woken; the mm is returned to the caller. */
static struct mm_struct *task_detach(struct task_struct *t)
{
	struct mm_struct *mm = t->mm;
	uint64_t flags = cpu_irq_save();

	list_del(&t->tasks);
	t->mm = NULL;
	if (mm)
		sched_drop_mm(mm);
	if (t->mbox.waiter)
		wake_up_process(t->mbox.waiter);
	cpu_irq_restore(flags);
	return mm;
}

int task_kill(struct task_struct *t)
{
	struct mm_struct *mm;

	if (!t->mm || t == current)
		return -EPERM;
	sched_remove(t);
	mm = task_detach(t);
	t->state = TASK_DEAD;
	t->exit_code = 9;			/* SIGKILL */
	task_free(t);
	mmput(mm, NULL);
	return 0;
}

void do_exit(int code)
{
	struct task_struct *t = current;
	struct mm_struct *mm = task_detach(t);

	t->exit_code = code;
	if (mm)
		mmput(mm, NULL);
	cpu_cli();
	t->state = TASK_DEAD;
	schedule();
	panic("do_exit: pid %d ran again after its exit", t->pid);
}

unsigned long task_rss_kb(const struct task_struct *t)
{
	return t->mm ? get_mm_rss(t->mm) << (PAGE_SHIFT - 10) : 0;
}

unsigned long task_total_vm_kb(const struct task_struct *t)
{
	struct vm_area_struct *vma;
	unsigned long bytes = 0;

	if (!t->mm)
		return 0;
	list_for_each_entry(vma, &t->mm->mmap, vm_list)
		bytes += vma->vm_end - vma->vm_start;
	return bytes >> 10;
}

void task_post_cmd(struct task_struct *t, long cmd)
{
	t->mbox.cmd = cmd;
	t->mbox.posted++;
	t->mbox.waiter = current;
	wake_up_process(t);
}

long sys_mv_cmd_wait(long status, long detail)
{
	struct task_mailbox *mb = &current->mbox;

	if (mb->answered != mb->posted) {
		mb->status = status;
		mb->detail = detail;
		mb->answered = mb->posted;
		if (mb->waiter)
			wake_up_process(mb->waiter);
	}
	wait_event(mb->answered != mb->posted);
	return mb->cmd;
}
