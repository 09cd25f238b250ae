/* Unit-test helper: capture stdout (see capture.h). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/unit/capture.h"

void capture_begin(struct capture *c)
{
	char path[] = "/tmp/unit-capture-XXXXXX";
	int null = open("/dev/null", O_WRONLY);

	c->file = mkstemp(path);
	ck_assert_int_ge(c->file, 0);
	ck_assert_int_ge(null, 0);
	unlink(path);
	fflush(stdout);
	fflush(stderr);
	c->saved_out = dup(1);
	c->saved_err = dup(2);
	dup2(c->file, 1);
	dup2(null, 2);
	close(null);
}

void capture_end(struct capture *c, char *out, size_t len)
{
	ssize_t n = 0;

	fflush(stdout);
	fflush(stderr);
	dup2(c->saved_out, 1);
	dup2(c->saved_err, 2);
	close(c->saved_out);
	close(c->saved_err);
	if (out && len)
		n = pread(c->file, out, len - 1, 0);
	if (out && len)
		out[n > 0 ? n : 0] = '\0';
	close(c->file);
}
