"""The randomized hotplug soak (soak.py) in short, and issue 12's
acceptance sequence, on memvisor and on QEMU with the same guest.elf.

test_soak_short: a fixed seed and a few dozen operations; seed 3 plugs a
2304M DIMM that ends at 8 GiB (a mem_section root boundary) and removes
it at operation 16, which panicked the guest before the fix (#PF at CR2
0x24 in skip_unmanaged).  `make soak` runs the long, random ones.

test_issue12_remove_16g_dimm: 512M of RAM, maxmem 64G, a 16G DIMM added
and removed with `--wait`, with a hog on it: the guest lives on, the hog
verifies, MemTotal and `dimm list` are back to where they were.
"""

import re

import pytest

import soak
from harness import Guest, Skip

SHORT_SEED = 3
SHORT_OPS = 40


@pytest.mark.timeout(900)
def test_soak_short(backend):
    s = soak.run_soak(backend, SHORT_SEED, SHORT_OPS, quiet=True)
    assert not s.failures, s.summary()
    assert s.counts["remove"] > 0 and s.counts["add"] > 0, s.summary()
    assert s.bytes_verified > 0, s.summary()


@pytest.mark.timeout(600)
def test_issue12_remove_16g_dimm(backend):
    s = soak.Soak(backend, 0, 0, quiet=True)
    with s.guest() as g:
        s.g = g
        g.wait_ready(timeout=120)
        total0 = s.memtotal_kb()
        out = s.ctl_ok("dimm", "add", "16G", "--id", "big", "--wait")
        assert "acknowledged by the guest" in out, out
        assert s.memtotal_kb() == total0 + 16 * 1024 * 1024 - 128 * 2048
        # a hog after the DIMM: its pages are on it and must move
        out = g.cmd("hog 8M random --name h1", timeout=120)
        assert re.search(r"^hog: pid \d+ filled", out, re.M), out
        out = s.ctl_ok("dimm", "del", "big", "--wait")
        assert "ejected by the guest" in out, out
        out = g.cmd("verify", timeout=120)
        assert "verify: ok 2048 pages in 1 tasks" in out, out
        assert s.memtotal_kb() == total0
        assert s.dimm_list() == {}
        assert not soak.PANIC_RX.search(g.output), g.output[-2000:]
        assert g.poweroff(timeout=120) == 0


@pytest.mark.timeout(900)
def test_dimm_over_64g_removable(backend):
    """A DIMM of more than 64 GiB (513 blocks) is removed like any other:
    the guest's offline_and_remove_memory() used to refuse more than 512
    blocks with -EINVAL (an eject refused as "device busy") although
    add_memory() had taken it. memvisor only: QEMU would allocate the
    whole backend, more than this host has."""
    if backend != "memvisor":
        raise Skip("QEMU allocates a 64G backend up front")
    g = Guest("memvisor", memory="512M", qmp=True,
              extra_args=["--slots", "2", "--maxmem", "65G"])
    s = soak.Soak(backend, 0, 0, quiet=True)
    with g:
        s.g = g
        g.wait_ready(timeout=120)
        total0 = s.memtotal_kb()
        s.ctl_ok("dimm", "add", "65664M", "--id", "huge", "--wait")
        assert s.memtotal_kb() == total0 + 513 * (128 * 1024 - 2048)
        out = s.ctl_ok("dimm", "del", "huge", "--wait")
        assert "ejected by the guest" in out, out
        assert s.memtotal_kb() == total0
        assert s.dimm_list() == {}
        assert g.poweroff(timeout=120) == 0


