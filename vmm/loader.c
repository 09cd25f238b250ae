/*
 * PVH loader.
 *
 * An x86-64 ELF kernel that supports PVH carries a note (in a PT_NOTE
 * segment) named "Xen" of type XEN_ELFNOTE_PHYS32_ENTRY whose descriptor is
 * the 32-bit physical address to enter at. We load every PT_LOAD segment at
 * its p_paddr (zero-filling memsz beyond filesz: guest RAM is a fresh memfd,
 * so that costs nothing), and hand the kernel a struct hvm_start_info.
 *
 * Parsing is a pure function over the file's bytes so that malformed files
 * are unit-tested; every offset and size read from the file is bounds-checked
 * before use, and nothing is written to guest memory until the whole image
 * has been validated.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/loader.h"
#include "vmm/memory.h"
#include "vmm/platform.h"

static int range_ok(uint64_t off, uint64_t size, uint64_t len)
{
	return off <= len && size <= len - off;
}

static int check_ehdr(const Elf64_Ehdr *eh, size_t len, struct errmsg *e)
{
	if (len < SELFMAG || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return errmsg_set(e, -ENOEXEC, "not an ELF file");
	if (len < sizeof(*eh))
		return errmsg_set(e, -ENOEXEC, "truncated ELF header");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64)
		return errmsg_set(e, -ENOEXEC, "not a 64-bit x86 ELF");
	if (eh->e_type != ET_EXEC)
		return errmsg_set(e, -ENOEXEC, "not an executable ELF (type %u)",
				  eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0)
		return errmsg_set(e, -ENOEXEC, "ELF has no program headers");
	if (!range_ok(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr),
		      len))
		return errmsg_set(e, -ENOEXEC,
				  "truncated ELF (program headers past the end)");
	return 0;
}

/* Look for the PHYS32_ENTRY note inside one PT_NOTE segment. */
static int find_pvh_note(const uint8_t *buf, const Elf64_Phdr *ph,
			 uint32_t *entry)
{
	uint64_t off = ph->p_offset, end = ph->p_offset + ph->p_filesz;

	while (end - off >= sizeof(Elf64_Nhdr)) {
		const Elf64_Nhdr *nh = (const void *)(buf + off);
		uint64_t name = off + sizeof(*nh);
		uint64_t desc = name + ((nh->n_namesz + 3ull) & ~3ull);
		uint64_t next = desc + ((nh->n_descsz + 3ull) & ~3ull);

		if (next > end || next <= off)
			return 0;
		if (nh->n_type == XEN_ELFNOTE_PHYS32_ENTRY &&
		    nh->n_namesz == sizeof(PVH_NOTE_NAME) &&
		    !memcmp(buf + name, PVH_NOTE_NAME, sizeof(PVH_NOTE_NAME)) &&
		    nh->n_descsz >= 4) {
			memcpy(entry, buf + desc, sizeof(*entry));
			return 1;
		}
		off = next;
	}
	return 0;
}

static int add_load_segment(const Elf64_Phdr *ph, size_t len,
			    struct pvh_image *img, struct errmsg *e)
{
	struct pvh_segment *s;

	if (ph->p_filesz > ph->p_memsz)
		return errmsg_set(e, -ENOEXEC, "ELF segment file size exceeds its memory size");
	if (!range_ok(ph->p_offset, ph->p_filesz, len))
		return errmsg_set(e, -ENOEXEC, "truncated ELF (segment data past the end of the file)");
	if (ph->p_paddr + ph->p_memsz < ph->p_paddr)
		return errmsg_set(e, -ENOEXEC, "ELF segment wraps around the address space");
	if (img->nr_segs == PVH_MAX_SEGS)
		return errmsg_set(e, -ENOEXEC, "ELF has more than %d loadable segments",
				  PVH_MAX_SEGS);
	s = &img->segs[img->nr_segs++];
	s->paddr = ph->p_paddr;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->memsz = ph->p_memsz;
	return 0;
}

static int entry_in_segment(const struct pvh_image *img)
{
	unsigned int i;

	for (i = 0; i < img->nr_segs; i++)
		if (img->entry >= img->segs[i].paddr &&
		    img->entry < img->segs[i].paddr + img->segs[i].memsz)
			return 1;
	return 0;
}

int pvh_parse_elf(const void *buf, size_t len, struct pvh_image *img,
		  struct errmsg *e)
{
	const Elf64_Ehdr *eh = buf;
	const Elf64_Phdr *ph;
	int have_note = 0, ret, i;

	memset(img, 0, sizeof(*img));
	ret = check_ehdr(eh, len, e);
	if (ret)
		return ret;
	ph = (const void *)((const uint8_t *)buf + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++, ph++) {
		if (ph->p_type == PT_LOAD && ph->p_memsz) {
			ret = add_load_segment(ph, len, img, e);
			if (ret)
				return ret;
		} else if (ph->p_type == PT_NOTE && !have_note &&
			   range_ok(ph->p_offset, ph->p_filesz, len)) {
			have_note = find_pvh_note(buf, ph, &img->entry);
		}
	}
	if (!img->nr_segs)
		return errmsg_set(e, -ENOEXEC, "ELF has no loadable segments");
	if (!have_note)
		return errmsg_set(e, -ENOEXEC,
				  "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): not a PVH kernel");
	if (!entry_in_segment(img))
		return errmsg_set(e, -ENOEXEC,
				  "PVH entry 0x%x is outside the kernel's segments",
				  img->entry);
	return 0;
}

