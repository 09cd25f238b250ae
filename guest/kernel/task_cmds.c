/*
 * Shell commands for user tasks.
 *
 *	hog SIZE [zero|same|seq|random] [--seed N] [--name NAME] [&]
 *		start the hog (user/hog.c) on SIZE bytes (K, M, G suffixes,
 *		binary); the shell waits until it has filled its memory (or
 *		died) unless the last word is "&"
 *	hog SIZE file /dev/vdX [--name NAME] [&]
 *		the hog maps the first SIZE bytes of the disk (open for it as
 *		fd 3, MAP_SHARED read-only: the disk's page cache) and reads
 *		them, reporting their checksum; verify reads them again
 *	hog touch PID PAGES
 *		the hog PID reads its first PAGES pages again and says so
 *		("hog: pid 4 touched 2048 pages"): a working set to watch
 *		with page_idle
 *	ps	PID, COMMAND, STAT, RSS (kB) of every task, as Linux's
 *		`ps -o pid,comm,stat,rss`
 *	kill PID...	end tasks; their memory goes back at once
 *	verify	every user task re-checks its checksums (one still filling
 *		is waited for first); one line per task and a total
 *		("verify: ok N pages in M tasks")
 *	segv	(hidden) a user program that writes to address 0
 *
 * Waiting: the shell posts through the task's mailbox (task.h) and sleeps
 * in wait_event() until every task it waits for has answered or is gone;
 * tasks wake it when they answer and when they end.
 */
#include "kernel/task_cmds.h"
#include "kernel/blkdev.h"
#include "kernel/sched.h"
#include "kernel/shell.h"
#include "kernel/string.h"
#include "kernel/vsprintf.h"

#define MAX_WAIT	64		/* tasks one verify talks to */

#ifndef ESRCH
#define ESRCH		3
#endif

struct pid_set {
	int n;
	int pid[MAX_WAIT];
};

static const char *const pattern_names[NR_HOG_PATTERNS] = {
	"zero", "same", "seq", "random",
};

/* "64M", "512K", "1G", "4096": bytes into *@bytes; 0 or -EINVAL. */
static int parse_size(const char *s, unsigned long *bytes)
{
	unsigned long v = 0, shift = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if (p == s)
		return -EINVAL;
	if (*p == 'K' || *p == 'k')
		shift = 10;
	else if (*p == 'M' || *p == 'm')
		shift = 20;
	else if (*p == 'G' || *p == 'g')
		shift = 30;
	if (shift)
		p++;
	if (*p && strcmp(p, "B") && strcmp(p, "iB"))
		return -EINVAL;
	*bytes = v << shift;
	return 0;
}

static int parse_pattern(const char *s)
{
	for (int i = 0; i < NR_HOG_PATTERNS; i++)
		if (!strcmp(s, pattern_names[i]))
			return i;
	return -EINVAL;
}

static bool task_done(int pid)
{
	struct task_struct *t = task_find(pid);

	return !t || task_answered(t);
}

static bool all_done(const struct pid_set *set)
{
	for (int i = 0; i < set->n; i++)
		if (!task_done(set->pid[i]))
			return false;
	return true;
}

/* Start a user task and (if @wait) sleep until it is ready or gone. */
static int start_task(struct user_task_args *a, bool wait, const char *cmd)
{
	int pid;

	a->waiter = current;
	pid = task_create_user(a);
	if (pid < 0) {
		shell_printf("%s: cannot start a task: out of memory\n", cmd);
		return pid;
	}
	if (wait)
		wait_event(task_done(pid));
	return 0;
}

/* hog's options after SIZE into @a (*@dev: file mode's disk); false on
 * a bad one. */
