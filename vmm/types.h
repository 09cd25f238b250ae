/*
 * Address unit types shared by host modules. A guest-physical address
 * (gpa_t) and a host virtual address (hva_t) are different things: keep them
 * apart so one cannot silently become the other.
 */
#ifndef VMM_TYPES_H
#define VMM_TYPES_H

#include <stdint.h>

typedef uint64_t gpa_t;   /* guest-physical address */
typedef uint64_t pfn_t;   /* guest page frame number */
typedef uintptr_t hva_t;  /* host virtual address (inside a memfd mapping) */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
