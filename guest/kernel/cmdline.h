/*
 * Kernel command line parameters: "word" and "name=value", separated by
 * blanks, as Linux's (no quoting).
 */
#ifndef GUEST_KERNEL_CMDLINE_H
#define GUEST_KERNEL_CMDLINE_H

#include "include/types.h"

/*
 * Is parameter @name on the command line (as "name" or "name=...")? If so
 * and @val is not NULL, copy its value ("" for a bare word) into @val
 * (@len bytes, NUL-terminated). The last occurrence wins, as in Linux.
 */
bool cmdline_param(const char *name, char *val, size_t len);

#endif
