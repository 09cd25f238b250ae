/*
 * seq_buf: printf into a caller's fixed buffer, remembering overflow.
 * What /proc show functions write into.
 */
#ifndef GUEST_KERNEL_SEQ_BUF_H
#define GUEST_KERNEL_SEQ_BUF_H

#include "include/compiler.h"
#include "include/types.h"

struct seq_buf {
	char *buf;
	size_t size;
	size_t len;             /* bytes stored, < size; buf[len] == '\0' */
	bool overflow;          /* some output did not fit */
};

void seq_buf_init(struct seq_buf *s, char *buf, size_t size);
void seq_printf(struct seq_buf *s, const char *fmt, ...) __printf(2, 3);

#endif
