/* The libvirt domain XML reader (vmm/config_xml.c): units, the flags each
 * element stands for, and one clear error for what memvisor cannot do. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/config_xml.h"

#define OS "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>/k/guest.elf</kernel></os>"

/* The flags @xml stands for, space-separated, or "ERR: message". */
static char *translate(const char *xml)
{
	struct errmsg e = { .msg = "" };
	struct config_xml out;
	static char buf[2048];
	unsigned int i;

	if (config_xml_translate(xml, strlen(xml), &out, &e)) {
		ck_assert(e.user);
		snprintf(buf, sizeof(buf), "ERR: %s", e.msg);
		return buf;
	}
	buf[0] = '\0';
	for (i = 0; i < out.argc; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
			 i ? " " : "", out.argv[i]);
	config_xml_free(&out);
	return buf;
}

static unsigned int nr_warnings(const char *xml)
{
	struct errmsg e = { .msg = "" };
	struct config_xml out;
	unsigned int n;

	ck_assert_int_eq(config_xml_translate(xml, strlen(xml), &out, &e), 0);
	n = out.nr_warnings;
	config_xml_free(&out);
	return n;
}

#define ck_assert_has(s, sub) ck_assert_msg(strstr((s), (sub)), "'%s' not in '%s'", (sub), (s))

START_TEST(units)
{
	uint64_t v;

	ck_assert_int_eq(config_xml_scale("256", NULL, 1024, &v), 0);
	ck_assert_uint_eq(v, 256 << 10);
	ck_assert_int_eq(config_xml_scale("256", "MiB", 1024, &v), 0);
	ck_assert_uint_eq(v, 256 << 20);
	ck_assert_int_eq(config_xml_scale("2", "G", 1024, &v), 0);
	ck_assert_uint_eq(v, 2ull << 30);
	ck_assert_int_eq(config_xml_scale("1", "GB", 1024, &v), 0);
	ck_assert_uint_eq(v, 1000000000);
	ck_assert_int_eq(config_xml_scale("3", "k", 1024, &v), 0);
	ck_assert_uint_eq(v, 3072);
	ck_assert_int_eq(config_xml_scale("3", "KB", 1024, &v), 0);
	ck_assert_uint_eq(v, 3000);
	ck_assert_int_eq(config_xml_scale("7", "bytes", 1024, &v), 0);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(config_xml_scale("1", "tib", 1024, &v), 0);
	ck_assert_uint_eq(v, 1ull << 40);
	ck_assert_int_eq(config_xml_scale("15", "EiB", 1024, &v), 0);
	ck_assert_int_eq(config_xml_scale("16", "EiB", 1024, &v), -ERANGE);
	ck_assert_int_eq(config_xml_scale("99999999999999999999", "b", 1024, &v), -ERANGE);
	ck_assert_int_eq(config_xml_scale("1", "XB", 1024, &v), -EINVAL);
	ck_assert_int_eq(config_xml_scale("1", "Mi", 1024, &v), -EINVAL);
	ck_assert_int_eq(config_xml_scale("-1", "M", 1024, &v), -EINVAL);
	ck_assert_int_eq(config_xml_scale("1.5", "G", 1024, &v), -EINVAL);
	ck_assert_int_eq(config_xml_scale("", NULL, 1024, &v), -EINVAL);
}
END_TEST

START_TEST(standard_guest)
{
	ck_assert_str_eq(translate(
		"<domain type='kvm'><name>g</name>"
		"<memory unit='MiB'>256</memory><currentMemory unit='MiB'>256</currentMemory>"
		"<maxMemory slots='8' unit='GiB'>4</maxMemory><vcpu>2</vcpu>" OS
		"<cpu><numa><cell id='0' cpus='0-1' memory='256' unit='MiB'/></numa></cpu>"
		"<on_poweroff>destroy</on_poweroff><devices>"
		"<serial type='pty'><target port='0'/></serial>"
		"<console type='pty'><target type='serial' port='0'/></console>"
		"<memballoon model='virtio'><stats period='2'/></memballoon>"
		"</devices></domain>"),
		"--smp 2 --kernel /k/guest.elf --serial stdio --balloon stats-period=2 "
		"--memory 262144K --slots 8 --maxmem 4194304K");
}
END_TEST

