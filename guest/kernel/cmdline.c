/*
 * Kernel command line parameters (see cmdline.h).
 *
 * The first lookup splits boot_info.cmdline (fixed by bootinfo_init(),
 * before any lookup) into params[]: each word's name and value as offsets
 * and lengths into it.  Every lookup then compares lengths first and
 * bytes only on a length match, newest word first, so the last occurrence
 * wins without walking the rest: at boot (emulated ring 0) a lookup costs
 * tens of instructions instead of a pass over every character.
 */
#include "kernel/cmdline.h"
#include "kernel/bootinfo.h"
#include "kernel/string.h"

/* One word: name at cmdline[name], value at cmdline[val] ("name=value"),
 * vlen 0 and val at the word's end for a bare word or "name=". */
struct cmdline_word {
	uint16_t name, nlen;
	uint16_t val, vlen;
};

/* A word takes at least two bytes with its blank: enough for any line. */
static struct cmdline_word params[BOOT_CMDLINE_MAX / 2 + 1];
static unsigned int nr_params;
static bool parsed;

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Record the word at @s (not blank, not NUL); the offset past it. */
static unsigned int parse_word(const char *s, unsigned int i)
{
	struct cmdline_word *w = &params[nr_params++];
	unsigned int start = i;

	while (s[i] && !is_blank(s[i]) && s[i] != '=')
		i++;
	w->name = (uint16_t)start;
	w->nlen = (uint16_t)(i - start);
	if (s[i] == '=')
		i++;
	w->val = (uint16_t)i;
	while (s[i] && !is_blank(s[i]))
		i++;
	w->vlen = (uint16_t)(i - w->val);
	return i;
}

static void cmdline_parse(void)
{
	const char *s = boot_info.cmdline;
	unsigned int i = 0;

	for (;;) {
		while (is_blank(s[i]))
			i++;
		if (!s[i])
			break;
		i = parse_word(s, i);
	}
	parsed = true;
}

/* Copy word @w's value into @val (@len bytes, NUL-terminated). */
static void copy_value(const struct cmdline_word *w, char *val, size_t len)
{
	size_t n = w->vlen < len ? w->vlen : len - 1;

	memcpy(val, boot_info.cmdline + w->val, n);
	val[n] = '\0';
}

bool cmdline_param(const char *name, char *val, size_t len)
{
	size_t nlen = strlen(name);

	if (!parsed)
		cmdline_parse();
	for (unsigned int i = nr_params; i-- > 0;) {
		const struct cmdline_word *w = &params[i];

		if (w->nlen != nlen ||
		    memcmp(boot_info.cmdline + w->name, name, nlen))
			continue;
		if (val && len)
			copy_value(w, val, len);
		return true;
	}
	return false;
}
