/* The arch layer guest/mm/mm_arch.h takes in the host build (-DMM_HOST,
 * found on the include path -Itests/unit/mm_stub): the unit tests' stub. */
#ifndef MM_HOST_ARCH_H
#define MM_HOST_ARCH_H

#include "mm_stub.h"

#endif
