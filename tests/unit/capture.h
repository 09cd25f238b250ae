/*
 * Unit-test helper: what a function under test prints on stdout (and,
 * quietly, on stderr), read back from a temporary file.
 *
 *   struct capture c;
 *   capture_begin(&c);
 *   ret = ctl_main(...);
 *   capture_end(&c, out, sizeof(out));
 */
#ifndef TESTS_UNIT_CAPTURE_H
#define TESTS_UNIT_CAPTURE_H

#include <stddef.h>

struct capture {
	int file;               /* the temporary file stdout goes to */
	int saved_out, saved_err;
};

/* From now, stdout goes to a temporary file and stderr to /dev/null. */
void capture_begin(struct capture *c);
/* Restore stdout and stderr; what was printed on stdout in @out (NUL
 * terminated, cut to @len - 1 bytes; @out may be NULL). */
void capture_end(struct capture *c, char *out, size_t len);

#endif
