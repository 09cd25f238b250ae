"""KSM on memvisor: two VMs register their memory with one ksmd
(`memvisor ksmd`, `memvisor run --ksm PATH`); identical hogs are merged,
guests keep writing (copy-on-write), run=2 unmerges, killing ksmd harms no
VM. memvisor only: needs /dev/kvm."""
import os
import re
import signal
import subprocess
import tempfile
import time

import pytest

from harness import MEMVISOR, ROOT, Guest, Skip, kvm_available

PAGES_128M = 32768
DEADLINE_S = 600          # a generous bound, not a timing threshold


class Ksmd:
    """A ksmd the test starts and always stops."""

    def __init__(self, sock=None):
        self.dir = tempfile.mkdtemp(prefix="memvisor-ksm-")
        self.sock = sock or os.path.join(self.dir, "ksmd.sock")
        if os.path.exists(self.sock):
            os.unlink(self.sock)          # a killed ksmd's
        self.log = open(os.path.join(self.dir, "ksmd.log"), "w+")
        self.proc = subprocess.Popen([str(MEMVISOR), "ksmd", "--socket", self.sock],
                                     stderr=self.log, cwd=str(ROOT))
        t = time.monotonic()
        while not os.path.exists(self.sock):
            assert self.proc.poll() is None, "ksmd exited"
            assert time.monotonic() - t < 30, "ksmd did not listen"
            time.sleep(0.05)

    def ctl(self, *words, check=True):
        r = subprocess.run([str(MEMVISOR), "ctl", "--ksm", self.sock, "ksm"] + list(words),
                           capture_output=True, text=True, timeout=30)
        if check:
            assert r.returncode == 0, r.stderr
        return r

    def get(self):
        out = self.ctl("get").stdout
        return {k: v for k, v in re.findall(r"^(\w+): (\S+)$", out, re.M)}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def ksmd():
    if not kvm_available():
        pytest.skip("memvisor needs /dev/kvm, not available")
    d = Ksmd()
    yield d
    d.kill()


def pss_kib(pid):
    with open("/proc/%d/smaps_rollup" % pid) as f:
        return int(re.search(r"^Pss:\s+(\d+) kB", f.read(), re.M).group(1))


def wait_for(pred, what):
    t = time.monotonic()
    while not pred():
        assert time.monotonic() - t < DEADLINE_S, "never: " + what
        time.sleep(0.5)


def start_vm(d, extra=()):
    g = Guest("memvisor", memory="256M", qmp=True,
              extra_args=["--ksm", d.sock] + list(extra))
    g.start()
    g.wait_ready()
    return g


def hog(g, args):
    out = g.cmd("hog " + args, timeout=DEADLINE_S)
    assert "filled" in out, out
    return int(re.search(r"hog: pid (\d+) filled", out).group(1))


def verify_ok(g):
    out = g.cmd("verify", timeout=DEADLINE_S)
    assert re.search(r"^verify: ok \d+ pages in \d+ tasks$", out, re.M), out


def two_merged_vms(d):
    a, b = start_vm(d), start_vm(d)
    hog(a, "128M random --seed 7")
    hog(b, "128M random --seed 7")
    before = pss_kib(a.proc.pid) + pss_kib(b.proc.pid)
    d.ctl("set", "pages_to_scan=5000")
    d.ctl("set", "sleep_millisecs=50")
    d.ctl("set", "run=1")
    wait_for(lambda: int(d.get()["pages_sharing"]) >= PAGES_128M * 95 // 100,
             "pages_sharing near 32768")
    return a, b, before


def test_identical_hogs_merge_and_pss_falls(ksmd):
    a, b, before = two_merged_vms(ksmd)
    try:
        wait_for(lambda: int(ksmd.get()["full_scans"]) >= 4, "full scans")
        st = ksmd.get()
        verify_ok(a)          # every merged page mapped in again
        verify_ok(b)
        after = pss_kib(a.proc.pid) + pss_kib(b.proc.pid)
        pool = pss_kib(ksmd.proc.pid)
        print("  pages_sharing %s pages_shared %s; PSS of the two VMs %d -> %d MiB"
              " (+ ksmd %d MiB)" % (st["pages_sharing"], st["pages_shared"],
                                    before >> 10, after >> 10, pool >> 10))
        assert int(st["pages_sharing"]) >= PAGES_128M * 98 // 100
        assert before - after >= 128 * 1024 * 85 // 100, (before, after)
        assert before - after - pool >= 128 * 1024 * 85 // 100, (before, after, pool)
        q = a.qmp("x-query-ksm")
        assert q["ksm_merging_pages"] >= PAGES_128M * 95 // 100, q
        # guests keep writing to merged pages while ksmd runs
        hog(a, "64M random --seed 9 --name second")
        hog(b, "32M seq --name third")
        verify_ok(a)
        verify_ok(b)
        # run=2: contents intact, nothing shared any more
        ksmd.ctl("set", "run=2")
        wait_for(lambda: int(ksmd.get()["pages_shared"]) == 0, "unmerged")
        verify_ok(a)
        verify_ok(b)
        assert a.qmp("x-query-ksm")["ksm_merging_pages"] == 0
    finally:
        a.kill()
        b.kill()
    ksmd.stop()


