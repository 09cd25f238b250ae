/*
 * Kernel log: printk() formats a line, stamps it "[seconds.micros] " and
 * appends it to the log ring (read back by dmesg). Lines more urgent than
 * console_loglevel are also written to the console, as in Linux.
 */
#ifndef GUEST_KERNEL_PRINTK_H
#define GUEST_KERNEL_PRINTK_H

#include "include/compiler.h"
#include "include/types.h"

#define LOGLEVEL_EMERG   0
#define LOGLEVEL_ALERT   1
#define LOGLEVEL_CRIT    2
#define LOGLEVEL_ERR     3
#define LOGLEVEL_WARNING 4
#define LOGLEVEL_NOTICE  5
#define LOGLEVEL_INFO    6
#define LOGLEVEL_DEBUG   7

/* Lines with level < console_loglevel also go to the console. Default:
 * LOGLEVEL_NOTICE, i.e. warnings and worse; boot itself prints nothing. */
extern int console_loglevel;

void printk(int level, const char *fmt, ...) __printf(2, 3);
void vprintk(int level, const char *fmt, va_list ap) __printf(2, 0);

#define pr_emerg(...)   printk(LOGLEVEL_EMERG, __VA_ARGS__)
#define pr_crit(...)    printk(LOGLEVEL_CRIT, __VA_ARGS__)
#define pr_err(...)     printk(LOGLEVEL_ERR, __VA_ARGS__)
#define pr_warn(...)    printk(LOGLEVEL_WARNING, __VA_ARGS__)
#define pr_notice(...)  printk(LOGLEVEL_NOTICE, __VA_ARGS__)
#define pr_info(...)    printk(LOGLEVEL_INFO, __VA_ARGS__)
#define pr_debug(...)   printk(LOGLEVEL_DEBUG, __VA_ARGS__)

/* Call @emit on the log ring's contents, oldest line first, in at most two
 * pieces (the ring may wrap). */
void log_dump(void (*emit)(const char *s, size_t n));

#endif
