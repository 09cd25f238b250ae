#!/usr/bin/env python3
"""Count the guest kernel's boot instructions per function, under QEMU TCG.

Where ring-0 guest code is emulated (DESIGN.md, "The machines we build and
test on"), boot time is the number of instructions the guest kernel runs,
plus its port I/O exits.  QEMU's TCG can log every instruction it executes
(-d exec,nochain with one instruction per translation block), so this script:

  1. boots ELF (default build/guest.elf) on QEMU pc -accel tcg with that
     log on, and stops QEMU once the console prints the ready line;
  2. keeps the logged PCs that fall in the kernel's text symbols (the
     firmware's are dropped), from the PVH entry up to the first
     instruction of STOP (default shell_run, which prints the ready line);
  3. attributes each instruction to its function (self), and to every
     function on a shadow call stack rebuilt from the disassembly (calls
     push, returns pop, tail jumps replace, anything else -- an interrupt
     -- pushes), which gives inclusive counts;
  4. prints the top functions by inclusive and by self count, with the
     instructions that exit to the VMM (in/out, cpuid, rdmsr/wrmsr, hlt)
     and an estimate of the time they would take on the emulating host
     (--ns-per-insn, --us-per-exit).

A `rep` string instruction is logged once per iteration, as TCG runs it, so
`rep stosq` costs what it costs on the emulating host (one per 8 bytes).

Usage:
  tests/bench/guest_profile.py [--elf build/guest.elf] [--memory 256M]
      [--append 'kernel cmdline'] [--qemu-arg '-device X'] [--top 30]
      [--stop shell_run]
      [--log FILE] [--reuse-log] [--annotate FUNC]

--annotate FUNC prints FUNC's disassembly with the times each instruction
ran.  --append passes a kernel command line (QEMU -append); to profile the path
memvisor's guests take, give it what memvisor appends (see abi/pvh.h).
"""

import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile
import time

READY = b"memvisor guest ready"
TRACE_RE = re.compile(rb"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")
EXIT_MNEMONICS = ("in", "out", "ins", "outs", "cpuid", "rdmsr", "wrmsr",
                  "hlt")


def load_symbols(elf):
    """Sorted text symbols [(start, end, name)] from nm -S."""
    out = subprocess.run(["nm", "-S", "-n", "--defined-only", elf],
                         check=True, capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            start, size = int(parts[0], 16), int(parts[1], 16)
            syms.append((start, start + size, parts[3]))
        elif len(parts) == 3 and parts[1] in "tT":
            syms.append((int(parts[0], 16), None, parts[2]))
    syms.sort(key=lambda s: (s[0], s[1] is None))
    fixed = []
    for i, (start, end, name) in enumerate(syms):
        if end is None:  # asm labels without a size: up to the next one
            end = syms[i + 1][0] if i + 1 < len(syms) else start + 1
        fixed.append((start, end, name))
    return fixed


def load_mnemonics(elf):
    """{address: mnemonic} for every instruction objdump sees."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", elf],
                         check=True, capture_output=True, text=True).stdout
    insn = {}
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+(\S+)(?:\s+(\S+))?", line)
        if not m:
            continue
        mn = m.group(2)
        if mn in ("rep", "repz", "repnz", "lock", "notrack", "bnd") \
                and m.group(3):
            mn = mn + " " + m.group(3)
        insn[int(m.group(1), 16)] = mn
    return insn


def run_qemu(args, log):
    """Boot under TCG with the exec log on; stop at the ready line."""
    cmd = ["qemu-system-x86_64", "-M", "pc", "-accel", "tcg",
           "-m", args.memory, "-kernel", args.elf, "-serial", "stdio",
           "-display", "none", "-nodefaults", "-no-reboot",
           "-d", "exec,nochain", "-singlestep", "-D", log]
    if args.append:
        cmd += ["-append", args.append]
    for extra in args.qemu_arg:
        cmd += extra.split()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = b""
    deadline = time.monotonic() + args.timeout
    os.set_blocking(proc.stdout.fileno(), False)
    try:
        while READY not in seen:
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit("guest_profile: no ready line; console:\n" +
                         seen.decode(errors="replace"))
            chunk = proc.stdout.read()
            if chunk:
                seen += chunk
            else:
                time.sleep(0.05)
        time.sleep(0.2)  # let the log catch up with the console
    finally:
        proc.kill()
        proc.wait()


def classify(mn):
    """'call', 'ret', 'jmp' or None for the instruction mnemonic @mn."""
    if mn is None:
        return None
    base = mn.split()[-1]
    if base.startswith("call"):
        return "call"
    if base.startswith("ret") or base.startswith("iret"):
        return "ret"
    if base.startswith("jmp"):
        return "jmp"
    return None


def is_exit(mn):
    return mn is not None and mn.split()[-1].rstrip("bwlq") in EXIT_MNEMONICS


def profile(log, syms, insns, stop):
    """Self and inclusive counts per function, exits per function."""
    starts = [s[0] for s in syms]
    stop_pc = next((s for s, _, n in syms if n == stop), None)
    entry = next((s for s, _, n in syms if n == "pvh_start32"), syms[0][0])
    self_n = collections.Counter()
    incl_n = collections.Counter()
    exits = collections.Counter()
    stack = []
    prev_kind = None
    started = False
    cache = {}
    with open(log, "rb") as f:
        for line in f:
            m = TRACE_RE.match(line)
            if not m:
                continue
            pc = int(m.group(1), 16)
            if not started:
                if pc != entry:
                    continue
                started = True
            if pc == stop_pc:
                break
            fn = cache.get(pc)
            if fn is None:
                i = bisect.bisect_right(starts, pc) - 1
                if i < 0 or pc >= syms[i][1]:
                    continue  # firmware, or not in a text symbol
                fn = cache[pc] = syms[i][2]
            if prev_kind == "call" or not stack:
                stack.append(fn)
            elif fn != stack[-1]:
                if fn in stack:  # a return (or iret) to a caller
                    del stack[len(stack) - 1 - stack[::-1].index(fn) + 1:]
                elif prev_kind == "jmp":  # tail call
                    stack[-1] = fn
                else:  # interrupt or exception entry
                    stack.append(fn)
            self_n[fn] += 1
            for f_on in set(stack):
                incl_n[f_on] += 1
            mn = insns.get(pc)
            if is_exit(mn):
                exits[fn] += 1
            prev_kind = classify(mn)
    return self_n, incl_n, exits


def annotate(log, elf, syms, func):
    """FUNC's disassembly, each line prefixed by its execution count."""
    rng = next(((s, e) for s, e, n in syms if n == func), None)
    if not rng:
        sys.exit(f"guest_profile: no function {func}")
    hits = collections.Counter()
    with open(log, "rb") as f:
        for line in f:
            m = TRACE_RE.match(line)
            if m and rng[0] <= int(m.group(1), 16) < rng[1]:
                hits[int(m.group(1), 16)] += 1
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn",
                          f"--start-address={rng[0]}",
                          f"--stop-address={rng[1]}", elf],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):", line)
        if m:
            print(f"{hits[int(m.group(1), 16)]:8d}  {line.strip()}")


