"""virtio-balloon and the OOM killer: inflating within free memory kills
nobody; past it the largest task (by badness, oom_score_adj counted) is
killed with Linux's report and the others verify; deflating gives MemFree
back; with deflate-on-OOM the balloon yields instead of any kill; with
free page reporting a killed hog's memory goes back to the host; guest
statistics are readable through QMP; oom_on_inflate=0 stops short instead.

Every test runs on QEMU (-device virtio-balloon-pci,id=balloon0) and on
memvisor, where the device is always present: a memvisor guest that finds
no balloon fails (only a guest started with --no-balloon may skip).
"""

import os
import re
import subprocess
import time

from harness import Guest, Skip, MEMVISOR
from test_hotplug import ctl, ctl_ok

MIB = 1 << 20
GUEST_MB = 512
BALLOON_PATH = "/machine/peripheral/balloon0"
WAIT_S = 120


def meminfo(g):
    out = g.cmd("cat /proc/meminfo")
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^([\w()]+):\s+(\d+)", out, re.M)}


def vmstat(g):
    out = g.cmd("cat /proc/vmstat")
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^(\w+) (\d+)$", out, re.M)}


def ps(g):
    out = g.cmd("ps")
    return {int(m.group(1)): m.group(2)
            for m in re.finditer(r"^\s*(\d+)\s+(\S+)\s+\S+\s+\d+$", out, re.M)}


def hog(g, mib, name):
    out = g.cmd("hog %dM random --name %s" % (mib, name), timeout=WAIT_S)
    m = re.search(r"^hog: pid (\d+) filled %d MiB" % mib, out, re.M)
    assert m, out
    return int(m.group(1))


