# memvisor: one entry point.
#   make          build build/memvisor (host) and build/guest.elf (guest kernel)
#   make run      install what is missing, build, boot the default guest
#   make test     install what is missing, build, run every test
#   make bench    run the benchmarks
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
           $(shell pkg-config --cflags jansson 2>/dev/null) $(EXTRA_CFLAGS)
HOST_LIBS   := -lpthread $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson) \
           -lxxhash -lm
CHECK_LIBS  := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

HOST_MODULES := vmm acpi hotplug balloon ksm
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

# ---------------------------------------------------------------- targets
.PHONY: all deps run test unit integration bench soak clean
all: $(BUILD)/memvisor $(BUILD)/guest.elf

deps:
	$(Q)scripts/install-deps.sh

$(BUILD)/memvisor: $(HOST_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) -o $@ $^ $(HOST_LIBS)

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

integration: all
	$(Q)python3 tests/integration/run.py $(T)

test: deps
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/unit-tests
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory integration

# Boot (memvisor vs QEMU kvm/tcg), guest/mm's instruction counts under
# callgrind, then DIMM hot-add/remove (memvisor vs QEMU; ~10 minutes).
bench: deps all
	$(Q)$(BUILD)/memvisor bench boot
	$(Q)tests/bench/mm_bench.sh
	$(Q)$(BUILD)/memvisor bench hotplug

# Randomized DIMM hotplug soak (tests/integration/soak.py): a seeded
# sequence of adds, removes, hogs, sysfs on/offlines and bad requests with
# the invariants checked after each; the seed is printed, SEED= replays.
SOAK_OPS     ?= $(if $(OPS),$(OPS),200)
SOAK_BACKEND ?= $(if $(BACKEND),$(BACKEND),both)
soak: all
	$(Q)python3 tests/integration/soak.py --ops $(SOAK_OPS) \
	  --backend $(SOAK_BACKEND) $(if $(SEED),--seed $(SEED))

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
