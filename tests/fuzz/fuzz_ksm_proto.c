/*
 * ksmd's wire protocol (ksm/proto.c) and knob parser (ksm/knobs.c): the
 * input is split into messages of sizeof(struct ksm_msg) bytes (the last
 * may be short), each checked as ksmd checks what a client sends (and a VM
 * what ksmd sends: a run's page count must be in range); a valid CTL_SET's
 * text goes to ksm_knob_set and CTL_GET's to ksm_format.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ksm/ksm_internal.h"

static void sink(void *arg, const char *line)
{
	(void)arg;
	(void)line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ksm_ops ops;
	struct ksm ksm;
	struct ksm_msg m;
	size_t off, n;
	char *eq;

	if (ksm_init(&ksm, &ops, NULL))
		return 0;
	for (off = 0; off < size; off += n) {
		n = size - off < sizeof(m) ? size - off : sizeof(m);
		if (ksm_msg_check(data + off, n))
			continue;
		memcpy(&m, data + off, sizeof(m));
		/* a run the check let through covers 1..KSM_RUN_MAX pages:
		 * the receivers' bitmaps and ksmd's checksum buffer rely on it */
		if ((m.type == KSM_MERGE_RUN || m.type == KSM_STILL_RUN ||
		     m.type == KSM_SUM_RUN) && (m.nid == 0 || m.nid > KSM_RUN_MAX))
			__builtin_trap();
		if (m.type == KSM_CTL_GET)
			ksm_format(&ksm, m.text[0] ? m.text : NULL, sink, NULL);
		if (m.type == KSM_CTL_SET && (eq = strchr(m.text, '='))) {
			*eq = '\0';
			ksm_knob_set(&ksm, m.text, eq + 1, NULL);
		}
	}
	ksm_destroy(&ksm);
	return 0;
}
