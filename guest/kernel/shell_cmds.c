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

static int cmd_cat(int argc, char **argv)
{
	static char buf[PROC_FILE_MAX];
	const struct proc_file *f;
	struct seq_buf m;
	int i;

	for (i = 1; i < argc; i++) {
		f = proc_lookup(argv[i]);
		if (!f) {
			sysfs_cat(argv[i]);     /* /sys, or the error */
			continue;
		}
		seq_buf_init(&m, buf, sizeof(buf));
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