def test_ksmd_killed_mid_scan(ksmd):
    a, b, _ = two_merged_vms(ksmd)
    try:
        ksmd.kill()                                  # SIGKILL, scanning
        hog(a, "32M random --seed 11 --name after")  # COW still works
        verify_ok(a)
        verify_ok(b)
        wait_for(lambda: "went away" in a.stderr_text(), "the VM logs it")
        assert a.qmp("x-query-ksm")["connected"] is False
    finally:
        a.kill()
        b.kill()


def merge_fast(d):
    d.ctl("set", "pages_to_scan=5000")
    d.ctl("set", "sleep_millisecs=50")
    d.ctl("set", "run=1")


def test_restarted_ksmd_picks_vms_up(ksmd):
    """ksmd SIGKILLed, a new one on the same socket: the VMs fold their
    merged pages back, register again, and merge anew; run=2 unmerges."""
    a, b, _ = two_merged_vms(ksmd)
    d2 = None
    try:
        ksmd.kill()
        wait_for(lambda: "went away" in a.stderr_text(), "the VM logs it")
        hog(a, "16M random --seed 11 --name while-gone")   # COW meanwhile
        d2 = Ksmd(sock=ksmd.sock)
        for g in (a, b):
            wait_for(lambda: "registered again" in g.stderr_text(), "re-registered")
            assert g.qmp("x-query-ksm")["connected"] is True
        verify_ok(a)
        verify_ok(b)
        merge_fast(d2)
        wait_for(lambda: int(d2.get()["pages_sharing"]) >= PAGES_128M * 95 // 100,
                 "merged again by the new ksmd")
        verify_ok(a)
        verify_ok(b)
        d2.ctl("set", "run=2")
        wait_for(lambda: int(d2.get()["pages_shared"]) == 0, "unmerged")
        for g in (a, b):
            wait_for(lambda: g.qmp("x-query-ksm")["ksm_merging_pages"] == 0,
                     "no merged page in the VM")
            verify_ok(g)
    finally:
        a.kill()
        b.kill()
        if d2:
            d2.kill()


def test_ctl_refuses_bad_settings(ksmd):
    r = ksmd.ctl("set", "no_such=1", check=False)
    assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    r = ksmd.ctl("set", "run=7", check=False)
    assert r.returncode != 0 and "out of range" in r.stderr, r.stderr
    assert ksmd.get()["run"] == "0"
    r = ksmd.ctl("get", "pages_sharing")
    assert r.stdout == "pages_sharing: 0\n"
    ksmd.stop()


# ------------------------------------------------------------ together

def merging(g):
    return g.qmp("x-query-ksm")["ksm_merging_pages"]


