/* Small helpers for the CLI, devices and tools: size and number parsing,
 * and writing a whole buffer. */
#ifndef VMM_UTIL_H
#define VMM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parse a size: a decimal number with an optional suffix K, M, G or T
 * (binary units, case-insensitive, optional trailing "B" or "iB");
 * no suffix means bytes if @default_shift is 0, or MiB if 20 (QEMU's -m
 * reads a bare number as MiB). 0 or -EINVAL/-ERANGE.
 */
int parse_size(const char *s, int default_shift, uint64_t *out);

/* Parse a non-negative decimal integer in [min, max]. 0 or -EINVAL/-ERANGE. */
int parse_uint(const char *s, unsigned long min, unsigned long max,
	       unsigned long *out);

/* Parse QEMU's on/off property values. 0 or -EINVAL. */
int parse_onoff(const char *s, bool *out);

/* "guest.elf" in the directory of the binary @self_path (malloc'd; NULL if
 * out of memory): where `make` puts the guest kernel next to memvisor. */
char *guest_kernel_beside(const char *self_path);

/* Write all @len bytes of @buf to @fd, again after EINTR and short
 * writes (blocking fds). 0, or -errno (-EIO if write returned 0). */
int write_all(int fd, const void *buf, size_t len);

/* Format @bytes as the shortest exact "NG", "NM", "NK" or "N". */
const char *format_size(uint64_t bytes, char *buf, unsigned len);

#endif