static bool hog_options(int argc, char **argv, struct user_task_args *a,
			bool *wait, const char **dev)
{
	unsigned long long v;
	int i, p;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "&") && i == argc - 1) {
			*wait = false;
		} else if (!strcmp(argv[i], "file") && i + 1 < argc && !*dev) {
			*dev = argv[++i];
			a->arg[1] = HOG_FILE;
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc &&
			   !kstrtoull(argv[i + 1], &v)) {
			a->arg[2] = v;
			i++;
		} else if (!strcmp(argv[i], "--name") && i + 1 < argc) {
			a->comm = argv[++i];
		} else if ((p = parse_pattern(argv[i])) >= 0) {
			a->arg[1] = (unsigned long)p;
		} else {
			return false;
		}
	}
	return true;
}

/* File mode: open @dev for the hog as MV_FD_FILE.  0, or -errno
 * (printed). */
static int hog_open_file(struct user_task_args *a, const char *dev)
{
	struct gendisk *disk = get_disk(dev);

	if (!disk || strncmp(dev, "/dev/", 5)) {
		shell_printf("hog: %s: no such disk\n", dev);
		return -ENODEV;
	}
	if (a->arg[0] > disk->capacity << SECTOR_SHIFT) {
		shell_printf("hog: %s has %llu bytes, fewer than SIZE\n", dev,
			     (unsigned long long)(disk->capacity <<
						  SECTOR_SHIFT));
		return -EINVAL;
	}
	a->file = disk_page_cache(disk);
	if (!a->file) {
		shell_printf("hog: %s: no memory for its page cache\n", dev);
		return -ENOMEM;
	}
	a->arg[2] = MV_FD_FILE;
	return 0;
}

/* hog touch PID PAGES */
static int cmd_hog_touch(int argc, char **argv)
{
	unsigned long long pid, pages;
	struct task_struct *t;

	if (argc != 4 || kstrtoull(argv[2], &pid) || kstrtoull(argv[3], &pages) ||
	    pid > 0x7fffffff || pages > (~0UL >> MV_CMD_SHIFT)) {
		shell_printf("usage: hog touch PID PAGES\n");
		return -EINVAL;
	}
	t = task_find((int)pid);
	if (t && t->mm)
		wait_event(task_done((int)pid));	/* still filling */
	t = task_find((int)pid);
	if (!t || !t->mm) {
		shell_printf("hog: (%s) - No such process\n", argv[2]);
		return -ESRCH;
	}
	task_post_cmd(t, MV_CMD_TOUCH | (long)(pages << MV_CMD_SHIFT));
	wait_event(task_done((int)pid));
	t = task_find((int)pid);
	if (!t || t->mbox.status) {
		shell_printf("hog: pid %d did not answer\n", (int)pid);
		return -EIO;
	}
	shell_printf("hog: pid %d touched %ld pages\n", (int)pid,
		     t->mbox.detail);
	return 0;
}

static int cmd_hog(int argc, char **argv)
{
	struct user_task_args a = {
		.comm = "hog", .entry = hog_main,
		.arg = { 0, HOG_RANDOM, 1 },
	};
	const char *dev = NULL;
	bool wait = true;
	int err;

	if (argc > 1 && !strcmp(argv[1], "touch"))
		return cmd_hog_touch(argc, argv);
	if (argc < 2 || parse_size(argv[1], &a.arg[0]) || a.arg[0] < PAGE_SIZE ||
	    !hog_options(argc, argv, &a, &wait, &dev) ||
	    (dev && a.arg[1] != HOG_FILE) ||
	    (dev && a.arg[0] % PAGE_SIZE)) {
		shell_printf("usage: hog SIZE [zero|same|seq|random] "
			     "[--seed N] [--name NAME] [&]\n"
			     "       hog SIZE file /dev/vdX [--name NAME] [&]"
			     "   (SIZE whole pages)\n");
		return -EINVAL;
	}
	if (dev) {
		err = hog_open_file(&a, dev);
		if (err)
			return err;
	}
	return start_task(&a, wait, "hog");
}

static int cmd_segv(int argc, char **argv)
{
	struct user_task_args a = { .comm = "segv", .entry = segv_main };

	return start_task(&a, true, "segv");
}

