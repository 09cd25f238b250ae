/*
 * GFP ("get free pages") flags: what an allocation may do and where its
 * pages may come from.  Values follow Linux where Linux has the flag, so
 * traces read the same.
 *
 * Zone modifiers pick the highest zone allowed (the zonelist is walked
 * downwards from there); the mobility bits pick the migratetype
 * (gfp_migratetype() is a shift, as in Linux).
 */
#ifndef GUEST_MM_GFP_H
#define GUEST_MM_GFP_H

#include "mm_types.h"

#define __GFP_DMA		0x01u	/* ZONE_DMA only */
#define __GFP_DMA32		0x04u	/* ZONE_DMA32 and below */
#define __GFP_MOVABLE		0x08u	/* migratable; may use ZONE_MOVABLE */
#define __GFP_RECLAIMABLE	0x10u	/* slab the shrinkers can free */
#define __GFP_HIGH		0x20u	/* may dip below min (ALLOC_HIGH) */
#define __GFP_IO		0x40u	/* may start I/O */
#define __GFP_FS		0x80u	/* may call into filesystems */
#define __GFP_ZERO		0x100u	/* return zeroed pages */
#define __GFP_ATOMIC		0x200u	/* cannot sleep (ALLOC_HARDER) */
#define __GFP_DIRECT_RECLAIM	0x400u	/* may reclaim directly */
#define __GFP_KSWAPD_RECLAIM	0x800u	/* may wake kswapd */
#define __GFP_NOWARN		0x2000u	/* no failure message */
#define __GFP_NORETRY		0x10000u /* one reclaim attempt at most */

#define __GFP_RECLAIM	(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)

#define GFP_ATOMIC	(__GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL	(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOWAIT	(__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO	(__GFP_RECLAIM)
#define GFP_USER	(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_DMA		__GFP_DMA
#define GFP_DMA32	__GFP_DMA32
#define GFP_HIGHUSER_MOVABLE	(GFP_USER | __GFP_MOVABLE)
/* Large anonymous chunks: movable, no direct reclaim, fail quietly. */
#define GFP_TRANSHUGE_LIGHT	((GFP_HIGHUSER_MOVABLE | __GFP_NOWARN | \
				  __GFP_KSWAPD_RECLAIM) & ~__GFP_DIRECT_RECLAIM)
/* ... and with direct reclaim (Linux's defrag "always"): THP swap-in */
#define GFP_TRANSHUGE		(GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

#define GFP_ZONEMASK		(__GFP_DMA | __GFP_DMA32 | __GFP_MOVABLE)
#define GFP_MOVABLE_MASK	(__GFP_MOVABLE | __GFP_RECLAIMABLE)
#define GFP_MOVABLE_SHIFT	3

#endif /* GUEST_MM_GFP_H */
