"""A libvirt-managed guest driven by `memvisor ctl --connect`: a real
libvirtd, QEMU under it, the domain defined from configs/guest.xml.

The test starts its own libvirtd (scripts/libvirtd-private): as root, in a
mount namespace of its own where a temporary directory stands in for
/etc/libvirt, /run/libvirt and /var/{lib,log,cache}/libvirt, so neither the
machine's libvirt configuration nor a libvirtd already running is touched;
the daemon and its domains are stopped when the module ends. The domain is
transient (virsh create): nothing is left defined. It runs under KVM when
/dev/kvm is there, under TCG otherwise.

Covered: the XML boots the guest to its prompt with the MemTotal that
`memvisor run --config` gives it; a 128 MiB DIMM hot-added through ctl
--connect comes online in the guest (/proc/meminfo, /sys/devices/system/
memory), holds a hog, and is removed with the hog migrated (`verify` ok);
the balloon is set and its statistics read; the console is ctl's; every
connection mistake is one line and exit 1.
"""

import os
import re
import shutil
import subprocess
import tempfile

import pytest

from harness import MEMVISOR, ROOT, Guest, kvm_available
from test_config import node_pages
from test_hotplug import SYSMEM, meminfo, zoneinfo

SCRIPT = ROOT / "scripts" / "libvirtd-private"
GUEST_XML = ROOT / "build" / "configs" / "guest.xml"
DOMAIN = "memvisor-guest"       # configs/guest.xml's <name>
ACCEL = "kvm" if kvm_available() else "tcg"
REMOVE_TIMEOUT = 300            # a loaded DIMM's removal, ring 0 emulated


