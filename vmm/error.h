/*
 * One error convention for the host: functions return 0 or -errno; where a
 * user needs to know *why* (a bad kernel file, a bad flag), the function also
 * fills a struct errmsg, and the edge (CLI or QMP) prints it once.
 */
#ifndef VMM_ERROR_H
#define VMM_ERROR_H

struct errmsg {
	char msg[256];
	int user;        /* the user's mistake (exit 2), not a host failure */
};

/* Format @fmt into @e (if not NULL) and return @err, so a caller can write
 * `return errmsg_set(e, -EINVAL, "...")`. */
int errmsg_set(struct errmsg *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As errmsg_set, and marks the error as the user's mistake. */
int errmsg_user(struct errmsg *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
