"""DIMM hotplug end to end, on memvisor and on QEMU with the same guest.elf,
driven through `memvisor ctl` (the same commands against both VMMs).

QEMU runs `-m 256M,slots=N,maxmem=M` with a memory-less NUMA node 1
(`-numa node,nodeid=1` next to node 0's memdev) so that DIMMs can be
plugged into node 1; memvisor gets `--slots --maxmem --numa 2`.

Covered: hot-add of two DIMMs (one on node 1) and MemTotal's growth (their
size less the memmap placed on them, 2 MiB per 128 MiB block); a DIMM
plugged before boot (node 1); the sysfs view; a hog on the DIMM migrated
away by `dimm del`, `verify` ok; a DIMM holding kernel memory refused with
nothing lost; 100 add/remove cycles with a running hog (on both VMMs);
every bad input, each one line on stderr and a non-zero exit with the DIMM
left as it was; host memory really freed after an eject (memvisor: memfd
descriptors and RssShmem of the process).
"""

import os
import re
import subprocess

import pytest

from harness import MEMVISOR, Guest, Skip

MIB = 1 << 20
BLOCK = 128 * MIB
MEMMAP_KB = 2048                # per block, placed on the block itself
SYSMEM = "/sys/devices/system/memory"

# Add/remove cycles: each one migrates the hog from one DIMM to the next.
CYCLES = {"memvisor": 100, "qemu": 100}
CYCLE_HOG = "2M"


# ------------------------------------------------------------ helpers

def boot(backend, slots=8, maxmem="4G", numa=True, cmdline=None,
         cold_node1=None):
    """A Guest with DIMM slots and a QMP socket (not started); @cold_node1:
    the id of a 128M DIMM plugged on node 1 before boot."""
    if backend == "memvisor":
        extra = ["--slots", str(slots), "--maxmem", maxmem]
        if numa:
            extra += ["--numa", "2"]
        if cmdline:
            extra += ["--cmdline", cmdline]
        if cold_node1:
            extra += ["--dimm", "128M,node=1,id=%s" % cold_node1]
        return Guest(backend, memory="256M", qmp=True, extra_args=extra)
    extra = []
    if numa:
        extra += ["-object", "memory-backend-ram,id=ram0,size=256M",
                  "-numa", "node,nodeid=0,memdev=ram0",
                  "-numa", "node,nodeid=1"]
    if cmdline:
        extra += ["-append", cmdline]
    if cold_node1:
        extra += ["-object", "memory-backend-ram,id=mem-%s,size=128M"
                  % cold_node1, "-device", "pc-dimm,id=%s,memdev=mem-%s,node=1"
                  % (cold_node1, cold_node1)]
    return Guest(backend, memory="256M,slots=%d,maxmem=%s" % (slots, maxmem),
                 qmp=True, extra_args=extra)


def ctl(g, *args, timeout=20):
    """memvisor ctl against @g's QMP socket: the CompletedProcess."""
    cmd = [str(MEMVISOR), "ctl", "--qmp", g.qmp_path,
           "--timeout", str(timeout)] + list(args)
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout + 30)


def ctl_ok(g, *args, timeout=20):
    r = ctl(g, *args, timeout=timeout)
    assert r.returncode == 0, "ctl %s: exit %d: %s" % (
        " ".join(args), r.returncode, r.stderr.strip())
    return r.stdout


def ctl_fails(g, *args, fragment="", timeout=20):
    """ctl must fail with exactly one line on stderr containing @fragment."""
    r = ctl(g, *args, timeout=timeout)
    lines = r.stderr.strip().splitlines()
    assert r.returncode != 0, "ctl %s succeeded: %s" % (" ".join(args),
                                                       r.stdout)
    assert len(lines) == 1, "ctl %s: want one line, got %r" % (
        " ".join(args), r.stderr)
    assert fragment.lower() in lines[0].lower(), "%r not in %r" % (
        fragment, lines[0])
    return lines[0]


def meminfo(g):
    out = g.cmd("cat /proc/meminfo")
    return {k: int(v) for k, v in re.findall(r"^(\w+):\s+(\d+)", out, re.M)}


def zoneinfo(g):
    """{(node, zone): {"present": pages, "managed", "free", "min", "low",
    "high"}}"""
    out = g.cmd("cat /proc/zoneinfo")
    zones, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"Node (\d+), zone\s+(\w+)", line)
        if m:
            cur = zones.setdefault((int(m.group(1)), m.group(2)), {})
            continue
        m = re.match(r"\s+(pages free|present|managed|min|low|high)\s+(\d+)$",
                     line)
        if m and cur is not None:
            cur[m.group(1).replace("pages ", "")] = int(m.group(2))
    return zones