static void ps_line(struct task_struct *t, void *arg)
{
	char stat = t == current ? 'R' :
		    t->state == TASK_RUNNING ? 'R' : 'S';
	char name[TASK_COMM_LEN + 2];

	snprintf(name, sizeof(name), t->kthread ? "[%s]" : "%s", t->comm);
	shell_printf("%7d %-15s %c    %8lu\n", t->pid, name, stat,
		     task_rss_kb(t));
}

static int cmd_ps(int argc, char **argv)
{
	shell_printf("    PID COMMAND         STAT      RSS\n");
	task_for_each(ps_line, NULL);
	return 0;
}

static int cmd_kill(int argc, char **argv)
{
	unsigned long long pid;
	struct task_struct *t;
	int i, err = 0;

	if (argc < 2) {
		shell_printf("usage: kill PID...\n");
		return -EINVAL;
	}
	for (i = 1; i < argc; i++) {
		t = kstrtoull(argv[i], &pid) || pid > 0x7fffffff ? NULL :
		    task_find((int)pid);
		if (!t) {
			shell_printf("kill: (%s) - No such process\n", argv[i]);
			err = -ESRCH;
		} else if (task_kill(t)) {
			shell_printf("kill: (%s) - Operation not permitted\n",
				     argv[i]);
			err = -EPERM;
		}
	}
	return err;
}

/* Collect the user tasks. */
static void collect_user(struct task_struct *t, void *arg)
{
	struct pid_set *set = arg;

	if (t->mm && set->n < MAX_WAIT)
		set->pid[set->n++] = t->pid;
}

/* Post MV_CMD_VERIFY to each task of @set still alive. */
static void verify_post(struct pid_set *set)
{
	for (int i = 0; i < set->n; i++) {
		struct task_struct *t = task_find(set->pid[i]);

		if (t)
			task_post_cmd(t, MV_CMD_VERIFY);
	}
}

/* Print @pid's answer; its pages, or -1 if it failed. */
static long verify_report(int pid)
{
	struct task_struct *t = task_find(pid);

	if (!t) {
		shell_printf("verify: pid %d ended before answering\n", pid);
		return -1;
	}
	if (t->mbox.status != MV_VERIFY_OK) {
		shell_printf("verify: pid %d page %ld checksum mismatch\n", pid,
			     t->mbox.detail);
		return -1;
	}
	shell_printf("verify: pid %d (%s) ok %ld pages\n", pid, t->comm,
		     t->mbox.detail);
	return t->mbox.detail;
}

static int cmd_verify(int argc, char **argv)
{
	struct pid_set set = { .n = 0 };
	unsigned long pages = 0, failed = 0;

	task_for_each(collect_user, &set);
	if (!set.n) {
		shell_printf("verify: no tasks to verify\n");
		return 0;
	}
	wait_event(all_done(&set));		/* those still filling */
	verify_post(&set);
	wait_event(all_done(&set));
	for (int i = 0; i < set.n; i++) {
		long r = verify_report(set.pid[i]);

		if (r < 0)
			failed++;
		else
			pages += (unsigned long)r;
	}
	if (failed)
		shell_printf("verify: FAILED in %lu of %d tasks\n", failed, set.n);
	else
		shell_printf("verify: ok %lu pages in %d tasks\n", pages, set.n);
	return failed ? -EIO : 0;
}

static const struct shell_cmd task_cmds[] = {
	{ "hog", cmd_hog, "hog SIZE [zero|same|seq|random] | hog SIZE file /dev/vdX: fill memory, or map and read a disk" },
	{ "ps", cmd_ps, "list tasks with their RSS" },
	{ "kill", cmd_kill, "kill PID: end a task" },
	{ "verify", cmd_verify, "every hog re-checks its checksums" },
	{ "segv", cmd_segv, NULL },
};

void task_cmds_init(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(task_cmds); i++)
		shell_register(&task_cmds[i]);
}
