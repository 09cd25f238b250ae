/*
 * Command-line parsing shared by run, ctl and bench (see cli.h).
 *
 * cli_parse() flattens the command's tables into one getopt_long array whose
 * `val` is 256 + the option's index in the flat list, so a returned value
 * leads straight back to its table and key. Errors are worded for the user
 * and name the command's --help.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cli.h"

#define CLI_KEY_BASE 256

struct flat_opt {
	const struct cli_table *table;
	const struct cli_option *opt;
};

static unsigned int count_options(const struct cli_cmd *cmd)
{
	unsigned int i, n = 0;
	const struct cli_option *o;

	for (i = 0; i < cmd->nr_tables; i++)
		for (o = cmd->tables[i].opts; o && o->name; o++)
			n++;
	return n;
}

/* Build the getopt array (ends with --help) and the flat index. */
static int flatten(const struct cli_cmd *cmd, struct option **lopts,
		   struct flat_opt **flat)
{
	unsigned int i, n = count_options(cmd), k = 0;
	const struct cli_option *o;

	*lopts = calloc(n + 2, sizeof(**lopts));
	*flat = calloc(n + 1, sizeof(**flat));
	if (!*lopts || !*flat)
		return -ENOMEM;
	for (i = 0; i < cmd->nr_tables; i++) {
		for (o = cmd->tables[i].opts; o && o->name; o++, k++) {
			(*flat)[k] = (struct flat_opt){ &cmd->tables[i], o };
			(*lopts)[k] = (struct option){
				o->name, o->arg ? required_argument : no_argument,
				NULL, CLI_KEY_BASE + (int)k };
		}
	}
	(*lopts)[k] = (struct option){ "help", no_argument, NULL, 'h' };
	return 0;
}

static int take_positional(const char *arg, const char **pos,
			   unsigned int max_pos, unsigned int *npos,
			   const char *name, struct errmsg *e)
{
	if (*npos >= max_pos)
		return errmsg_user(e, -EINVAL, "unexpected argument '%s' (see %s --help)",
				   arg, name);
	pos[(*npos)++] = arg;
	return 0;
}

static int bad_option(const struct cli_cmd *cmd, char **argv, int opt,
		      struct errmsg *e)
{
	const char *what = argv[optind - 1];

	if (opt == ':')
		return errmsg_user(e, -EINVAL, "option '%s' needs a value (see %s --help)",
				   what, cmd->name);
	/* A known long option (--help too: optopt 'h') given a value. */
	if (optopt && !strncmp(what, "--", 2))
		return errmsg_user(e, -EINVAL, "option '%s' takes no value (see %s --help)",
				   what, cmd->name);
	if (optopt && optopt < CLI_KEY_BASE && optopt != '?')
		return errmsg_user(e, -EINVAL, "unknown option '-%c' (see %s --help)",
				   optopt, cmd->name);
	return errmsg_user(e, -EINVAL, "unknown option '%s' (see %s --help)",
			   what, cmd->name);
}

static int parse_loop(const struct cli_cmd *cmd, int argc, char **argv,
		      const struct option *lopts, const struct flat_opt *flat,
		      const char **pos, unsigned int max_pos,
		      unsigned int *npos, struct errmsg *e)
{
	const struct cli_table *t;
	int opt, ret;

	opterr = 0;
	optind = 0;                     /* 0: full getopt reset */
	while ((opt = getopt_long(argc, argv, "-:h", lopts, NULL)) != -1) {
		if (opt == 'h') {
			cli_usage(cmd, stdout);
			return 1;
		}
		if (opt == 1) {         /* "-" in optstring: positional, in order */
			ret = take_positional(optarg, pos, max_pos, npos,
					      cmd->name, e);
		} else if (opt == '?' || opt == ':') {
			ret = bad_option(cmd, argv, opt, e);
		} else {
			t = flat[opt - CLI_KEY_BASE].table;
			ret = t->handle(t->opaque, flat[opt - CLI_KEY_BASE].opt->key,
					optarg, e);
		}
		if (ret)
			return ret;
	}
	for (; optind < argc; optind++) {  /* after "--" */
		ret = take_positional(argv[optind], pos, max_pos, npos,
				      cmd->name, e);
		if (ret)
			return ret;
	}
	return 0;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv,
	      const char **pos, unsigned int max_pos, unsigned int *npos,
	      struct errmsg *e)
{
	struct option *lopts = NULL;
	struct flat_opt *flat = NULL;
	int ret;

	*npos = 0;
	ret = flatten(cmd, &lopts, &flat);
	if (ret)
		errmsg_set(e, ret, "out of memory");
	else
		ret = parse_loop(cmd, argc, argv, lopts, flat, pos, max_pos,
				 npos, e);
	free(lopts);
	free(flat);
	optind = 0;
	return ret;
}

/* One option's help: "  --name ARG" padded to 24 columns, then its text,
 * continuation lines indented to the same column. */
static void print_option(FILE *f, const struct cli_option *o)
{
	const char *p = o->help ? o->help : "";
	int w = fprintf(f, "  --%s%s%s", o->name, o->arg ? " " : "",
			o->arg ? o->arg : "");
	const char *nl;

	if (w > 23) {
		fputc('\n', f);
		w = 0;
	}
	do {
		nl = strchr(p, '\n');
		fprintf(f, "%*s%.*s\n", 24 - w, "", nl ? (int)(nl - p) : (int)strlen(p), p);
		w = 0;
		p = nl ? nl + 1 : NULL;
	} while (p && *p);
}

void cli_usage(const struct cli_cmd *cmd, FILE *f)
{
	const struct cli_option *o;
	unsigned int i;

	fprintf(f, "usage: %s %s\n", cmd->name, cmd->synopsis ? cmd->synopsis : "[options]");
	if (cmd->description)
		fputs(cmd->description, f);
	for (i = 0; i < cmd->nr_tables; i++) {
		if (cmd->tables[i].title)
			fprintf(f, "%s:\n", cmd->tables[i].title);
		for (o = cmd->tables[i].opts; o && o->name; o++)
			print_option(f, o);
	}
	fputs("  --help                this text\n", f);
}

int cli_fail(const char *prefix, int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prefix);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}
