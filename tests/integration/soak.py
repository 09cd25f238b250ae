#!/usr/bin/env python3
"""Randomized DIMM hotplug soak, on memvisor and on QEMU with the same
guest.elf:

    make soak [SEED=N] [OPS=N] [BACKEND=memvisor|qemu|both]
    python3 tests/integration/soak.py --seed N --ops N --backend B

What it does. One VM per backend: 512M of boot RAM, maxmem 64G, 2 NUMA
nodes (QEMU: node 1 memory-less, as in test_hotplug.py), 32 DIMM slots.
Then OPS operations drawn from a seeded random.Random:

    add     a DIMM of a random size 128M-16G (log-uniform; half of them
            powers of two, which end on 4 GiB boundaries often, the others
            any multiple of 128M) on a random node; memvisor refuses it
            only if the node's window of the hotplug region has no free
            range that large, the soak checks that prediction (first fit,
            hotplug/region.c)
    remove  a random DIMM (`dimm del --wait`): its hogs' pages migrate
    hog     a hog of 1-16 MiB with a random pattern and seed (all hogs
            together at most 64 MiB: removing a DIMM costs ~0.2 s per MiB
            of hog on it under memvisor, see DESIGN.md)
    kill    a random hog
    verify  every hog re-checks its checksums
    sysfs   offline or online (online_movable) a random block of a DIMM
            through /sys/devices/system/memory/memoryN/state
    bad     a bad request: unaligned size, unknown id, over maxmem,
            duplicate id; it must fail with one line and change nothing

After every operation the invariants are checked:
  - the VMM runs, the guest has not panicked (no "Kernel panic", "Oops");
  - `verify` is ok and counts exactly the pages of the model's hogs (their
    bytes are summed into "bytes verified"); `ps` lists exactly those hogs;
  - MemTotal = boot MemTotal + each DIMM's size less its memmap (2 MiB per
    128 MiB block, placed on the block) - each block offlined through sysfs;
  - `memvisor ctl dimm list` = the model (ids, sizes, nodes, the guest's
    _OST answer "acknowledged");
  - /sys/devices/system/memory lists exactly the boot blocks and every
    DIMM's blocks; the blocks offlined through sysfs read "offline", a
    random online block "online" with its DIMM's node;
  - memvisor: one memfd per DIMM in /proc/PID/fd, and on removal RssShmem
    and VmRSS do not grow (had the DIMM's memory not been freed, they would
    grow by what migration copied into boot RAM).

Replay: every choice comes from the seed and the model, so the same SEED
and OPS replay the same sequence on the same backend (the two backends
part ways at the first add one of them refuses: QEMU places DIMMs its own
way). --kernel runs another guest.elf (e.g. an older build, to show a
fix). On a failure the
console log (and the VMM's stderr) is kept as build/soak-SEED-BACKEND.log
and the summary names it and the seed.

Summary: operations by kind, failures, bytes verified, seed, wall time.
Exit status 1 if any backend failed.

Uses only harness.py's public API (Guest, MEMVISOR, ROOT).
"""

import argparse
import collections
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import MEMVISOR, ROOT, Guest, GuestError, Skip  # noqa: E402

MIB = 1 << 20
GIB = 1 << 30
BLOCK = 128 * MIB
MEMMAP_KB = 2048                # per block, on the block itself
BLOCK_KB = BLOCK // 1024
SYSMEM = "/sys/devices/system/memory"

BOOT_RAM = 512 * MIB
MAXMEM = 64 * GIB
NODES = 2
SLOTS = 32
REGION_BASE = 4 * GIB           # hotplug/region.c: above the PCI hole
REGION_SIZE = MAXMEM - BOOT_RAM
DIMM_MAX = 16 * GIB
HOG_MAX = 16 * MIB
HOG_TOTAL_MAX = 64 * MIB
PATTERNS = ("zero", "same", "seq", "random")
CTL_TIMEOUT = 600               # a safety net, not a measure
CMD_TIMEOUT = 300
RSS_SLACK_KB = 4 * 1024

# Relative frequency of each operation.
WEIGHTS = collections.OrderedDict([
    ("add", 20), ("remove", 16), ("hog", 12), ("kill", 8), ("verify", 6),
    ("sysfs", 14), ("bad", 10),
])

PANIC_RX = re.compile(r"Kernel panic|^Oops: |^BUG", re.M)
BUILD = ROOT / "build"


class SoakFailure(Exception):
    """An invariant does not hold, or an operation did not do what the
    model says it must."""


