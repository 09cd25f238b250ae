/*
 * Built-in shell commands.
 *
 * `crash` and `panic` are hidden (no help line): they exist so tests can
 * check the fault path (exception report, then panic and pvpanic).
 */
#include "kernel/shell_cmds.h"
#include "kernel/shell.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/string.h"
#include "kernel/sysfs.h"
#include "kernel/time.h"
#include "drivers/pm.h"

/* Canonical, in the lower half, never mapped: reading it faults. */
#define CRASH_ADDRESS 0xdeadbeef000ul

static int cmd_echo(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		shell_printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	shell_printf("\n");
	return 0;
}

/* Where cat and free render a /proc file. */
static char proc_buf[PROC_FILE_MAX];

static int cmd_cat(int argc, char **argv)
{
	const struct proc_file *f;
	struct seq_buf m;
	int i;

	for (i = 1; i < argc; i++) {
		f = proc_lookup(argv[i]);
		if (!f) {
			sysfs_cat(argv[i]);     /* /sys, or the error */
			continue;
		}
		seq_buf_init(&m, proc_buf, sizeof(proc_buf));
		f->show(&m);
		console_write(m.buf, m.len);
	}
	return 0;
}

static int cmd_dmesg(int argc, char **argv)
{
	log_dump(console_write);
	return 0;
}

static int cmd_uptime(int argc, char **argv)
{
	uint64_t j = jiffies, s = j / HZ;

	shell_printf("up %lu:%02lu:%02lu.%02lu, %lu ticks at %u Hz\n",
		     (unsigned long)(s / 3600), (unsigned long)(s / 60 % 60),
		     (unsigned long)(s % 60), (unsigned long)(j % HZ) * 100 / HZ,
		     (unsigned long)j, HZ);
	return 0;
}

/* A field of /proc/meminfo text in kB, 0 if it has none. */
static unsigned long meminfo_kb(const char *text, const char *name)
{
	size_t n = strlen(name);
	unsigned long v = 0;
	const char *p;

	for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, name, n) || p[n] != ':')
			continue;
		for (p += n + 1; *p == ' '; p++)
			;
		for (; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (unsigned long)(*p - '0');
		return v;
	}
	return 0;
}

/* procps's free: its columns, computed from /proc/meminfo as it does
 * (used is total - available, buff/cache is Buffers + Cached +
 * SReclaimable), in KiB or, with -m or -g, MiB or GiB. */
static int cmd_free(int argc, char **argv)
{
	const struct proc_file *f = proc_lookup("/proc/meminfo");
	const char *buf;
	unsigned long total, avail, mfree, cache, stotal, sfree;
	unsigned int shift = 0;
	struct seq_buf m;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "-k") &&
			 strcmp(argv[1], "-m") && strcmp(argv[1], "-g"))) {
		shell_printf("usage: free [-k|-m|-g]\n");
		return 1;
	}
	if (argc == 2)
		shift = argv[1][1] == 'm' ? 10 : argv[1][1] == 'g' ? 20 : 0;
	seq_buf_init(&m, proc_buf, sizeof(proc_buf));
	f->show(&m);     /* NUL-terminated */
	buf = proc_buf;
	total = meminfo_kb(buf, "MemTotal");
	mfree = meminfo_kb(buf, "MemFree");
	avail = meminfo_kb(buf, "MemAvailable");
	cache = meminfo_kb(buf, "Buffers") + meminfo_kb(buf, "Cached") +
		meminfo_kb(buf, "SReclaimable");
	stotal = meminfo_kb(buf, "SwapTotal");
	sfree = meminfo_kb(buf, "SwapFree");
	shell_printf("%-8s%12s%12s%12s%12s%12s%12s\n", "", "total", "used",
		     "free", "shared", "buff/cache", "available");
	shell_printf("%-8s%12lu%12lu%12lu%12lu%12lu%12lu\n", "Mem:",
		     total >> shift,
		     (avail <= total ? total - avail : total - mfree) >> shift,
		     mfree >> shift, meminfo_kb(buf, "Shmem") >> shift,
		     cache >> shift, avail >> shift);
	shell_printf("%-8s%12lu%12lu%12lu\n", "Swap:", stotal >> shift,
		     (stotal - sfree) >> shift, sfree >> shift);
	return 0;
}

static int cmd_poweroff(int argc, char **argv)
{
	pm_poweroff();
}

static int cmd_crash(int argc, char **argv)
{
	return *(volatile int *)CRASH_ADDRESS;
}

static int cmd_panic(int argc, char **argv)
{
	panic("requested from the shell");
}

static const struct shell_cmd builtin_cmds[] = {
	{ "echo", cmd_echo, "print the arguments" },
	{ "cat", cmd_cat, "print /proc and /sys files (cat /proc/meminfo)" },
	{ "dmesg", cmd_dmesg, "print the kernel log" },
	{ "uptime", cmd_uptime, "time since boot" },
	{ "free", cmd_free, "memory in use and free (free -m: in MiB)" },
	{ "poweroff", cmd_poweroff, "power the machine off (ACPI S5)" },
	{ "crash", cmd_crash, NULL },
	{ "panic", cmd_panic, NULL },
};

void shell_cmds_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(builtin_cmds); i++)
		shell_register(&builtin_cmds[i]);
}
