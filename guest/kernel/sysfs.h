/*
 * A minimal sysfs: directories of attribute files served by their module,
 * read with `cat`, written with `echo VALUE > FILE`, listed with `ls`.
 *
 * Unlike /proc's fixed table (proc.h), a directory's entries may come and
 * go (memory blocks appear on hot-add), so a module registers a whole
 * directory with callbacks that get the path relative to it
 * ("memory9/state").
 */
#ifndef GUEST_KERNEL_SYSFS_H
#define GUEST_KERNEL_SYSFS_H

#include "kernel/seq_buf.h"

#define SYSFS_MAX_DIRS 16

typedef void (*sysfs_emit_t)(const char *name, void *arg);

struct sysfs_dir {
	const char *path;       /* "/sys/devices/system/memory", no final '/' */
	/* Call @emit for each entry of directory @rel ("" is the registered
	 * directory itself). 0, -ENOENT or -ENOTDIR (@rel is a file). */
	int (*readdir)(const char *rel, sysfs_emit_t emit, void *arg);
	/* Contents of file @rel. 0, -ENOENT or -EISDIR. */
	int (*show)(const char *rel, struct seq_buf *m);
	/* Write @buf (what echo wrote, with its newline) to file @rel.
	 * 0 or -errno: -ENOENT, -EISDIR, -EACCES (read-only), or the
	 * attribute's error (-EINVAL, -EBUSY...). */
	int (*store)(const char *rel, const char *buf);
};

/* Register @d (kept by pointer: static storage). 0 or -ENOSPC. */
int sysfs_register(const struct sysfs_dir *d);
/* Read / write the attribute at absolute @path. 0 or -errno as above. */
int sysfs_read(const char *path, struct seq_buf *m);
int sysfs_write(const char *path, const char *buf);

/* `cat` of a path that is not a /proc file: print it or the error. */
void sysfs_cat(const char *path);
/* If @argv is "echo WORDS... > FILE", do it (errors as a shell prints
 * them) and return true; else false. */
bool shell_redirect(int argc, char **argv);
/* Register `ls`. */
void sysfs_init(void);

#endif
