/*
 * Console shell: line editor, word splitter, command table.
 *
 * Line editing: printable characters are echoed and appended; backspace
 * (BS or DEL) erases one ("\b \b"); CR or LF ends the line, and the LF of
 * a CR LF pair is swallowed so a terminal's Enter does not run an empty
 * second line. Words are separated by blanks; no quoting.
 *
 * cmds[] holds pointers to registered commands in registration order; a
 * lookup is a linear strcmp scan and the first registration of a name
 * wins (registering does not scan for duplicates: boot stays O(commands)).
 */
#include "kernel/shell.h"
#include "kernel/workqueue.h"
#include "kernel/shell_cmds.h"
#include "kernel/string.h"
#include "kernel/sysfs.h"
#include "include/errno.h"

#define PROMPT      "guest# "
#define READY_LINE  "memvisor guest ready\n"

static const struct shell_cmd *cmds[SHELL_MAX_CMDS];
static unsigned int nr_cmds;

static const struct shell_cmd *shell_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_cmds; i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i];
	return NULL;
}

int shell_register(const struct shell_cmd *cmd)
{
	if (nr_cmds == SHELL_MAX_CMDS)
		return -ENOSPC;
	cmds[nr_cmds++] = cmd;
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	unsigned int i;

	for (i = 0; i < nr_cmds; i++)
		if (cmds[i]->help)
			shell_printf("  %-12s %s\n", cmds[i]->name, cmds[i]->help);
	return 0;
}

static const struct shell_cmd help_cmd = {
	"help", cmd_help, "list commands"
};

void shell_init(void)
{
	shell_register(&help_cmd);
	shell_cmds_init();
}

/* Read one line into @buf (NUL-terminated, without the line end). */
static void read_line(char *buf, size_t size)
{
	static bool last_was_cr;
	size_t len = 0;
	int c;

	for (;;) {
		c = console_getc();
		if (c == '\n' && last_was_cr) {
			last_was_cr = false;
			continue;
		}
		last_was_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			console_write("\n", 1);
			buf[len] = '\0';
			return;
		}
		if (c == '\b' || c == 0x7f) {
			if (len) {
				len--;
				console_write("\b \b", 3);
			}
			continue;
		}
		if (c < ' ' || c > '~' || len + 1 >= size)
			continue;
		buf[len++] = (char)c;
		console_write(buf + len - 1, 1);
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Split @line in place into at most SHELL_MAX_ARGS words. */
static int split_words(char *line, char **argv)
{
	int argc = 0;

	for (;;) {
		while (is_blank(*line))
			*line++ = '\0';
		if (!*line || argc == SHELL_MAX_ARGS)
			return argc;
		argv[argc++] = line;
		while (*line && !is_blank(*line))
			line++;
	}
}

static void run_line(char *line)
{
	char *argv[SHELL_MAX_ARGS + 1];
	const struct shell_cmd *cmd;
	int argc = split_words(line, argv);

	if (!argc)
		return;
	argv[argc] = NULL;
	if (shell_redirect(argc, argv))         /* echo ... > FILE */
		return;
	cmd = shell_lookup(argv[0]);
	if (!cmd) {
		shell_printf("sh: %s: command not found\n", argv[0]);
		return;
	}
	cmd->fn(argc, argv);
}

void shell_run(void)
{
	char line[SHELL_LINE_MAX];

	console_puts(READY_LINE);
	flush_scheduled_work();         /* device probes: before any command */
	for (;;) {
		console_puts(PROMPT);
		read_line(line, sizeof(line));
		run_line(line);
	}
}
