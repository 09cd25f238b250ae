/*
 * acpi/: builds the ACPI tables memvisor gives its guest.
 *
 * The tables are laid out contiguously for placement at a guest-physical
 * base (PLAT_ACPI_GPA), RSDP first: RSDP -> XSDT -> FADT (-> FACS, DSDT),
 * MADT, SRAT. The DSDT is real AML produced by the emitter in aml.c.
 *
 * acpi/ is a library the core and the devices call: the core fills an
 * acpi_config with the CPUs and boot RAM; each device adds its part
 * (SRAT ranges, proximity domains, DSDT AML through the emitter below)
 * from its device_ops.acpi hook; acpi_build() lays out the tables.
 */
#ifndef ACPI_ACPI_H
#define ACPI_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/error.h"
#include "vmm/types.h"

#define ACPI_MAX_MEM_RANGES 16
#define ACPI_MAX_CPUS       255   /* xAPIC ids 0..254; 255 is broadcast */
#define ACPI_MAX_DSDT_PARTS 16

/* A RAM range in the SRAT. */
struct acpi_mem_range {
	gpa_t base;
	uint64_t size;
	uint32_t node;        /* proximity domain */
	int hotpluggable;     /* SRAT "hot pluggable" flag */
};

struct aml;

/*
 * A device's part of the DSDT. The DSDT is emitted as: every part's top()
 * (top-level objects, e.g. \_S5 or a Device with an absolute path), then
 * Scope (\_SB) { every part's sb() }, then Scope (\_GPE) { _HID ACPI0006,
 * every part's gpe() (its _Exx methods) }, each in the order added.
 */
struct acpi_dsdt_part {
	void (*top)(struct aml *a, void *opaque);
	void (*sb)(struct aml *a, void *opaque);
	void (*gpe)(struct aml *a, void *opaque);
	void *opaque;
};

struct acpi_config {
	unsigned int ncpus;                              /* one LAPIC each, ids 0..n-1 */
	unsigned int nr_mem;
	struct acpi_mem_range mem[ACPI_MAX_MEM_RANGES];  /* for the SRAT */
	unsigned int nr_nodes;                           /* proximity domains, >= 1 */
	unsigned int nr_parts;
	struct acpi_dsdt_part parts[ACPI_MAX_DSDT_PARTS];
};

/* Add @part to @ac's DSDT; 0 or -E2BIG with @e filled. */
int acpi_config_add_dsdt(struct acpi_config *ac,
			 const struct acpi_dsdt_part *part, struct errmsg *e);
/* Add an SRAT memory range; 0 or -E2BIG with @e filled. */
int acpi_config_add_mem(struct acpi_config *ac,
			const struct acpi_mem_range *range, struct errmsg *e);
/* Move the part of the ranges inside [@base, @base + @size) to @node,
 * splitting ranges at its edges; 0 or -E2BIG with @e filled. */
int acpi_config_set_node(struct acpi_config *ac, gpa_t base, uint64_t size,
			 uint32_t node, struct errmsg *e);

struct acpi_blob;

/* Build every table for placement at guest-physical @base. NULL on failure:
 * out of memory, or a bad config (ncpus not in 1..ACPI_MAX_CPUS, nr_mem not
 * in 1..ACPI_MAX_MEM_RANGES, an empty range or one in a node >= nr_nodes,
 * AML a part emitted wrongly, @base not 16-byte aligned or the
 * PLAT_ACPI_SIZE window at @base not below 4 GiB). */
struct acpi_blob *acpi_build(const struct acpi_config *cfg, gpa_t base);
void acpi_blob_free(struct acpi_blob *blob);

const void *acpi_blob_data(const struct acpi_blob *blob);
size_t acpi_blob_size(const struct acpi_blob *blob);
gpa_t acpi_blob_rsdp(const struct acpi_blob *blob);

/* Write each table to @dir as its own binary file (xsdt.dat,
 * facp.dat, facs.dat, dsdt.dat, apic.dat, srat.dat), creating @dir if
 * needed. 0 or -errno. */
int acpi_dump(const struct acpi_blob *blob, const char *dir);

