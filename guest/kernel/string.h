/*
 * Freestanding string and memory functions (the subset the kernel uses).
 */
#ifndef GUEST_KERNEL_STRING_H
#define GUEST_KERNEL_STRING_H

#include "include/types.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* Copy at most size-1 bytes and NUL-terminate; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);
/* Parse an unsigned decimal or 0x-hex number; 0 on success, -EINVAL if
 * @s is not entirely a number. */
int kstrtoull(const char *s, unsigned long long *res);

#endif
