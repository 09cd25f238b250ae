/*
 * Kernel command line parameters (see cmdline.h): one pass over
 * boot_info.cmdline per lookup; lookups happen a few times at boot.
 */
#include "kernel/cmdline.h"
#include "kernel/bootinfo.h"
#include "kernel/string.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Copy the value at @v (up to the next blank) into @val. */
static void copy_value(const char *v, char *val, size_t len)
{
	size_t n = 0;

	while (v[n] && !is_blank(v[n]))
		n++;
	if (n >= len)
		n = len - 1;
	memcpy(val, v, n);
	val[n] = '\0';
}

bool cmdline_param(const char *name, char *val, size_t len)
{
	const char *p = boot_info.cmdline;
	size_t nlen = strlen(name);
	bool found = false;

	while (*p) {
		while (is_blank(*p))
			p++;
		if (!strncmp(p, name, nlen) &&
		    (!p[nlen] || is_blank(p[nlen]) || p[nlen] == '=')) {
			found = true;
			if (val && len)
				copy_value(p[nlen] == '=' ? p + nlen + 1 : "",
					   val, len);
		}
		while (*p && !is_blank(*p))
			p++;
	}
	return found;
}
