/*
 * Memory hotplug (hotplug/): the register block as a state machine, the
 * region layout and first fit, the CLI options, then DIMMs for real (memfd
 * and mapping, no KVM: guest memory with no VM) through the QMP commands
 * and guest port writes, down to the host memory being freed on eject.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi/acpi.h"
#include "hotplug/hotplug_internal.h"
#include "vmm/memory.h"
#include "vmm/platform.h"

extern Suite *hotplug_suite(void);

/* ------------------------------------------------------------ registers */

static struct memhp_regs regs;

static void select_slot(uint32_t slot)
{
	struct memhp_io_result res;

	memhp_regs_write(&regs, MEMHP_REG_SEL, 4, slot, &res);
	ck_assert(!res.ost && !res.eject);
}

START_TEST(regs_out_of_range_selector)
{
	struct memhp_io_result res;
	unsigned int off;

	memhp_regs_init(&regs, 4);
	memhp_regs_plug(&regs, 3, 0x100000000ull, 128 * MiB, 1, true);
	select_slot(4);
	for (off = 0; off < 0x18; off += 4)
		ck_assert_uint_eq(memhp_regs_read(&regs, off, 4), 0xffffffffu);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_STATUS, 1), 0xff);
	memhp_regs_write(&regs, MEMHP_REG_CTRL, 1, MEMHP_CTRL_EJECT, &res);
	ck_assert(!res.eject);
	memhp_regs_write(&regs, MEMHP_REG_OST_STATUS, 4, 0x81, &res);
	ck_assert(!res.ost);
	select_slot(0xffffffffu);
	ck_assert_uint_eq(memhp_regs_read(&regs, 0, 2), 0xffff);
	/* The selector still works after an out-of-range value. */
	select_slot(3);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_STATUS, 1),
			  MEMHP_STS_ENABLED | MEMHP_STS_INSERT);
}
END_TEST

START_TEST(regs_slot_contents)
{
	memhp_regs_init(&regs, 8);
	memhp_regs_plug(&regs, 2, 0x123456789ull << 8, 0x280000000ull, 5, false);
	select_slot(2);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_ADDR_LO, 4), 0x45678900);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_ADDR_HI, 4), 0x123);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_SIZE_LO, 4), 0x80000000);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_SIZE_HI, 4), 2);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_PXM, 4), 5);
	/* Cold plug: enabled, no insert event. */
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_STATUS, 1),
			  MEMHP_STS_ENABLED);
	/* Narrow and unaligned reads see the same bytes. */
	ck_assert_uint_eq(memhp_regs_read(&regs, 1, 1), 0x89);
	ck_assert_uint_eq(memhp_regs_read(&regs, 2, 2), 0x4567);
	ck_assert_uint_eq(memhp_regs_read(&regs, 0x13, 2), 0x0100);
	/* Reserved bytes 0x15..0x17 read all ones. */
	ck_assert_uint_eq(memhp_regs_read(&regs, 0x14, 4), 0xffffff01u);
	/* An empty slot reads zeros. */
	select_slot(1);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_SIZE_LO, 4), 0);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_STATUS, 1), 0);
}
END_TEST

START_TEST(regs_events_and_control)
{
	struct memhp_io_result res;

	memhp_regs_init(&regs, 8);
	memhp_regs_plug(&regs, 1, 4 * GiB, 128 * MiB, 0, true);
	select_slot(1);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_STATUS, 1),
			  MEMHP_STS_ENABLED | MEMHP_STS_INSERT);
	memhp_regs_write(&regs, MEMHP_REG_CTRL, 1, MEMHP_CTRL_CLR_INSERT, &res);
	ck_assert(!res.eject && !res.ost);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_STATUS, 1),
			  MEMHP_STS_ENABLED);
	memhp_regs_request_remove(&regs, 1);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_STATUS, 1),
			  MEMHP_STS_ENABLED | MEMHP_STS_REMOVE);
	memhp_regs_write(&regs, MEMHP_REG_CTRL, 1, MEMHP_CTRL_CLR_REMOVE, &res);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_STATUS, 1),
			  MEMHP_STS_ENABLED);
	/* Writing the status bits themselves changes nothing. */
	memhp_regs_write(&regs, MEMHP_REG_CTRL, 1, 0x01, &res);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_STATUS, 1),
			  MEMHP_STS_ENABLED);
	memhp_regs_write(&regs, MEMHP_REG_CTRL, 1, MEMHP_CTRL_EJECT, &res);
	ck_assert(res.eject);
	ck_assert_uint_eq(res.slot, 1);
	memhp_regs_unplug(&regs, 1);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_STATUS, 1), 0);
	/* Ejecting an empty slot does nothing. */
	memhp_regs_write(&regs, MEMHP_REG_CTRL, 1, MEMHP_CTRL_EJECT, &res);
	ck_assert(!res.eject);
	/* A remove request on an empty slot sets nothing. */
	memhp_regs_request_remove(&regs, 1);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_STATUS, 1), 0);
}
END_TEST

