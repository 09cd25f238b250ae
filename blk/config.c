/*
 * The drives' flags:
 *
 *   --drive file=PATH[,readonly=on|off][,id=ID]     (repeatable)
 *
 * as QEMU's -drive file=PATH,if=virtio,format=raw[,readonly=on][,id=ID]
 * (if=virtio and format=raw are accepted and are the only values). The
 * file must exist and be a regular file or a block device; ids must be
 * unique and not look like the default ones ("virtio<N>"). Each mistake
 * gets one line naming the flag. Pure but for stat().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "blk/blk_internal.h"
#include "vmm/util.h"

#define KEYS "file, readonly, id, if, format"

void blk_config_init(struct blk_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

void blk_config_free(struct blk_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr; i++) {
		free(cfg->drive[i].file);
		free(cfg->drive[i].id);
	}
	cfg->nr = 0;
}

static int parse_onoff_flag(const char *key, const char *val, bool *out,
			    struct errmsg *e)
{
	if (parse_onoff(val, out))
		return errmsg_user(e, -EINVAL, "--drive: %s must be on or off, not '%s'",
				   key, val);
	return 0;
}

/* An id QEMU would accept: a letter, then letters, digits, - . _ */
static bool valid_id(const char *id)
{
	const char *p;

	if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z')))
		return false;
	for (p = id; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789-._", *p))
			return false;
	return p - id < 64;
}

static int set_string(char **dst, const char *key, const char *val,
		      struct errmsg *e)
{
	if (!*val)
		return errmsg_user(e, -EINVAL, "--drive: %s is empty", key);
	free(*dst);
	*dst = strdup(val);
	return *dst ? 0 : errmsg_set(e, -ENOMEM, "out of memory");
}

static int parse_one(struct blk_drive_config *d, char *item, struct errmsg *e)
{
	char *val = strchr(item, '=');

	if (!val)
		return errmsg_user(e, -EINVAL, "--drive: '%s' is not KEY=VALUE (keys: " KEYS ")",
				   item);
	*val++ = '\0';
	if (!strcmp(item, "file"))
		return set_string(&d->file, item, val, e);
	if (!strcmp(item, "readonly"))
		return parse_onoff_flag(item, val, &d->readonly, e);
	if (!strcmp(item, "id")) {
		if (!valid_id(val))
			return errmsg_user(e, -EINVAL, "--drive: id '%s' must start with a letter and hold only letters, digits, '-', '.' and '_'",
					   val);
		return set_string(&d->id, item, val, e);
	}
	if (!strcmp(item, "if") && strcmp(val, "virtio"))
		return errmsg_user(e, -EINVAL, "--drive: if=%s is not supported (only if=virtio)", val);
	if (!strcmp(item, "format") && strcmp(val, "raw"))
		return errmsg_user(e, -EINVAL, "--drive: format=%s is not supported (only raw images)", val);
	if (!strcmp(item, "if") || !strcmp(item, "format"))
		return 0;
	return errmsg_user(e, -EINVAL, "--drive: unknown key '%s' (keys: " KEYS ")",
			   item);
}

int blk_parse_drive(struct blk_config *cfg, const char *arg, struct errmsg *e)
{
	struct blk_drive_config *d;
	char *copy, *item, *save = NULL;
	int ret = 0;

	if (cfg->nr == BLK_MAX_DRIVES)
		return errmsg_user(e, -EINVAL, "--drive: at most %d drives",
				   BLK_MAX_DRIVES);
	copy = strdup(arg);
	if (!copy)
		return errmsg_set(e, -ENOMEM, "out of memory");
	d = &cfg->drive[cfg->nr];
	memset(d, 0, sizeof(*d));
	for (item = strtok_r(copy, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save))
		ret = parse_one(d, item, e);
	if (!ret && !d->file)
		ret = errmsg_user(e, -EINVAL, "--drive: file=PATH is missing in '%s'", arg);
	free(copy);
	if (ret) {
		free(d->file);
		free(d->id);
		memset(d, 0, sizeof(*d));
		return ret;
	}
	cfg->nr++;
	return 0;
}

/* The name query-block gives drive @i. */
static const char *drive_name(const struct blk_config *cfg, unsigned int i,
			      char *buf, size_t len)
{
	if (cfg->drive[i].id)
		return cfg->drive[i].id;
	snprintf(buf, len, "virtio%u", i);
	return buf;
}

static int check_file(const char *path, struct errmsg *e)
{
	struct stat st;

	if (stat(path, &st))
		return errmsg_user(e, -errno, "--drive: cannot open '%s': %s",
				   path, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return errmsg_user(e, -EINVAL, "--drive: '%s' is not a regular file or a block device",
				   path);
	return 0;
}

int blk_config_check(const struct blk_config *cfg, struct errmsg *e)
{
	char a[24], b[24];
	unsigned int i, j;
	int ret;

	for (i = 0; i < cfg->nr; i++) {
		ret = check_file(cfg->drive[i].file, e);
		if (ret)
			return ret;
		for (j = 0; j < i; j++)
			if (!strcmp(drive_name(cfg, i, a, sizeof(a)),
				    drive_name(cfg, j, b, sizeof(b))))
				return errmsg_user(e, -EINVAL, "--drive: duplicate id '%s'", a);
	}
	return 0;
}
