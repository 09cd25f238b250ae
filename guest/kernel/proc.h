/*
 * /proc: a table of read-only text files, each produced on demand by a
 * show function (as Linux's seq_file single_open). Any module adds its own
 * files with proc_register() from its init function.
 */
#ifndef GUEST_KERNEL_PROC_H
#define GUEST_KERNEL_PROC_H

#include "kernel/seq_buf.h"

#define PROC_MAX_FILES  64
#define PROC_FILE_MAX   8192    /* largest file contents */

struct proc_file {
	const char *path;                       /* "/proc/meminfo" */
	void (*show)(struct seq_buf *m);
};

/* Register @f (kept by pointer: give it static storage). Paths are
 * unique by convention; if not, the first registered wins. 0 or -ENOSPC. */
int proc_register(const struct proc_file *f);
/* The file at @path, or NULL. */
const struct proc_file *proc_lookup(const char *path);
/* Call @fn for each registered file, in registration order. */
void proc_for_each(void (*fn)(const struct proc_file *f, void *arg), void *arg);
/* Register the core files: /proc/uptime, /proc/cmdline. */
void proc_init(void);

#endif