def memvisor_has_balloon():
    try:
        out = subprocess.run([str(MEMVISOR), "run", "--help"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--balloon" in out.stdout + out.stderr


def balloon_guest(backend, deflate_on_oom=False, reporting=False,
                  cmdline=None):
    """A 512 MiB guest with a balloon device and QMP."""
    if backend == "memvisor":
        if not memvisor_has_balloon():
            raise Skip("memvisor has no virtio-balloon device yet "
                       "(run --help lists no --balloon)")
        opts = "deflate-on-oom=%s,free-page-reporting=%s" % (
            "on" if deflate_on_oom else "off", "on" if reporting else "off")
        extra = ["--balloon", opts]
        if cmdline:
            extra += ["--cmdline", cmdline]
    else:
        dev = "virtio-balloon-pci,id=balloon0"
        if deflate_on_oom:
            dev += ",deflate-on-oom=on"
        if reporting:
            dev += ",free-page-reporting=on"
        extra = ["-device", dev]
        if cmdline:
            extra += ["-append", cmdline]
    return Guest(backend, memory="%dM" % GUEST_MB, qmp=True, extra_args=extra)


def ready(g):
    """Wait for the prompt and check the guest found the balloon. On
    memvisor the device is always there unless --no-balloon left it out:
    a guest that finds none there is a failure, not a skip."""
    g.wait_ready()
    dmesg = g.cmd("dmesg")
    if "no virtio-balloon device found" in dmesg:
        if g.backend == "memvisor" and "--no-balloon" not in g.extra_args:
            raise AssertionError("memvisor's guest found no virtio-balloon "
                                 "device:\n" + dmesg)
        raise Skip("the guest finds no virtio-balloon device on %s"
                   % g.backend)
    assert re.search(r"virtio_balloon: virtio-pci 0000:00:\w\w\.\d", dmesg), \
        dmesg


def set_target(g, guest_bytes, expect=None, timeout=WAIT_S):
    """QMP balloon to @guest_bytes; wait until query-balloon's actual is
    @expect (default: the target) and stays put; return it."""
    g.qmp("balloon", value=guest_bytes)
    expect = guest_bytes if expect is None else expect
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        actual = g.qmp("query-balloon")["actual"]
        if actual == expect or (expect == "settle" and actual == last):
            return actual
        last = actual
        time.sleep(1)
    raise AssertionError("balloon actual %s, expected %s" % (last, expect))


def inflate_target(free_kb, margin_mb):
    """Guest size that leaves @margin_mb of today's free memory."""
    return GUEST_MB * MIB - (free_kb * 1024 - margin_mb * MIB)


def start_hogs(g):
    pids = {}
    for mib, name in ((64, "small"), (96, "medium"), (128, "large")):
        pids[name] = hog(g, mib, name)
    return pids


def test_inflate_within_free_memory_kills_nobody(backend):
    with balloon_guest(backend) as g:
        ready(g)
        start_hogs(g)
        before = meminfo(g)
        target = inflate_target(before["MemFree"], 24)
        set_target(g, target)
        after = meminfo(g)
        inflated_kb = (GUEST_MB * MIB - target) >> 10
        assert after["MemTotal"] == before["MemTotal"]
        assert abs(before["MemFree"] - after["MemFree"] - inflated_kb) \
            <= 2048, (before, after, inflated_kb)
        st = vmstat(g)
        assert st["balloon_inflate"] == inflated_kb // 4, st
        assert st["oom_kill"] == 0, st
        assert "Out of memory" not in g.cmd("dmesg")
        assert re.search(r"^verify: ok \d+ pages in 3 tasks$",
                         g.cmd("verify", timeout=WAIT_S), re.M)
        assert g.poweroff() == 0


def test_inflate_past_free_kills_the_largest_hog(backend):
    with balloon_guest(backend) as g:
        ready(g)
        pids = start_hogs(g)
        free_kb = meminfo(g)["MemFree"]
        # 80 MiB more than is free: only the 128 MiB hog need go
        set_target(g, inflate_target(free_kb, -80))
        dmesg = g.cmd("dmesg")
        kills = re.findall(r"Out of memory: Killed process (\d+) \((\w+)\) "
                           r"total-vm:\d+kB, anon-rss:\d+kB, file-rss:0kB, "
                           r"shmem-rss:0kB, UID:0 pgtables:\d+kB "
                           r"oom_score_adj:0", dmesg)
        assert kills == [(str(pids["large"]), "large")], dmesg[-3000:]
        assert "vballoon invoked oom-killer" in dmesg
        assert "Mem-Info:" in dmesg
        assert re.search(r"Node 0 \w+ free:\d+kB boost:0kB min:\d+kB "
                         r"low:\d+kB high:\d+kB", dmesg)
        tasks = ps(g)
        assert pids["large"] not in tasks
        assert pids["small"] in tasks and pids["medium"] in tasks
        assert re.search(r"^verify: ok \d+ pages in 2 tasks$",
                         g.cmd("verify", timeout=WAIT_S), re.M)
        assert vmstat(g)["oom_kill"] == 1
        assert g.poweroff() == 0


def test_deflate_returns_memory(backend):
    with balloon_guest(backend) as g:
        ready(g)
        before = meminfo(g)["MemFree"]
        set_target(g, 256 * MIB)
        assert before - meminfo(g)["MemFree"] >= (256 << 10) - 1024
        set_target(g, GUEST_MB * MIB)
        after = meminfo(g)["MemFree"]
        assert abs(after - before) <= 1024, (before, after)
        st = vmstat(g)
        assert st["balloon_inflate"] == st["balloon_deflate"] == 65536, st
        pid = hog(g, 64, "after")
        assert re.search(r"^verify: pid %d \(after\) ok 16384 pages$" % pid,
                         g.cmd("verify", timeout=WAIT_S), re.M)
        assert g.poweroff() == 0


def test_oom_score_adj_protects_the_largest(backend):
    with balloon_guest(backend) as g:
        ready(g)
        small = hog(g, 64, "small")
        large = hog(g, 128, "large")
        score = int(g.cmd("cat /proc/%d/oom_score" % large).strip())
        assert score > int(g.cmd("cat /proc/%d/oom_score" % small).strip())
        g.cmd("echo -1000 > /proc/%d/oom_score_adj" % large)
        assert g.cmd("cat /proc/%d/oom_score_adj" % large).strip() == "-1000"
        assert g.cmd("cat /proc/%d/oom_score" % large).strip() == "0"
        assert "Invalid argument" in g.cmd(
            "echo -1001 > /proc/%d/oom_score_adj" % large)
        free_kb = meminfo(g)["MemFree"]
        set_target(g, inflate_target(free_kb, -40))
        tasks = ps(g)
        assert small not in tasks and large in tasks, tasks
        assert re.search(r"Out of memory: Killed process %d \(small\)" % small,
                         g.cmd("dmesg"))
        assert g.poweroff() == 0


def test_deflate_on_oom_yields_instead_of_killing(backend):
    with balloon_guest(backend, deflate_on_oom=True) as g:
        ready(g)
        assert "deflate-on-oom" in g.cmd("dmesg")
        free_kb = meminfo(g)["MemFree"]
        target = inflate_target(free_kb, 16)
        set_target(g, target)
        # a hog larger than what is left: the balloon gives pages back
        pid = hog(g, 64, "pressure")
        assert re.search(r"^verify: pid %d \(pressure\) ok 16384 pages$" % pid,
                         g.cmd("verify", timeout=WAIT_S), re.M)
        dmesg = g.cmd("dmesg")
        assert "Out of memory: Killed" not in dmesg
        assert "virtio_balloon: out of memory: released" in dmesg
        assert vmstat(g)["oom_kill"] == 0
        assert g.qmp("query-balloon")["actual"] > target
        assert g.poweroff() == 0


def vm_rss_kb(g):
    with open("/proc/%d/status" % g.proc.pid) as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


def test_free_page_reporting_returns_killed_hog_memory(backend):
    with balloon_guest(backend, reporting=True) as g:
        ready(g)
        assert "free page reporting" in g.cmd("dmesg")
        pid = hog(g, 192, "big")
        time.sleep(1)
        full = vm_rss_kb(g)
        g.cmd("kill %d" % pid)
        deadline = time.monotonic() + 30
        while vm_rss_kb(g) > full - (128 << 10) and \
                time.monotonic() < deadline:
            time.sleep(1)
        assert vm_rss_kb(g) <= full - (128 << 10), (full, vm_rss_kb(g))
        pid = hog(g, 64, "next")
        assert re.search(r"^verify: pid %d \(next\) ok 16384 pages$" % pid,
                         g.cmd("verify", timeout=WAIT_S), re.M)
        assert g.poweroff() == 0


def test_inflate_releases_host_memory(backend):
    """The VMM process's RSS drops by what the balloon took, within 2 %,
    once the pages it took were resident: a hog fills most of the guest
    and ends, then the balloon takes 320 MiB of the memory it freed."""
    inflate = 320 << 20
    with balloon_guest(backend) as g:
        ready(g)
        pid = hog(g, 400, "fill")
        g.cmd("kill %d" % pid)
        time.sleep(1)
        before = vm_rss_kb(g)
        set_target(g, (GUEST_MB << 20) - inflate)
        time.sleep(1)
        after = vm_rss_kb(g)
        dropped = (before - after) << 10
        print("%s: RSS %d -> %d kB, dropped %.1f MiB for %d MiB inflated"
              % (backend, before, after, dropped / 2**20, inflate >> 20))
        assert dropped >= 0.98 * inflate, (before, after)
        assert vmstat(g)["oom_kill"] == 0
        assert g.poweroff() == 0


def test_guest_stats_through_qom(backend):
    with balloon_guest(backend) as g:
        ready(g)
        mi = meminfo(g)
        g.qmp("qom-set", path=BALLOON_PATH,
              property="guest-stats-polling-interval", value=1)
        deadline = time.monotonic() + 30
        stats = {}
        while time.monotonic() < deadline:
            stats = g.qmp("qom-get", path=BALLOON_PATH, property="guest-stats")
            if stats.get("last-update") and \
                    stats["stats"].get("stat-total-memory", -1) > 0:
                break
            time.sleep(1)
        s = stats["stats"]
        assert s["stat-total-memory"] == mi["MemTotal"] * 1024, s
        assert 0 < s["stat-free-memory"] <= s["stat-total-memory"], s
        assert 0 < s["stat-available-memory"] <= s["stat-total-memory"], s
        assert s["stat-swap-in"] == 0 and s["stat-minor-faults"] >= 0, s
        assert g.poweroff() == 0


def test_oom_on_inflate_off_stops_short(backend):
    with balloon_guest(backend,
                       cmdline="virtio_balloon.oom_on_inflate=0") as g:
        ready(g)
        knob = "/sys/module/virtio_balloon/parameters/oom_on_inflate"
        assert g.cmd("cat " + knob).strip() == "N"
        g.cmd("echo 1 > " + knob)
        assert g.cmd("cat " + knob).strip() == "Y"
        g.cmd("echo 0 > " + knob)
        pid = hog(g, 128, "keep")
        free_kb = meminfo(g)["MemFree"]
        target = inflate_target(free_kb, -64)
        actual = set_target(g, target, expect="settle")
        assert actual > target
        assert pid in ps(g)
        assert "out of puff" in g.cmd("dmesg")
        assert vmstat(g)["oom_kill"] == 0
        assert g.poweroff() == 0


def test_dimm_removal_gives_up_balloon_pages(backend):
    """A DIMM holding balloon pages is removed: the driver gives those
    pages up (the host is told with a deflate) and re-inflates as many
    elsewhere; the balloon stays at its size, nothing is lost."""
    if backend == "memvisor":
        g = Guest(backend, memory="%dM" % GUEST_MB, qmp=True,
                  extra_args=["--slots", "4", "--maxmem", "4G"])
    else:
        g = Guest(backend, memory="%dM,slots=4,maxmem=4G" % GUEST_MB,
                  qmp=True,
                  extra_args=["-device", "virtio-balloon-pci,id=balloon0"])
    with g:
        ready(g)
        pid = hog(g, 64, "boot")          # in boot memory: nothing to copy
        ctl_ok(g, "dimm", "add", "256M", "--id", "d1", "--wait")
        # Movable allocations prefer ZONE_MOVABLE: the DIMM fills first.
        out = ctl_ok(g, "balloon", "--by", "200M", "--wait", timeout=WAIT_S)
        assert "the guest has 568M" in out, out
        r = ctl(g, "dimm", "del", "d1", "--wait", timeout=WAIT_S)
        assert r.returncode == 0, (r.stderr, g.cmd("dmesg"))
        # The balloon's thread gives the DIMM's pages up, then re-inflates.
        deadline = time.monotonic() + WAIT_S
        pattern = (r"virtio_balloon: gave up (\d+) pages of memory being "
                   r"offlined .*\n(.*\n)*.*virtio_balloon: inflated (\d+) "
                   r"pages in \d+ us, holding 51200")
        while True:
            dmesg = g.cmd("dmesg")
            m = re.search(pattern, dmesg)
            if m or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert m, dmesg
        assert m.group(1) == m.group(3) and int(m.group(1)) > 0, m.group(0)
        # ctl, not g.qmp: QEMU serves one QMP client at a time.
        out = ctl_ok(g, "balloon")
        assert "guest size: 512M\nballoon: 200M (the guest has 312M)" in out, out
        assert re.search(r"^verify: pid %d \(boot\) ok 16384 pages$" % pid,
                         g.cmd("verify", timeout=WAIT_S), re.M)
