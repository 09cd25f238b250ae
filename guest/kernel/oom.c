/*
 * The OOM killer, kernel half (Linux's mm/oom_kill.c out_of_memory and
 * oom_kill_process, fs/proc's oom_score files).
 *
 * out_of_memory() is guest/mm's mm_hooks.out_of_memory: the allocator
 * calls it when a request that may reclaim failed after reclaim. Order:
 *   1. the notifier (the balloon, if the host negotiated deflate-on-OOM)
 *      gives pages back: no kill (virtio's rule);
 *   2. else every user task is a candidate (struct oom_candidate: rss,
 *      page tables, oom_score_adj); guest/mm's oom_select() picks the
 *      largest badness; its report is printed as Linux prints it
 *      ("... invoked oom-killer", Mem-Info, the task table, "Out of
 *      memory: Killed process ...");
 *   3. a victim other than the current task is killed at once
 *      (task_kill: every task off the CPU owns nothing, so its mm is freed
 *      now) and the allocation retries; the current task is marked
 *      oom_victim and the allocation fails, so its fault ends it
 *      (pagefault_out_of_memory).
 * The kernel never dies of OOM: with no candidate the allocation fails
 * and its caller copes (a fault then ends the faulting task).
 *
 * /proc/PID/oom_score_adj (read-write, -1000..1000) and /proc/PID/oom_score
 * (read-only) are a sysfs directory at /proc serving "PID/<file>".
 *
 * Locking: none needed: one CPU, a non-preemptible kernel; the scan and
 * the kill run without sleeping.
 */
#include "kernel/oom.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/string.h"
#include "kernel/sysfs.h"
#include "include/errno.h"

#define OOM_MAX_TASKS	64
#define SIGKILL		9

struct oom_scan {
	unsigned int n;
	struct oom_candidate c[OOM_MAX_TASKS];
	struct task_struct *t[OOM_MAX_TASKS];
};

static oom_notifier_t oom_notifier;
static struct oom_scan scan;		/* static: too large for a stack */

int oom_register_notifier(oom_notifier_t fn)
{
	if (oom_notifier)
		return -EBUSY;
	oom_notifier = fn;
	return 0;
}

void oom_unregister_notifier(oom_notifier_t fn)
{
	if (oom_notifier == fn)
		oom_notifier = NULL;
}

static void task_candidate(const struct task_struct *t,
			   struct oom_candidate *c)
{
	*c = (struct oom_candidate){
		.pid = t->pid,
		.rss = t->mm ? get_mm_rss(t->mm) : 0,
		.pgtables = t->mm ? t->mm->nr_ptes : 0,
		.swapents = t->mm ? t->mm->rss_stat[MM_SWAPENTS] : 0,
		.oom_score_adj = t->oom_score_adj,
	};
}

static void collect(struct task_struct *t, void *arg)
{
	struct oom_scan *s = arg;

	if (!t->mm || t->oom_victim || s->n == OOM_MAX_TASKS)
		return;
	task_candidate(t, &s->c[s->n]);
	s->t[s->n++] = t;
}

/* Linux's dump_tasks(). */
static void dump_tasks(const struct oom_scan *s)
{
	pr_info("Tasks state (memory values in pages):\n");
	pr_info("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes "
		"swapents oom_score_adj name\n");
	for (unsigned int i = 0; i < s->n; i++)
		pr_info("[%7d] %5d %5d %8lu %8lu %8lu %8lu %13d %s\n",
			s->c[i].pid, 0, s->c[i].pid,
			task_total_vm_kb(s->t[i]) >> 2, s->c[i].rss,
			s->c[i].pgtables << PAGE_SHIFT, s->c[i].swapents,
			s->c[i].oom_score_adj, s->t[i]->comm);
}

static void oom_report(const struct oom_scan *s, int v, gfp_t gfp,
		       unsigned int order)
{
	const struct task_struct *t = s->t[v];

	pr_warn("%s invoked oom-killer: gfp_mask=%#x, order=%u, "
		"oom_score_adj=%d\n", current->comm, gfp, order,
		current->oom_score_adj);
	show_mem();
	dump_tasks(s);
	pr_info("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,"
		"mems_allowed=0,global_oom,task_memcg=/,task=%s,pid=%d,uid=0\n",
		t->comm, t->pid);
	pr_err("Out of memory: Killed process %d (%s) total-vm:%lukB, "
	       "anon-rss:%lukB, file-rss:0kB, shmem-rss:0kB, UID:0 "
	       "pgtables:%lukB oom_score_adj:%d\n", t->pid, t->comm,
	       task_total_vm_kb(t), task_rss_kb(t),
	       s->c[v].pgtables << (PAGE_SHIFT - 10), t->oom_score_adj);
}

