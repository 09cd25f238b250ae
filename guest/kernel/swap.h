/*
 * Swap and reclaim, the kernel's side (kernel/swap.c): swap I/O for
 * guest/mm, swapon/swapoff, /proc/swaps, /proc/sys/vm, kswapd.
 */
#ifndef GUEST_KERNEL_SWAP_H
#define GUEST_KERNEL_SWAP_H

/* Install the reclaim hooks, the commands and the files. */
void swap_init(void);
/* Start kswapd (once): at the first swapon, or when a disk's page cache
 * is first filled (clean cache pages are reclaimable without swap). */
void kswapd_start(void);

#endif
