/*
 * One way to read a command line, shared by `memvisor run`, `ctl` and
 * `bench`.
 *
 * A command describes its flags in tables of struct cli_option. The same
 * tables drive getopt_long and print --help, so a command's help lists every
 * flag it accepts, by construction. `run` has one table of its own and one
 * per device (each device parses its own options); `ctl` and `bench` have
 * one each. A table's handler gets (key, value) and reports a user's mistake
 * by filling the errmsg; positional arguments are collected in order, so
 * flags may come before, between or after them (`dimm add 1G --wait`).
 *
 * Every command reports a user's mistake the same way, once, at the edge:
 * cli_fail() prints "PREFIX: message" on one line of stderr and returns the
 * exit status (EXIT_USAGE for the user's mistakes, EXIT_FAIL otherwise).
 */
#ifndef VMM_CLI_H
#define VMM_CLI_H

#include <stdio.h>

#include "vmm/error.h"

#define EXIT_FAIL  1   /* the host, the VMM or the guest failed */
#define EXIT_USAGE 2   /* the user's mistake */

struct cli_option {
	const char *name;   /* "memory" is the flag --memory */
	const char *arg;    /* value's name in --help ("SIZE"); NULL: no value */
	const char *help;   /* one or more lines, '\n'-separated */
	int key;            /* what the table's handler receives */
};

/* Handle option @key with value @arg (NULL for a flag without value).
 * 0, or -errno with @e filled (errmsg_user for the user's mistake). */
typedef int (*cli_handler_fn)(void *opaque, int key, const char *arg,
			      struct errmsg *e);

struct cli_table {
	const char *title;              /* heading in --help; NULL: none */
	const struct cli_option *opts;  /* ends with a { 0 } entry */
	cli_handler_fn handle;
	void *opaque;
};

struct cli_cmd {
	const char *name;               /* "memvisor run": messages and help */
	const char *synopsis;           /* after the name: "[options]" */
	const char *description;        /* lines after the synopsis, or NULL */
	const struct cli_table *tables;
	unsigned int nr_tables;
};

/*
 * Parse @argv (@argv[0] is the command's own name; nothing is modified but
 * the order of @argv's pointers, as getopt_long permutes). Positional
 * arguments go to @pos[0..*npos), at most @max_pos of them. --help or -h
 * prints the usage on stdout and returns 1. Otherwise 0, or -errno with @e
 * filled: the user's mistake (errmsg_user), or what a handler reported.
 */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv,
	      const char **pos, unsigned int max_pos, unsigned int *npos,
	      struct errmsg *e);

/* The usage text: synopsis, description, every table's every flag. */
void cli_usage(const struct cli_cmd *cmd, FILE *f);

/* Print "@prefix: message" as one line on stderr; returns @status. */
int cli_fail(const char *prefix, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The exit status for an error reported in @e: EXIT_USAGE or EXIT_FAIL. */
static inline int cli_status(const struct errmsg *e)
{
	return e->user ? EXIT_USAGE : EXIT_FAIL;
}

#endif
