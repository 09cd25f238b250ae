/*
 * BUG() and BUG_ON(): broken invariants end in a panic naming the place.
 * (guest/mm defines its own in mm/mm_arch.h; never include both.)
 */
#ifndef GUEST_KERNEL_BUG_H
#define GUEST_KERNEL_BUG_H

#include "kernel/panic.h"

#define BUG() panic("kernel BUG at %s:%d!", __FILE__, __LINE__)
#define BUG_ON(cond) do { if (unlikely(cond)) BUG(); } while (0)

#endif