START_TEST(dimms_and_numa)
{
	/* libvirt's <memory> is the total: boot RAM (the cells) plus DIMMs. */
	ck_assert_str_eq(translate(
		"<domain><memory unit='MiB'>512</memory>" OS
		"<maxMemory slots='4' unit='G'>2</maxMemory>"
		"<cpu><numa><cell id='0' memory='256' unit='MiB'/><cell id='1' memory='0'/></numa></cpu>"
		"<devices><memory model='dimm'><target><size unit='MiB'>128</size><node>1</node></target></memory>"
		"<memory model='dimm'><target><size unit='KiB'>131072</size></target></memory>"
		"<memballoon model='none'/></devices></domain>"),
		"--kernel /k/guest.elf --dimm 131072K,node=1 --dimm 131072K --no-balloon "
		"--memory 262144K --numa 2 --slots 4 --maxmem 2097152K");
	/* Boot RAM on both cells: each cell's share, in order. */
	ck_assert_str_eq(translate("<domain><memory unit='MiB'>256</memory>" OS
		"<cpu><numa><cell id='0' memory='128' unit='MiB'/><cell id='1' memory='128' unit='MiB'/>"
		"<cell id='2' memory='0'/></numa></cpu></domain>"),
		"--kernel /k/guest.elf --memory 262144K --numa 131072K,131072K,0K --slots 0 --maxmem 262144K");
	/* Without <maxMemory>, no hotplug, as in libvirt. */
	ck_assert_str_eq(translate("<domain><memory>65536</memory>" OS "<os><cmdline>quiet</cmdline></os></domain>"),
		"--kernel /k/guest.elf --cmdline quiet --memory 65536K --slots 0 --maxmem 65536K");
	/* An empty <cmdline> passes nothing (no empty flag value). */
	ck_assert_str_eq(translate("<domain><memory>65536</memory>" OS "<os><cmdline/></os></domain>"),
		"--kernel /k/guest.elf --memory 65536K --slots 0 --maxmem 65536K");
}
END_TEST

START_TEST(errors)
{
	ck_assert_has(translate("<domain><memory>1"), "not well-formed XML: line 1");
	ck_assert_has(translate("<vm/>"), "root element is <vm>");
	ck_assert_has(translate("<domain>" OS "</domain>"), "<memory> is missing");
	ck_assert_has(translate("<domain><memory>65536</memory></domain>"), "<os><kernel> is missing");
	ck_assert_has(translate("<domain><memory unit='parsec'>1</memory>" OS "</domain>"),
		      "'1' with unit 'parsec' is not a size");
	ck_assert_has(translate("<domain><memory unit='EiB'>99</memory>" OS "</domain>"), "too large");
	ck_assert_has(translate("<domain><memory>65536</memory><currentMemory>32768</currentMemory>" OS "</domain>"),
		      "<currentMemory> differs");
	ck_assert_has(translate("<domain><memory unit='MiB'>256</memory>" OS
		"<cpu><numa><cell id='0' memory='128' unit='MiB'/></numa></cpu></domain>"),
		"add up to");
	ck_assert_has(translate("<domain><memory unit='MiB'>256</memory>" OS "<devices><disk/></devices></domain>"),
		      "<devices><disk> is not supported");
	ck_assert_has(translate("<domain><memory unit='MiB'>256</memory>" OS "<frobnicate/></domain>"),
		      "<frobnicate> is not supported by memvisor");
	ck_assert_has(translate("<domain><memory unit='MiB'>256</memory>" OS "<memoryBacking/></domain>"),
		      "<memoryBacking> is not supported");
	ck_assert_has(translate("<domain><memory unit='MiB'>256</memory><os><kernel>@KERNEL@</kernel></os></domain>"),
		      "placeholder");
	/* Found by the fuzzer: an empty <kernel> used to become --kernel "". */
	ck_assert_has(translate("<domain><memory znit=\"parsec\">1</memory><os><kernel></kernel></os></domain>"),
		      "<os><kernel> is empty");
	/* Found by the fuzzer too: an empty <vcpu> used to become --smp "". */
	ck_assert_has(translate("<domain><memory>65536</memory><vcpu placement='static'></vcpu>" OS "</domain>"),
		      "<vcpu> is empty");
	ck_assert_has(translate("<domain><memory unit='MiB'>256</memory>" OS
		"<devices><memory model='nvdimm'/></devices></domain>"), "model='nvdimm'");
	ck_assert_has(translate("<domain><memory unit='MiB'>256</memory>"
		"<os><type machine='q35'>hvm</type><kernel>/k</kernel></os></domain>"), "machine 'q35'");
}
END_TEST