START_TEST(regs_ost)
{
	struct memhp_io_result res;

	memhp_regs_init(&regs, 8);
	memhp_regs_plug(&regs, 6, 4 * GiB, 128 * MiB, 0, true);
	select_slot(6);
	memhp_regs_write(&regs, MEMHP_REG_OST_EVENT, 4, 0x103, &res);
	ck_assert(!res.ost);
	memhp_regs_write(&regs, MEMHP_REG_OST_STATUS, 4, 0x81, &res);
	ck_assert(res.ost);
	ck_assert_uint_eq(res.slot, 6);
	ck_assert_uint_eq(regs.slot[6].ost_event, 0x103);
	ck_assert_uint_eq(regs.slot[6].ost_status, 0x81);
	/* A byte write changes one byte of the register. */
	memhp_regs_write(&regs, MEMHP_REG_OST_EVENT, 1, 0x03, &res);
	ck_assert_uint_eq(regs.slot[6].ost_event, 0x103);
	memhp_regs_write(&regs, MEMHP_REG_OST_EVENT + 1, 1, 0x00, &res);
	ck_assert_uint_eq(regs.slot[6].ost_event, 0x003);
	/* OST values survive the unplug (query-acpi-ospm-status). */
	memhp_regs_unplug(&regs, 6);
	ck_assert_uint_eq(regs.slot[6].ost_status, 0x81);
	/* Reserved 0x0c..0x13 writes are ignored. */
	memhp_regs_write(&regs, 0x0c, 4, 0x12345678, &res);
	memhp_regs_write(&regs, 0x10, 4, 0x12345678, &res);
	ck_assert_uint_eq(memhp_regs_read(&regs, MEMHP_REG_PXM, 4), 0);
}
END_TEST

/* ------------------------------------------------------------ region */

START_TEST(layout_places_region)
{
	struct memhp_layout l;
	struct memhp_range w;

	/* Like QEMU's pc: 256M, maxmem 4G -> 3.75G at 4G. */
	ck_assert_int_eq(memhp_layout_init(&l, 256 * MiB, 4 * GiB, 1), 0);
	ck_assert_uint_eq(l.base, 4 * GiB);
	ck_assert_uint_eq(l.size, 3840 * MiB);
	/* Fits below the PCI hole: next 1G boundary above RAM. */
	ck_assert_int_eq(memhp_layout_init(&l, 512 * MiB, 1 * GiB, 1), 0);
	ck_assert_uint_eq(l.base, 1 * GiB);
	ck_assert_uint_eq(l.size, 512 * MiB);
	/* RAM past the hole: above the high RAM. */
	ck_assert_int_eq(memhp_layout_init(&l, 3584 * MiB, 8 * GiB, 1), 0);
	ck_assert_uint_eq(l.base, 5 * GiB);
	/* maxmem - memory not a block multiple: rounded down. */
	ck_assert_int_eq(memhp_layout_init(&l, 300 * MiB, 1 * GiB, 1), 0);
	ck_assert_uint_eq(l.size, 640 * MiB);
	ck_assert_int_eq(memhp_layout_init(&l, 2 * GiB, 1 * GiB, 1), -ERANGE);
	/* Windows per node: equal, the last takes the rest. */
	ck_assert_int_eq(memhp_layout_init(&l, 256 * MiB, 4 * GiB, 3), 0);
	w = memhp_layout_window(&l, 0);
	ck_assert_uint_eq(w.base, 4 * GiB);
	ck_assert_uint_eq(w.size, 1280 * MiB);
	w = memhp_layout_window(&l, 2);
	ck_assert_uint_eq(w.base, 4 * GiB + 2560 * MiB);
	ck_assert_uint_eq(w.size, 1280 * MiB);
}
END_TEST

START_TEST(first_fit)
{
	struct memhp_range win = { 4 * GiB, 1 * GiB };
	struct memhp_range used[3] = {
		{ 4 * GiB + 128 * MiB, 128 * MiB },
		{ 4 * GiB, 128 * MiB },
		{ 4 * GiB + 512 * MiB, 256 * MiB },
	};
	gpa_t at;

	ck_assert_int_eq(memhp_first_fit(win, NULL, 0, 128 * MiB, &at), 0);
	ck_assert_uint_eq(at, 4 * GiB);
	ck_assert_int_eq(memhp_first_fit(win, used, 3, 256 * MiB, &at), 0);
	ck_assert_uint_eq(at, 4 * GiB + 256 * MiB);
	ck_assert_int_eq(memhp_first_fit(win, used, 3, 384 * MiB, &at), -ENOSPC);
	ck_assert_int_eq(memhp_first_fit(win, used, 3, 128 * MiB, &at), 0);
	ck_assert_uint_eq(at, 4 * GiB + 256 * MiB);
	/* 256M free at the end */
	ck_assert_int_eq(memhp_first_fit(win, used + 2, 1, 512 * MiB, &at), 0);
	ck_assert_uint_eq(at, 4 * GiB);
	ck_assert_int_eq(memhp_first_fit(win, NULL, 0, 2 * GiB, &at), -ENOSPC);
}
END_TEST

/*
 * Region edges (issue 12): 512M of RAM, maxmem 64G puts 63.5G at 4G;
 * DIMMs of every power of two from 128M to 64G fit exactly up to the
 * top of the region (or of their node's window), never past it.
 */
