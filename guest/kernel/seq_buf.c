/*
 * seq_buf: bounded, appending printf. A write that does not fit is cut
 * and sets ->overflow; the buffer always stays NUL-terminated.
 */
#include "kernel/seq_buf.h"
#include "kernel/vsprintf.h"

void seq_buf_init(struct seq_buf *s, char *buf, size_t size)
{
	*s = (struct seq_buf){ .buf = buf, .size = size };
	if (size)
		buf[0] = '\0';
}

void seq_printf(struct seq_buf *s, const char *fmt, ...)
{
	size_t room = s->size - s->len;
	va_list ap;
	int n;

	if (!room)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, room, fmt, ap);
	va_end(ap);
	if ((size_t)n >= room) {
		s->len = s->size - 1;
		s->overflow = true;
	} else {
		s->len += n;
	}
}
