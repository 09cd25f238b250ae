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

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="memvisor-ksm-")
        self.sock = os.path.join(self.dir, "ksmd.sock")
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


def start_vm(d):
    g = Guest("memvisor", memory="256M", qmp=True, extra_args=["--ksm", d.sock])
    g.start()
    g.wait_ready()
    return g


def hog(g, args):
    out = g.cmd("hog " + args, timeout=DEADLINE_S)
    assert "filled" in out, out


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


def test_ctl_refuses_bad_settings(ksmd):
    r = ksmd.ctl("set", "no_such=1", check=False)
    assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    r = ksmd.ctl("set", "run=7", check=False)
    assert r.returncode != 0 and "out of range" in r.stderr, r.stderr
    assert ksmd.get()["run"] == "0"
    r = ksmd.ctl("get", "pages_sharing")
    assert r.stdout == "pages_sharing: 0\n"
    ksmd.stop()
