/*
 * The console shell: reads a line, splits it into words, runs the command
 * named by the first word. Commands come from a table any module can add
 * to with shell_register() (typically from its init function).
 */
#ifndef GUEST_KERNEL_SHELL_H
#define GUEST_KERNEL_SHELL_H

#include "include/compiler.h"

#define SHELL_MAX_CMDS  64
#define SHELL_MAX_ARGS  16
#define SHELL_LINE_MAX  256

struct shell_cmd {
	const char *name;
	/* Returns 0 or an error (non-zero only affects nothing yet: the
	 * command prints its own message). */
	int (*fn)(int argc, char **argv);
	const char *help;       /* one line for `help`; NULL hides it */
};

/* Register @cmd (kept by pointer: give it static storage). Names are
 * unique by convention; if not, the first registered wins. 0 or -ENOSPC. */
int shell_register(const struct shell_cmd *cmd);
/* Register the built-in commands (shell_cmds.c) and `help`. */
void shell_init(void);
/* Print the ready line, then read and run commands forever. */
void shell_run(void) __noreturn;

/* Output for commands (the console). */
#define shell_printf console_printf
#include "kernel/console.h"

#endif