/* ------------------------------------------------------------ AML
 *
 * The AML emitter: builds ACPI Machine Language bytecode into a buffer;
 * devices call it for their part of the DSDT (struct acpi_dsdt_part).
 *
 * AML is prefix notation, so the emitter is a stream: an operator is emitted
 * first and its operands are simply the next things emitted. ASL
 *
 *	Store (Local0, MSEL)
 *
 * becomes
 *
 *	aml_op(a, AML_STORE); aml_local(a, 0); aml_name(a, "MSEL");
 *
 * Constructs that carry a PkgLength (Scope, Device, Method, If, Else, While,
 * Package, Buffer, Field, ResourceTemplate) are opened with an aml_*_open()
 * call and finished with aml_close(); the length is computed and inserted,
 * in its smallest 1..4 byte form, when the construct is closed. Opens nest up
 * to AML_MAX_DEPTH.
 *
 * Errors are sticky: the first failure (-ENOMEM, -EINVAL for a malformed name
 * or a misplaced call, -E2BIG for an oversized package) is recorded in
 * a->err, every later call is a no-op, and aml_finish() reports it. Builders
 * therefore emit a whole table and check once at the end.
 */

/*
 * Opcodes for aml_op(). Two-byte (ExtOpPrefix 0x5b) opcodes are 0x5bxx.
 * Operands follow in ASL order; a Target operand that is not wanted is
 * aml_null_target().
 */
enum aml_opcode {
	AML_STORE       = 0x70, /* Store(TermArg, SuperName) */
	AML_ADD         = 0x72, /* Add(a, b, Target) */
	AML_CONCAT      = 0x73, /* Concatenate(a, b, Target) */
	AML_SUBTRACT    = 0x74, /* Subtract(a, b, Target) */
	AML_INCREMENT   = 0x75, /* Increment(SuperName) */
	AML_DECREMENT   = 0x76, /* Decrement(SuperName) */
	AML_MULTIPLY    = 0x77, /* Multiply(a, b, Target) */
	AML_SHIFT_LEFT  = 0x79, /* ShiftLeft(a, count, Target) */
	AML_SHIFT_RIGHT = 0x7a, /* ShiftRight(a, count, Target) */
	AML_AND         = 0x7b, /* And(a, b, Target) */
	AML_OR          = 0x7d, /* Or(a, b, Target) */
	AML_XOR         = 0x7f, /* XOr(a, b, Target) */
	AML_NOT         = 0x80, /* Not(a, Target) */
	AML_DEREF_OF    = 0x83, /* DerefOf(ref) */
	AML_NOTIFY      = 0x86, /* Notify(SuperName, value) */
	AML_SIZE_OF     = 0x87, /* SizeOf(SuperName) */
	AML_INDEX       = 0x88, /* Index(src, index, Target) */
	AML_CREATE_DWORD_FIELD = 0x8a, /* (buffer, byte index, NameString) */
	AML_CREATE_WORD_FIELD  = 0x8b,
	AML_CREATE_BYTE_FIELD  = 0x8c,
	AML_CREATE_QWORD_FIELD = 0x8f,
	AML_LAND        = 0x90, /* LAnd(a, b) */
	AML_LOR         = 0x91, /* LOr(a, b) */
	AML_LNOT        = 0x92, /* LNot(a) */
	AML_LEQUAL      = 0x93, /* LEqual(a, b) */
	AML_LGREATER    = 0x94, /* LGreater(a, b) */
	AML_LLESS       = 0x95, /* LLess(a, b) */
	AML_TO_INTEGER  = 0x99, /* ToInteger(a, Target) */
	AML_NOOP        = 0xa3,
	AML_RETURN      = 0xa4, /* Return(value) */
	AML_BREAK       = 0xa5,
	AML_SLEEP       = 0x5b22, /* Sleep(ms) */
	AML_DEBUG       = 0x5b31, /* the Debug object */
};

/* OperationRegion spaces. */
enum aml_region_space {
	AML_SPACE_SYSTEM_MEMORY = 0,
	AML_SPACE_SYSTEM_IO     = 1,
	AML_SPACE_PCI_CONFIG    = 2,
};

/* Field flags: access type (bits 0-3), lock (bit 4), update rule (5-6). */
enum aml_field_access {
	AML_ANY_ACC = 0, AML_BYTE_ACC = 1, AML_WORD_ACC = 2,
	AML_DWORD_ACC = 3, AML_QWORD_ACC = 4, AML_BUFFER_ACC = 5,
};
enum aml_field_update {
	AML_PRESERVE = 0, AML_WRITE_AS_ONES = 1, AML_WRITE_AS_ZEROS = 2,
};

/* Address space descriptor memory attributes (_MEM). */
enum aml_mem_cache {
	AML_NON_CACHEABLE = 0, AML_CACHEABLE = 1,
	AML_WRITE_COMBINING = 2, AML_PREFETCHABLE = 3,
};

/* A QWordMemory / DWordMemory descriptor, as in the ASL macros. */
struct aml_res_mem {
	bool producer;          /* ResourceProducer (else ResourceConsumer) */
	bool min_fixed;         /* MinFixed */
	bool max_fixed;         /* MaxFixed */
	enum aml_mem_cache cache;
	bool read_write;        /* ReadWrite (else ReadOnly) */
	uint64_t granularity, min, max, translation, length;
};