def why_not():
    """Why the private libvirtd cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (a private libvirtd running QEMU as root)"
    if not shutil.which("libvirtd") or not shutil.which("virsh"):
        return "libvirtd or virsh not installed (scripts/install-deps.sh)"
    if not GUEST_XML.exists():
        return "%s not generated (run make)" % GUEST_XML
    return None


@pytest.fixture(scope="module")
def uri():
    reason = why_not()
    if reason:
        pytest.skip("SKIP libvirt: " + reason)
    d = tempfile.mkdtemp(prefix="mv-libvirtd-")
    r = subprocess.run([str(SCRIPT), "start", d], capture_output=True,
                       text=True, timeout=90)
    if r.returncode == 3:
        pytest.skip("SKIP libvirt: " + r.stderr.strip())
    assert r.returncode == 0, r.stderr
    try:
        yield r.stdout.strip()
    finally:
        subprocess.run([str(SCRIPT), "stop", d], timeout=60)
        shutil.rmtree(d, ignore_errors=True)


def virsh(uri, *args):
    r = subprocess.run(["virsh", "-q", "-c", uri] + list(args),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (args, r.stderr)
    return r.stdout


def ctl(uri, *args, timeout=30):
    cmd = [str(MEMVISOR), "ctl", "--connect", uri, "--domain", DOMAIN,
           "--timeout", str(timeout)] + list(args)
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout + 30)


def ctl_ok(uri, *args, timeout=30):
    r = ctl(uri, *args, timeout=timeout)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r.stdout


class Console(Guest):
    """The domain's serial console through `memvisor ctl console`, with the
    harness's expect/cmd (timeouts of QEMU's accelerator)."""

    def __init__(self, uri, name=DOMAIN):
        super().__init__("qemu", accel=ACCEL)
        self.uri = uri
        self.name = name

    def command_line(self):
        return [str(MEMVISOR), "ctl", "--connect", self.uri, "--domain",
                self.name, "console"]

    def _check_can_run(self):
        pass

    def prompt(self):
        """The guest may have booted before we attached: ask for a prompt."""
        self.send("\n")
        self.expect(r"guest# ", self.boot_timeout)


def create(uri, tmp_path, xml_path):
    """virsh create a transient domain from @xml_path (TCG without KVM)."""
    xml = xml_path.read_text()
    if ACCEL != "kvm":
        xml = xml.replace("<domain type='kvm'>", "<domain type='qemu'>")
    path = tmp_path / xml_path.name
    path.write_text(xml)
    virsh(uri, "create", str(path))
    return re.search(r"<name>([^<]+)</name>", xml).group(1)


def destroy(uri, name):
    subprocess.run(["virsh", "-q", "-c", uri, "destroy", name],
                   capture_output=True, timeout=60)


@pytest.fixture
def domain(uri, tmp_path):
    create(uri, tmp_path, GUEST_XML)
    try:
        yield uri
    finally:
        destroy(uri, DOMAIN)


def dimm_rows(uri):
    out = ctl_ok(uri, "dimm", "list")
    return {f[0]: f for f in (line.split() for line in out.splitlines()[1:])}


def memtotal(backend, extra_args=(), memory="256M"):
    """MemTotal of a guest booted by the harness (QEMU: -M pc, TCG)."""
    with Guest(backend, memory=memory, extra_args=extra_args) as g:
        g.wait_ready()
        total = meminfo(g)["MemTotal"]
        assert g.poweroff() == 0
    return total


@pytest.mark.timeout(900)
def test_libvirt_dimm_hog_balloon(domain):
    uri = domain
    with Console(uri) as con:
        con.prompt()
        total0 = meminfo(con)["MemTotal"]
        blocks0 = set(con.cmd("ls %s" % SYSMEM).split())

        out = ctl_ok(uri, "dimm", "add", "128M", "--id", "lv0")
        assert re.search(r"^dimm lv0: slot \d+, base 0x[0-9a-f]+, size 128M, "
                         r"node 0$", out, re.M), out
        assert dimm_rows(uri)["lv0"][3] == "128M"
        assert "plugged memory: 128M" in ctl_ok(uri, "status")

        # the guest onlines the DIMM's block (movable): MemTotal grows
        for _ in range(100):
            new = set(con.cmd("ls %s" % SYSMEM).split()) - blocks0
            if new:
                break
        assert len(new) == 1, new
        state = con.cmd("cat %s/%s/state" % (SYSMEM, new.pop())).strip()
        assert state == "online", state
        assert meminfo(con)["MemTotal"] > total0 + 120 * 1024

        free0 = zoneinfo(con)[(0, "Movable")]["free"]
        out = con.cmd("hog 32M random", timeout=120)
        assert "hog" in out, out
        used = free0 - zoneinfo(con)[(0, "Movable")]["free"]
        assert used >= 7 * 1024, "the hog did not use the DIMM (%d)" % used

        out = ctl_ok(uri, "dimm", "del", "lv0", "--wait",
                     timeout=REMOVE_TIMEOUT)
        assert "dimm lv0: ejected by the guest" in out, out
        assert "lv0" not in dimm_rows(uri)
        out = con.cmd("verify", timeout=120)
        assert "verify: ok" in out and "mismatch" not in out, out
        assert meminfo(con)["MemTotal"] == total0

        out = ctl_ok(uri, "balloon", "192M", "--wait", timeout=120)
        assert "balloon: the guest has 192M" in out, out
        assert "balloon: 64M (the guest has 192M)" in ctl_ok(uri, "balloon")
        stats = ctl_ok(uri, "balloon", "stats")
        m = re.search(r"^stat-total-memory\s+(\d+)", stats, re.M)
        assert "last update:" in stats and m, stats
        out = ctl_ok(uri, "balloon", "256M", "--wait", timeout=120)
        assert "balloon: the guest has 256M" in out, out

    virsh(uri, "destroy", DOMAIN)
    assert DOMAIN not in virsh(uri, "list", "--name")
    # The XML gives each engine the guest its own flags give: libvirt's
    # QEMU the MemTotal of `qemu -m 256M`, memvisor's `run --config` that of
    # `run --memory 256M`. (The two engines differ by the RAM QEMU's
    # firmware, SeaBIOS, keeps for itself, 128 KiB.)
    assert memtotal("qemu") == total0
    if kvm_available():
        assert memtotal("memvisor", ["--config", str(GUEST_XML)]) == \
            memtotal("memvisor")


def test_libvirt_numa_and_dimm_xml(uri, tmp_path):
    """configs/guest-numa.xml and guest-dimm.xml under libvirt: each node's
    boot RAM as memvisor's run --config gives it; the boot DIMM listed."""
    path = GUEST_XML.parent / "guest-numa.xml"
    name = create(uri, tmp_path, path)
    try:
        with Console(uri, name) as con:
            con.prompt()
            pages = node_pages(con)
    finally:
        destroy(uri, name)
    # node 1 is the top 128M of RAM, where QEMU's firmware (SeaBIOS) keeps
    # 128 KiB for itself; memvisor has no firmware
    assert pages[1] == 32768 - 32, pages
    if kvm_available():
        with Guest("memvisor", extra_args=["--config", str(path)]) as g:
            g.wait_ready()
            assert node_pages(g)[1] == 32768
            assert g.poweroff() == 0

    name = create(uri, tmp_path, GUEST_XML.parent / "guest-dimm.xml")
    try:
        r = subprocess.run([str(MEMVISOR), "ctl", "--connect", uri, "--domain",
                            name, "dimm", "list"], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        rows = [line.split() for line in r.stdout.splitlines()[1:]]
        assert len(rows) == 1 and rows[0][3] == "128M", r.stdout
    finally:
        destroy(uri, name)


def test_libvirt_connection_mistakes(uri):
    r = subprocess.run([str(MEMVISOR), "ctl", "--connect", uri, "--domain",
                        "no-such-domain", "status"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 1, r.stderr
    assert "no-such-domain" in r.stderr and "virsh" in r.stderr, r.stderr

    missing = "qemu:///system?socket=%s/none/libvirt-sock" % tempfile.gettempdir()
    r = subprocess.run([str(MEMVISOR), "ctl", "--connect", missing, "--domain",
                        DOMAIN, "status"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 1, r.stderr
    assert "is libvirtd running?" in r.stderr, r.stderr

    for args, fragment in ((["--connect", uri, "status"], "needs --domain"),
                           (["--domain", DOMAIN, "status"], "goes with --connect"),
                           (["--qmp", "/x", "--connect", uri, "--domain", DOMAIN,
                             "status"], "not both"),
                           (["--qmp", "/x", "console"], "console needs --connect")):
        r = subprocess.run([str(MEMVISOR), "ctl"] + args, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 2 and fragment in r.stderr, (args, r.stderr)
