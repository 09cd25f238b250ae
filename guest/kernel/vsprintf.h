/*
 * snprintf family: %d %i %u %x %X %c %s %p %%, with flags '-', '0' and '#',
 * a width (digits or '*'), a precision for %s, and length modifiers
 * hh h l ll z. Returns the length the output would have had (C99).
 */
#ifndef GUEST_KERNEL_VSPRINTF_H
#define GUEST_KERNEL_VSPRINTF_H

#include "include/compiler.h"
#include "include/types.h"

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __printf(3, 0);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
