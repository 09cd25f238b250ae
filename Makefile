# memvisor: one entry point.
#   make          build build/memvisor (host) and build/guest.elf (guest kernel)
#   make run      install what is missing, build, boot the default guest
#   make test     install what is missing, build, check the layering, run
#                 every test
#   make bench    run the benchmarks
#   make fuzz     run every libFuzzer harness for FUZZ_SECONDS each
# V=1 shows the full command lines.

BUILD   := build
Q       := $(if $(V),,@)
say      = $(if $(V),,@printf '  %-7s %s\n' $(1) $(2);)

# ---------------------------------------------------------------- host side
CC      ?= cc
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wundef -Wvla \
           -Wformat=2 -Wno-unused-parameter
HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -MD -MP -D_GNU_SOURCE \
           $(shell pkg-config --cflags jansson 2>/dev/null) \
           $(shell pkg-config --cflags libxml-2.0 2>/dev/null) $(EXTRA_CFLAGS)
HOST_LIBS   := -lpthread $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson) \
           $(shell pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2) \
           $(shell pkg-config --libs libvirt 2>/dev/null || echo -lvirt) \
           -lxxhash -lm
CHECK_LIBS  := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

HOST_MODULES := vmm acpi virtio pc hotplug balloon blk ksm tools/ctl tools/qmp tools/bench tools/ksmd
HOST_SRCS := $(foreach m,$(HOST_MODULES),$(wildcard $(m)/*.c))
HOST_OBJS := $(HOST_SRCS:%.c=$(BUILD)/host/%.o)
LIB_OBJS  := $(filter-out $(BUILD)/host/vmm/main.o,$(HOST_OBJS))

# guest/mm also compiles for the host, against tests/unit/mm_stub (a stub
# arch layer), so its algorithms are unit-tested and measured natively.
MM_SRCS      := $(wildcard guest/mm/*.c)
MM_HOST_OBJS := $(MM_SRCS:%.c=$(BUILD)/host/%.o) \
                $(patsubst %.c,$(BUILD)/host/%.o,$(wildcard tests/unit/mm_stub/*.c))

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/host/%.o)

# ---------------------------------------------------------------- guest side
GUEST_CC     := $(CC)
GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Wno-missing-prototypes \
           -ffreestanding -fno-builtin -nostdlib -fno-stack-protector \
           -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
           -mcmodel=kernel -fno-asynchronous-unwind-tables -fcf-protection=none \
           -fno-omit-frame-pointer -DGUEST -I. -Iguest -MD -MP
GUEST_ASFLAGS := $(filter-out -std=gnu11,$(GUEST_CFLAGS)) -D__ASSEMBLY__
GUEST_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 \
           -z noexecstack -T guest/kernel.ld
GUEST_SRCS := $(shell find guest -name '*.c' -o -name '*.S' 2>/dev/null | sort)
GUEST_OBJS := $(patsubst %,$(BUILD)/guest/%.o,$(basename $(GUEST_SRCS)))

# libvirt domain definitions (configs/*.xml): libvirt wants an absolute
# kernel path, so the committed files say @KERNEL@ and make writes
# build/configs/*.xml with this tree's build/guest.elf.
CONFIGS := $(patsubst configs/%.xml,$(BUILD)/configs/%.xml,$(wildcard configs/*.xml))

# ---------------------------------------------------------------- targets
.PHONY: all deps run test unit integration bench soak clean check-layering
all: $(BUILD)/memvisor $(BUILD)/guest.elf $(CONFIGS)

deps:
	$(Q)scripts/install-deps.sh

$(BUILD)/memvisor: $(HOST_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) -o $@ $^ $(HOST_LIBS)

$(BUILD)/configs/%.xml: configs/%.xml
	$(call say,GEN,$@)
	$(Q)mkdir -p $(@D) && sed 's|@KERNEL@|$(abspath $(BUILD))/guest.elf|' $< > $@.tmp && mv $@.tmp $@

$(BUILD)/host/%.o: %.c
	$(call say,CC,$<)
	$(Q)mkdir -p $(@D) && $(CC) $(HOST_CFLAGS) -c -o $@ $<

$(BUILD)/host/guest/mm/%.o: guest/mm/%.c
	$(call say,CC-MM,$<)
	$(Q)mkdir -p $(@D) && $(CC) $(HOST_CFLAGS) -DMM_HOST -Itests/unit/mm_stub -c -o $@ $<

# Test files define their suite functions without a separate prototype.
$(BUILD)/host/tests/unit/%.o: tests/unit/%.c
	$(call say,CC,$<)
	$(Q)mkdir -p $(@D) && $(CC) $(HOST_CFLAGS) -Wno-missing-prototypes -DMM_HOST -Itests/unit/mm_stub -c -o $@ $<

# Every tests/unit/*.c defines one `Suite *NAME_suite(void)`; the list of
# suites is generated so adding a suite never means editing a shared file.
$(BUILD)/unit-suites.h: $(UNIT_SRCS)
	$(Q)mkdir -p $(@D)
	$(Q)grep -ho '^Suite \*[a-z0-9_]*_suite(void)' $(UNIT_SRCS) | \
	  sed 's/^Suite \*\(.*\)(void)/SUITE(\1)/' > $@.tmp && mv $@.tmp $@

$(BUILD)/host/tests/unit/main.o: $(BUILD)/unit-suites.h

$(BUILD)/unit-tests: $(LIB_OBJS) $(MM_HOST_OBJS) $(UNIT_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) -o $@ $^ $(CHECK_LIBS) $(HOST_LIBS)

$(BUILD)/guest/%.o: %.c
	$(call say,CC-G,$<)
	$(Q)mkdir -p $(@D) && $(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/guest/%.o: %.S
	$(call say,AS-G,$<)
	$(Q)mkdir -p $(@D) && $(GUEST_CC) $(GUEST_ASFLAGS) -c -o $@ $<

$(BUILD)/guest.elf: $(GUEST_OBJS) guest/kernel.ld
	$(call say,LD-G,$@)
	$(Q)ld $(GUEST_LDFLAGS) -o $@ $(GUEST_OBJS)

run: deps all
	$(Q)$(BUILD)/memvisor run $(RUN_ARGS)

unit: $(BUILD)/unit-tests
	$(Q)$(BUILD)/unit-tests

# pytest from Debian's packages, which install for /usr/bin/python3 only;
# T=EXPR selects tests as -k EXPR does. -B and pytest.ini keep the tree clean.
PYTEST := /usr/bin/python3 -B -m pytest
integration: all
	$(Q)$(PYTEST) tests/integration $(if $(T),-k '$(T)')

# The include graph keeps the layering (scripts/check-layering says which).
check-layering:
	$(Q)scripts/check-layering

test: deps
	$(Q)scripts/check-layering
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/unit-tests
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory fuzz-short
	$(Q)$(MAKE) --no-print-directory integration

# Boot (memvisor vs QEMU kvm/tcg), guest/mm's instruction counts under
# callgrind, DIMM hot-add/remove (memvisor vs QEMU; ~10 minutes), balloon,
# swap out/in (memvisor vs QEMU; a few minutes), then KSM
# density (memvisor ksmd vs Linux KSM vs none; changes and restores the
# host's /sys/kernel/mm/ksm; ~7 minutes for its 8 guests).
bench: deps all
	$(Q)$(BUILD)/memvisor bench boot
	$(Q)tests/bench/mm_bench.sh
	$(Q)$(BUILD)/memvisor bench hotplug
	$(Q)$(BUILD)/memvisor bench balloon
	$(Q)$(BUILD)/memvisor bench reclaim
	$(Q)$(BUILD)/memvisor bench density

# ---------------------------------------------------------------- fuzzing
# libFuzzer harnesses (tests/fuzz/fuzz_NAME.c) for every parser of untrusted
# input, built with clang into build/fuzz/. `make fuzz` runs each for
# FUZZ_SECONDS, `make fuzz-short` (part of `make test`) for
# FUZZ_SHORT_SECONDS. Seeds: tests/fuzz/corpus/NAME/ (committed); what the
# fuzzer finds goes to build/fuzz/corpus/NAME/, crashes to build/fuzz/crashes/.
FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_SHORT_SECONDS ?= 4
FUZZ_SAN      := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS   := -std=gnu11 -O1 -g $(WARN) -I. -MD -MP -D_GNU_SOURCE \
           $(shell pkg-config --cflags jansson 2>/dev/null) \
           $(shell pkg-config --cflags libxml-2.0 2>/dev/null)
FUZZ_NAMES    := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS     := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_LIB_OBJS := $(LIB_OBJS:$(BUILD)/host/%.o=$(BUILD)/fuzz/obj/%.o)

.PHONY: fuzz fuzz-short fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	$(Q)for n in $(FUZZ_NAMES); do \
	  tests/fuzz/run.sh $(BUILD)/fuzz $$n $(FUZZ_SECONDS) || exit 1; done

fuzz-short: fuzz-build
	$(Q)for n in $(FUZZ_NAMES); do \
	  tests/fuzz/run.sh $(BUILD)/fuzz $$n $(FUZZ_SHORT_SECONDS) || exit 1; done

# Product code and harnesses, instrumented (the fuzzer's main is linked last).
$(BUILD)/fuzz/obj/%.o: %.c
	$(call say,CC-FZ,$<)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_EXTRA) \
	  -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

$(BUILD)/fuzz/libmemvisor.a: $(FUZZ_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# Keep the harness objects (make would delete them as intermediates).
.SECONDARY: $(FUZZ_NAMES:%=$(BUILD)/fuzz/obj/tests/fuzz/fuzz_%.o)

# The guest's ACPI reader is #included by its harness and built against the
# host shims in tests/fuzz/acpi_shim (before guest/ on the include path).
$(BUILD)/fuzz/obj/tests/fuzz/fuzz_acpi.o: FUZZ_EXTRA := -Itests/fuzz/acpi_shim -Iguest
# Its unit test (tests/unit/test_guest_acpi.c) uses the same shims.
$(BUILD)/host/tests/unit/test_guest_acpi.o: HOST_CFLAGS += -Itests/fuzz/acpi_shim -Iguest

$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/obj/tests/fuzz/fuzz_%.o $(BUILD)/fuzz/libmemvisor.a
	$(call say,LD-FZ,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -o $@ $(filter %.o %.a,$^) $(HOST_LIBS)

# Randomized DIMM hotplug soak (tests/integration/soak.py): a seeded
# sequence of adds, removes, hogs, sysfs on/offlines and bad requests with
# the invariants checked after each; the seed is printed, SEED= replays.
SOAK_OPS     ?= $(if $(OPS),$(OPS),1000)
SOAK_BACKEND ?= $(if $(BACKEND),$(BACKEND),both)
soak: all
	$(Q)/usr/bin/python3 -B tests/integration/soak.py --ops $(SOAK_OPS) \
	  --backend $(SOAK_BACKEND) $(if $(SEED),--seed $(SEED))

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