def soak_log_path(seed, backend):
    return BUILD / ("soak-%d-%s.log" % (seed, backend))


def fmt_size(n):
    return "%dG" % (n // GIB) if n % GIB == 0 else "%dM" % (n // MIB)


class Dimm:
    def __init__(self, size, node):
        self.size = size
        self.node = node
        self.base = None            # from `dimm list`
        self.offline = set()        # blocks offlined through sysfs

    def blocks(self):
        first = self.base // BLOCK
        return range(first, first + self.size // BLOCK)

    def memtotal_kb(self):
        n = self.size // BLOCK
        return n * (BLOCK_KB - MEMMAP_KB) - len(self.offline) * (
            BLOCK_KB - MEMMAP_KB)


class Soak:
    """One seeded soak on one backend; run() returns self with the
    counters filled."""

    def __init__(self, backend, seed, ops, quiet=False, kernel=None):
        self.backend = backend
        self.kernel = kernel            # None: build/guest.elf
        self.seed = seed
        self.nops = ops
        self.rng = random.Random("%d" % seed)          # the operations
        self.check_rng = random.Random("check-%d" % seed)  # samples
        self.scanned = 0                # console checked for panics up to
        self.quiet = quiet
        self.dimms = collections.OrderedDict()     # id -> Dimm
        self.hogs = {}                  # pid -> bytes
        self.next_dimm = 0
        self.counts = collections.Counter()
        self.failures = []
        self.bytes_verified = 0
        self.log_path = None
        self.wall = 0.0
        self.g = None
        self.op_index = 0
        self.history = []               # one line per operation

    # ------------------------------------------------------------ the VM
    def guest(self):
        if self.backend == "memvisor":
            extra = ["--slots", str(SLOTS), "--maxmem", fmt_size(MAXMEM),
                     "--numa", str(NODES)]
            return Guest("memvisor", memory=fmt_size(BOOT_RAM), qmp=True,
                         extra_args=extra, kernel=self.kernel)
        extra = ["-object", "memory-backend-ram,id=ram0,size=%s"
                 % fmt_size(BOOT_RAM),
                 "-numa", "node,nodeid=0,memdev=ram0",
                 "-numa", "node,nodeid=1"]
        return Guest("qemu", memory="%s,slots=%d,maxmem=%s" % (
            fmt_size(BOOT_RAM), SLOTS, fmt_size(MAXMEM)), qmp=True,
            extra_args=extra, kernel=self.kernel)

    def cmd(self, line, timeout=CMD_TIMEOUT):
        return self.g.cmd(line, timeout=timeout)

    def ctl(self, *args):
        cmd = [str(MEMVISOR), "ctl", "--qmp", self.g.qmp_path,
               "--timeout", str(CTL_TIMEOUT)] + list(args)
        return subprocess.run(cmd, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True,
                              timeout=CTL_TIMEOUT + 60)

    def ctl_ok(self, *args):
        r = self.ctl(*args)
        if r.returncode != 0:
            raise SoakFailure("ctl %s: exit %d: %s" % (
                " ".join(args), r.returncode, r.stderr.strip()))
        return r.stdout

    def ctl_fails(self, *args):
        """ctl must fail with one line on stderr; that line."""
        r = self.ctl(*args)
        lines = r.stderr.strip().splitlines()
        if r.returncode == 0:
            raise SoakFailure("ctl %s succeeded: %s" % (" ".join(args),
                                                        r.stdout.strip()))
        if len(lines) != 1:
            raise SoakFailure("ctl %s: want one line on stderr, got %r"
                              % (" ".join(args), r.stderr))
        return lines[0]

    # ------------------------------------------------------------ reading
    def dimm_list(self):
        """{id: (slot, base, size, node, state)} from `dimm list`."""
        res = {}
        for line in self.ctl_ok("dimm", "list").splitlines()[1:]:
            f = line.split()
            res[f[0]] = (int(f[1]), int(f[2], 16), f[3], int(f[4]), f[5])
        return res

    def memtotal_kb(self):
        m = re.search(r"^MemTotal:\s+(\d+) kB", self.cmd("cat /proc/meminfo"),
                      re.M)
        if not m:
            raise SoakFailure("no MemTotal in /proc/meminfo")
        return int(m.group(1))

    def sysfs_blocks(self):
        return {int(n) for n in re.findall(r"^memory(\d+)$",
                                           self.cmd("ls " + SYSMEM), re.M)}

    def pid(self):
        return self.g.proc.pid

    def proc_status(self):
        """(VmRSS kB, RssShmem kB) of the VMM process."""
        with open("/proc/%d/status" % self.pid()) as f:
            text = f.read()
        return tuple(int(re.search(r"%s:\s+(\d+)" % k, text).group(1))
                     for k in ("VmRSS", "RssShmem"))

    def memfd_count(self):
        fd_dir = "/proc/%d/fd" % self.pid()
        n = 0
        for fd in os.listdir(fd_dir):
            try:
                n += os.readlink(os.path.join(fd_dir, fd)).startswith(
                    "/memfd:")
            except OSError:
                pass
        return n

    # ------------------------------------------------------------ invariants
    def check_alive(self):
        exited = self.g.proc.poll() is not None
        out = self.g.output
        m = PANIC_RX.search(out, max(0, self.scanned - 200))
        self.scanned = len(out)
        if m:
            raise SoakFailure("guest: %s" % " | ".join(
                out[m.start():].splitlines()[:2]))
        if exited:
            raise SoakFailure("the VMM exited with status %s"
                              % self.g.proc.returncode)

    def check_verify(self):
        out = self.cmd("verify")
        if not self.hogs:
            if "no tasks to verify" not in out:
                raise SoakFailure("verify with no hogs: %r" % out)
            return
        m = re.search(r"^verify: ok (\d+) pages in (\d+) tasks", out, re.M)
        if not m or "mismatch" in out or "FAILED" in out:
            raise SoakFailure("verify: %s" % out.strip())
        pages = sum(self.hogs.values()) // 4096
        if int(m.group(1)) != pages or int(m.group(2)) != len(self.hogs):
            raise SoakFailure("verify counted %s pages in %s tasks, the hogs "
                              "have %d in %d" % (m.group(1), m.group(2),
                                                 pages, len(self.hogs)))
        self.bytes_verified += int(m.group(1)) * 4096

    def check_ps(self):
        pids = {int(p) for p in re.findall(r"^\s*(\d+)\s+h\d+\s",
                                           self.cmd("ps"), re.M)}
        if pids != set(self.hogs):
            raise SoakFailure("ps lists hogs %s, the model %s"
                              % (sorted(pids), sorted(self.hogs)))

    def check_dimms(self):
        listed = self.dimm_list()
        if set(listed) != set(self.dimms):
            raise SoakFailure("dimm list has %s, the model %s"
                              % (sorted(listed), sorted(self.dimms)))
        for name, (_slot, base, size, node, state) in listed.items():
            d = self.dimms[name]
            if state != "acknowledged" or node != d.node or size != fmt_size(
                    d.size):
                raise SoakFailure("dimm %s: listed %s %s node %d, the model "
                                  "%s node %d acknowledged" % (
                                      name, size, state, node,
                                      fmt_size(d.size), d.node))
            if d.base is not None and d.base != base:
                raise SoakFailure("dimm %s moved from %#x to %#x"
                                  % (name, d.base, base))
            d.base = base

    def check_memtotal(self):
        want = self.total0 + sum(d.memtotal_kb()
                                 for d in self.dimms.values())
        got = self.memtotal_kb()
        if got != want:
            raise SoakFailure("MemTotal %d kB, want %d kB (boot %d + DIMMs)"
                              % (got, want, self.total0))

    def check_sysfs(self):
        want = set(self.boot_blocks)
        for d in self.dimms.values():
            want.update(d.blocks())
        got = self.sysfs_blocks()
        if got != want:
            raise SoakFailure("sysfs blocks: extra %s, missing %s" % (
                sorted(got - want)[:8], sorted(want - got)[:8]))
        for name, d in self.dimms.items():
            for b in d.offline:
                st = self.cmd("cat %s/memory%d/state" % (SYSMEM, b)).strip()
                if st != "offline":
                    raise SoakFailure("memory%d (dimm %s) is %r, the model "
                                      "offline" % (b, name, st))
        if self.dimms:
            d = self.dimms[self.check_rng.choice(list(self.dimms))]
            online = [b for b in d.blocks() if b not in d.offline]
            if online:
                b = self.check_rng.choice(online)
                st = self.cmd("cat %s/memory%d/state" % (SYSMEM, b)).strip()
                node = self.cmd("cat %s/memory%d/node" % (SYSMEM, b)).strip()
                if st != "online" or node != str(d.node):
                    raise SoakFailure("memory%d: %s node %s, the model online "
                                      "node %d" % (b, st, node, d.node))

    def check_host(self):
        if self.backend != "memvisor":
            return
        n = self.memfd_count()
        if n != self.fds0 + len(self.dimms):
            raise SoakFailure("%d memfds in the VMM, want %d (boot) + %d "
                              "DIMMs" % (n, self.fds0, len(self.dimms)))

    def check(self):
        self.check_alive()
        self.check_dimms()
        self.check_verify()
        self.check_ps()
        self.check_memtotal()
        self.check_sysfs()
        self.check_host()
        self.check_alive()

    # ------------------------------------------------------------ placement
    def window(self, node):
        size = REGION_SIZE // NODES // BLOCK * BLOCK
        base = REGION_BASE + node * size
        if node == NODES - 1:
            size = REGION_SIZE - node * size
        return base, size

    def fits(self, size, node):
        """Would memvisor's first fit find room for @size on @node?"""
        if sum(d.size for d in self.dimms.values()) + size > REGION_SIZE:
            return False
        base, wsize = self.window(node)
        used = sorted((d.base, d.base + d.size) for d in self.dimms.values())
        cand = base
        for lo, hi in used:
            if cand + size <= lo:
                break
            if hi > cand:
                cand = hi
        return cand + size <= base + wsize

    # ------------------------------------------------------------ operations
    def random_dimm_size(self):
        """128M << k (k uniform), or half the time any multiple of 128M
        below 128M << k+1: powers of two make DIMMs end on 4 GiB
        boundaries (mem_section roots) often, the others anywhere."""
        k = self.rng.randrange(8)
        if self.rng.random() < 0.5:
            return BLOCK << k
        hi = min((2 << k) - 1, DIMM_MAX // BLOCK)
        return self.rng.randint(1 << k, hi) * BLOCK

    def op_add(self):
        size, node = self.random_dimm_size(), self.rng.randrange(NODES)
        name = "d%d" % self.next_dimm
        self.next_dimm += 1
        fits = len(self.dimms) < SLOTS and (self.backend != "memvisor" or
                                            self.fits(size, node))
        r = self.ctl("dimm", "add", fmt_size(size), "--node", str(node),
                     "--id", name, "--wait")
        detail = "%s %s node %d" % (name, fmt_size(size), node)
        if r.returncode == 0:
            if self.backend == "memvisor" and not fits:
                raise SoakFailure("add %s succeeded, memvisor's first fit "
                                  "said no room" % detail)
            self.dimms[name] = Dimm(size, node)
            return "add", detail
        err = r.stderr.strip()
        if fits and self.backend == "memvisor":
            raise SoakFailure("add %s: %s" % (detail, err))
        if not re.search(r"maxmem|free range|space|slot|allocate", err,
                         re.I):
            raise SoakFailure("add %s refused: %s" % (detail, err))
        return "add-refused", "%s: %s" % (detail, err)

    def op_remove(self):
        name = self.rng.choice(list(self.dimms))
        before = self.proc_status() if self.backend == "memvisor" else None
        out = self.ctl_ok("dimm", "del", name, "--wait")
        if "ejected by the guest" not in out:
            raise SoakFailure("dimm del %s: %s" % (name, out.strip()))
        d = self.dimms.pop(name)
        if before:
            after = self.proc_status()
            for what, b, a in zip(("VmRSS", "RssShmem"), before, after):
                if a > b + RSS_SLACK_KB:
                    raise SoakFailure("%s grew from %d to %d kB when dimm %s "
                                      "(%s) went" % (what, b, a, name,
                                                     fmt_size(d.size)))
        return "remove", "%s %s" % (name, fmt_size(d.size))

    def op_hog(self):
        room = HOG_TOTAL_MAX - sum(self.hogs.values())
        size = self.rng.randint(1, min(HOG_MAX, room) // MIB) * MIB
        pattern = self.rng.choice(PATTERNS)
        seed = self.rng.randrange(1, 1 << 30)
        name = "h%d" % self.op_index
        out = self.cmd("hog %dM %s --seed %d --name %s" % (
            size // MIB, pattern, seed, name))
        m = re.search(r"^hog: pid (\d+) filled", out, re.M)
        if not m:
            raise SoakFailure("hog %dM %s: %r" % (size // MIB, pattern, out))
        self.hogs[int(m.group(1))] = size
        return "hog", "%s pid %s %dM %s" % (name, m.group(1), size // MIB,
                                            pattern)

    def op_kill(self):
        pid = self.rng.choice(sorted(self.hogs))
        out = self.cmd("kill %d" % pid)
        if out.strip():
            raise SoakFailure("kill %d: %r" % (pid, out))
        del self.hogs[pid]
        return "kill", "pid %d" % pid

    def op_verify(self):
        return "verify", "%d hogs" % len(self.hogs)      # check() runs it

    def op_sysfs(self):
        name = self.rng.choice(list(self.dimms))
        d = self.dimms[name]
        b = self.rng.choice(list(d.blocks()))
        path = "%s/memory%d/state" % (SYSMEM, b)
        action = "online_movable" if b in d.offline else "offline"
        out = self.cmd("echo %s > %s" % (action, path))
        if out.strip():
            raise SoakFailure("echo %s > %s: %r" % (action, path, out))
        if action == "offline":
            d.offline.add(b)
        else:
            d.offline.discard(b)
        return "sysfs", "memory%d (%s) %s" % (b, name, action)

    def bad_unaligned(self):
        size = self.rng.randrange(1, 64) * 2 * MIB + self.rng.randrange(
            0, 4) * BLOCK
        if size % BLOCK == 0:
            size += 2 * MIB
        name = "odd%d" % self.op_index
        # ctl refuses it itself, on both VMMs, before it sends anything
        # (QEMU would take any size and the guest would refuse the block);
        # the check after the operation sees nothing was plugged.
        err = self.ctl_fails("dimm", "add", "%dM" % (size // MIB),
                             "--id", name)
        if "128" not in err:
            raise SoakFailure("unaligned add: %s" % err)
        return "%dM: %s" % (size // MIB, err)

    def bad_unknown(self):
        name = "nosuch%d" % self.op_index
        err = self.ctl_fails("dimm", "del", name, "--wait")
        if "not found" not in err:
            raise SoakFailure("del of unknown %s: %s" % (name, err))
        return "%s: %s" % (name, err)

    def bad_over_maxmem(self):
        plugged = sum(d.size for d in self.dimms.values())
        size = min(REGION_SIZE - plugged + BLOCK, MAXMEM)
        err = self.ctl_fails("dimm", "add", fmt_size(size), "--id",
                             "big%d" % self.op_index, "--wait")
        if self.backend == "memvisor" and "maxmem" not in err:
            raise SoakFailure("over maxmem: %s" % err)
        return "%s: %s" % (fmt_size(size), err)

    def bad_duplicate(self):
        name = self.rng.choice(list(self.dimms))
        err = self.ctl_fails("dimm", "add", "128M", "--id", name, "--wait")
        if "already exists" not in err:
            raise SoakFailure("duplicate id %s: %s" % (name, err))
        return "%s: %s" % (name, err)

    def op_bad(self):
        kinds = ["unaligned", "unknown", "over-maxmem"]
        if self.dimms:
            kinds.append("duplicate")
        kind = self.rng.choice(kinds)
        fn = {"unaligned": self.bad_unaligned, "unknown": self.bad_unknown,
              "over-maxmem": self.bad_over_maxmem,
              "duplicate": self.bad_duplicate}[kind]
        return "bad-" + kind, fn()

    def choose(self):
        w = dict(WEIGHTS)
        if not self.dimms:
            w["remove"] = w["sysfs"] = 0
        if len(self.dimms) >= SLOTS:
            w["add"] = 0
        if not self.hogs:
            w["kill"] = 0
        if HOG_TOTAL_MAX - sum(self.hogs.values()) < MIB:
            w["hog"] = 0
        kinds = [k for k in w if w[k]]
        return self.rng.choices(kinds, [w[k] for k in kinds])[0]

    # ------------------------------------------------------------ the run
    def say(self, text):
        if not self.quiet:
            print("[soak %s seed %d] %s" % (self.backend, self.seed, text),
                  flush=True)

    def start(self):
        self.g = self.guest()
        self.g.start()
        self.g.wait_ready(timeout=120)
        self.total0 = self.memtotal_kb()
        self.boot_blocks = self.sysfs_blocks()
        if self.backend == "memvisor":
            self.fds0 = self.memfd_count()
        self.check()

    def step(self):
        kind = self.choose()
        t = time.monotonic()
        what, detail = getattr(self, "op_" + kind)()
        self.counts[what] += 1
        self.check()
        line = "op %d %s %s (%.2fs)" % (self.op_index, what, detail,
                                        time.monotonic() - t)
        self.history.append(line)
        if self.op_index % 50 == 0 or what.startswith(("add", "remove")):
            self.say(line)

    def finish(self):
        """Remove every DIMM and hog: the VM is as it booted."""
        for name in list(self.dimms):
            self.ctl_ok("dimm", "del", name, "--wait")
            del self.dimms[name]
            self.counts["remove"] += 1
        for pid in sorted(self.hogs):
            self.cmd("kill %d" % pid)
            del self.hogs[pid]
            self.counts["kill"] += 1
        self.check()
        if self.memtotal_kb() != self.total0:
            raise SoakFailure("MemTotal not back to its boot value")
        rc = self.g.poweroff(timeout=120)
        if rc != 0:
            raise SoakFailure("poweroff: the VMM exited %d" % rc)

    def save_log(self, reason):
        self.log_path = soak_log_path(self.seed, self.backend)
        BUILD.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "w") as f:
            f.write("# soak seed %d ops %d backend %s\n# failure: %s\n"
                    % (self.seed, self.nops, self.backend, reason))
            f.write("# replay: make soak SEED=%d OPS=%d BACKEND=%s\n"
                    % (self.seed, self.nops, self.backend))
            if self.g:
                f.write("$ %s\n" % " ".join(self.g.command_line()))
            f.write("# operations:\n")
            for line in self.history:
                f.write("#   %s\n" % line)
            if self.g:
                f.write(self.g.output)
                f.write("\n--- VMM stderr ---\n" + self.g.stderr_text())

    def run(self):
        t0 = time.monotonic()
        try:
            self.start()
            for self.op_index in range(1, self.nops + 1):
                self.step()
            self.finish()
        except Skip:
            raise
        except (SoakFailure, GuestError, subprocess.TimeoutExpired,
                OSError) as e:
            reason = "op %d: %s" % (self.op_index, " ".join(str(e).split()))
            self.failures.append(reason)
            self.say("FAIL " + reason)
            try:
                self.check_alive()
            except SoakFailure as alive:
                self.failures.append(str(alive))
            self.save_log(reason)
        finally:
            if self.g:
                self.g.kill()
            self.wall = time.monotonic() - t0
        return self

    def summary(self):
        lines = ["soak %s: seed %d, %d operations requested, %.0f s"
                 % (self.backend, self.seed, self.nops, self.wall)]
        lines.append("  operations: " + ", ".join(
            "%s %d" % kv for kv in sorted(self.counts.items())))
        lines.append("  bytes verified: %d (%.1f MiB)"
                     % (self.bytes_verified, self.bytes_verified / MIB))
        lines.append("  failures: %d" % len(self.failures))
        for f in self.failures:
            lines.append("    " + f)
        if self.log_path:
            lines.append("  console log: %s" % self.log_path)
            lines.append("  replay: make soak SEED=%d OPS=%d BACKEND=%s"
                         % (self.seed, self.nops, self.backend))
        return "\n".join(lines)


def run_soak(backend, seed, ops, quiet=False, kernel=None):
    """Run one soak; the Soak with its counters (failures empty if ok)."""
    return Soak(backend, seed, ops, quiet, kernel).run()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=None,
                    help="random seed (default: a new one, printed)")
    ap.add_argument("--ops", type=int, default=200)
    ap.add_argument("--backend", default="both",
                    choices=("memvisor", "qemu", "both"))
    ap.add_argument("--kernel", default=None,
                    help="guest kernel (default build/guest.elf)")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom(
        ).randrange(1, 1 << 31)
    backends = ("memvisor", "qemu") if args.backend == "both" else (
        args.backend,)
    print("soak: seed %d, %d operations, backend %s (replay: make soak "
          "SEED=%d OPS=%d BACKEND=%s)" % (seed, args.ops, args.backend, seed,
                                         args.ops, args.backend), flush=True)
    if len(backends) > 1:
        # one process per backend, side by side: the same seed each
        procs = [subprocess.Popen([sys.executable, __file__, "--seed",
                                   str(seed), "--ops", str(args.ops),
                                   "--backend", b] + (
                                       ["--kernel", args.kernel]
                                       if args.kernel else []))
                 for b in backends]
        return max(p.wait() for p in procs)
    try:
        s = run_soak(backends[0], seed, args.ops, kernel=args.kernel)
    except Skip as e:
        print("soak %s: skipped: %s" % (backends[0], e), flush=True)
        return 0
    print(s.summary(), flush=True)
    return 1 if s.failures else 0


if __name__ == "__main__":
    sys.exit(main())
