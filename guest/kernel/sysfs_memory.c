/*
 * /sys/devices/system/memory, in Linux's names and formats
 * (Documentation/admin-guide/mm/memory-hotplug.rst):
 *
 *	block_size_bytes	block size in hex without 0x: "8000000"
 *	auto_online_blocks	how hot-added blocks are onlined: offline,
 *				online, online_kernel, online_movable (rw)
 *	memoryN/state		online | offline; write online, online_kernel,
 *				online_movable or offline
 *	memoryN/online		1 | 0 (write 1 / 0 as Linux's device online)
 *	memoryN/online_type	how the block is online: online_kernel,
 *				online_movable, or offline (rw, as state)
 *	memoryN/phys_index	N as %08lx
 *	memoryN/valid_zones	an online block: its zone ("none" if it
 *				straddles two); an offline one: the zones it
 *				may go to, the kernel zone first
 *	memoryN/removable	1 unless the online block holds unmovable pages
 *	memoryN/phys_device	0
 *	memoryN/node		the block's node (Linux has a nodeN link)
 *
 * "memhp_default_state=online_kernel" (etc.) on the command line sets
 * auto_online_blocks at boot, as in Linux.
 *
 * Memory blocks are read from guest/mm's sections through memory_block.h
 * on every access: nothing is cached here.
 *
 * Also the hidden `kpin` command, which allocates kernel (unmovable) pages
 * on a chosen block, so tests can check that such a block is refused for
 * removal and nothing is lost:
 *	kpin BLOCK [N]    pin up to N (default 1) pages of block BLOCK, each
 *	                  filled with a pattern of its pfn
 *	kpin check        re-check every pinned page's pattern
 *	kpin free         free them
 */
#include "kernel/cmdline.h"
#include "kernel/memory_block.h"
#include "kernel/sysfs.h"
#include "kernel/shell.h"
#include "kernel/string.h"
#include "kernel/vsprintf.h"
#include "mm/mm.h"

#define MEMORY_DIR "/sys/devices/system/memory"

static const char *const block_attrs[] = {
	"node", "online", "online_type", "phys_device", "phys_index",
	"removable", "state", "valid_zones",
};

/* "memory12/state" -> 12 and "state"; -ENOENT if not a block path. */
static int parse_block(const char *rel, unsigned long *nr, const char **attr)
{
	unsigned long long v;
	char num[24];
	const char *slash;
	size_t n;

	if (strncmp(rel, "memory", 6))
		return -ENOENT;
	rel += 6;
	slash = strchr(rel, '/');
	n = slash ? (size_t)(slash - rel) : strlen(rel);
	if (!n || n >= sizeof(num) || (n > 1 && rel[0] == '0'))
		return -ENOENT;
	memcpy(num, rel, n);
	num[n] = '\0';
	if (num[0] < '0' || num[0] > '9' || kstrtoull(num, &v))
		return -ENOENT;
	*nr = v;
	*attr = slash ? slash + 1 : "";
	return 0;
}

static bool block_present(unsigned long nr)
{
	struct memory_block_info info;

	memory_block_info(nr, &info);
	return info.present;
}

static bool is_block_attr(const char *attr)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(block_attrs); i++)
		if (!strcmp(block_attrs[i], attr))
			return true;
	return false;
}

/* ------------------------------------------------------------ readdir */

static void list_blocks(sysfs_emit_t emit, void *arg)
{
	char name[32];

	for (unsigned long nr = memory_block_next(0); nr != MEMORY_BLOCK_NONE;
	     nr = memory_block_next(nr + 1)) {
		snprintf(name, sizeof(name), "memory%lu", nr);
		emit(name, arg);
	}
}

static int memory_readdir(const char *rel, sysfs_emit_t emit, void *arg)
{
	struct memory_block_info info;
	const char *attr;
	unsigned long nr;

	if (!*rel) {
		emit("auto_online_blocks", arg);
		emit("block_size_bytes", arg);
		list_blocks(emit, arg);
		return 0;
	}
	if (!strcmp(rel, "auto_online_blocks") || !strcmp(rel, "block_size_bytes"))
		return -ENOTDIR;
	if (parse_block(rel, &nr, &attr))
		return -ENOENT;
	memory_block_info(nr, &info);
	if (!info.present || (*attr && !is_block_attr(attr)))
		return -ENOENT;
	if (*attr)
		return -ENOTDIR;
	for (unsigned int i = 0; i < ARRAY_SIZE(block_attrs); i++)
		emit(block_attrs[i], arg);
	return 0;
}