def test_balloon_over_merged_pages(ksmd):
    """The hog of VM a ends, its balloon inflates over the freed (merged)
    pages: a drops its references, the pool pages stay for b, ballooned
    pages are holes that ksmd does not count or merge."""
    a, b, _ = two_merged_vms(ksmd)
    try:
        pid = int(re.search(r"^\s*(\d+)\s+hog", a.cmd("ps"), re.M).group(1))
        before = merging(a)
        a.cmd("kill %d" % pid)
        a.qmp("balloon", value=64 << 20)            # inflate 192 MiB
        wait_for(lambda: a.qmp("query-balloon")["actual"] <= (64 << 20),
                 "the balloon inflated")
        wait_for(lambda: merging(a) <= before // 2, "a dropped its references")
        st = ksmd.get()
        assert int(st["pages_shared"]) >= PAGES_128M * 95 // 100, st
        assert merging(b) >= PAGES_128M * 95 // 100
        verify_ok(b)
        # ballooned pages stay holes: a full scan later nothing of a's
        # balloon is merged again, b is intact
        scans = int(st["full_scans"])
        wait_for(lambda: int(ksmd.get()["full_scans"]) >= scans + 2, "full scans")
        assert merging(a) <= before // 2
        verify_ok(b)
        a.qmp("balloon", value=256 << 20)           # deflate, and use it
        wait_for(lambda: a.qmp("query-balloon")["actual"] >= (256 << 20),
                 "the balloon deflated")
        hog(a, "96M random --seed 7 --name again")
        verify_ok(a)
        verify_ok(b)
    finally:
        a.kill()
        b.kill()


def qctl(g, *args):
    r = subprocess.run([str(MEMVISOR), "ctl", "--qmp", g.qmp_path, "--timeout",
                        "120"] + list(args), capture_output=True, text=True,
                       timeout=180)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_dimm_with_merged_pages(ksmd):
    """A hog on a hot-added DIMM merges with another VM's; removing the
    DIMM migrates the pages out (the VM drops the DIMM's references), both
    verify, and ksmd merges the migrated copies again."""
    a = start_vm(ksmd, ["--slots", "2", "--maxmem", "768M"])
    b = start_vm(ksmd)
    try:
        qctl(a, "dimm", "add", "256M", "--id", "k0", "--wait")
        hog(a, "128M random --seed 7")              # lands on the DIMM
        hog(b, "128M random --seed 7")
        merge_fast(ksmd)
        wait_for(lambda: int(ksmd.get()["pages_sharing"]) >= PAGES_128M * 95 // 100,
                 "merged")
        qctl(a, "dimm", "del", "k0", "--wait")
        verify_ok(a)
        verify_ok(b)
        wait_for(lambda: int(ksmd.get()["pages_sharing"]) >= PAGES_128M * 95 // 100,
                 "merged again after the migration")
        verify_ok(a)
        verify_ok(b)
    finally:
        a.kill()
        b.kill()


def map_count(pid):
    with open("/proc/%d/maps" % pid) as f:
        return sum(1 for _ in f)


def test_max_map_count_stops_merging(ksmd):
    """Identical pages within one VM: the first max_page_sharing (256) of
    them map one pool page, a mapping each: two maps entries per merged
    page (the rest go onto a stripe of consecutive pool pages, a mapping
    per 64 pages). Under a low vm.max_map_count merging stops for that VM
    with a reason; nothing is lost."""
    path = "/proc/sys/vm/max_map_count"
    if not os.access(path, os.W_OK):
        pytest.skip("cannot write %s (needs root)" % path)
    with open(path) as f:
        saved = f.read().strip()
    a = start_vm(ksmd)
    try:
        hog(a, "8M same --seed 5")                  # 2048 identical pages
        limit = map_count(a.proc.pid) + 200
        with open(path, "w") as f:
            f.write(str(limit))
        merge_fast(ksmd)
        wait_for(lambda: a.qmp("x-query-ksm")["merging_stopped"], "merging stops")
        q = a.qmp("x-query-ksm")
        assert "max_map_count" in q["reason"], q
        assert "mapping limit" in a.stderr_text()
        verify_ok(a)
        with open(path, "w") as f:
            f.write(saved)
        hog(a, "16M random --seed 3 --name after")  # the guest runs on
        verify_ok(a)
        ksmd.ctl("set", "run=2")
        wait_for(lambda: merging(a) == 0, "unmerged")
        verify_ok(a)
    finally:
        with open(path, "w") as f:
            f.write(saved)
        a.kill()


def test_zero_runs_merge_onto_stripes(ksmd):
    """Two VMs' runs of zero pages: more sharers than max_page_sharing, so
    the chain's runs go onto stripes of consecutive pool pages (ksm/
    stable.c), a mapping per 64 pages rather than one per page (two maps
    entries each). Then a's zero hog ends and a new hog writes over the
    freed, merged pages (copy-on-write), and run=2 unmerges: nothing is
    lost on either VM."""
    a, b = start_vm(ksmd), start_vm(ksmd)
    try:
        pid = hog(a, "16M zero --name za")          # 4096 zero pages each
        hog(b, "16M zero --name zb")
        maps = map_count(a.proc.pid)
        merge_fast(ksmd)
        wait_for(lambda: merging(a) >= 4096 and merging(b) >= 4096,
                 "the zero hogs merged")
        wait_for(lambda: int(ksmd.get()["full_scans"]) >= 4, "full scans")
        st = ksmd.get()
        grown = map_count(a.proc.pid) - maps
        print("  merged a %d b %d; stable_node_chains %s stable_node_dups %s"
              " pages_shared %s; a's maps +%d" % (merging(a), merging(b),
              st["stable_node_chains"], st["stable_node_dups"],
              st["pages_shared"], grown))
        assert int(st["stable_node_chains"]) >= 1, st
        assert int(st["stable_node_dups"]) >= 8192 // 256, st
        assert grown < 2 * 4096 // 4, (maps, grown)   # far from a map a page
        verify_ok(a)
        verify_ok(b)
        a.cmd("kill %d" % pid)
        hog(a, "16M random --seed 11 --name after")
        verify_ok(a)
        verify_ok(b)
        ksmd.ctl("set", "run=2")
        wait_for(lambda: int(ksmd.get()["pages_shared"]) == 0, "unmerged")
        assert merging(a) == 0 and merging(b) == 0
        verify_ok(a)
        verify_ok(b)
    finally:
        a.kill()
        b.kill()


def memfd_kib(pid):
    """What the memfds process @pid holds have allocated (its guest RAM)."""
    kib = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        path = "/proc/%d/fd/%s" % (pid, fd)
        try:
            if os.readlink(path).startswith("/memfd:memvisor-ram"):
                kib += os.stat(path).st_blocks // 2
        except OSError:
            pass
    return kib


def test_use_zero_pages_punches_zero_runs(ksmd):
    """use_zero_pages=1: a VM's zero pages become holes of its guest RAM
    (ksm_zero_pages, no pool page), in runs (one punch per run); the memfd
    gives the memory back, the data around them stays, a guest write over
    them gets fresh pages, and run=2 leaves everything as the guest wrote
    it."""
    a = start_vm(ksmd)
    try:
        hog(a, "16M random --seed 3 --name r1")
        pid = hog(a, "32M zero --name z")           # 8192 zero pages
        hog(a, "16M random --seed 4 --name r2")
        before = memfd_kib(a.proc.pid)
        ksmd.ctl("set", "use_zero_pages=1")
        merge_fast(ksmd)
        wait_for(lambda: int(ksmd.get()["ksm_zero_pages"]) >= 8192,
                 "the zero hog's pages on the zero page")
        st = ksmd.get()
        after = memfd_kib(a.proc.pid)
        q = a.qmp("x-query-ksm")
        print("  ksm_zero_pages %s pages_shared %s; guest RAM %d -> %d MiB"
              % (st["ksm_zero_pages"], st["pages_shared"], before >> 10,
                 after >> 10))
        assert q["ksm_zero_pages"] >= 8192, q
        assert before - after >= 32 * 1024 * 95 // 100, (before, after)
        verify_ok(a)
        a.cmd("kill %d" % pid)
        hog(a, "32M random --seed 11 --name after")  # over the holes
        verify_ok(a)
        ksmd.ctl("set", "run=2")        # forgets the zero-page merges
        wait_for(lambda: int(ksmd.get()["ksm_zero_pages"]) == 0, "unmerged")
        wait_for(lambda: a.qmp("x-query-ksm")["ksm_zero_pages"] == 0,
                 "the VM told")
        verify_ok(a)
    finally:
        a.kill()


def test_disk_read_into_merged_pages(ksmd, tmp_path):
    """virtio-blk reads land in merged pages and break copy-on-write first.

    Both VMs' hogs are merged; VM a's hog ends, so most of a's free memory
    is merged pages the guest may hand to its page cache. A 64 MiB disk
    read then lands in them: blk's I/O thread preadv()s straight into the
    guest's mapping, which for a merged page is the pool page mapped
    MAP_PRIVATE, so the kernel gives a a private copy before the bytes go
    in. The guest's checksum of what it read equals the image's, ksmd finds
    fewer of a's pages merged, and b's hog (the other sharer of those pool
    pages) verifies. The bytes are checked by a user-mode reader of the
    cache (cached_checksum), not by dd's checksum in emulated ring 0."""
    from test_blk import dd, fnv1a64, cached_checksum
    from test_reclaim import vmstat as vmstat_of
    img = tmp_path / "disk.img"
    img.write_bytes(os.urandom(64 << 20))
    a = start_vm(ksmd, ["--drive", "file=%s" % img])
    b = start_vm(ksmd)
    try:
        hog(a, "160M random --seed 7")
        hog(b, "160M random --seed 7")
        merge_fast(ksmd)
        wait_for(lambda: merging(a) >= 40960 * 95 // 100, "a's hog merged")
        pid = int(re.search(r"^\s*(\d+)\s+hog", a.cmd("ps"), re.M).group(1))
        a.cmd("kill %d" % pid)
        scans = int(ksmd.get()["full_scans"])
        wait_for(lambda: int(ksmd.get()["full_scans"]) >= scans + 2, "full scans")
        before = merging(a)
        n, _, _, out = dd(a, "if=/dev/vda of=/dev/null bs=1M count=64 "
                          "csum=off", timeout=DEADLINE_S)
        assert n == 64 << 20, out
        want = fnv1a64(img.read_bytes())
        assert cached_checksum(a, 64) == want
        scans = int(ksmd.get()["full_scans"])
        wait_for(lambda: int(ksmd.get()["full_scans"]) >= scans + 2, "full scans")
        after = merging(a)
        print("  a's merged pages: %d before the disk read, %d after" % (before, after))
        assert after < before, (before, after)
        verify_ok(b)
        # the cached pages still hold the disk's bytes, read from the
        # cache: no I/O
        pgpgin = vmstat_of(a)["pgpgin"]
        assert cached_checksum(a, 64) == want
        assert vmstat_of(a)["pgpgin"] == pgpgin
        verify_ok(b)
    finally:
        a.kill()
        b.kill()
