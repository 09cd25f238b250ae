/*
 * PVH ELF loader (vmm/loader.c) on valid and malformed images, and the
 * guest memory map it hands over. Images are built in memory.
 */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/loader.h"
#include "vmm/memory.h"
#include "vmm/platform.h"

#define IMG_SIZE 0x3000
#define LOAD_PADDR 0x100000

struct test_image {
	uint8_t bytes[IMG_SIZE];
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;   /* [0] PT_LOAD, [1] PT_NOTE */
};

/* A minimal PVH kernel: one PT_LOAD at 1 MiB, one PT_NOTE with the entry. */
static void build_image(struct test_image *t)
{
	Elf64_Nhdr *nh;
	uint32_t entry = LOAD_PADDR + 0x10;

	memset(t, 0, sizeof(*t));
	t->eh = (Elf64_Ehdr *)t->bytes;
	t->ph = (Elf64_Phdr *)(t->bytes + sizeof(Elf64_Ehdr));
	memcpy(t->eh->e_ident, ELFMAG, SELFMAG);
	t->eh->e_ident[EI_CLASS] = ELFCLASS64;
	t->eh->e_ident[EI_DATA] = ELFDATA2LSB;
	t->eh->e_ident[EI_VERSION] = EV_CURRENT;
	t->eh->e_type = ET_EXEC;
	t->eh->e_machine = EM_X86_64;
	t->eh->e_phoff = sizeof(Elf64_Ehdr);
	t->eh->e_phentsize = sizeof(Elf64_Phdr);
	t->eh->e_phnum = 2;
	t->ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0x1000,
				 .p_paddr = LOAD_PADDR, .p_vaddr = LOAD_PADDR,
				 .p_filesz = 0x1000, .p_memsz = 0x5000 };
	t->ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = 0x800,
				 .p_filesz = sizeof(*nh) + 4 + 4 };
	nh = (Elf64_Nhdr *)(t->bytes + 0x800);
	*nh = (Elf64_Nhdr){ .n_namesz = 4, .n_descsz = 4,
			    .n_type = XEN_ELFNOTE_PHYS32_ENTRY };
	memcpy(nh + 1, "Xen", 4);
	memcpy((uint8_t *)(nh + 1) + 4, &entry, 4);
	memset(t->bytes + 0x1000, 0xab, 0x1000);
}

static int parse(struct test_image *t, size_t len, struct errmsg *e)
{
	struct pvh_image img;

	return pvh_parse_elf(t->bytes, len, &img, e);
}

START_TEST(valid_image)
{
	struct test_image t;
	struct pvh_image img;
	struct errmsg e;

	build_image(&t);
	ck_assert_int_eq(pvh_parse_elf(t.bytes, IMG_SIZE, &img, &e), 0);
	ck_assert_uint_eq(img.entry, LOAD_PADDR + 0x10);
	ck_assert_uint_eq(img.nr_segs, 1);
	ck_assert_uint_eq(img.segs[0].paddr, LOAD_PADDR);
	ck_assert_uint_eq(img.segs[0].memsz, 0x5000);
}
END_TEST

START_TEST(rejects_non_elf)
{
	struct test_image t;
	struct errmsg e;

	build_image(&t);
	memcpy(t.bytes, "root:x:0:0", 10);
	ck_assert_int_eq(parse(&t, IMG_SIZE, &e), -ENOEXEC);
	ck_assert_str_eq(e.msg, "not an ELF file");
	ck_assert_int_eq(parse(&t, 2, &e), -ENOEXEC);
}
END_TEST

START_TEST(rejects_truncated)
{
	struct test_image t;
	struct errmsg e;

	build_image(&t);
	ck_assert_int_eq(parse(&t, 40, &e), -ENOEXEC);
	ck_assert_str_eq(e.msg, "truncated ELF header");
	ck_assert_int_eq(parse(&t, sizeof(Elf64_Ehdr) + 10, &e), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "truncated"));
	ck_assert_int_eq(parse(&t, 0x1800, &e), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "truncated"));
}
END_TEST

START_TEST(rejects_wrong_class_and_machine)
{
	struct test_image t;
	struct errmsg e;

	build_image(&t);
	t.eh->e_ident[EI_CLASS] = ELFCLASS32;
	ck_assert_int_eq(parse(&t, IMG_SIZE, &e), -ENOEXEC);
	build_image(&t);
	t.eh->e_machine = EM_AARCH64;
	ck_assert_int_eq(parse(&t, IMG_SIZE, &e), -ENOEXEC);
	ck_assert_str_eq(e.msg, "not a 64-bit x86 ELF");
	build_image(&t);
	t.eh->e_type = ET_DYN;
	ck_assert_int_eq(parse(&t, IMG_SIZE, &e), -ENOEXEC);
}
END_TEST