bool out_of_memory(gfp_t gfp, unsigned int order)
{
	struct task_struct *victim;
	int v;

	if (oom_notifier && oom_notifier())
		return true;
	scan.n = 0;
	task_for_each(collect, &scan);
	v = oom_select(scan.c, scan.n, oom_totalpages());
	if (v < 0) {
		pr_warn("%s invoked oom-killer: gfp_mask=%#x, order=%u: "
			"no killable process\n", current->comm, gfp, order);
		return false;
	}
	victim = scan.t[v];
	oom_report(&scan, v, gfp, order);
	count_vm_events(0, OOM_KILL, 1);
	if (victim == current) {
		victim->oom_victim = true;
		return false;
	}
	task_kill(victim);
	return true;
}

void pagefault_out_of_memory(void)
{
	if (!current->oom_victim &&
	    out_of_memory(GFP_HIGHUSER_MOVABLE, 0))
		return;
	if (!current->oom_victim) {
		/* nothing chosen (all exempt): the faulting task goes */
		pr_err("Out of memory: Killed process %d (%s) total-vm:%lukB, "
		       "anon-rss:%lukB, file-rss:0kB, shmem-rss:0kB, UID:0 "
		       "pgtables:%lukB oom_score_adj:%d\n", current->pid,
		       current->comm, task_total_vm_kb(current),
		       task_rss_kb(current),
		       current->mm->nr_ptes << (PAGE_SHIFT - 10),
		       current->oom_score_adj);
		count_vm_events(0, OOM_KILL, 1);
	}
	do_exit(SIGKILL);
}

/* ------------------------------------------------------------ /proc/PID */

/* "PID/name" -> task and file name; NULL if no such task. */
static struct task_struct *proc_task(const char *rel, const char **file)
{
	unsigned long long pid = 0;
	const char *p = rel;

	if (*p < '0' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++)
		pid = pid * 10 + (unsigned long long)(*p - '0');
	if (*p && *p != '/')
		return NULL;
	*file = *p ? p + 1 : p;
	return pid > 0x7fffffff ? NULL : task_find((int)pid);
}

struct pid_emit {
	sysfs_emit_t emit;
	void *arg;
};

static void emit_pid(struct task_struct *t, void *arg)
{
	const struct pid_emit *e = arg;
	char name[16];
	struct seq_buf m;

	seq_buf_init(&m, name, sizeof(name));
	seq_printf(&m, "%d", t->pid);
	e->emit(name, e->arg);
}

static int proc_pid_readdir(const char *rel, sysfs_emit_t emit, void *arg)
{
	const char *file;
	struct task_struct *t;

	if (!*rel) {
		struct pid_emit e = { emit, arg };

		task_for_each(emit_pid, &e);
		return 0;
	}
	t = proc_task(rel, &file);
	if (!t)
		return -ENOENT;
	if (*file)
		return -ENOTDIR;
	emit("oom_score", arg);
	emit("oom_score_adj", arg);
	return 0;
}

static int proc_pid_show(const char *rel, struct seq_buf *m)
{
	const char *file;
	struct task_struct *t = proc_task(rel, &file);
	struct oom_candidate c;

	if (!t)
		return -ENOENT;
	if (!*file)
		return -EISDIR;
	if (!strcmp(file, "oom_score_adj")) {
		seq_printf(m, "%d\n", t->oom_score_adj);
	} else if (!strcmp(file, "oom_score")) {
		task_candidate(t, &c);
		seq_printf(m, "%lu\n", oom_score(&c, oom_totalpages()));
	} else {
		return -ENOENT;
	}
	return 0;
}

/* "-500\n" -> -500; 0 or -EINVAL. */
static int parse_adj(const char *buf, int *adj)
{
	bool neg = *buf == '-';
	long v = 0;
	const char *p = buf + neg;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > 100000)
			return -EINVAL;
	}
	if (*p && *p != '\n')
		return -EINVAL;
	*adj = (int)(neg ? -v : v);
	return 0;
}

static int proc_pid_store(const char *rel, const char *buf)
{
	const char *file;
	struct task_struct *t = proc_task(rel, &file);
	int adj;

	if (!t)
		return -ENOENT;
	if (strcmp(file, "oom_score_adj"))
		return *file ? -EACCES : -EISDIR;
	if (parse_adj(buf, &adj) || adj < OOM_SCORE_ADJ_MIN ||
	    adj > OOM_SCORE_ADJ_MAX)
		return -EINVAL;
	t->oom_score_adj = adj;
	return 0;
}

static const struct sysfs_dir proc_pid_dir = {
	.path = "/proc",
	.readdir = proc_pid_readdir,
	.show = proc_pid_show,
	.store = proc_pid_store,
};

void oom_init(void)
{
	mm_hooks.out_of_memory = out_of_memory;
	sysfs_register(&proc_pid_dir);
}
