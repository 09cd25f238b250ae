/*
 * What `memvisor bench density` reads and changes on the host: the memory
 * and CPU of processes (/proc), Linux KSM's sysfs knobs, and the plot.
 *
 * Memory of a set of processes (density_used_kib): their PSS without its
 * shmem part (/proc/PID/smaps_rollup: a page shared by N processes counts
 * 1/N in each), plus every memfd they hold open (/proc/PID/fd), counted
 * once by the blocks it has allocated. A memfd's pages are counted whether
 * anyone maps them or not: guest RAM that no process has touched through
 * its mapping, and pool pages that a VM has mapped but its guest has not
 * read yet, are memory all the same, and PSS alone would miss them.
 *
 * CPU is the time on CPU of every thread of a process, or of those whose
 * name matches (/proc/PID/task/TID/schedstat, in ns: utime + stime of
 * /proc/PID/stat come in clock ticks, 10 ms, too coarse for a scanner
 * that runs ~100 us at a time in five threads); utime + stime where the
 * kernel keeps no schedstat.
 *
 * Linux KSM: every knob the benchmark writes is saved first (density_lk_save)
 * and written back by density_lk_restore, which only uses open/write/close
 * and so may run in a signal handler; the benchmark calls it on every exit
 * path and from its SIGINT/SIGTERM/SIGHUP handler.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/bench/bench_density.h"

#define LK_DIR "/sys/kernel/mm/ksm/"

extern char **environ;

/* ------------------------------------------------------------ /proc */

static int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* A "Name:  N kB" field of smaps_rollup text @buf, or 0. */
static long rollup_kib(const char *buf, const char *name)
{
	const char *p = strstr(buf, name);

	return p ? strtol(p + strlen(name), NULL, 10) : 0;
}

/* The memfds @pid holds open, each added once to @seen (by inode): the
 * KiB they have allocated. */
static long memfd_kib(pid_t pid, ino_t *seen, unsigned int *nr_seen,
		      unsigned int max_seen)
{
	char path[64], link[64];
	struct dirent *de;
	struct stat st;
	long kib = 0;
	unsigned int i;
	ssize_t n;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%.16s", (int)pid, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 7 || memcmp(link, "/memfd:", 7) || stat(path, &st))
			continue;
		for (i = 0; i < *nr_seen && seen[i] != st.st_ino; i++)
			;
		if (i < *nr_seen || *nr_seen == max_seen)
			continue;
		seen[(*nr_seen)++] = st.st_ino;
		kib += (long)st.st_blocks / 2;
	}
	closedir(d);
	return kib;
}

long density_used_kib(const pid_t *pids, unsigned int n)
{
	char path[64], buf[2048];
	ino_t seen[1024];
	unsigned int i, nr_seen = 0;
	long kib = 0;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pids[i]);
		if (read_text(path, buf, sizeof(buf)))
			continue;
		kib += rollup_kib(buf, "\nPss:") - rollup_kib(buf, "\nPss_Shmem:");
		kib += memfd_kib(pids[i], seen, &nr_seen, 1024);
	}
	return kib;
}

/* utime + stime in ns of one stat file, and its comm in @comm. */
static long long stat_ns(const char *path, char *comm, size_t size)
{
	char buf[1024], *open_p, *close_p, *p;
	unsigned long ut = 0, st = 0;
	int i;

	if (read_text(path, buf, sizeof(buf)))
		return -1;
	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (!open_p || !close_p)
		return -1;
	if (comm)
		snprintf(comm, size, "%.*s", (int)(close_p - open_p - 1), open_p + 1);
	p = close_p + 2;                        /* field 3, the state */
	for (i = 3; i < 14 && p; i++)
		p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
	if (!p || sscanf(p, "%lu %lu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st) * (1000000000LL / sysconf(_SC_CLK_TCK));
}

/* One task's time on CPU in ns (schedstat, else stat), and its name. */
static long long task_ns(pid_t pid, const char *tid, char *comm, size_t size)
{
	char path[96], buf[128];
	long long ns = -1, stat;

	snprintf(path, sizeof(path), "/proc/%d/task/%.16s/stat", (int)pid, tid);
	stat = stat_ns(path, comm, size);
	snprintf(path, sizeof(path), "/proc/%d/task/%.16s/schedstat", (int)pid, tid);
	if (!read_text(path, buf, sizeof(buf)))
		ns = strtoll(buf, NULL, 10);
	return ns > 0 ? ns : stat;
}

double density_cpu_s(pid_t pid, const char *thread)
{
	char path[64], comm[32];
	struct dirent *de;
	long long t, sum = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		t = task_ns(pid, de->d_name, comm, sizeof(comm));
		if (t > 0 && (!thread || !strcmp(comm, thread)))
			sum += t;
	}
	closedir(d);
	return (double)sum / 1e9;
}

pid_t density_kthread(const char *name)
{
	char path[64], comm[32];
	struct dirent *de;
	pid_t found = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.16s/comm", de->d_name);
		if (read_text(path, comm, sizeof(comm)))
			continue;
		comm[strcspn(comm, "\n")] = '\0';
		/* a kernel thread's parent is kthreadd, pid 2 */
		if (!strcmp(comm, name) && density_ppid(atoi(de->d_name)) == 2)
			found = atoi(de->d_name);
	}
	closedir(d);
	return found;
}

