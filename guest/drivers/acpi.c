/*
 * ACPI table reader.
 *
 * Discovery: the RSDP comes from hvm_start_info.rsdp_paddr, or, when the
 * VMM passes 0 (QEMU may), from a scan of 0xE0000-0xFFFFF on 16-byte
 * boundaries for "RSD PTR " with a valid checksum. RSDP revision >= 2 with
 * an XSDT: 64-bit table pointers; otherwise the RSDT's 32-bit ones.
 *
 * Each table is mapped with memremap() (a no-op where the direct map
 * already covers it), remembered in tables[] for acpi_find_table(), and
 * reserved in bootmem, since firmware may put tables inside RAM.
 * FADT, MADT and SRAT are parsed into `acpi`; their layouts are
 * abi/acpi.h's, the definitions the host's table builder (acpi/) writes.
 * Checksums other than the RSDP's are not verified: summing every table
 * byte by byte would cost more instructions than the rest of the parse.
 *
 * acpi_init() does not scan the DSDT: acpi_sleep_type() looks for the \_Sx
 * package only when the kernel is about to power off, and
 * acpi_dsdt_name_int() (acpi_aml.c) only when a driver asks for a name.
 */
#include "abi/acpi.h"
#include "drivers/acpi.h"
#include "arch/x86/mmu.h"
#include "kernel/bootinfo.h"
#include "kernel/bootmem.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "include/errno.h"

#define RSDP_SCAN_START 0xe0000
#define RSDP_SCAN_END   0x100000
#define RSDP_SIG        0x2052545020445352ull   /* "RSD PTR " little-endian */

struct acpi_info acpi;

static struct {
	char sig[4];
	const struct acpi_table_header *h;
} tables[ACPI_MAX_TABLES];
static unsigned int nr_tables;

static bool checksum_ok(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return sum == 0;
}

static const struct acpi_table_rsdp *rsdp_at(phys_addr_t pa)
{
	const struct acpi_table_rsdp *r = memremap(pa, sizeof(*r));

	if (memcmp(r->signature, ACPI_SIG_RSDP, 8) ||
	    !checksum_ok(r, ACPI_RSDP_CHECKSUM_LENGTH))
		return NULL;
	return r;
}

static phys_addr_t rsdp_scan(void)
{
	const uint64_t *p = __va(RSDP_SCAN_START);
	const uint64_t *end = __va(RSDP_SCAN_END);

	for (; p < end; p += 2)
		if (*p == RSDP_SIG && rsdp_at(__pa(p)))
			return __pa(p);
	return 0;
}

/* Map a whole table given its physical address; NULL if implausible. */
static const struct acpi_table_header *table_map(phys_addr_t pa)
{
	const struct acpi_table_header *h;

	if (!pa)
		return NULL;
	h = memremap(pa, sizeof(*h));
	if (h->length < sizeof(*h) || h->length > (64u << 20))
		return NULL;
	memremap(pa, h->length);
	bootmem_reserve(pa, h->length);
	return h;
}

/* ------------------------------------------------------------- FADT */

/* An I/O port from the FADT: the X_ field when the table has it and it is
 * a system-I/O address, else the legacy 32-bit field. */
static uint16_t fadt_port(const struct acpi_table_fadt *f,
			  const struct acpi_generic_address *x, uint32_t legacy)
{
	size_t end = (const char *)(x + 1) - (const char *)f;

	if (f->header.length >= end && x->address &&
	    x->space_id == ACPI_ADR_SPACE_SYSTEM_IO)
		return (uint16_t)x->address;
	return (uint16_t)legacy;
}

/* Older FADTs are shorter: read the table through a zero-filled copy of
 * the whole structure (as Linux's acpi_tb_create_local_fadt), so that no
 * field is read past the table's length. */