START_TEST(region_edges_pow2)
{
	struct memhp_range used[2], w;
	struct memhp_layout l;
	gpa_t at, top;

	ck_assert_int_eq(memhp_layout_init(&l, 512 * MiB, 64 * GiB, 1), 0);
	ck_assert_uint_eq(l.base, 4 * GiB);
	ck_assert_uint_eq(l.size, 63 * GiB + 512 * MiB);
	w = memhp_layout_window(&l, 0);
	top = w.base + w.size;
	for (uint64_t size = 128 * MiB; size <= 64 * GiB; size *= 2) {
		int fits = size <= w.size ? 0 : -ENOSPC;

		ck_assert_int_eq(memhp_first_fit(w, NULL, 0, size, &at), fits);
		if (fits)
			continue;
		ck_assert_uint_eq(at, 4 * GiB);
		/* everything below taken: it goes at the very top */
		used[0] = (struct memhp_range){ w.base, w.size - size };
		ck_assert_int_eq(memhp_first_fit(w, used, 1, size, &at), 0);
		ck_assert_uint_eq(at + size, top);
		ck_assert_int_eq(memhp_first_fit(w, used, 1, size + 128 * MiB,
						 &at), -ENOSPC);
		/* a gap of exactly its size between two DIMMs */
		used[0] = (struct memhp_range){ w.base, 128 * MiB };
		used[1] = (struct memhp_range){ w.base + 128 * MiB + size,
						w.size - 128 * MiB - size };
		if (used[1].size) {
			ck_assert_int_eq(memhp_first_fit(w, used, 2, size, &at), 0);
			ck_assert_uint_eq(at, w.base + 128 * MiB);
		}
	}
	/* maxmem 128G: a 64G DIMM fits, and ends at 4G + 64G on node 0 */
	ck_assert_int_eq(memhp_layout_init(&l, 512 * MiB, 128 * GiB, 2), 0);
	w = memhp_layout_window(&l, 0);
	ck_assert_uint_eq(w.size, 63 * GiB + 768 * MiB);
	ck_assert_int_eq(memhp_first_fit(w, NULL, 0, 64 * GiB, &at), -ENOSPC);
	w = memhp_layout_window(&l, 1);
	ck_assert_uint_eq(w.base + w.size, l.base + l.size);
	ck_assert_int_eq(memhp_first_fit(w, NULL, 0, 32 * GiB, &at), 0);
	ck_assert_uint_eq(at, l.base + 63 * GiB + 768 * MiB);
	/* two nodes under 64G: a DIMM never crosses into the next window */
	ck_assert_int_eq(memhp_layout_init(&l, 512 * MiB, 64 * GiB, 2), 0);
	w = memhp_layout_window(&l, 0);
	ck_assert_uint_eq(w.size, 31 * GiB + 768 * MiB);
	ck_assert_int_eq(memhp_first_fit(w, NULL, 0, 32 * GiB, &at), -ENOSPC);
	ck_assert_int_eq(memhp_first_fit(w, NULL, 0, 16 * GiB, &at), 0);
	used[0] = (struct memhp_range){ at, 16 * GiB };
	ck_assert_int_eq(memhp_first_fit(w, used, 1, 16 * GiB, &at), -ENOSPC);
	ck_assert_int_eq(memhp_first_fit(w, used, 1, 8 * GiB, &at), 0);
	ck_assert_uint_eq(at, 20 * GiB);
	ck_assert_uint_le(at + 8 * GiB, w.base + w.size);
}
END_TEST

/* ------------------------------------------------------------ CLI */

static struct hotplug_config cfg;
static struct errmsg e;

static void cfg_reset(void)
{
	hotplug_config_init(&cfg);
	memset(&e, 0, sizeof(e));
}

static void assert_msg(int ret, const char *part)
{
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_int_eq(e.user, 1);
	ck_assert_msg(strstr(e.msg, part), "'%s' not in '%s'", part, e.msg);
	memset(&e, 0, sizeof(e));
}

START_TEST(cli_parses)
{
	cfg_reset();
	ck_assert_uint_eq(cfg.slots, 8);
	ck_assert_uint_eq(cfg.maxmem, 4 * GiB);
	ck_assert_int_eq(hotplug_parse_slots(&cfg, "16", &e), 0);
	ck_assert_int_eq(hotplug_parse_maxmem(&cfg, "8G", &e), 0);
	ck_assert_int_eq(hotplug_parse_dimm(&cfg, "512M", &e), 0);
	ck_assert_int_eq(hotplug_parse_dimm(&cfg, "1G,node=1,id=big", &e), 0);
	ck_assert_int_eq(hotplug_parse_dimm(&cfg, "128M,id=dimm0", &e), 0);
	ck_assert_uint_eq(cfg.slots, 16);
	ck_assert_uint_eq(cfg.maxmem, 8 * GiB);
	ck_assert_uint_eq(cfg.nr_dimms, 3);
	ck_assert_uint_eq(cfg.dimms[1].size, 1 * GiB);
	ck_assert_uint_eq(cfg.dimms[1].node, 1);
	ck_assert_str_eq(cfg.dimms[1].id, "big");
	ck_assert_int_eq(hotplug_config_finish(&cfg, 1 * GiB, &e), 0);
	ck_assert_uint_eq(cfg.nr_nodes, 2);
	ck_assert_str_eq(cfg.dimms[0].id, "dimm1");   /* dimm0 is taken */
	/* 7G from 1G would run into the PCI hole: above 4G instead. */
	ck_assert_uint_eq(cfg.region_base, 4 * GiB);
	ck_assert_uint_eq(cfg.region_size, 7 * GiB);
}
END_TEST