pid_t density_ppid(pid_t pid)
{
	char path[64], buf[1024], *p;
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_text(path, buf, sizeof(buf)) || !(p = strrchr(buf, ')')))
		return 0;
	sscanf(p + 2, "%*c %d", &ppid);
	return ppid;
}

/* ------------------------------------------------------------ Linux KSM */

/* The knobs the benchmark writes, and what they held before. */
static const char *const lk_knob[] = { "pages_to_scan", "sleep_millisecs", "run" };
#define LK_NR (sizeof(lk_knob) / sizeof(lk_knob[0]))
static char lk_saved[LK_NR][32];
static volatile int lk_have_saved;

bool density_lk_present(void)
{
	return !access(LK_DIR "run", W_OK);
}

long density_lk_get(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), LK_DIR "%s", name);
	return read_text(path, buf, sizeof(buf)) ? -1 : strtol(buf, NULL, 10);
}

int density_lk_set(const char *name, const char *value)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), LK_DIR "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -errno : 0;
}

int density_lk_save(void)
{
	char path[128];
	unsigned int i;

	for (i = 0; i < LK_NR; i++) {
		snprintf(path, sizeof(path), LK_DIR "%s", lk_knob[i]);
		if (read_text(path, lk_saved[i], sizeof(lk_saved[i])))
			return -errno;
		lk_saved[i][strcspn(lk_saved[i], "\n")] = '\0';
	}
	lk_have_saved = 1;
	return 0;
}

/* Async-signal-safe: the knobs back as saved, "run" last. */
void density_lk_restore(void)
{
	unsigned int i;

	if (!lk_have_saved)
		return;
	for (i = 0; i < LK_NR; i++)
		density_lk_set(lk_knob[i], lk_saved[i]);
}

long density_lk_saved(const char *name)
{
	unsigned int i;

	for (i = 0; i < LK_NR; i++)
		if (lk_have_saved && !strcmp(lk_knob[i], name))
			return strtol(lk_saved[i], NULL, 10);
	return -1;
}

/* ------------------------------------------------------------ the plot */

/* @prefix.dat (one gnuplot index per setup), @prefix.gp, and, if gnuplot
 * runs, @prefix.png. 0, or -errno if the data could not be written. */
int density_plot(const char *prefix, const struct density_run *runs,
		 unsigned int n, const char *title)
{
	char dat[512], gp[512], png[512];
	char *argv[] = { "gnuplot", gp, NULL };
	unsigned int i, s;
	FILE *f;
	pid_t pid;
	int st;

	snprintf(dat, sizeof(dat), "%s.dat", prefix);
	snprintf(gp, sizeof(gp), "%s.gp", prefix);
	snprintf(png, sizeof(png), "%s.png", prefix);
	if (!(f = fopen(dat, "w")))
		return -errno;
	for (i = 0; i < n; i++) {
		fprintf(f, "# %s\n# t_s used_MiB merged_pages cpu_s\n", runs[i].name);
		for (s = 0; s < runs[i].nr; s++)
			fprintf(f, "%.2f %.1f %lu %.2f\n", runs[i].s[s].t,
				runs[i].s[s].kib / 1024.0, runs[i].s[s].merged,
				runs[i].s[s].cpu);
		fprintf(f, "\n\n");
	}
	fclose(f);
	if (!(f = fopen(gp, "w")))
		return -errno;
	fprintf(f, "set terminal pngcairo size 1000,600\nset output '%s'\n"
		"set title '%s' noenhanced\nset xlabel 'seconds since the hogs were filled'\n"
		"set ylabel 'host memory used (MiB: PSS + memfd blocks)'\nset key outside bottom center horizontal\n"
		"set grid\nplot ", png, title);
	for (i = 0; i < n; i++)
		fprintf(f, "%s'%s' index %u using 1:2 with lines lw 2 title '%s'",
			i ? ", " : "", dat, i, runs[i].name);
	fprintf(f, "\n");
	fclose(f);
	if (posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ))
		return 1;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	return 0;
}
