/*
 * Size and number parsing for the CLI. Pure functions, unit-tested in
 * tests/unit/test_util.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vmm/error.h"
#include "vmm/util.h"

int errmsg_set(struct errmsg *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

int errmsg_user(struct errmsg *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
		e->user = 1;
	}
	return err;
}

static int suffix_shift(const char *s, int default_shift)
{
	static const char units[] = "KMGT";
	const char *u;

	if (*s == '\0')
		return default_shift;
	u = strchr(units, toupper((unsigned char)*s));
	if (!u)
		return -1;
	s++;
	if (*s == 'i' || *s == 'I')
		s++;
	if (*s == 'b' || *s == 'B')
		s++;
	if (*s != '\0')
		return -1;
	return 10 * (int)(u - units + 1);
}

int parse_size(const char *s, int default_shift, uint64_t *out)
{
	unsigned long long n;
	char *end;
	int shift;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	shift = suffix_shift(end, default_shift);
	if (shift < 0)
		return -EINVAL;
	if (shift && n > (~0ull >> shift))
		return -ERANGE;
	*out = (uint64_t)n << shift;
	return 0;
}

int parse_uint(const char *s, unsigned long min, unsigned long max,
	       unsigned long *out)
{
	unsigned long n;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno || n < min || n > max)
		return -ERANGE;
	*out = n;
	return 0;
}

int parse_onoff(const char *s, bool *out)
{
	if (!strcmp(s, "on"))
		*out = true;
	else if (!strcmp(s, "off"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

char *guest_kernel_beside(const char *self_path)
{
	const char *slash = strrchr(self_path, '/');
	char *path;

	if (!slash)
		return strdup("guest.elf");
	if (asprintf(&path, "%.*s/guest.elf", (int)(slash - self_path),
		     self_path) < 0)
		return NULL;
	return path;
}

const char *format_size(uint64_t bytes, char *buf, unsigned len)
{
	static const char units[] = "TGMK";
	int i;

	for (i = 0; i < 4; i++) {
		int shift = 10 * (4 - i);

		if (bytes && !(bytes & ((1ull << shift) - 1))) {
			snprintf(buf, len, "%llu%c",
				 (unsigned long long)(bytes >> shift), units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
	return buf;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
