/*
 * sysfs directories, and the shell's ls, cat-fallback and echo redirection.
 *
 * dirs[] holds registered directories; a path belongs to the directory
 * whose path is its longest prefix ending at a '/' or at its end. Paths
 * above every registered directory ("/sys", "/sys/devices/system") are
 * directories whose entries are the next components of the registered
 * paths below them (and "/" lists "proc" and "sys"); /proc's files come
 * from proc.c's table.
 *
 * Errors are printed as a Linux shell (busybox) prints them:
 *	ls: cannot access 'X': No such file or directory
 *	sh: can't create X: Permission denied        (open for write fails)
 *	sh: write error: Device or resource busy     (the write fails)
 */
#include "kernel/sysfs.h"
#include "kernel/proc.h"
#include "kernel/shell.h"
#include "kernel/string.h"
#include "include/errno.h"

#define SYSFS_BUF 4096
#define NAME_MAX_LEN 64

static const struct sysfs_dir *dirs[SYSFS_MAX_DIRS];
static unsigned int nr_dirs;

int sysfs_register(const struct sysfs_dir *d)
{
	if (nr_dirs == SYSFS_MAX_DIRS)
		return -ENOSPC;
	dirs[nr_dirs++] = d;
	return 0;
}

/* Linux's messages for the errors attributes return. */
static const char *strerror(int err)
{
	switch (-err) {
	case ENOENT: return "No such file or directory";
	case EACCES: return "Permission denied";
	case EBUSY:  return "Device or resource busy";
	case EEXIST: return "File exists";
	case ENOMEM: return "Cannot allocate memory";
	case ENOTDIR: return "Not a directory";
	case EISDIR: return "Is a directory";
	case EINVAL: return "Invalid argument";
	case ENOSPC: return "No space left on device";
	case ERANGE: return "Numerical result out of range";
	default:     return "Input/output error";
	}
}

/* The directory serving @path and the part of @path below it ("" for the
 * directory itself); NULL if none. */
static const struct sysfs_dir *find_dir(const char *path, const char **rel)
{
	const struct sysfs_dir *best = NULL;
	size_t len, best_len = 0;

	for (unsigned int i = 0; i < nr_dirs; i++) {
		len = strlen(dirs[i]->path);
		if (strncmp(path, dirs[i]->path, len) ||
		    (path[len] && path[len] != '/') || len < best_len)
			continue;
		best = dirs[i];
		best_len = len;
	}
	if (best) {
		*rel = path + best_len;
		if (**rel == '/')
			(*rel)++;
	}
	return best;
}

int sysfs_read(const char *path, struct seq_buf *m)
{
	const char *rel;
	const struct sysfs_dir *d = find_dir(path, &rel);

	if (!d)
		return -ENOENT;
	if (!*rel)
		return -EISDIR;
	return d->show(rel, m);
}

int sysfs_write(const char *path, const char *buf)
{
	const char *rel;
	const struct sysfs_dir *d = find_dir(path, &rel);

	if (!d)
		return proc_lookup(path) ? -EACCES : -ENOENT;
	if (!*rel)
		return -EISDIR;
	return d->store ? d->store(rel, buf) : -EACCES;
}

void sysfs_cat(const char *path)
{
	static char buf[SYSFS_BUF];
	struct seq_buf m;
	int ret;

	seq_buf_init(&m, buf, sizeof(buf));
	ret = sysfs_read(path, &m);
	if (ret)
		shell_printf("cat: %s: %s\n", path, strerror(ret));
	else
		console_write(m.buf, m.len);
}

/* ------------------------------------------------------------ ls */

static void emit_line(const char *name, void *arg)
{
	shell_printf("%s\n", name);
}

/* Entries of a directory above the registered ones: the component of each
 * registered path (and of "/proc") that follows @path. */
struct parent_ls {
	const char *path;
	size_t len;
	unsigned int found;
	char seen[SYSFS_MAX_DIRS + 1][NAME_MAX_LEN];
};

