/*
 * printk and the kernel log ring.
 *
 * log_buf is a byte ring of LOG_BUF_SIZE (a power of two); log_next counts
 * every byte ever written, so the ring holds bytes
 * [max(0, log_next - LOG_BUF_SIZE), log_next). Each record is one text line
 * "[    5.120000] message\n"; when the ring has wrapped, log_dump() skips
 * the partial line at the oldest end. Writers disable interrupts around the
 * append, so an interrupt handler's printk never interleaves with another.
 *
 * Cost: one vsnprintf per line (a few hundred instructions, see
 * vsprintf.c) and two copies; boot logs about ten lines, all in tick 0,
 * whose stamp is never formatted.
 */
#include "kernel/printk.h"
#include "kernel/console.h"
#include "kernel/string.h"
#include "kernel/time.h"
#include "kernel/vsprintf.h"
#include "arch/x86/cpu.h"

#define LOG_BUF_SIZE  (1u << 15)
#define LOG_LINE_MAX  400

int console_loglevel = LOGLEVEL_NOTICE;

static char log_buf[LOG_BUF_SIZE];
static uint64_t log_next;

static void log_append(const char *s, size_t n)
{
	size_t off = log_next & (LOG_BUF_SIZE - 1);
	size_t first = MIN(n, LOG_BUF_SIZE - off);

	memcpy(log_buf + off, s, first);
	memcpy(log_buf, s + first, n - first);
	log_next += n;
}

/* Format "[    5.120000] " from the tick count. The last stamp is cached,
 * and the cache starts out holding tick 0's: all of boot happens within
 * tick 0, so boot formats no stamp at all. */
#define STAMP_TICK0 "[    0.000000] "

static int log_stamp(char *buf, size_t size)
{
	static char stamp[32] = STAMP_TICK0;
	static int stamp_len = sizeof(STAMP_TICK0) - 1;
	static uint64_t stamp_jiffies;
	uint64_t j = jiffies;

	if (j != stamp_jiffies) {
		stamp_len = snprintf(stamp, sizeof(stamp), "[%5lu.%06lu] ",
				     (unsigned long)(j / HZ),
				     (unsigned long)(j % HZ) * (1000000 / HZ));
		stamp_jiffies = j;
	}
	memcpy(buf, stamp, stamp_len);
	return stamp_len;
}

void vprintk(int level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t len, room = sizeof(line) - 1;     /* keep one byte for '\n' */
	uint64_t flags;
	int n;

	flags = cpu_irq_save();         /* the stamp cache is shared */
	len = log_stamp(line, room);
	cpu_irq_restore(flags);
	n = vsnprintf(line + len, room - len, fmt, ap);
	len += MIN((size_t)n, room - len - 1);
	if (line[len - 1] != '\n')
		line[len++] = '\n';
	flags = cpu_irq_save();
	log_append(line, len);
	cpu_irq_restore(flags);
	if (level < console_loglevel)
		console_write(line, len);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

void log_dump(void (*emit)(const char *s, size_t n))
{
	uint64_t start = 0, end = log_next;
	size_t off, first;

	if (end > LOG_BUF_SIZE) {
		start = end - LOG_BUF_SIZE;
		while (start < end && log_buf[start++ & (LOG_BUF_SIZE - 1)] != '\n')
			;
	}
	off = start & (LOG_BUF_SIZE - 1);
	first = MIN(end - start, LOG_BUF_SIZE - off);
	emit(log_buf + off, first);
	if (end - start > first)
		emit(log_buf, end - start - first);
}
