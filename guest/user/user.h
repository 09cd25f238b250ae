/*
 * The kernel's view of the user programs (guest/user/): one image, linked
 * at USER_IMAGE_BASE in its own section of the kernel ELF (kernel.ld:
 * .user, loaded right after the 32-bit entry stub) and copied into every
 * user task's address space at that address (kernel/task.c).
 *
 * The kernel never runs this code; it only takes the entry points'
 * addresses, which are user addresses.
 */
#ifndef GUEST_USER_USER_H
#define GUEST_USER_USER_H

#include "user/uapi.h"

#define USER_IMAGE_BASE	0x400000UL	/* = kernel.ld's .user address */

/* kernel.ld: the image's bytes (kernel virtual address) and size. */
extern const char __user_image_kva[];
extern const char __user_image_start[];	/* = USER_IMAGE_BASE */
extern const char __user_image_size[];	/* absolute symbol: the size */

/* Entry points: called at CPL 3 with three arguments; never return. */
typedef void user_entry_t(unsigned long a, unsigned long b, unsigned long c);
user_entry_t hog_main;		/* (size, enum hog_pattern, seed) */
user_entry_t segv_main;		/* () */
user_entry_t sysbench_main;	/* (calls) */

#endif