static void parent_add(struct parent_ls *p, const char *full)
{
	const char *s, *e;
	char name[NAME_MAX_LEN];
	size_t n;

	if (strncmp(full, p->path, p->len) || full[p->len] != '/')
		return;
	s = full + p->len + 1;
	e = strchr(s, '/');
	n = e ? (size_t)(e - s) : strlen(s);
	if (!n || n >= NAME_MAX_LEN)
		return;
	memcpy(name, s, n);
	name[n] = '\0';
	for (unsigned int i = 0; i < p->found; i++)
		if (!strcmp(p->seen[i], name))
			return;
	if (p->found <= SYSFS_MAX_DIRS) {
		strlcpy(p->seen[p->found++], name, NAME_MAX_LEN);
		shell_printf("%s\n", name);
	}
}

static int ls_parent(const char *path)
{
	static struct parent_ls p;

	p.path = path;
	p.len = strlen(path);
	if (p.len && path[p.len - 1] == '/')
		p.len--;
	p.found = 0;
	parent_add(&p, "/proc/");
	for (unsigned int i = 0; i < nr_dirs; i++)
		parent_add(&p, dirs[i]->path);
	return p.found ? 0 : -ENOENT;
}

static void proc_emit(const struct proc_file *f, void *arg)
{
	shell_printf("%s\n", f->path + 6);      /* past "/proc/" */
}

static int ls_one(const char *path)
{
	const struct sysfs_dir *d;
	const char *rel;

	if (!strcmp(path, "/proc") || !strcmp(path, "/proc/")) {
		proc_for_each(proc_emit, NULL);
		return 0;
	}
	if (proc_lookup(path)) {
		shell_printf("%s\n", path);
		return 0;
	}
	d = find_dir(path, &rel);
	if (!d)
		return ls_parent(path);
	return d->readdir(rel, emit_line, NULL);
}

static int cmd_ls(int argc, char **argv)
{
	int ret = 0, err;

	if (argc < 2)
		return ls_one("/");
	for (int i = 1; i < argc; i++) {
		err = ls_one(argv[i]);
		if (err == -ENOTDIR) {
			shell_printf("%s\n", argv[i]);
			err = 0;
		}
		if (err)
			shell_printf("ls: cannot access '%s': %s\n", argv[i],
				     strerror(err));
		ret = ret ? ret : err;
	}
	return ret;
}

/* ------------------------------------------------------------ echo > */

/* Join @argv[first..last) with spaces, plus echo's newline. */
static void join_words(char *buf, size_t size, int first, int last,
		       char **argv)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = first; i < last; i++) {
		len += strlcpy(buf + len, argv[i], size - len);
		if (len >= size - 2)
			len = size - 2;
		if (i + 1 < last)
			buf[len++] = ' ';
	}
	buf[len++] = '\n';
	buf[len] = '\0';
}

bool shell_redirect(int argc, char **argv)
{
	char buf[SHELL_LINE_MAX + 2];
	const char *file;
	int ret;

	if (argc < 3 || strcmp(argv[argc - 2], ">"))
		return false;
	file = argv[argc - 1];
	if (strcmp(argv[0], "echo")) {
		shell_printf("sh: redirection works with echo only\n");
		return true;
	}
	join_words(buf, sizeof(buf), 1, argc - 2, argv);
	ret = sysfs_write(file, buf);
	if (ret == -ENOENT || ret == -EACCES || ret == -EISDIR)
		shell_printf("sh: can't create %s: %s\n", file, strerror(ret));
	else if (ret)
		shell_printf("sh: write error: %s\n", strerror(ret));
	return true;
}

static const struct shell_cmd ls_cmd = {
	"ls", cmd_ls, "list a directory (ls /sys/devices/system/memory)"
};

void sysfs_init(void)
{
	shell_register(&ls_cmd);
}