static void parse_fadt(const struct acpi_table_fadt *table)
{
	struct acpi_table_fadt local = { 0 }, *f = &local;
	struct acpi_pm_info *pm = &acpi.pm;
	size_t flags_off = offsetof(struct acpi_table_fadt, flags);
	size_t xdsdt_end = offsetof(struct acpi_table_fadt, x_dsdt) + 8;

	memcpy(&local, table, MIN(table->header.length, sizeof(local)));
	acpi.has_fadt = true;
	pm->sci_int = f->sci_int;
	pm->smi_cmd = (uint16_t)f->smi_cmd;
	pm->acpi_enable = f->acpi_enable;
	pm->pm1a_evt = fadt_port(f, &f->x_pm1a_evt_blk, f->pm1a_evt_blk);
	pm->pm1b_evt = fadt_port(f, &f->x_pm1b_evt_blk, f->pm1b_evt_blk);
	pm->pm1_evt_len = f->pm1_evt_len;
	pm->pm1a_cnt = fadt_port(f, &f->x_pm1a_cnt_blk, f->pm1a_cnt_blk);
	pm->pm1b_cnt = fadt_port(f, &f->x_pm1b_cnt_blk, f->pm1b_cnt_blk);
	pm->gpe0_blk = fadt_port(f, &f->x_gpe0_blk, f->gpe0_blk);
	pm->gpe0_blk_len = f->gpe0_blk_len;
	pm->hw_reduced = f->header.length > flags_off &&
			 (f->flags & ACPI_FADT_HW_REDUCED);
	pm->dsdt = f->dsdt;
	if (f->header.length >= xdsdt_end && f->x_dsdt)
		pm->dsdt = f->x_dsdt;
	if (!table_map(pm->dsdt))
		pm->dsdt = 0;   /* implausible length: nothing to scan later */
	if (f->firmware_ctrl)           /* FACS: no checksum'd header, 64+ bytes */
		bootmem_reserve(f->firmware_ctrl, 64);
}

/* ------------------------------------------------------------- MADT */

static void madt_add_cpu(uint32_t apic_id, uint32_t flags)
{
	if (!(flags & ACPI_MADT_ENABLED) || acpi.nr_cpus == ACPI_MAX_CPUS)
		return;
	acpi.cpus[acpi.nr_cpus++].apic_id = apic_id;
}

/* How long an entry of @type must be for the fields read here; 0 for a
 * type the reader skips. A shorter entry is skipped. */
static size_t madt_entry_size(uint8_t type)
{
	switch (type) {
	case ACPI_MADT_TYPE_LOCAL_APIC:
		return sizeof(struct acpi_madt_local_apic);
	case ACPI_MADT_TYPE_LOCAL_X2APIC:
		return sizeof(struct acpi_madt_local_x2apic);
	case ACPI_MADT_TYPE_IO_APIC:
		return sizeof(struct acpi_madt_io_apic);
	case ACPI_MADT_TYPE_INTERRUPT_OVERRIDE:
		return sizeof(struct acpi_madt_interrupt_override);
	case ACPI_MADT_TYPE_LOCAL_APIC_OVERRIDE:
		return sizeof(struct acpi_madt_local_apic_override);
	}
	return 0;
}

static void madt_entry(const struct acpi_subtable_header *s)
{
	const struct acpi_madt_local_apic *lapic = (const void *)s;
	const struct acpi_madt_local_x2apic *x2apic = (const void *)s;
	const struct acpi_madt_io_apic *io = (const void *)s;
	const struct acpi_madt_interrupt_override *iso = (const void *)s;
	const struct acpi_madt_local_apic_override *ovr = (const void *)s;

	if (s->length < madt_entry_size(s->type))
		return;
	switch (s->type) {
	case ACPI_MADT_TYPE_LOCAL_APIC:
		madt_add_cpu(lapic->apic_id, lapic->flags);
		break;
	case ACPI_MADT_TYPE_LOCAL_X2APIC:
		madt_add_cpu(x2apic->x2apic_id, x2apic->flags);
		break;
	case ACPI_MADT_TYPE_IO_APIC:
		if (acpi.nr_ioapics < ACPI_MAX_IOAPICS)
			acpi.ioapics[acpi.nr_ioapics++] = (struct acpi_ioapic){
				io->id, io->address, io->gsi_base };
		break;
	case ACPI_MADT_TYPE_INTERRUPT_OVERRIDE:
		if (iso->bus == 0 && acpi.nr_overrides < ACPI_MAX_OVERRIDES)
			acpi.overrides[acpi.nr_overrides++] = (struct acpi_override){
				iso->source_irq, iso->gsi, iso->inti_flags };
		break;
	case ACPI_MADT_TYPE_LOCAL_APIC_OVERRIDE:
		acpi.lapic_addr = ovr->address;
		break;
	}
}