/* Interrupt() flags. */
struct aml_res_irq {
	bool producer;          /* ResourceProducer (else ResourceConsumer) */
	bool edge;              /* Edge (else Level) */
	bool active_low;        /* ActiveLow (else ActiveHigh) */
	bool shared;            /* Shared (else Exclusive) */
};

/* ---- buffer management (aml.c) ---- */
void aml_init(struct aml *a);
void aml_release(struct aml *a);
/* 0 and the bytecode in a->buf/a->len, or the sticky error (also if a
 * construct is still open). */
int aml_finish(struct aml *a);
void aml_bytes(struct aml *a, const void *data, size_t len);
void aml_byte(struct aml *a, uint8_t b);
void aml_close(struct aml *a);

/* Encode a PkgLength whose value (which counts the PkgLength bytes
 * themselves) is @len. Returns the byte count 1..4, or 0 if too large. */
unsigned int aml_pkglen_encode(uint8_t out[4], uint32_t len);
/* Encode "PNP0C80"-style EISA ids to their 32-bit form; 0 if malformed. */
uint32_t aml_eisaid_value(const char *id);

/* ---- data and names (aml.c) ---- */
void aml_int(struct aml *a, uint64_t v);        /* smallest encoding */
void aml_string(struct aml *a, const char *s);
void aml_name(struct aml *a, const char *path); /* "\\_SB.PCI0", "^FOO" */
void aml_eisaid(struct aml *a, const char *id);
void aml_local(struct aml *a, unsigned int n);  /* Local0..Local7 */
void aml_arg(struct aml *a, unsigned int n);    /* Arg0..Arg6 */
void aml_null_target(struct aml *a);
void aml_buffer(struct aml *a, const void *data, size_t len);
void aml_op(struct aml *a, enum aml_opcode op);

/* ---- named objects and blocks (aml_obj.c) ---- */
void aml_scope_open(struct aml *a, const char *path);
void aml_device_open(struct aml *a, const char *path);
void aml_method_open(struct aml *a, const char *path, unsigned int nargs,
		     bool serialized);
void aml_if_open(struct aml *a);      /* then: predicate, body, close */
void aml_else_open(struct aml *a);    /* right after an If's close */
void aml_while_open(struct aml *a);   /* then: predicate, body, close */
void aml_package_open(struct aml *a, unsigned int nelems);
void aml_name_decl(struct aml *a, const char *name); /* then: the value */
void aml_name_int(struct aml *a, const char *name, uint64_t v);
void aml_name_string(struct aml *a, const char *name, const char *s);
void aml_name_eisaid(struct aml *a, const char *name, const char *id);
void aml_method_return_int(struct aml *a, const char *name, uint64_t v);
void aml_opregion(struct aml *a, const char *name, enum aml_region_space sp,
		  uint64_t offset, uint64_t len);
void aml_field_open(struct aml *a, const char *region,
		    enum aml_field_access acc, bool lock,
		    enum aml_field_update upd);
void aml_field_unit(struct aml *a, const char *name, unsigned int bits);
void aml_field_offset(struct aml *a, unsigned int byte_offset);
void aml_mutex(struct aml *a, const char *name, unsigned int sync_level);
void aml_acquire(struct aml *a, const char *mutex, uint16_t timeout);
void aml_release_mutex(struct aml *a, const char *mutex);
void aml_create_field(struct aml *a, unsigned int bits, const char *buffer,
		      unsigned int byte_index, const char *name);

/* ---- resource templates (aml_res.c) ---- */
void aml_restemplate_open(struct aml *a); /* close appends EndTag */
/* For a template the AML patches at run time (CreateXField): its EndTag
 * checksum is 0, which means "valid", as a computed one would go stale. */
void aml_restemplate_open_patched(struct aml *a);
void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align,
		uint8_t len);
void aml_res_irq_noflags(struct aml *a, unsigned int irq);
void aml_res_interrupt(struct aml *a, const struct aml_res_irq *f,
		       uint32_t gsi);
/* WordBusNumber / WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode,
 * EntireRange for I/O), as a PCI host bridge's _CRS has them. */
void aml_res_word_bus(struct aml *a, uint16_t min, uint16_t max);
void aml_res_word_io(struct aml *a, uint16_t min, uint16_t max);
void aml_res_dword_memory(struct aml *a, const struct aml_res_mem *m);
void aml_res_qword_memory(struct aml *a, const struct aml_res_mem *m);

#endif
