/*
 * segv: a user program that writes to address 0, for the fault path:
 * the kernel must log "segv[N]: segfault at 0 ip ... error 6" and end
 * the task, and nothing else.
 */
#include "user/ulib.h"

void segv_main(unsigned long a, unsigned long b, unsigned long c)
{
	volatile int *volatile p = (volatile int *)0;

	*p = 1;
	u_exit(0);
}