/* Segments must sit in RAM above 1 MiB, clear of start_info and ACPI. */
static int check_placement(const struct guest_mem *mem,
			   const struct pvh_image *img, struct errmsg *e)
{
	unsigned int i;

	for (i = 0; i < img->nr_segs; i++) {
		const struct pvh_segment *s = &img->segs[i];

		if (s->paddr < PLAT_HIGHMEM_START ||
		    !guest_mem_is_ram(mem, s->paddr, s->memsz))
			return errmsg_set(e, -ENOEXEC,
					  "kernel segment 0x%llx-0x%llx is outside guest RAM",
					  (unsigned long long)s->paddr,
					  (unsigned long long)(s->paddr + s->memsz));
	}
	return 0;
}

static int map_file(const char *path, void **buf, size_t *len,
		    struct errmsg *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errmsg_user(e, -errno, "cannot open kernel %s: %s", path,
				  strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return errmsg_user(e, -EINVAL, "kernel %s is not a regular file", path);
	}
	if (st.st_size == 0 || (uint64_t)st.st_size > PVH_MAX_KERNEL_SIZE) {
		close(fd);
		return errmsg_user(e, -ENOEXEC, "kernel %s: %s", path,
				  st.st_size ? "file too large" : "empty file");
	}
	*len = st.st_size;
	*buf = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (*buf == MAP_FAILED)
		return errmsg_set(e, -errno, "cannot read kernel %s: %s", path,
				  strerror(errno));
	return 0;
}

int pvh_load_kernel(struct guest_mem *mem, const char *path,
		    struct pvh_image *img, struct errmsg *e)
{
	struct errmsg why;
	unsigned int i;
	size_t len = 0;
	void *buf;
	int ret;

	ret = map_file(path, &buf, &len, e);
	if (ret)
		return ret;
	ret = pvh_parse_elf(buf, len, img, &why);
	if (!ret)
		ret = check_placement(mem, img, &why);
	if (ret) {
		munmap(buf, len);
		return errmsg_user(e, ret, "kernel %s: %s", path, why.msg);
	}
	for (i = 0; i < img->nr_segs; i++) {
		const struct pvh_segment *s = &img->segs[i];

		/* memsz beyond filesz is already zero: RAM is a fresh memfd. */
		memcpy(guest_mem_ptr(mem, s->paddr, s->filesz),
		       (const uint8_t *)buf + s->offset, s->filesz);
	}
	munmap(buf, len);
	return 0;
}

/*
 * The guest's command line: the user's, then memvisor's parameters
 * (abi/pvh.h) unless the user set them.  RAM is a fresh memfd, so
 * PVH_PARAM_ZEROED_RAM always holds.  Returns the length, or -E2BIG.
 */
static int build_cmdline(char *buf, size_t size, const char *user)
{
	int n;

	if (!user)
		user = "";
	if (strstr(user, PVH_PARAM_ZEROED_RAM))
		n = snprintf(buf, size, "%s", user);
	else
		n = snprintf(buf, size, "%s%s" PVH_PARAM_ZEROED_RAM "=1", user,
			     *user ? " " : "");
	return n < 0 || (size_t)n >= size ? -E2BIG : n;
}

int pvh_write_start_info(struct guest_mem *mem, const char *user_cmdline,
			 gpa_t rsdp, struct errmsg *e)
{
	struct hvm_memmap_table_entry *map;
	struct hvm_start_info *si;
	char cmdline[PLAT_CMDLINE_MAX];
	int n, cmdlen = build_cmdline(cmdline, sizeof(cmdline), user_cmdline);

	if (cmdlen < 0)
		return errmsg_user(e, -E2BIG, "command line longer than %zu bytes",
				  PLAT_CMDLINE_MAX - sizeof(" " PVH_PARAM_ZEROED_RAM "=1"));
	si = guest_mem_ptr(mem, PLAT_START_INFO_GPA, sizeof(*si));
	map = guest_mem_ptr(mem, PLAT_MEMMAP_GPA, PLAT_MEMMAP_MAX * sizeof(*map));
	n = guest_mem_build_memmap(mem, map, PLAT_MEMMAP_MAX);
	if (n < 0)
		return errmsg_set(e, n, "guest memory map has too many entries");
	memset(si, 0, sizeof(*si));
	si->magic = XEN_HVM_START_MAGIC_VALUE;
	si->version = 1;
	si->rsdp_paddr = rsdp;
	si->memmap_paddr = PLAT_MEMMAP_GPA;
	si->memmap_entries = n;
	if (cmdlen) {
		memcpy(guest_mem_ptr(mem, PLAT_CMDLINE_GPA, cmdlen + 1), cmdline,
		       cmdlen + 1);
		si->cmdline_paddr = PLAT_CMDLINE_GPA;
	}
	return 0;
}
