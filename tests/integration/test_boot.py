"""Boot tests: the guest reaches its shell, the basic commands work, memory
is reported right, and the guest powers off (command, power button) or
panics visibly. Tests with a `backend` parameter run on memvisor and QEMU
(conftest.py).
"""

import re
import time

import pytest

from harness import READY_LINE, Guest

MEMINFO_TOLERANCE = 0.02        # MemTotal within 2% of the expected value


def expected_memtotal_kb(size_kb):
    """What MemTotal should be for @size_kb of RAM: RAM minus the memmap
    (one 64-byte struct page per 4 KiB page, as in Linux) and the first MiB
    (firmware area, never managed). The kernel image, page tables and ACPI
    tables (under 1 MiB together) are within the tolerance."""
    return size_kb - size_kb // 64 - 1024


def meminfo(text):
    """{"MemTotal": kB, ...} from /proc/meminfo text (Linux format)."""
    fields = {}
    for line in text.splitlines():
        m = re.match(r"^([\w()]+):\s+(\d+)( kB)?$", line)
        assert m, "malformed meminfo line %r" % line
        fields[m.group(1)] = int(m.group(2))
    return fields


def check_memtotal(backend, memory, size_kb):
    with Guest(backend, memory=memory) as g:
        g.wait_ready()
        info = meminfo(g.cmd("cat /proc/meminfo"))
        assert "MemTotal" in info and "MemFree" in info, info
        total, want = info["MemTotal"], expected_memtotal_kb(size_kb)
        assert abs(total - want) <= want * MEMINFO_TOLERANCE, \
            "MemTotal %d kB, expected %d kB +-2%%" % (total, want)
        assert info["MemFree"] <= total, info
        assert g.poweroff() == 0


def test_boot_to_prompt(backend):
    with Guest(backend) as g:
        before = g.wait_ready()
        # The ready line is on a line of its own, prompt right after it.
        assert before == "" or before.endswith("\n"), repr(before[-80:])
        assert g.output.endswith(READY_LINE + "\nguest# "), \
            repr(g.output[-80:])


def test_help(backend):
    with Guest(backend) as g:
        g.wait_ready()
        out = g.cmd("help")
        for name in ("help", "echo", "dmesg", "uptime", "cat", "poweroff"):
            assert re.search(r"^\s*%s\b" % name, out, re.M), \
                "help lacks %s: %r" % (name, out)
        assert "crash" not in out and "panic" not in out, out


def test_echo_and_unknown_command(backend):
    with Guest(backend) as g:
        g.wait_ready()
        assert g.cmd("echo hello   memvisor world") == "hello memvisor world\n"
        assert g.cmd("echo") == "\n"
        assert g.cmd("frobnicate --now") == \
            "sh: frobnicate: command not found\n"
        assert g.cmd("") == ""
        # The shell goes on after an error.
        assert g.cmd("echo still here") == "still here\n"


def test_backspace(backend):
    with Guest(backend) as g:
        g.wait_ready()
        g.send("echo abX\x7fc\n")
        g.expect(r"^abc\n")
        g.expect(r"^guest# ")


def test_meminfo_256M(backend):
    check_memtotal(backend, "256M", 256 * 1024)


def test_meminfo_512M(backend):
    check_memtotal(backend, "512M", 512 * 1024)


def test_free(backend):
    """free: procps's columns, from /proc/meminfo as procps computes them."""
    with Guest(backend) as g:
        g.wait_ready()
        total = meminfo(g.cmd("cat /proc/meminfo"))["MemTotal"]
        lines = g.cmd("free").splitlines()
        assert lines[0].split() == ["total", "used", "free", "shared",
                                    "buff/cache", "available"], lines
        assert lines[0].index("total") + 5 == 20, lines   # procps's widths
        mem = lines[1].split()
        assert mem[0] == "Mem:" and len(mem) == 7, lines
        t, used, free, shared, cache, avail = map(int, mem[1:])
        assert t == total and used == t - avail, lines
        assert 0 < free <= t and 0 < avail <= t, lines
        assert lines[2].split() == ["Swap:", "0", "0", "0"], lines
        assert int(g.cmd("free -m").splitlines()[1].split()[1]) == total >> 10
        assert g.cmd("free -x") == "usage: free [-k|-m|-g]\n"


def test_dmesg_and_uptime(backend):
    with Guest(backend) as g:
        g.wait_ready()
        log = g.cmd("dmesg")
        lines = log.splitlines()
        assert lines, "empty dmesg"
        for line in lines:
            assert re.match(r"^\[\s*\d+\.\d{6}\] ", line), repr(line)
        assert "memvisor guest kernel" in log, log
        assert "ACPI:" in log, log
        assert re.search(r"^up \d+:\d\d:\d\d\.\d\d", g.cmd("uptime"), re.M)
        assert re.match(r"^\d+\.\d\d \d+\.\d\d\n$", g.cmd("cat /proc/uptime"))
        assert g.cmd("cat /proc/nonexistent") == \
            "cat: /proc/nonexistent: No such file or directory\n"


def test_timer_ticks(backend):
    with Guest(backend) as g:
        g.wait_ready()
        time.sleep(1.0)
        up = float(g.cmd("cat /proc/uptime").split()[0])
        assert up >= 0.5, "uptime %.2f s after sleeping 1 s: no timer ticks?" % up


def test_poweroff(guest):
    assert guest.poweroff() == 0


def test_power_button(qmp_guest):
    g = qmp_guest
    g.qmp("system_powerdown")
    g.expect(r"reboot: Power down")
    assert g.wait() == 0


def test_crash_is_reported(backend):
    with Guest(backend) as g:
        g.wait_ready()
        g.send("crash\n")
        g.expect(r"Oops: exception 14 \(#PF page fault\), error code 0x0")
        g.expect(r"CR2: 0x00000deadbeef000")
        g.expect(r"RIP: 0008:ffffffff8[0-9a-f]{7}")
        g.expect(r"Kernel panic - not syncing: Fatal exception 14")
        # pvpanic: memvisor exits 1, and so does QEMU with
        # -action panic=exit-failure.
        assert g.wait() == 1


def test_panic_command(backend):
    with Guest(backend) as g:
        g.wait_ready()
        g.send("panic\n")
        g.expect(r"^Kernel panic - not syncing: requested from the shell")
        assert g.wait() == 1
        if backend == "memvisor":
            assert "memvisor: guest panicked" in g.stderr_text(), g.stderr_text()


def test_qemu_smp2():
    with Guest("qemu", smp=2) as g:
        g.wait_ready()
        assert g.cmd("echo two cpus") == "two cpus\n"
        assert g.poweroff() == 0


@pytest.mark.timeout(240)
def test_qemu_kvm():
    # Ring 0 is emulated on our hosts: SeaBIOS alone takes seconds.
    with Guest("qemu", accel="kvm") as g:
        g.wait_ready()
        info = meminfo(g.cmd("cat /proc/meminfo"))
        want = expected_memtotal_kb(262144)
        assert abs(info["MemTotal"] - want) <= want * MEMINFO_TOLERANCE
        assert g.poweroff() == 0