/* ------------------------------------------------------------ show */

/* The kernel zone an offline block would go to. */
static const char *kernel_zone_name(unsigned long nr)
{
	uint64_t end = (uint64_t)(nr + 1) << MEMORY_BLOCK_SHIFT;

	return zone_names[end <= (4ull << 30) ? ZONE_DMA32 : ZONE_NORMAL];
}

static void show_valid_zones(unsigned long nr,
			     const struct memory_block_info *info,
			     struct seq_buf *m)
{
	if (!info->online)
		seq_printf(m, "%s %s\n", kernel_zone_name(nr),
			   zone_names[ZONE_MOVABLE]);
	else
		seq_printf(m, "%s\n", info->zone < 0 ? "none" :
			   zone_names[info->zone]);
}

static const char *online_type_of(const struct memory_block_info *info)
{
	if (!info->online)
		return mmop_to_str(MMOP_OFFLINE);
	return mmop_to_str(info->zone == ZONE_MOVABLE ? MMOP_ONLINE_MOVABLE :
						       MMOP_ONLINE_KERNEL);
}

static int show_block(unsigned long nr, const char *attr, struct seq_buf *m)
{
	struct memory_block_info info;

	memory_block_info(nr, &info);
	if (!info.present || !is_block_attr(attr))
		return -ENOENT;
	if (!strcmp(attr, "state"))
		seq_printf(m, "%s\n", info.online ? "online" : "offline");
	else if (!strcmp(attr, "online"))
		seq_printf(m, "%d\n", info.online);
	else if (!strcmp(attr, "online_type"))
		seq_printf(m, "%s\n", online_type_of(&info));
	else if (!strcmp(attr, "phys_index"))
		seq_printf(m, "%08lx\n", nr);
	else if (!strcmp(attr, "valid_zones"))
		show_valid_zones(nr, &info, m);
	else if (!strcmp(attr, "removable"))
		seq_printf(m, "%d\n", memory_block_removable(nr));
	else if (!strcmp(attr, "node"))
		seq_printf(m, "%d\n", info.nid);
	else
		seq_printf(m, "0\n");           /* phys_device */
	return 0;
}

static int memory_show(const char *rel, struct seq_buf *m)
{
	const char *attr;
	unsigned long nr;

	if (!strcmp(rel, "block_size_bytes")) {
		seq_printf(m, "%lx\n", (unsigned long)MEMORY_BLOCK_SIZE);
		return 0;
	}
	if (!strcmp(rel, "auto_online_blocks")) {
		seq_printf(m, "%s\n", mmop_to_str(mhp_default_online_type));
		return 0;
	}
	if (parse_block(rel, &nr, &attr))
		return -ENOENT;
	if (!*attr)
		return block_present(nr) ? -EISDIR : -ENOENT;
	return show_block(nr, attr, m);
}

/* ------------------------------------------------------------ store */

/* "online_movable\n" etc. to a block's state. */
static int store_state(unsigned long nr, const char *buf)
{
	int type = mhp_online_type_from_str(buf);

	if (type < 0)
		return -EINVAL;
	if (type == MMOP_OFFLINE)
		return memory_block_offline(nr);
	return memory_block_online(nr, (enum mmop)type);
}

static int store_block(unsigned long nr, const char *attr, const char *buf)
{
	if (!block_present(nr) || !is_block_attr(attr))
		return -ENOENT;
	if (!strcmp(attr, "state") || !strcmp(attr, "online_type"))
		return store_state(nr, buf);
	if (!strcmp(attr, "online")) {
		if (buf[0] == '1' && (!buf[1] || buf[1] == '\n'))
			return memory_block_online(nr, MMOP_ONLINE);
		if (buf[0] == '0' && (!buf[1] || buf[1] == '\n'))
			return memory_block_offline(nr);
		return -EINVAL;
	}
	return -EACCES;
}

static int memory_store(const char *rel, const char *buf)
{
	const char *attr;
	unsigned long nr;
	int type;

	if (!strcmp(rel, "auto_online_blocks")) {
		type = mhp_online_type_from_str(buf);
		if (type < 0)
			return -EINVAL;
		mhp_default_online_type = (enum mmop)type;
		return 0;
	}
	if (!strcmp(rel, "block_size_bytes"))
		return -EACCES;
	if (parse_block(rel, &nr, &attr))
		return -ENOENT;
	if (!*attr)
		return block_present(nr) ? -EISDIR : -ENOENT;
	return store_block(nr, attr, buf);
}

