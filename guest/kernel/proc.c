/*
 * /proc file table and the core files.
 *
 * proc_files[] holds pointers to registered struct proc_file, in order of
 * registration; lookups are a linear strcmp scan (dozens of files at
 * most) and the first registration of a path wins. Files live where their data does: guest/mm's (meminfo, buddyinfo,
 * zoneinfo, vmstat...) are registered by kernel/mm_boot.c.
 */
#include "kernel/proc.h"
#include "kernel/bootinfo.h"
#include "kernel/string.h"
#include "kernel/time.h"
#include "include/errno.h"

static const struct proc_file *proc_files[PROC_MAX_FILES];
static unsigned int nr_proc_files;

int proc_register(const struct proc_file *f)
{
	if (nr_proc_files == PROC_MAX_FILES)
		return -ENOSPC;
	proc_files[nr_proc_files++] = f;
	return 0;
}

const struct proc_file *proc_lookup(const char *path)
{
	unsigned int i;

	for (i = 0; i < nr_proc_files; i++)
		if (!strcmp(proc_files[i]->path, path))
			return proc_files[i];
	return NULL;
}

void proc_for_each(void (*fn)(const struct proc_file *f, void *arg), void *arg)
{
	unsigned int i;

	for (i = 0; i < nr_proc_files; i++)
		fn(proc_files[i], arg);
}

/* "seconds.centiseconds" as Linux prints times in /proc/uptime. */
static void show_seconds(struct seq_buf *m, uint64_t ticks)
{
	seq_printf(m, "%lu.%02lu", (unsigned long)(ticks / HZ),
		   (unsigned long)(ticks % HZ) * 100 / HZ);
}

static void uptime_show(struct seq_buf *m)
{
	show_seconds(m, jiffies);
	seq_printf(m, " ");
	show_seconds(m, idle_jiffies);
	seq_printf(m, "\n");
}

static void cmdline_show(struct seq_buf *m)
{
	seq_printf(m, "%s\n", boot_info.cmdline);
}

static const struct proc_file core_files[] = {
	{ "/proc/uptime", uptime_show },
	{ "/proc/cmdline", cmdline_show },
};

void proc_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(core_files); i++)
		proc_register(&core_files[i]);
}