START_TEST(rejects_missing_note)
{
	struct test_image t;
	struct errmsg e;

	build_image(&t);
	t.eh->e_phnum = 1;
	ck_assert_int_eq(parse(&t, IMG_SIZE, &e), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "no PVH entry note"));
	build_image(&t);
	memcpy(t.bytes + 0x800 + sizeof(Elf64_Nhdr), "Gnu", 4);
	ck_assert_int_eq(parse(&t, IMG_SIZE, &e), -ENOEXEC);
}
END_TEST

START_TEST(rejects_bad_segments)
{
	struct test_image t;
	struct errmsg e;

	build_image(&t);
	t.ph[0].p_filesz = 0x6000;
	ck_assert_int_eq(parse(&t, IMG_SIZE, &e), -ENOEXEC);
	build_image(&t);
	t.ph[0].p_offset = ~0ull - 10;
	ck_assert_int_eq(parse(&t, IMG_SIZE, &e), -ENOEXEC);
	build_image(&t);
	t.ph[0].p_paddr = ~0ull - 0x100;
	ck_assert_int_eq(parse(&t, IMG_SIZE, &e), -ENOEXEC);
	build_image(&t);
	t.eh->e_phoff = ~0ull - 8;
	ck_assert_int_eq(parse(&t, IMG_SIZE, &e), -ENOEXEC);
	build_image(&t);
	t.eh->e_phnum = 0;
	ck_assert_int_eq(parse(&t, IMG_SIZE, &e), -ENOEXEC);
}
END_TEST

START_TEST(rejects_entry_outside)
{
	struct test_image t;
	struct errmsg e;
	uint32_t entry = 0x50000;

	build_image(&t);
	memcpy(t.bytes + 0x800 + sizeof(Elf64_Nhdr) + 4, &entry, 4);
	ck_assert_int_eq(parse(&t, IMG_SIZE, &e), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "outside"));
}
END_TEST

/* Write @t to a temp file and load it into a guest of @ram bytes. */
static int load_file(struct test_image *t, uint64_t ram, struct errmsg *e,
		     struct guest_mem *mem)
{
	char path[] = "/tmp/memvisor-test-XXXXXX";
	struct pvh_image img;
	int fd = mkstemp(path), ret;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, t->bytes, IMG_SIZE), IMG_SIZE);
	close(fd);
	ck_assert_int_eq(guest_mem_init(mem, -1, ram, e), 0);
	ret = pvh_load_kernel(mem, path, &img, e);
	unlink(path);
	return ret;
}

START_TEST(load_copies_segments)
{
	struct test_image t;
	struct guest_mem mem;
	struct errmsg e;
	uint8_t *p;

	build_image(&t);
	ck_assert_int_eq(load_file(&t, 64 * MiB, &e, &mem), 0);
	p = guest_mem_ptr(&mem, LOAD_PADDR, 0x5000);
	ck_assert_uint_eq(p[0], 0xab);
	ck_assert_uint_eq(p[0xfff], 0xab);
	ck_assert_uint_eq(p[0x1000], 0);    /* bss: zero */
	guest_mem_destroy(&mem);
}
END_TEST

START_TEST(load_rejects_outside_ram)
{
	struct test_image t;
	struct guest_mem mem;
	struct errmsg e;

	build_image(&t);
	t.ph[0].p_memsz = 64 * MiB;            /* runs past the end of RAM */
	ck_assert_int_eq(load_file(&t, 64 * MiB, &e, &mem), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "outside guest RAM"));
	ck_assert_int_eq(e.user, 1);
	guest_mem_destroy(&mem);
	build_image(&t);
	t.ph[0].p_paddr = 0x8000;              /* below 1 MiB: start_info area */
	t.ph[0].p_memsz = 0x100000;            /* (and covering the entry) */
	ck_assert_int_eq(load_file(&t, 64 * MiB, &e, &mem), -ENOEXEC);
	guest_mem_destroy(&mem);
}
END_TEST