/* Call @fn on each subtable of a MADT/SRAT-style table after @skip bytes. */
static void for_each_subtable(const struct acpi_table_header *h, size_t skip,
			      void (*fn)(const struct acpi_subtable_header *s))
{
	const uint8_t *p = (const uint8_t *)h + skip;
	const uint8_t *end = (const uint8_t *)h + h->length;
	const struct acpi_subtable_header *s;

	for (; p + sizeof(*s) <= end; p += s->length) {
		s = (const void *)p;
		if (s->length < sizeof(*s) || p + s->length > end)
			break;
		fn(s);
	}
}

static void parse_madt(const struct acpi_table_madt *m)
{
	acpi.has_madt = true;
	if (m->header.length < sizeof(*m))
		return;
	acpi.lapic_addr = m->lapic_address;
	acpi.pcat_compat = m->flags & ACPI_MADT_PCAT_COMPAT;
	for_each_subtable(&m->header, sizeof(*m), madt_entry);
}

/* ------------------------------------------------------------- SRAT */

/* A proximity domain the kernel can hold as a node (guest/mm has
 * MAX_NUMNODES of them); entries beyond are ignored, with a warning. */
static bool srat_node_ok(uint32_t node)
{
	if (node < ACPI_MAX_NODES)
		return true;
	pr_warn("ACPI: SRAT: proximity domain %u ignored (at most %d nodes)\n",
		node, ACPI_MAX_NODES);
	return false;
}

static void srat_cpu_node(uint32_t apic_id, uint32_t node)
{
	unsigned int i;

	if (!srat_node_ok(node))
		return;

	for (i = 0; i < acpi.nr_cpus; i++)
		if (acpi.cpus[i].apic_id == apic_id)
			acpi.cpus[i].node = node;
	if (node + 1 > acpi.nr_nodes)
		acpi.nr_nodes = node + 1;
}

static void srat_mem(const struct acpi_srat_mem_affinity *m)
{
	struct acpi_mem_affinity *a;

	if (!(m->flags & ACPI_SRAT_MEM_ENABLED) ||
	    acpi.nr_mem_affinity == ACPI_MAX_MEM_AFFINITY ||
	    !srat_node_ok(m->proximity))
		return;
	a = &acpi.mem_affinity[acpi.nr_mem_affinity++];
	a->base = m->base_address;
	a->length = m->length;
	a->node = m->proximity;
	a->hotpluggable = m->flags & ACPI_SRAT_MEM_HOT_PLUGGABLE;
	a->nonvolatile = m->flags & ACPI_SRAT_MEM_NON_VOLATILE;
	if (a->node + 1 > acpi.nr_nodes)
		acpi.nr_nodes = a->node + 1;
}

/* As madt_entry_size, for the SRAT. */
static size_t srat_entry_size(uint8_t type)
{
	switch (type) {
	case ACPI_SRAT_TYPE_CPU_AFFINITY:
		return sizeof(struct acpi_srat_cpu_affinity);
	case ACPI_SRAT_TYPE_X2APIC_CPU_AFFINITY:
		return sizeof(struct acpi_srat_x2apic_cpu_affinity);
	case ACPI_SRAT_TYPE_MEMORY_AFFINITY:
		return sizeof(struct acpi_srat_mem_affinity);
	}
	return 0;
}

static void srat_entry(const struct acpi_subtable_header *s)
{
	const struct acpi_srat_cpu_affinity *c = (const void *)s;
	const struct acpi_srat_x2apic_cpu_affinity *x = (const void *)s;

	if (s->length < srat_entry_size(s->type))
		return;
	switch (s->type) {
	case ACPI_SRAT_TYPE_CPU_AFFINITY:
		if (c->flags & ACPI_SRAT_CPU_ENABLED)
			srat_cpu_node(c->apic_id, c->proximity_lo |
				      c->proximity_hi[0] << 8 |
				      c->proximity_hi[1] << 16 |
				      (uint32_t)c->proximity_hi[2] << 24);
		break;
	case ACPI_SRAT_TYPE_X2APIC_CPU_AFFINITY:
		if (x->flags & ACPI_SRAT_CPU_ENABLED)
			srat_cpu_node(x->x2apic_id, x->proximity);
		break;
	case ACPI_SRAT_TYPE_MEMORY_AFFINITY:
		srat_mem((const struct acpi_srat_mem_affinity *)s);
		break;
	}
}

/* ------------------------------------------------------------- walk */

