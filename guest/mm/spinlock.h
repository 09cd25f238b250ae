/*
 * Test-and-set spinlocks for guest/mm, written with the compiler's __atomic
 * builtins (an xchg on x86-64) so guest/mm needs no inline asm.  An all-zero
 * spinlock_t is unlocked, so locks in zero-filled memory need no init.
 *
 * spin_lock_irqsave() disables interrupts on this CPU first: every lock in
 * guest/mm may be taken from an interrupt handler (GFP_ATOMIC), so all are
 * taken with interrupts off.
 */
#ifndef GUEST_MM_SPINLOCK_H
#define GUEST_MM_SPINLOCK_H

#include "mm_arch.h"

typedef struct {
	unsigned int locked;	/* 0 free, 1 held */
} spinlock_t;

static inline void spin_lock(spinlock_t *lock)
{
	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
}

/* Take @lock if it is free; true if taken. */
static inline bool spin_trylock(spinlock_t *lock)
{
	return !__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock(spinlock_t *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

#define spin_lock_irqsave(lock, flags)			\
	do {						\
		(flags) = arch_local_irq_save();	\
		spin_lock(lock);			\
	} while (0)

#define spin_unlock_irqrestore(lock, flags)		\
	do {						\
		spin_unlock(lock);			\
		arch_local_irq_restore(flags);		\
	} while (0)

#endif /* GUEST_MM_SPINLOCK_H */