def dimms(g):
    """{id: {"slot", "base", "node", "state"}} from `dimm list`."""
    out = ctl_ok(g, "dimm", "list")
    res = {}
    for line in out.splitlines()[1:]:
        f = line.split()
        res[f[0]] = {"slot": int(f[1]), "base": int(f[2], 16),
                     "size": f[3], "node": int(f[4]), "state": f[5]}
    return res


def block_of(g, dimm_id):
    return dimms(g)[dimm_id]["base"] // BLOCK


def sysfs(g, path):
    return g.cmd("cat %s/%s" % (SYSMEM, path)).strip()


def hog(g, size, pattern="random"):
    out = g.cmd("hog %s %s" % (size, pattern), timeout=120)
    if "command not found" in out:
        raise Skip("the guest has no hog command yet")
    return out


def verify(g):
    out = g.cmd("verify", timeout=120)
    assert "verify: ok" in out and "mismatch" not in out, out
    return out


def memfd_count(g):
    """memfd descriptors open in the memvisor process."""
    fd_dir = "/proc/%d/fd" % g.proc.pid
    n = 0
    for fd in os.listdir(fd_dir):
        try:
            n += os.readlink(os.path.join(fd_dir, fd)).startswith("/memfd:")
        except OSError:
            pass
    return n


def rss_shmem_kb(g):
    with open("/proc/%d/status" % g.proc.pid) as f:
        return int(re.search(r"RssShmem:\s+(\d+)", f.read()).group(1))


# ------------------------------------------------------------ tests

