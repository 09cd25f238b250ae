/*
 * Error numbers (Linux's values). Functions return 0 or -errno.
 */
#ifndef GUEST_INCLUDE_ERRNO_H
#define GUEST_INCLUDE_ERRNO_H

#define EPERM    1
#define ENOENT   2
#define EIO      5
#define E2BIG    7
#define ENOMEM  12
#define EACCES  13
#define EBUSY   16
#define EEXIST  17
#define ENODEV  19
#define ENOTDIR 20
#define EISDIR  21
#define EINVAL  22
#define ENOSPC  28
#define EROFS   30
#define ERANGE  34
#define ENOSYS  38
#define EOPNOTSUPP 95

#endif