START_TEST(cli_region_above_hole)
{
	cfg_reset();
	ck_assert_int_eq(hotplug_config_finish(&cfg, 256 * MiB, &e), 0);
	ck_assert_uint_eq(cfg.region_base, 4 * GiB);
	ck_assert_uint_eq(cfg.region_size, 3840 * MiB);
	ck_assert_uint_eq(cfg.nr_nodes, 1);
	/* No --maxmem and more RAM than the default: maxmem = memory. */
	cfg_reset();
	ck_assert_int_eq(hotplug_config_finish(&cfg, 8 * GiB, &e), 0);
	ck_assert_uint_eq(cfg.maxmem, 8 * GiB);
	ck_assert_uint_eq(cfg.region_size, 0);
}
END_TEST

START_TEST(cli_rejects)
{
	cfg_reset();
	assert_msg(hotplug_parse_slots(&cfg, "257", &e), "--slots");
	assert_msg(hotplug_parse_slots(&cfg, "x", &e), "from 0 to 256");
	assert_msg(hotplug_parse_maxmem(&cfg, "lots", &e), "--maxmem: invalid size");
	assert_msg(hotplug_parse_maxmem(&cfg, "4097K", &e), "multiple of 1M");
	assert_msg(hotplug_parse_maxmem(&cfg, "2T", &e), "more than 1T");
	assert_msg(hotplug_parse_numa(&cfg, "0", &e), "--numa");
	assert_msg(hotplug_parse_numa(&cfg, "7", &e), "from 1 to 6");
	assert_msg(hotplug_parse_dimm(&cfg, "100M", &e), "not a multiple of 128M");
	assert_msg(hotplug_parse_dimm(&cfg, "0", &e), "invalid size");
	assert_msg(hotplug_parse_dimm(&cfg, "", &e), "expected SIZE");
	assert_msg(hotplug_parse_dimm(&cfg, "128M,node=9", &e), "node '9'");
	assert_msg(hotplug_parse_dimm(&cfg, "128M,id=1x", &e), "id '1x' is not valid");
	assert_msg(hotplug_parse_dimm(&cfg, "128M,id=a b", &e), "is not valid");
	assert_msg(hotplug_parse_dimm(&cfg, "128M,slot=2", &e), "unknown option 'slot=2'");
	ck_assert_uint_eq(cfg.nr_dimms, 0);
}
END_TEST

/* One rule for a DIMM id: 59 characters, so that "mem-ID" fits in 63. */
START_TEST(id_and_size_rules)
{
	char id59[64], id60[64], id63[64], id64[70], arg[128];

	memset(id64, 'a', 64);
	id64[64] = '\0';
	snprintf(id59, sizeof(id59), "%.59s", id64);
	snprintf(id60, sizeof(id60), "%.60s", id64);
	snprintf(id63, sizeof(id63), "%.63s", id64);
	ck_assert_int_eq(hotplug_dimm_id_check(id59, &e), 0);
	assert_msg(hotplug_dimm_id_check(id60, &e), "60 characters long, more than 59");
	assert_msg(hotplug_dimm_id_check("9x", &e), "DIMM id '9x' is not valid");
	ck_assert_int_eq(hotplug_backend_id_check(id63, &e), 0);
	assert_msg(hotplug_backend_id_check(id64, &e), "more than 63");
	ck_assert_int_eq(hotplug_dimm_size_check(256 * MiB, &e), 0);
	assert_msg(hotplug_dimm_size_check(100 * MiB, &e), "size 100M is not a multiple of 128M");
	assert_msg(hotplug_dimm_size_check(0, &e), "not a multiple of 128M");
	cfg_reset();
	snprintf(arg, sizeof(arg), "128M,id=%s", id60);
	assert_msg(hotplug_parse_dimm(&cfg, arg, &e), "--dimm: DIMM id");
	snprintf(arg, sizeof(arg), "128M,id=%s", id59);
	ck_assert_int_eq(hotplug_parse_dimm(&cfg, arg, &e), 0);
}
END_TEST