static const struct sysfs_dir memory_dir = {
	.path = MEMORY_DIR,
	.readdir = memory_readdir,
	.show = memory_show,
	.store = memory_store,
};

/* ------------------------------------------------------------ kpin */

#define KPIN_MAX      256
#define KPIN_TRIES    4096      /* allocations tried per kpin command */

static struct page *kpin_pages[KPIN_MAX];
static unsigned int nr_kpin;

static uint64_t kpin_word(pfn_t pfn, unsigned int i)
{
	return (pfn << 20) ^ (0x9e3779b97f4a7c15ull * (i + 1));
}

/* A pattern in the first and last words of the page (writing all of it
 * costs 350 us of emulated ring 0 per page on our hosts). */
static void kpin_fill(struct page *page)
{
	uint64_t *w = page_address(page);
	pfn_t pfn = page_to_pfn(page);

	w[0] = kpin_word(pfn, 0);
	w[PAGE_SIZE / 8 - 1] = kpin_word(pfn, 1);
}

static bool kpin_ok(struct page *page)
{
	uint64_t *w = page_address(page);
	pfn_t pfn = page_to_pfn(page);

	return w[0] == kpin_word(pfn, 0) &&
	       w[PAGE_SIZE / 8 - 1] == kpin_word(pfn, 1);
}

/* Allocate kernel pages on block @nr's node, keep those inside the block. */
static unsigned int kpin_block(unsigned long nr, unsigned int want)
{
	static struct page *others[KPIN_TRIES];
	struct memory_block_info info;
	unsigned int got = 0, n_others = 0;
	struct page *page;
	pfn_t pfn;

	memory_block_info(nr, &info);
	while (got < want && nr_kpin < KPIN_MAX && n_others < KPIN_TRIES) {
		page = alloc_pages_node(info.nid, GFP_KERNEL | __GFP_NOWARN, 0);
		if (!page)
			break;
		pfn = page_to_pfn(page);
		if (pfn_to_section_nr(pfn) != nr) {
			others[n_others++] = page;
			continue;
		}
		kpin_fill(page);
		kpin_pages[nr_kpin++] = page;
		got++;
	}
	while (n_others)
		__free_page(others[--n_others]);
	return got;
}

static int kpin_check(void)
{
	unsigned int bad = 0;

	for (unsigned int i = 0; i < nr_kpin; i++)
		if (!kpin_ok(kpin_pages[i]))
			bad++;
	shell_printf("kpin: %u pages, %u bad\n", nr_kpin, bad);
	return bad ? -EIO : 0;
}

static int cmd_kpin(int argc, char **argv)
{
	unsigned long long nr, want = 1;
	struct memory_block_info info;
	unsigned int got;

	if (argc == 2 && !strcmp(argv[1], "check"))
		return kpin_check();
	if (argc == 2 && !strcmp(argv[1], "free")) {
		kpin_check();
		while (nr_kpin)
			__free_page(kpin_pages[--nr_kpin]);
		return 0;
	}
	if (argc < 2 || kstrtoull(argv[1], &nr) ||
	    (argc > 2 && kstrtoull(argv[2], &want))) {
		shell_printf("usage: kpin BLOCK [N] | kpin check | kpin free\n");
		return -EINVAL;
	}
	memory_block_info(nr, &info);
	if (!info.present || !info.online) {
		shell_printf("kpin: memory%llu is not online\n", nr);
		return -EINVAL;
	}
	got = kpin_block(nr, want);
	shell_printf("kpin: pinned %u kernel pages in memory%llu (%u in all)\n",
		     got, nr, nr_kpin);
	return got ? 0 : -ENOMEM;
}

static const struct shell_cmd kpin_cmd = { "kpin", cmd_kpin, NULL };

void memory_dev_init(void)
{
	char val[24];
	int type;

	if (cmdline_param("memhp_default_state", val, sizeof(val))) {
		type = mhp_online_type_from_str(val);
		if (type >= 0)
			mhp_default_online_type = (enum mmop)type;
	}
	sysfs_register(&memory_dir);
	shell_register(&kpin_cmd);
}
