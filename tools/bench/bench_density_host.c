/*
 * What `memvisor bench density` reads and changes on the host: the memory
 * and CPU of processes (/proc), Linux KSM's sysfs knobs, and the plot.
 *
 * Memory is the PSS of a process (/proc/PID/smaps_rollup), so a page
 * shared by N processes counts 1/N in each. CPU is utime + stime of
 * /proc/PID/stat, or of the threads of a process whose name matches
 * (/proc/PID/task/TID/stat), in clock ticks.
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

long density_pss_kib(pid_t pid)
{
	char path[64], buf[2048], *p;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if (read_text(path, buf, sizeof(buf)) || !(p = strstr(buf, "\nPss:")))
		return -1;
	return strtol(p + 5, NULL, 10);
}

/* utime + stime in ticks of one stat file, and its comm in @comm. */
static long stat_ticks(const char *path, char *comm, size_t size)
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
	return (long)(ut + st);
}

double density_cpu_s(pid_t pid, const char *thread)
{
	char path[96], comm[32];
	struct dirent *de;
	long t, sum = 0;
	DIR *d;

	if (!thread) {
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		t = stat_ticks(path, NULL, 0);
		return t < 0 ? 0 : (double)t / sysconf(_SC_CLK_TCK);
	}
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/stat", (int)pid,
			 de->d_name);
		t = stat_ticks(path, comm, sizeof(comm));
		if (t > 0 && !strcmp(comm, thread))
			sum += t;
	}
	closedir(d);
	return (double)sum / sysconf(_SC_CLK_TCK);
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
		"set ylabel 'host memory used (PSS, MiB)'\nset key outside bottom center horizontal\n"
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
