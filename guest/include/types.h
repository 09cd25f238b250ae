/*
 * Basic guest types. Freestanding: only the compiler's own headers.
 * phys_addr_t is a guest-physical address; a pointer is always virtual, so
 * converting between them goes through __va()/__pa() in memlayout.h.
 */
#ifndef GUEST_INCLUDE_TYPES_H
#define GUEST_INCLUDE_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t phys_addr_t;

#endif
