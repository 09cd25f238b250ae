/* `memvisor ksmd`: its options, then ksmd_serve (ksm/ksmd.c). */
#include <errno.h>

#include "ksm/ksm.h"
#include "tools/ksmd/ksmd.h"
#include "vmm/cli.h"

#define KSMD_DEFAULT_SOCKET "/tmp/memvisor-ksmd.sock"

enum { OPT_SOCKET };

static const struct cli_option ksmd_options[] = {
	{ "socket", "PATH", "the unix socket to listen on (mode 0600;\n"
	  "default " KSMD_DEFAULT_SOCKET ")", OPT_SOCKET },
	{ 0 },
};

static int ksmd_option(void *opaque, int key, const char *arg,
		       struct errmsg *e)
{
	*(const char **)opaque = arg;
	return 0;
}

int ksmd_main(int argc, char **argv)
{
	const char *path = KSMD_DEFAULT_SOCKET;
	struct errmsg e = { .msg = "" };
	const struct cli_table table = { NULL, ksmd_options, ksmd_option, &path };
	const struct cli_cmd cmd = {
		.name = "memvisor ksmd", .synopsis = "[--socket PATH]",
		.description = "The KSM scanner: VMs started with --ksm PATH register\n"
			       "their memory; `memvisor ctl --ksm PATH ksm set run=1`\n"
			       "starts merging.\n",
		.tables = &table, .nr_tables = 1,
	};
	const char *pos[1];
	unsigned int npos;
	int ret = cli_parse(&cmd, argc, argv, pos, 1, &npos, &e);

	if (!ret && npos)
		ret = errmsg_user(&e, -EINVAL, "unexpected argument '%s'", pos[0]);
	if (ret)
		return ret > 0 ? 0 : cli_fail("memvisor ksmd", cli_status(&e), "%s", e.msg);
	ret = ksmd_serve(path, &e);
	return ret ? cli_fail("memvisor ksmd", cli_status(&e), "%s", e.msg) : 0;
}