def report(self_n, incl_n, exits, args):
    total = sum(self_n.values())
    nexits = sum(exits.values())
    est = total * args.ns_per_insn / 1e6 + nexits * args.us_per_exit / 1e3
    print(f"guest instructions to {args.stop}: {total}, exits (in/out, "
          f"cpuid, msr, hlt): {nexits}; ~{est:.1f} ms at "
          f"{args.ns_per_insn:g} ns/insn + {args.us_per_exit:g} us/exit")
    for title, counter in (("inclusive", incl_n), ("self", self_n)):
        print(f"\ntop {args.top} functions by {title} instructions:")
        print(f"{'instructions':>12} {'%':>6} {'exits':>6}  function")
        for fn, n in counter.most_common(args.top):
            print(f"{n:12d} {100.0 * n / max(total, 1):6.1f} "
                  f"{exits[fn]:6d}  {fn}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elf", default="build/guest.elf")
    ap.add_argument("--memory", default="256M")
    ap.add_argument("--append", default="",
                    help="kernel command line (QEMU -append)")
    ap.add_argument("--qemu-arg", action="append", default=[],
                    help="extra QEMU arguments, e.g. '-device virtio-balloon-pci' "
                    "(repeatable; split on spaces)")
    ap.add_argument("--stop", default="shell_run",
                    help="stop counting at this function's first insn")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--log", help="exec log path (default: a temp file)")
    ap.add_argument("--reuse-log", action="store_true",
                    help="parse --log as it is, do not run QEMU")
    ap.add_argument("--annotate", metavar="FUNC",
                    help="also print FUNC's instructions with counts")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--ns-per-insn", type=float, default=550)
    ap.add_argument("--us-per-exit", type=float, default=30)
    args = ap.parse_args()

    tmp = None
    log = args.log
    if not log:
        tmp = tempfile.NamedTemporaryFile(prefix="guest_exec_", suffix=".log",
                                          delete=False)
        log = tmp.name
        tmp.close()
    try:
        if not args.reuse_log:
            run_qemu(args, log)
        syms = load_symbols(args.elf)
        insns = load_mnemonics(args.elf)
        report(*profile(log, syms, insns, args.stop), args)
        if args.annotate:
            print()
            annotate(log, args.elf, syms, args.annotate)
    finally:
        if tmp:
            os.unlink(log)


if __name__ == "__main__":
    main()