static void table_add(const struct acpi_table_header *h)
{
	if (nr_tables == ACPI_MAX_TABLES)
		return;
	memcpy(tables[nr_tables].sig, h->signature, 4);
	tables[nr_tables++].h = h;
	if (!memcmp(h->signature, ACPI_SIG_FADT, 4))
		parse_fadt((const struct acpi_table_fadt *)h);
	else if (!memcmp(h->signature, ACPI_SIG_MADT, 4))
		parse_madt((const struct acpi_table_madt *)h);
	else if (!memcmp(h->signature, ACPI_SIG_SRAT, 4)) {
		acpi.has_srat = true;
		for_each_subtable(h, sizeof(struct acpi_table_srat),
				  srat_entry);
	}
}

/* Walk the XSDT (@entry_size 8) or RSDT (4). */
static void walk_root(const struct acpi_table_header *root, size_t entry_size)
{
	const uint8_t *p = (const uint8_t *)(root + 1);
	size_t i, n = (root->length - sizeof(*root)) / entry_size;
	const struct acpi_table_header *h;
	uint64_t pa;

	for (i = 0; i < n; i++, p += entry_size) {
		pa = 0;
		memcpy(&pa, p, entry_size);     /* entries are unaligned */
		h = table_map(pa);
		if (h)
			table_add(h);
	}
}

/* One log line (each costs hundreds of instructions at boot):
 * "ACPI: RSDP 0xe0000 rev 2 OEM MEMVSR: FACP APIC SRAT". */
static void log_tables(const struct acpi_table_rsdp *r)
{
	char sigs[5 * ACPI_MAX_TABLES + 1];
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < nr_tables; i++, len += 5) {
		sigs[len] = ' ';
		memcpy(sigs + len + 1, tables[i].sig, 4);
	}
	sigs[len] = '\0';
	pr_info("ACPI: RSDP 0x%lx rev %u OEM %s:%s\n",
		(unsigned long)acpi.rsdp_pa, r->revision, acpi.oem_id, sigs);
}

int acpi_init(void)
{
	phys_addr_t pa = boot_info.rsdp_pa;
	const struct acpi_table_rsdp *r = pa ? rsdp_at(pa) : NULL;
	const struct acpi_table_header *root;
	bool xsdt;

	if (!r) {
		pa = rsdp_scan();
		r = pa ? rsdp_at(pa) : NULL;
	}
	if (!r) {
		pr_err("ACPI: no RSDP found\n");
		return -ENODEV;
	}
	acpi.rsdp_pa = pa;
	acpi.nr_nodes = 1;
	memcpy(acpi.oem_id, r->oem_id, 6);
	bootmem_reserve(pa, sizeof(*r));
	xsdt = r->revision >= 2 && r->xsdt_address;
	root = table_map(xsdt ? r->xsdt_address : r->rsdt_address);
	if (!root) {
		pr_err("ACPI: bad %s\n", xsdt ? "XSDT" : "RSDT");
		return -ENODEV;
	}
	walk_root(root, xsdt ? 8 : 4);
	log_tables(r);
	return 0;
}

const void *acpi_find_table(const char *sig)
{
	unsigned int i;

	for (i = 0; i < nr_tables; i++)
		if (!memcmp(tables[i].sig, sig, 4))
			return tables[i].h;
	return NULL;
}

static bool mps_flag(uint16_t field, uint16_t yes, uint16_t no, bool dflt)
{
	if (field == yes)
		return true;
	if (field == no)
		return false;
	return dflt;                    /* "conforms to the bus" */
}

void acpi_isa_irq_route(unsigned int isa_irq, struct irq_route *r)
{
	bool sci = acpi.has_fadt && isa_irq == acpi.pm.sci_int;
	unsigned int i;

	*r = (struct irq_route){ .gsi = isa_irq, .level = sci, .active_low = sci };
	for (i = 0; i < acpi.nr_overrides; i++) {
		const struct acpi_override *o = &acpi.overrides[i];

		if (o->source != isa_irq)
			continue;
		r->gsi = o->gsi;
		r->active_low = mps_flag(o->flags & ACPI_MADT_POLARITY_MASK,
					 ACPI_MADT_POLARITY_ACTIVE_LOW,
					 ACPI_MADT_POLARITY_ACTIVE_HIGH,
					 r->active_low);
		r->level = mps_flag(o->flags & ACPI_MADT_TRIGGER_MASK,
				    ACPI_MADT_TRIGGER_LEVEL,
				    ACPI_MADT_TRIGGER_EDGE, r->level);
	}
}
