/*
 * The balloon's flags, with QEMU's defaults (every feature off, no stats
 * polling):
 *
 *   --no-balloon        leave the device out (QMP balloon then answers
 *                       "No balloon device has been activated")
 *   --balloon deflate-on-oom=on|off,free-page-reporting=on|off,
 *             stats-period=SECONDS
 *
 * Each mistake gets one line naming the flag and the key. Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balloon/balloon_internal.h"
#include "vmm/util.h"

#define KEYS "deflate-on-oom, free-page-reporting, stats-period"

void balloon_config_init(struct balloon_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	balloon_policy_init(&cfg->policy);
}

static int parse_onoff_flag(const char *key, const char *val, bool *out,
			    struct errmsg *e)
{
	if (parse_onoff(val, out))
		return errmsg_user(e, -EINVAL, "--balloon: %s must be on or off, not '%s'",
				   key, val);
	return 0;
}

static int parse_one(struct balloon_config *cfg, char *item, struct errmsg *e)
{
	char *val = strchr(item, '=');
	unsigned long n;

	if (!val)
		return errmsg_user(e, -EINVAL, "--balloon: '%s' is not KEY=VALUE (keys: " KEYS ")",
				   item);
	*val++ = '\0';
	if (!strcmp(item, "deflate-on-oom"))
		return parse_onoff_flag(item, val, &cfg->deflate_on_oom, e);
	if (!strcmp(item, "free-page-reporting"))
		return parse_onoff_flag(item, val, &cfg->free_page_reporting, e);
	if (!strcmp(item, "stats-period")) {
		if (parse_uint(val, 0, UINT32_MAX, &n))
			return errmsg_user(e, -EINVAL, "--balloon: stats-period must be a number of seconds from 0 to %u, not '%s'",
					   UINT32_MAX, val);
		cfg->stats_period = n;
		return 0;
	}
	return errmsg_user(e, -EINVAL, "--balloon: unknown key '%s' (keys: " KEYS ")",
			   item);
}

int balloon_parse_options(struct balloon_config *cfg, const char *arg,
			  struct errmsg *e)
{
	char *copy = strdup(arg), *item, *save = NULL;
	int ret = 0;

	if (!copy)
		return errmsg_set(e, -ENOMEM, "out of memory");
	cfg->options_given = true;
	if (!*copy)
		ret = errmsg_user(e, -EINVAL, "--balloon: no options given (keys: " KEYS ")");
	for (item = strtok_r(copy, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save))
		ret = parse_one(cfg, item, e);
	free(copy);
	return ret;
}

int balloon_config_check(const struct balloon_config *cfg, struct errmsg *e)
{
	if (cfg->disabled && cfg->options_given)
		return errmsg_user(e, -EINVAL, "--balloon and --no-balloon cannot be used together");
	if (cfg->disabled && cfg->policy_on)
		return errmsg_user(e, -EINVAL, "--balloon-policy and --no-balloon cannot be used together");
	return 0;
}
