/*
 * The exception table of the user copy (copy_user.S): a fault at one of
 * __copy_user's two string instructions resumes at its fixup, which
 * returns the bytes left.  Two entries, so a linear scan.
 */
#include "arch/x86/uaccess.h"

struct extable_entry {
	uint64_t insn;		/* may fault on user memory */
	uint64_t fixup;		/* where to resume if it cannot be mapped */
};

#define NR_UACCESS_FIXUPS 2

extern const struct extable_entry __uaccess_extable[NR_UACCESS_FIXUPS];

static const struct extable_entry *extable_find(uint64_t rip)
{
	for (unsigned int i = 0; i < NR_UACCESS_FIXUPS; i++)
		if (__uaccess_extable[i].insn == rip)
			return &__uaccess_extable[i];
	return NULL;
}

bool uaccess_insn(uint64_t rip)
{
	return extable_find(rip) != NULL;
}

bool uaccess_fixup(struct trap_frame *f)
{
	const struct extable_entry *e = extable_find(f->rip);

	if (!e)
		return false;
	f->rip = e->fixup;
	return true;
}