START_TEST(cli_rejects_together)
{
	unsigned int i;

	cfg_reset();
	ck_assert_int_eq(hotplug_parse_maxmem(&cfg, "1G", &e), 0);
	assert_msg(hotplug_config_finish(&cfg, 2 * GiB, &e), "less than --memory");

	cfg_reset();
	ck_assert_int_eq(hotplug_parse_slots(&cfg, "2", &e), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(hotplug_parse_dimm(&cfg, "128M", &e), 0);
	assert_msg(hotplug_config_finish(&cfg, 256 * MiB, &e), "only 2 slots");

	cfg_reset();
	ck_assert_int_eq(hotplug_parse_dimm(&cfg, "128M,id=a", &e), 0);
	ck_assert_int_eq(hotplug_parse_dimm(&cfg, "256M,id=a", &e), 0);
	assert_msg(hotplug_config_finish(&cfg, 256 * MiB, &e), "'a' is used twice");

	cfg_reset();
	ck_assert_int_eq(hotplug_parse_numa(&cfg, "2", &e), 0);
	ck_assert_int_eq(hotplug_parse_dimm(&cfg, "128M,node=2", &e), 0);
	assert_msg(hotplug_config_finish(&cfg, 256 * MiB, &e), "node 2 does not exist");

	cfg_reset();
	ck_assert_int_eq(hotplug_parse_maxmem(&cfg, "1G", &e), 0);
	ck_assert_int_eq(hotplug_parse_dimm(&cfg, "512M", &e), 0);
	ck_assert_int_eq(hotplug_parse_dimm(&cfg, "512M", &e), 0);
	assert_msg(hotplug_config_finish(&cfg, 256 * MiB, &e), "add up to 1G");

	cfg_reset();
	ck_assert_int_eq(hotplug_parse_numa(&cfg, "2", &e), 0);
	ck_assert_int_eq(hotplug_parse_dimm(&cfg, "2G,node=1", &e), 0);
	assert_msg(hotplug_config_finish(&cfg, 256 * MiB, &e), "node 1's DIMMs");
}
END_TEST

START_TEST(cli_acpi_config)
{
	struct acpi_config ac = { .ncpus = 1, .nr_nodes = 1, .nr_mem = 1,
				  .mem = { { 0, 256 * MiB, 0, 0 } } };

	cfg_reset();
	ck_assert_int_eq(hotplug_parse_numa(&cfg, "2", &e), 0);
	ck_assert_int_eq(hotplug_config_finish(&cfg, 256 * MiB, &e), 0);
	ck_assert_int_eq(hotplug_acpi_config(&cfg, &ac, &e), 0);
	ck_assert_uint_eq(ac.nr_parts, 1);      /* the controller's AML */
	ck_assert_ptr_eq(ac.parts[0].opaque, &cfg);
	ck_assert_uint_eq(ac.nr_nodes, 2);
	ck_assert_uint_eq(ac.nr_mem, 3);
	ck_assert_uint_eq(ac.mem[1].base, 4 * GiB);
	ck_assert_uint_eq(ac.mem[1].size, 1920 * MiB);
	ck_assert_uint_eq(ac.mem[1].node, 0);
	ck_assert_int_eq(ac.mem[1].hotpluggable, 1);
	ck_assert_uint_eq(ac.mem[2].base, 4 * GiB + 1920 * MiB);
	ck_assert_uint_eq(ac.mem[2].node, 1);
	ac.nr_mem = ACPI_MAX_MEM_RANGES - 1;
	ck_assert_int_eq(hotplug_acpi_config(&cfg, &ac, &e), -E2BIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "SRAT"));
}
END_TEST

/* --numa SIZE,SIZE,...: boot RAM split between nodes in address order,
 * across the PCI hole (3.5G below 4 GiB, the rest above). */
START_TEST(cli_numa_sizes)
{
	struct acpi_config ac = { .nr_mem = 2, .nr_nodes = 1,
		.mem = { { 0, 3 * GiB, 0, 0 }, { 4 * GiB, 1 * GiB, 0, 0 } } };

	cfg_reset();
	ck_assert_int_eq(hotplug_parse_numa(&cfg, "2G,1536M,0,512M", &e), 0);
	ck_assert_uint_eq(cfg.numa, 4);
	ck_assert_int_eq(hotplug_parse_slots(&cfg, "0", &e), 0);
	ck_assert_int_eq(hotplug_config_finish(&cfg, 4 * GiB, &e), 0);
	ck_assert_int_eq(hotplug_acpi_config(&cfg, &ac, &e), 0);
	ck_assert_uint_eq(ac.nr_nodes, 4);
	ck_assert_uint_eq(ac.nr_mem, 4);
	/* node 0 [0, 2G); node 1 [2G, 3G) and [4G, 4.5G); node 3 [4.5G, 5G) */
	ck_assert_uint_eq(ac.mem[0].size, 2 * GiB);
	ck_assert_uint_eq(ac.mem[0].node, 0);
	ck_assert_uint_eq(ac.mem[2].base, 2 * GiB);
	ck_assert_uint_eq(ac.mem[2].size, 1 * GiB);
	ck_assert_uint_eq(ac.mem[2].node, 1);
	ck_assert_uint_eq(ac.mem[1].base, 4 * GiB);
	ck_assert_uint_eq(ac.mem[1].size, 512 * MiB);
	ck_assert_uint_eq(ac.mem[1].node, 1);
	ck_assert_uint_eq(ac.mem[3].base, 4 * GiB + 512 * MiB);
	ck_assert_uint_eq(ac.mem[3].size, 512 * MiB);
	ck_assert_uint_eq(ac.mem[3].node, 3);

	cfg_reset();
	ck_assert_int_eq(hotplug_parse_numa(&cfg, "128M,128M", &e), 0);
	assert_msg(hotplug_config_finish(&cfg, 512 * MiB, &e), "adds up to 256M, not --memory 512M");
	assert_msg(hotplug_parse_numa(&cfg, "0,256M", &e), "node 0 needs boot RAM");
	assert_msg(hotplug_parse_numa(&cfg, "128M,100M", &e), "not a multiple of 128M");
	assert_msg(hotplug_parse_numa(&cfg, "128M,lots", &e), "invalid size 'lots'");
	assert_msg(hotplug_parse_numa(&cfg, "128M,,128M", &e), "invalid size ''");
	assert_msg(hotplug_parse_numa(&cfg, "128M,", &e), "invalid size ''");
	assert_msg(hotplug_parse_numa(&cfg, "128M,128M,128M,128M,128M,128M,128M", &e), "more than");
	ck_assert_int_eq(hotplug_parse_numa(&cfg, "2", &e), 0);        /* count again */
	ck_assert_uint_eq(cfg.node_ram[0], 0);
}
END_TEST