START_TEST(load_rejects_missing_and_dirs)
{
	struct guest_mem mem;
	struct pvh_image img;
	struct errmsg e = { 0 };

	ck_assert_int_eq(guest_mem_init(&mem, -1, 64 * MiB, &e), 0);
	ck_assert_int_eq(pvh_load_kernel(&mem, "/nonexistent/k.elf", &img, &e), -ENOENT);
	ck_assert_int_eq(e.user, 1);
	ck_assert_int_eq(pvh_load_kernel(&mem, "/tmp", &img, &e), -EINVAL);
	ck_assert_int_eq(pvh_load_kernel(&mem, "/etc/passwd", &img, &e), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "not an ELF file"));
	guest_mem_destroy(&mem);
}
END_TEST

START_TEST(memmap_layout)
{
	struct hvm_memmap_table_entry map[PLAT_MEMMAP_MAX];
	struct guest_mem mem;
	struct errmsg e;
	uint64_t ram = 0;
	int n, i;

	ck_assert_int_eq(guest_mem_init(&mem, -1, 4 * GiB, &e), 0);
	n = guest_mem_build_memmap(&mem, map, PLAT_MEMMAP_MAX);
	ck_assert_int_eq(n, 5);
	for (i = 0; i < n; i++)
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM)
			ram += map[i].size;
	/* All RAM but the 0x9fc00..1M hole is described. */
	ck_assert_uint_eq(ram, 4 * GiB - (PLAT_HIGHMEM_START - PLAT_LOWMEM_END));
	ck_assert_uint_eq(map[4].addr, PLAT_4G);
	ck_assert_uint_eq(map[4].size, 1 * GiB);
	ck_assert_int_eq(guest_mem_build_memmap(&mem, map, 3), -E2BIG);
	guest_mem_destroy(&mem);
}
END_TEST

static const char *written_cmdline(struct guest_mem *mem, const char *user,
				   int *ret)
{
	struct hvm_start_info *si;
	struct errmsg e;

	*ret = pvh_write_start_info(mem, user, 0xe0000, &e);
	si = guest_mem_ptr(mem, PLAT_START_INFO_GPA, sizeof(*si));
	if (*ret || !si->cmdline_paddr)
		return NULL;
	return guest_mem_ptr(mem, si->cmdline_paddr, 1);
}

START_TEST(start_info_cmdline)
{
	char longline[PLAT_CMDLINE_MAX];
	struct hvm_start_info *si;
	struct guest_mem mem;
	struct errmsg e;
	int ret;

	ck_assert_int_eq(guest_mem_init(&mem, -1, 64 * MiB, &e), 0);
	/* memvisor's RAM is a fresh memfd: it says so to the guest. */
	ck_assert_str_eq(written_cmdline(&mem, NULL, &ret),
			 PVH_PARAM_ZEROED_RAM "=1");
	ck_assert_str_eq(written_cmdline(&mem, "quiet", &ret),
			 "quiet " PVH_PARAM_ZEROED_RAM "=1");
	/* The user's own value wins. */
	ck_assert_str_eq(written_cmdline(&mem, PVH_PARAM_ZEROED_RAM "=0", &ret),
			 PVH_PARAM_ZEROED_RAM "=0");
	si = guest_mem_ptr(&mem, PLAT_START_INFO_GPA, sizeof(*si));
	ck_assert_uint_eq(si->magic, XEN_HVM_START_MAGIC_VALUE);
	ck_assert_uint_eq(si->rsdp_paddr, 0xe0000);
	ck_assert_uint_eq(si->memmap_entries, 4);
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	ck_assert_ptr_null(written_cmdline(&mem, longline, &ret));
	ck_assert_int_eq(ret, -E2BIG);
	guest_mem_destroy(&mem);
}
END_TEST

Suite *loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("elf");

	tcase_add_test(tc, valid_image);
	tcase_add_test(tc, rejects_non_elf);
	tcase_add_test(tc, rejects_truncated);
	tcase_add_test(tc, rejects_wrong_class_and_machine);
	tcase_add_test(tc, rejects_missing_note);
	tcase_add_test(tc, rejects_bad_segments);
	tcase_add_test(tc, rejects_entry_outside);
	tcase_add_test(tc, load_copies_segments);
	tcase_add_test(tc, load_rejects_outside_ram);
	tcase_add_test(tc, load_rejects_missing_and_dirs);
	tcase_add_test(tc, memmap_layout);
	tcase_add_test(tc, start_info_cmdline);
	suite_add_tcase(s, tc);
	return s;
}
