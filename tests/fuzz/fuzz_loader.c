/*
 * Fuzz the PVH loader's ELF parser (vmm/loader.c, pvh_parse_elf): the input
 * is a whole kernel file. A parsed image's segments must lie inside the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pvh_image img;
	struct errmsg e;
	unsigned int i;
	uint8_t *copy;

	/* An exact-size copy, so ASan sees any read past the file. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (!pvh_parse_elf(copy, size, &img, &e)) {
		for (i = 0; i < img.nr_segs; i++)
			if (img.segs[i].offset > size ||
			    img.segs[i].filesz > size - img.segs[i].offset ||
			    img.segs[i].filesz > img.segs[i].memsz)
				abort();
	}
	free(copy);
	return 0;
}