/* ------------------------------------------------------------ DIMMs */

static struct guest_mem mem;
static struct memhp *hp;
static json_t *events;

static void capture(void *opaque, const char *event, json_t *data)
{
	json_array_append_new(events, json_pack("{s:s, s:O}", "event", event,
						"data", data));
}

static void dimm_setup(void)
{
	struct errmsg err = { .msg = "" };

	cfg_reset();
	ck_assert_int_eq(hotplug_parse_slots(&cfg, "4", &e), 0);
	ck_assert_int_eq(hotplug_parse_maxmem(&cfg, "1G", &e), 0);
	ck_assert_int_eq(hotplug_parse_dimm(&cfg, "128M,id=cold", &e), 0);
	ck_assert_int_eq(hotplug_config_finish(&cfg, 256 * MiB, &e), 0);
	ck_assert_int_eq(guest_mem_init(&mem, -1, 256 * MiB, &err), 0);
	hp = memhp_new(&mem, NULL, &cfg, &err);
	ck_assert_msg(hp, "memhp_new: %s", err.msg);
	events = json_array();
	hp->emit = capture;
}

static void dimm_teardown(void)
{
	memhp_free(hp);
	guest_mem_destroy(&mem);
	json_decref(events);
}

/* Run @cmd with arguments @fmt (json_pack); expect success. */
static json_t *call_ok(const char *cmd, json_t *args)
{
	struct qmp_error err = { "", "" };
	json_t *ret = memhp_qmp_call(hp, cmd, args, &err);

	ck_assert_msg(ret, "%s: %s", cmd, err.desc);
	json_decref(args);
	return ret;
}

/* Expect failure with @class and a description containing @part. */
static void call_fails(const char *cmd, json_t *args, const char *class,
		       const char *part)
{
	struct qmp_error err = { "", "" };
	json_t *ret = memhp_qmp_call(hp, cmd, args, &err);

	ck_assert_msg(!ret, "%s succeeded", cmd);
	ck_assert_str_eq(err.class, class);
	ck_assert_msg(strstr(err.desc, part), "'%s' not in '%s'", part, err.desc);
	json_decref(args);
}

static void add_dimm(const char *id, const char *size, int node)
{
	char memdev[64];

	snprintf(memdev, sizeof(memdev), "m-%s", id);
	json_decref(call_ok("object-add", json_pack("{s:s, s:s, s:s}", "qom-type",
						    "memory-backend-ram", "id", memdev,
						    "size", size)));
	json_decref(call_ok("device_add", json_pack("{s:s, s:s, s:s, s:i}", "driver",
						    "pc-dimm", "id", id, "memdev",
						    memdev, "node", node)));
}

static uint8_t guest_status(unsigned int slot)
{
	memhp_io_write(hp, MEMHP_REG_SEL, 4, slot);
	return memhp_io_read(hp, MEMHP_REG_STATUS, 1);
}

START_TEST(dimm_cold_plug)
{
	json_t *list = call_ok("query-memory-devices", json_object());
	json_t *d = json_object_get(json_array_get(list, 0), "data");

	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0),
							   "type")), "dimm");
	ck_assert_str_eq(json_string_value(json_object_get(d, "id")), "cold");
	ck_assert_str_eq(json_string_value(json_object_get(d, "memdev")),
			 "/objects/mem-cold");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "addr")), 1 * GiB);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "size")), 128 * MiB);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "slot")), 0);
	ck_assert(json_is_false(json_object_get(d, "hotplugged")));
	ck_assert(json_is_true(json_object_get(d, "hotpluggable")));
	json_decref(list);
	ck_assert_uint_eq(guest_status(0), MEMHP_STS_ENABLED);
	ck_assert_uint_eq(memhp_plugged_size(hp), 128 * MiB);
	ck_assert_ptr_nonnull(guest_mem_ptr(&mem, 1 * GiB, 128 * MiB));
}
END_TEST

START_TEST(dimm_hot_add_and_queries)
{
	json_t *list, *o;

	add_dimm("d1", "256M", 0);
	ck_assert_uint_eq(guest_status(1), MEMHP_STS_ENABLED | MEMHP_STS_INSERT);
	memhp_io_write(hp, MEMHP_REG_SEL, 4, 1);
	ck_assert_uint_eq(memhp_io_read(hp, MEMHP_REG_ADDR_LO, 4),
			  (uint32_t)(1 * GiB + 128 * MiB));
	ck_assert_uint_eq(memhp_plugged_size(hp), 384 * MiB);
	/* The guest reports success for the device check. */
	memhp_io_write(hp, MEMHP_REG_OST_EVENT, 4, 1);
	memhp_io_write(hp, MEMHP_REG_OST_STATUS, 4, 0);
	ck_assert_uint_eq(json_array_size(events), 1);
	o = json_array_get(events, 0);
	ck_assert_str_eq(json_string_value(json_object_get(o, "event")), "ACPI_DEVICE_OST");
	o = json_object_get(json_object_get(o, "data"), "info");
	ck_assert_str_eq(json_string_value(json_object_get(o, "device")), "d1");
	ck_assert_str_eq(json_string_value(json_object_get(o, "slot")), "1");
	ck_assert_str_eq(json_string_value(json_object_get(o, "slot-type")), "DIMM");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "source")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "status")), 0);

	list = call_ok("query-acpi-ospm-status", json_object());
	ck_assert_uint_eq(json_array_size(list), 4);
	o = json_array_get(list, 3);
	ck_assert_ptr_null(json_object_get(o, "device"));
	ck_assert_str_eq(json_string_value(json_object_get(o, "slot")), "3");
	json_decref(list);
}
END_TEST

