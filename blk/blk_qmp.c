/*
 * query-block, with QEMU's shape for a -drive file=PATH,if=virtio,
 * format=raw disk, so libvirt and `ctl status` read either VMM:
 *
 *   [{"device": "virtio0" (or the id=), "qdev":
 *     "/machine/peripheral-anon/device[N]/virtio-backend",
 *     "removable": false, "locked": false, "type": "unknown",
 *     "io-status": "ok",
 *     "inserted": {"file": PATH, "node-name": "#block<N>", "ro": BOOL,
 *                  "drv": "raw", "encrypted": false,
 *                  "detect_zeroes": "off", "backing_file_depth": 0,
 *                  "write_threshold": 0, "bps": 0, ... "iops_wr": 0,
 *                  "cache": {"writeback": true, "direct": false,
 *                            "no-flush": false},
 *                  "image": {"filename": PATH, "format": "raw",
 *                            "virtual-size": BYTES,
 *                            "actual-size": BYTES ON DISK,
 *                            "dirty-flag": false}}}, ...]
 *
 * An empty list without drives, as QEMU without -drive (QEMU's pc machine
 * lists its empty floppy and CD-ROM too; ours has neither).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "blk/blk_internal.h"
#include "vmm/qmp.h"

static json_int_t actual_size(const struct blk_drive *d)
{
	struct stat st;

	if (fstat(d->img.fd, &st))
		return 0;
	return (json_int_t)st.st_blocks * 512;
}

static json_t *image_info(const struct blk_drive *d)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:b}",
			 "filename", d->file, "format", "raw",
			 "virtual-size", (json_int_t)d->size,
			 "actual-size", actual_size(d), "dirty-flag", 0);
}

static json_t *inserted_info(const struct blk_drive *d)
{
	char node[32];
	json_t *o;

	snprintf(node, sizeof(node), "#block%u", 100 + 2 * d->index);
	o = json_pack("{s:s, s:s, s:b, s:s, s:b, s:s, s:i, s:i, "
		      "s:i, s:i, s:i, s:i, s:i, s:i, "
		      "s:{s:b, s:b, s:b}, s:o*}",
		      "file", d->file, "node-name", node,
		      "ro", d->img.readonly, "drv", "raw", "encrypted", 0,
		      "detect_zeroes", "off", "backing_file_depth", 0,
		      "write_threshold", 0,
		      "bps", 0, "bps_rd", 0, "bps_wr", 0,
		      "iops", 0, "iops_rd", 0, "iops_wr", 0,
		      "cache", "writeback", 1, "direct", 0, "no-flush", 0,
		      "image", image_info(d));
	return o;
}

static json_t *drive_info(const struct blk_drive *d)
{
	char qdev[64];

	snprintf(qdev, sizeof(qdev),
		 "/machine/peripheral-anon/device[%u]/virtio-backend", d->index);
	return json_pack("{s:s, s:s, s:b, s:b, s:s, s:s, s:o*}",
			 "device", d->id, "qdev", qdev,
			 "removable", 0, "locked", 0, "type", "unknown",
			 "io-status", "ok", "inserted", inserted_info(d));
}

json_t *blk_query_block(struct blk *b)
{
	json_t *list = json_array();
	unsigned int i;

	for (i = 0; list && i < b->nr; i++) {
		json_t *info = drive_info(b->drive[i]);

		if (!info || json_array_append_new(list, info)) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

static json_t *qmp_query_block(void *opaque, json_t *args,
			       struct qmp_error *err)
{
	json_t *r = blk_query_block(opaque);

	if (!r)
		qmp_error_set(err, QMP_ERROR_GENERIC, "out of memory");
	return r;
}

int blk_qmp_register(struct blk *b, struct qmp_server *srv)
{
	return qmp_register(srv, "query-block", qmp_query_block, b);
}