START_TEST(no_dtd_no_entities)
{
	ck_assert_has(translate("<!DOCTYPE domain [<!ENTITY a 'x'>]><domain><name>&a;</name></domain>"),
		      "<!DOCTYPE> is not accepted");
	ck_assert_has(translate("<!DOCTYPE domain SYSTEM 'http://127.0.0.1:9/d.dtd'><domain/>"),
		      "<!DOCTYPE> is not accepted");
}
END_TEST

START_TEST(warnings)
{
	ck_assert_uint_eq(nr_warnings("<domain><memory>65536</memory>" OS "</domain>"), 1);
	ck_assert_uint_eq(nr_warnings("<domain><memory>65536</memory>" OS
		"<clock offset='utc'/><features><acpi/><apic/></features>"
		"<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>"), 2);
	/* no <acpi/>: libvirt would start QEMU with -no-acpi */
	ck_assert_uint_eq(nr_warnings("<domain><memory>65536</memory>" OS
		"<features><apic/><hyperv/></features></domain>"), 2);
}
END_TEST

/* A running domain's XML as libvirtd gives it (virsh dumpxml, trimmed). */
START_TEST(live_domain)
{
	static const char xml[] =
		"<domain type='kvm' id='1'><name>g</name>"
		"<maxMemory slots='8' unit='KiB'>4194304</maxMemory>"
		"<memory unit='KiB'>524288</memory><devices>"
		"<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
		"<source file='/img/a.raw'/><target dev='vda' bus='virtio'/><readonly/></disk>"
		"<disk type='file' device='cdrom'><target dev='hdc'/></disk>"
		"<memory model='dimm'><target><size unit='KiB'>131072</size><node>1</node>"
		"</target><alias name='ua-lv0'/><address type='dimm' slot='0' base='0x100000000'/></memory>"
		"<memory model='dimm'><target><size unit='MiB'>128</size></target>"
		"<alias name='dimm1'/></memory>"
		"<memory model='nvdimm'><target><size unit='KiB'>131072</size></target></memory>"
		"</devices></domain>";
	static struct config_live l;
	struct errmsg e = { .msg = "" };

	ck_assert_int_eq(config_xml_live(xml, strlen(xml), &l, &e), 0);
	ck_assert_uint_eq(l.memory, 512 << 20);
	ck_assert_uint_eq(l.max_memory, 4ull << 30);
	ck_assert_uint_eq(l.nr_dimms, 2);
	ck_assert_str_eq(l.dimms[0].alias, "ua-lv0");
	ck_assert_int_eq(l.dimms[0].slot, 0);
	ck_assert_int_eq(l.dimms[0].base, 0x100000000ll);
	ck_assert_uint_eq(l.dimms[0].size, 128 << 20);
	ck_assert_int_eq(l.dimms[0].node, 1);
	ck_assert_int_eq(l.dimms[1].slot, -1);          /* no <address> yet */
	ck_assert_uint_eq(l.dimms[1].size, 128 << 20);
	ck_assert_uint_eq(l.nr_disks, 1);               /* the cdrom is not one */
	ck_assert_str_eq(l.disks[0].target, "vda");
	ck_assert_str_eq(l.disks[0].file, "/img/a.raw");
	ck_assert_str_eq(l.disks[0].format, "raw");
	ck_assert_int_eq(l.disks[0].readonly, 1);
	ck_assert_int_ne(config_xml_live("<domain>", 8, &l, &e), 0);
	ck_assert_has(e.msg, "not well-formed");
	ck_assert_int_ne(config_xml_live("<x/>", 4, &l, &e), 0);
	ck_assert_has(e.msg, "not <domain>");
}
END_TEST

Suite *config_xml_suite(void)
{
	Suite *s = suite_create("config_xml");
	TCase *tc = tcase_create("translate");

	tcase_add_test(tc, units);
	tcase_add_test(tc, standard_guest);
	tcase_add_test(tc, dimms_and_numa);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, no_dtd_no_entities);
	tcase_add_test(tc, warnings);
	tcase_add_test(tc, live_domain);
	suite_add_tcase(s, tc);
	return s;
}