START_TEST(dimm_errors)
{
	json_t *o = json_pack("{s:s, s:s, s:i}", "qom-type", "memory-backend-memfd",
			      "id", "x", "size", 100 << 20);

	char id60[61];

	memset(id60, 'a', 60);
	id60[60] = '\0';
	call_fails("object-add", o, "GenericError", "not a multiple of 128M");
	call_fails("device_add", json_pack("{s:s, s:s, s:s}", "driver", "pc-dimm",
					   "id", id60, "memdev", "mem-cold"),
		   "GenericError", "more than 59");
	call_fails("object-add", json_pack("{s:s, s:s, s:i}", "qom-type", "iothread",
					   "id", "x", "size", 1), "GenericError",
		   "not supported");
	call_fails("object-add", json_pack("{s:s, s:s, s:I, s:b}", "qom-type",
					   "memory-backend-ram", "id", "x", "size",
					   (json_int_t)(128 * MiB), "bogus", 1),
		   "GenericError", "'memory-backend-ram.bogus' not found");
	call_fails("object-add", json_pack("{s:s, s:s, s:s}", "qom-type",
					   "memory-backend-ram", "id", "mem-cold",
					   "size", "128M"), "GenericError", "already exists");
	call_fails("device_add", json_pack("{s:s, s:s, s:s}", "driver", "pc-dimm",
					   "id", "cold", "memdev", "mem-cold"),
		   "GenericError", "'cold' already exists");
	call_fails("device_add", json_pack("{s:s, s:s, s:s}", "driver", "pc-dimm",
					   "id", "d9", "memdev", "mem-cold"),
		   "GenericError", "memdev 'mem-cold' is already used by DIMM 'cold'");
	call_fails("device_add", json_pack("{s:s, s:s, s:s}", "driver", "pc-dimm",
					   "id", "d9", "memdev", "nope"),
		   "GenericError", "memdev 'nope' not found");
	call_fails("device_add", json_pack("{s:s, s:s}", "driver", "virtio-net",
					   "id", "n"), "GenericError", "only pc-dimm");
	json_decref(call_ok("object-add", json_pack("{s:s, s:s, s:s}", "qom-type",
						    "memory-backend-ram", "id", "big",
						    "size", "1G")));
	call_fails("device_add", json_pack("{s:s, s:s, s:s}", "driver", "pc-dimm",
					   "id", "d9", "memdev", "big"),
		   "GenericError", "would exceed maxmem 1G");
	call_fails("device_add", json_pack("{s:s, s:s, s:s, s:i}", "driver", "pc-dimm",
					   "id", "d9", "memdev", "big", "node", 1),
		   "GenericError", "node 1 does not exist");
	call_fails("object-del", json_pack("{s:s}", "id", "mem-cold"),
		   "GenericError", "in use by DIMM 'cold'");
	call_fails("object-del", json_pack("{s:s}", "id", "zz"),
		   "GenericError", "object 'zz' not found");
	call_fails("device_del", json_pack("{s:s}", "id", "zz"),
		   "DeviceNotFound", "Device 'zz' not found");
	json_decref(call_ok("object-del", json_pack("{s:s}", "id", "big")));
	ck_assert_uint_eq(json_array_size(events), 0);
}
END_TEST

START_TEST(dimm_no_free_slot)
{
	add_dimm("a", "128M", 0);
	add_dimm("b", "128M", 0);
	add_dimm("c", "128M", 0);
	json_decref(call_ok("object-add", json_pack("{s:s, s:s, s:s}", "qom-type",
						    "memory-backend-ram", "id", "m4",
						    "size", "128M")));
	call_fails("device_add", json_pack("{s:s, s:s, s:s}", "driver", "pc-dimm",
					   "id", "d", "memdev", "m4"),
		   "GenericError", "no free DIMM slot (all 4 slots");
}
END_TEST

/* RssShmem of this process, in kB. */
static long rss_shmem_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "RssShmem: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