def test_hotplug_add_two_dimms(backend):
    with boot(backend) as g:
        g.wait_ready()
        total0 = meminfo(g)["MemTotal"]
        fds0 = memfd_count(g) if backend == "memvisor" else 0
        out = ctl_ok(g, "dimm", "add", "128M", "--id", "d0", "--wait")
        assert "acknowledged by the guest" in out, out
        ctl_ok(g, "dimm", "add", "256M", "--node", "1", "--id", "d1", "--wait")
        size_kb = 384 * 1024
        assert meminfo(g)["MemTotal"] - total0 == size_kb - 3 * MEMMAP_KB
        z = zoneinfo(g)
        assert z[(0, "Movable")]["present"] == BLOCK // 4096
        assert z[(1, "Movable")]["present"] == 2 * BLOCK // 4096
        assert z[(1, "Movable")]["managed"] == 2 * (BLOCK // 4096 - 512)
        assert re.search(r"Node 1, zone\s+Movable", g.cmd("cat /proc/buddyinfo"))
        d = dimms(g)
        assert d["d0"]["state"] == "acknowledged" and d["d1"]["node"] == 1
        if backend == "memvisor":
            assert memfd_count(g) == fds0 + 2
        check_sysfs_blocks(g, d["d0"]["base"] // BLOCK, d["d1"]["base"] // BLOCK)
        log = g.cmd("dmesg")
        assert "hot-add [mem 0x%x-" % d["d0"]["base"] in log, log
        assert re.search(r"online blocks \d+-\d+ node 1 zone Movable", log)
        ctl_ok(g, "dimm", "del", "d0", "--wait")
        ctl_ok(g, "dimm", "del", "d1", "--wait")
        assert meminfo(g)["MemTotal"] == total0
        assert "memory%d\n" % (d["d0"]["base"] // BLOCK) not in g.cmd(
            "ls " + SYSMEM)
        assert dimms(g) == {}
        assert "slot 1 ejected" in g.cmd("dmesg")
        if backend == "memvisor":
            assert memfd_count(g) == fds0, "memfds not closed after eject"
        assert g.poweroff() == 0


def check_sysfs_blocks(g, b0, b1):
    """The sysfs view of node 0's block @b0 and node 1's first block @b1."""
    listing = g.cmd("ls " + SYSMEM).split()
    for name in ("block_size_bytes", "auto_online_blocks", "memory0",
                 "memory%d" % b0, "memory%d" % b1, "memory%d" % (b1 + 1)):
        assert name in listing, (name, listing)
    assert sysfs(g, "block_size_bytes") == "8000000"
    assert sysfs(g, "auto_online_blocks") == "online_movable"
    blk = "memory%d/" % b0
    assert sysfs(g, blk + "state") == "online"
    assert sysfs(g, blk + "online_type") == "online_movable"
    assert sysfs(g, blk + "valid_zones") == "Movable"
    assert sysfs(g, blk + "phys_index") == "%08x" % b0
    assert sysfs(g, blk + "removable") == "1"
    assert sysfs(g, blk + "phys_device") == "0"
    assert sysfs(g, "memory%d/node" % b1) == "1"
    # offline by hand, then online to the kernel zone and back
    total = meminfo(g)["MemTotal"]
    assert g.cmd("echo offline > %s/%sstate" % (SYSMEM, blk)) == ""
    assert sysfs(g, blk + "state") == "offline"
    assert sysfs(g, blk + "valid_zones") == "Normal Movable"
    assert meminfo(g)["MemTotal"] == total - (128 * 1024 - MEMMAP_KB)
    g.cmd("echo online_kernel > %s/%sstate" % (SYSMEM, blk))
    assert sysfs(g, blk + "valid_zones") == "Normal"
    assert zoneinfo(g)[(0, "Normal")]["present"] == BLOCK // 4096
    g.cmd("echo offline > %s/%sstate" % (SYSMEM, blk))
    g.cmd("echo online_movable > %s/%sstate" % (SYSMEM, blk))
    assert sysfs(g, blk + "online_type") == "online_movable"
    assert meminfo(g)["MemTotal"] == total
    # Linux's errors
    assert g.cmd("echo bogus > %s/%sstate" % (SYSMEM, blk)).strip() == \
        "sh: write error: Invalid argument"
    assert "Permission denied" in g.cmd(
        "echo 1 > %s/block_size_bytes" % SYSMEM)
    assert "No such file or directory" in g.cmd(
        "cat %s/memory4000/state" % SYSMEM)
    g.cmd("echo online_kernel > %s/auto_online_blocks" % SYSMEM)
    assert sysfs(g, "auto_online_blocks") == "online_kernel"
    g.cmd("echo online_movable > %s/auto_online_blocks" % SYSMEM)


def test_hotplug_coldplugged_dimm(backend):
    """A DIMM plugged before boot: added and onlined at boot, in node 1's
    zones, and removable like a hot-added one."""
    with boot(backend, cold_node1="cold0") as g:
        log = g.wait_ready()
        total = meminfo(g)["MemTotal"]
        z = zoneinfo(g)
        assert z[(1, "Movable")]["present"] == BLOCK // 4096, z[(1, "Movable")]
        assert z[(1, "Movable")]["managed"] == BLOCK // 4096 - 512
        assert dimms(g)["cold0"]["state"] == "boot"
        base = dimms(g)["cold0"]["base"]
        assert "hot-add [mem 0x%x-" % base in g.cmd("dmesg"), log
        ctl_ok(g, "dimm", "del", "cold0", "--wait")
        assert meminfo(g)["MemTotal"] == total - (128 * 1024 - MEMMAP_KB)
        assert dimms(g) == {}
        assert g.poweroff() == 0


def test_hotplug_remove_migrates_hog(backend):
    with boot(backend) as g:
        g.wait_ready()
        total0 = meminfo(g)["MemTotal"]
        ctl_ok(g, "dimm", "add", "128M", "--id", "m0", "--wait")
        free0 = zoneinfo(g)[(0, "Movable")]["free"]
        hog(g, "32M", "random")
        used = free0 - zoneinfo(g)[(0, "Movable")]["free"]
        assert used >= 7 * 1024, "the hog did not use the DIMM (%d pages)" % used
        # host view before: the hog's 32M are resident in the DIMM's memfd
        rss0 = rss_shmem_kb(g) if backend == "memvisor" else 0
        fds0 = memfd_count(g) if backend == "memvisor" else 0
        out = ctl_ok(g, "dimm", "del", "m0", "--wait", timeout=120)
        assert "ejected by the guest" in out, out
        m = re.search(r"migrated (\d+) pages", g.cmd("dmesg"))
        assert m and int(m.group(1)) >= 7 * 1024, m and m.group(0)
        verify(g)
        assert meminfo(g)["MemTotal"] == total0
        if backend == "memvisor":
            assert memfd_count(g) == fds0 - 1
            # the copies took 32M of boot RAM; had the DIMM's memory not
            # been freed, RssShmem would have grown by those 32M
            assert rss_shmem_kb(g) <= rss0 + 4 * 1024, (rss0, rss_shmem_kb(g))
        assert g.poweroff() == 0


def test_hotplug_unmovable_refused(backend):
    with boot(backend) as g:
        g.wait_ready()
        # the hog first, so that its kernel side (stack, page tables, slab
        # objects) stays in boot memory and only our pins are on the DIMM
        hog(g, "8M", "random")
        g.cmd("echo online_kernel > %s/auto_online_blocks" % SYSMEM)
        ctl_ok(g, "dimm", "add", "128M", "--id", "k0", "--wait")
        blk = block_of(g, "k0")
        assert sysfs(g, "memory%d/valid_zones" % blk) == "Normal"
        out = g.cmd("kpin %d 4" % blk)
        assert "pinned 4 kernel pages" in out, out
        assert sysfs(g, "memory%d/removable" % blk) == "0"
        total = meminfo(g)["MemTotal"]
        line = ctl_fails(g, "dimm", "del", "k0", "--wait", timeout=120,
                         fragment="refused")
        assert "device busy" in line and "stays plugged" in line, line
        assert dimms(g)["k0"]["state"] == "remove-refused"
        assert meminfo(g)["MemTotal"] == total
        assert sysfs(g, "memory%d/state" % blk) == "online"
        assert "0 bad" in g.cmd("kpin check")
        verify(g)
        log = g.cmd("dmesg")
        assert "eject refused" in log and "unmovable page" in log, log
        out = g.cmd("echo offline > %s/memory%d/state" % (SYSMEM, blk))
        # the kernel's warnings come first on the console, as on Linux
        assert out.strip().splitlines()[-1] == \
            "sh: write error: Device or resource busy", out
        # once the kernel lets go, the same DIMM goes
        g.cmd("kpin free")
        ctl_ok(g, "dimm", "del", "k0", "--wait", timeout=120)
        verify(g)
        assert g.poweroff() == 0


@pytest.mark.timeout(400)
def test_hotplug_cycles_with_hog(backend):
    """Add a DIMM, remove the previous one: the hog moves along each time."""
    n = CYCLES[backend]
    with boot(backend) as g:
        g.wait_ready()
        total0 = meminfo(g)["MemTotal"]
        ctl_ok(g, "dimm", "add", "128M", "--id", "c0", "--wait")
        hog(g, CYCLE_HOG, "random")
        for i in range(n):
            ctl_ok(g, "dimm", "add", "128M", "--id", "c%d" % (i + 1), "--wait")
            ctl_ok(g, "dimm", "del", "c%d" % i, "--wait", timeout=60)
        assert list(dimms(g)) == ["c%d" % n]
        verify(g)
        # the hog moved with every removal: n times its 512 pages
        migrated = int(re.search(r"^pgmigrate_success (\d+)",
                                 g.cmd("cat /proc/vmstat"), re.M).group(1))
        assert migrated >= n * 512, migrated
        assert meminfo(g)["MemTotal"] == total0 + 128 * 1024 - MEMMAP_KB
        ctl_ok(g, "dimm", "del", "c%d" % n, "--wait", timeout=60)
        verify(g)
        assert g.poweroff() == 0


def test_hotplug_bad_inputs(backend):
    with boot(backend, slots=2, maxmem="768M", numa=False) as g:
        g.wait_ready()
        total0 = meminfo(g)["MemTotal"]
        # not a multiple of 128 MiB: ctl refuses it before QEMU would plug it
        ctl_fails(g, "dimm", "add", "100M", fragment="128")
        ctl_fails(g, "dimm", "add", "lots", fragment="invalid size")
        ctl_ok(g, "dimm", "add", "256M", "--id", "x1", "--wait")
        ctl_fails(g, "dimm", "add", "384M", "--id", "x2",
                  fragment="maxmem" if backend == "memvisor" else "space")
        ctl_fails(g, "dimm", "add", "128M", "--id", "x1",
                  fragment="already exists")
        ctl_ok(g, "dimm", "add", "128M", "--id", "x2", "--wait")
        ctl_fails(g, "dimm", "add", "128M", "--id", "x3", fragment="slot")
        ctl_fails(g, "dimm", "del", "nosuch", fragment="not found")
        d = dimms(g)
        assert sorted(d) == ["x1", "x2"] and d["x1"]["state"] == "acknowledged"
        assert meminfo(g)["MemTotal"] == total0 + 384 * 1024 - 3 * MEMMAP_KB
        assert g.poweroff() == 0


def test_hotplug_guest_not_answering(backend):
    """acpi_no_memhotplug: the guest ignores the slots, as Linux does."""
    with boot(backend, cmdline="acpi_no_memhotplug") as g:
        g.wait_ready()
        total0 = meminfo(g)["MemTotal"]
        fds0 = memfd_count(g) if backend == "memvisor" else 0
        ctl_fails(g, "dimm", "add", "128M", "--id", "n0", "--wait", timeout=2,
                  fragment="did not acknowledge")
        assert "n0" in dimms(g)
        ctl_fails(g, "dimm", "del", "n0", "--wait", timeout=2,
                  fragment="did not eject")
        assert "n0" in dimms(g), "the DIMM must stay"
        if backend == "memvisor":
            assert memfd_count(g) == fds0 + 1, "nothing may be freed"
        assert meminfo(g)["MemTotal"] == total0
        assert g.poweroff() == 0