START_TEST(dimm_eject_frees_host_memory)
{
	struct stat st;
	uint8_t *p;
	long before, touched;
	int fd;
	json_t *o;

	add_dimm("d1", "128M", 0);
	ck_assert_uint_eq(guest_status(1), MEMHP_STS_ENABLED | MEMHP_STS_INSERT);
	memhp_io_write(hp, MEMHP_REG_CTRL, 1, MEMHP_CTRL_CLR_INSERT);
	fd = hp->dimm[1].memfd;
	p = guest_mem_ptr(&mem, 1 * GiB + 128 * MiB, 128 * MiB);
	ck_assert_ptr_nonnull(p);
	before = rss_shmem_kb();
	memset(p, 0x5a, 128 * MiB);
	touched = rss_shmem_kb();
	ck_assert_int_ge(touched - before, 120 * 1024);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_ge((long)st.st_blocks * 512, 128 * MiB);

	/* device_del only asks the guest: nothing is freed yet. */
	json_decref(call_ok("device_del", json_pack("{s:s}", "id", "d1")));
	ck_assert_uint_eq(guest_status(1), MEMHP_STS_ENABLED | MEMHP_STS_REMOVE);
	ck_assert_uint_eq(json_array_size(events), 0);
	ck_assert_int_eq(fcntl(fd, F_GETFD), FD_CLOEXEC);
	call_fails("object-del", json_pack("{s:s}", "id", "m-d1"),
		   "GenericError", "in use by DIMM 'd1'");

	/* The guest clears the event, then ejects. */
	memhp_io_write(hp, MEMHP_REG_CTRL, 1, MEMHP_CTRL_CLR_REMOVE);
	memhp_io_write(hp, MEMHP_REG_CTRL, 1, MEMHP_CTRL_EJECT);
	ck_assert_uint_eq(guest_status(1), 0);
	ck_assert_int_le(rss_shmem_kb(), touched - 120 * 1024);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_ptr_null(guest_mem_ptr(&mem, 1 * GiB + 128 * MiB, 128 * MiB));
	/* A device that looked the DIMM up before the eject writes into
	 * scratch, not into unmapped memory, and the host keeps its memory. */
	ck_assert_uint_eq(hp->nr_retired, 1);
	p[0] = 1;
	p[128 * MiB - 1] = 1;
	ck_assert_int_le(rss_shmem_kb(), touched - 120 * 1024);
	ck_assert_uint_eq(memhp_plugged_size(hp), 128 * MiB);
	ck_assert_uint_eq(json_array_size(events), 1);
	o = json_array_get(events, 0);
	ck_assert_str_eq(json_string_value(json_object_get(o, "event")), "DEVICE_DELETED");
	o = json_object_get(o, "data");
	ck_assert_str_eq(json_string_value(json_object_get(o, "device")), "d1");
	ck_assert_str_eq(json_string_value(json_object_get(o, "path")),
			 "/machine/peripheral/d1");
	/* The backend is free again: plug it anew, then delete it. */
	json_decref(call_ok("device_add", json_pack("{s:s, s:s, s:s}", "driver",
						    "pc-dimm", "id", "d2", "memdev",
						    "m-d1")));
	p = guest_mem_ptr(&mem, 1 * GiB + 128 * MiB, 128 * MiB);
	ck_assert_uint_eq(p[4096], 0);      /* fresh memory */
}
END_TEST

START_TEST(dimm_first_fit_reuses_gap)
{
	json_t *list;

	add_dimm("a", "128M", 0);    /* slot 1 at 1G + 128M */
	add_dimm("b", "256M", 0);    /* slot 2 at 1G + 256M */
	json_decref(call_ok("device_del", json_pack("{s:s}", "id", "a")));
	memhp_io_write(hp, MEMHP_REG_SEL, 4, 1);
	memhp_io_write(hp, MEMHP_REG_CTRL, 1, MEMHP_CTRL_EJECT);
	json_decref(call_ok("object-add", json_pack("{s:s, s:s, s:s}", "qom-type",
						    "memory-backend-ram", "id", "m-c",
						    "size", "128M")));
	json_decref(call_ok("device_add", json_pack("{s:s, s:s, s:s, s:s}", "driver",
						    "pc-dimm", "id", "c", "memdev", "m-c",
						    "node", "0")));
	list = call_ok("query-memory-devices", json_object());
	ck_assert_uint_eq(json_array_size(list), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
				json_array_get(list, 1), "data"), "addr")),
			 1 * GiB + 128 * MiB);
	json_decref(list);
}
END_TEST

Suite *hotplug_suite(void)
{
	Suite *s = suite_create("hotplug");
	TCase *regs_tc = tcase_create("registers");
	TCase *region_tc = tcase_create("region");
	TCase *cli_tc = tcase_create("cli");
	TCase *dimm_tc = tcase_create("dimm");

	tcase_add_test(regs_tc, regs_out_of_range_selector);
	tcase_add_test(regs_tc, regs_slot_contents);
	tcase_add_test(regs_tc, regs_events_and_control);
	tcase_add_test(regs_tc, regs_ost);
	tcase_add_test(region_tc, layout_places_region);
	tcase_add_test(region_tc, first_fit);
	tcase_add_test(region_tc, region_edges_pow2);
	tcase_add_test(cli_tc, cli_parses);
	tcase_add_test(cli_tc, cli_region_above_hole);
	tcase_add_test(cli_tc, cli_rejects);
	tcase_add_test(cli_tc, id_and_size_rules);
	tcase_add_test(cli_tc, cli_rejects_together);
	tcase_add_test(cli_tc, cli_acpi_config);
	tcase_add_test(cli_tc, cli_numa_sizes);
	tcase_add_checked_fixture(dimm_tc, dimm_setup, dimm_teardown);
	tcase_add_test(dimm_tc, dimm_cold_plug);
	tcase_add_test(dimm_tc, dimm_hot_add_and_queries);
	tcase_add_test(dimm_tc, dimm_errors);
	tcase_add_test(dimm_tc, dimm_no_free_slot);
	tcase_add_test(dimm_tc, dimm_eject_frees_host_memory);
	tcase_add_test(dimm_tc, dimm_first_fit_reuses_gap);
	suite_add_tcase(s, regs_tc);
	suite_add_tcase(s, region_tc);
	suite_add_tcase(s, cli_tc);
	suite_add_tcase(s, dimm_tc);
	return s;
}
