"""`memvisor run --config FILE.xml`: the libvirt domain definitions in
configs/ (as make writes them to build/configs/, with the kernel's absolute
path) boot memvisor's guest as the equivalent flags do, and bad files get
one clear line and exit 2. memvisor only: the same files under libvirt/QEMU
are the libvirtd test's business.
"""

import re
import subprocess

import pytest

from harness import MEMVISOR, ROOT, Guest
from test_boot import meminfo
from test_hotplug import zoneinfo

CONFIGS = ROOT / "build" / "configs"


def config(name):
    path = CONFIGS / name
    if not path.exists():
        pytest.fail("%s not generated (run make)" % path)
    return str(path)


def memtotal(g):
    return meminfo(g.cmd("cat /proc/meminfo"))["MemTotal"]


def test_validates_against_libvirt_schema():
    if subprocess.run(["which", "virt-xml-validate"],
                      capture_output=True).returncode:
        pytest.skip("virt-xml-validate not installed (scripts/install-deps.sh)")
    for name in ("guest.xml", "guest-numa.xml", "guest-dimm.xml"):
        r = subprocess.run(["virt-xml-validate", config(name), "domain"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr


def test_guest_xml_boots_like_memory_256m():
    with Guest("memvisor", memory="256M") as g:
        g.wait_ready()
        want = memtotal(g)
        assert g.poweroff() == 0
    # Guest() passes --memory 256M first; give the config a different
    # --memory before it to see that the file's <memory> wins.
    with Guest("memvisor", memory="64M",
               extra_args=["--config", config("guest.xml")]) as g:
        g.wait_ready()
        assert memtotal(g) == want
        assert "warning" not in g.stderr_text(), g.stderr_text()
        assert g.poweroff() == 0


def test_flags_after_config_override():
    with Guest("memvisor", extra_args=["--config", config("guest.xml"),
                                       "--memory", "512M"]) as g:
        g.wait_ready()
        assert memtotal(g) > 400 * 1024
        assert g.poweroff() == 0


def test_guest_dimm_xml_plugs_its_dimm():
    with Guest("memvisor", extra_args=["--config", config("guest-dimm.xml")]) as g:
        g.wait_ready()
        blocks = g.cmd("ls /sys/devices/system/memory").split()
        size = int(g.cmd("cat /sys/devices/system/memory/block_size_bytes").strip(), 16)
        mem = sorted(int(b[6:]) for b in blocks if re.fullmatch(r"memory\d+", b))
        # Boot RAM is 256M; the DIMM's 128M is above it, in the hotplug region.
        assert any(n * size >= 256 << 20 for n in mem), blocks
        assert memtotal(g) > 300 * 1024
        assert g.poweroff() == 0


def node_pages(g):
    """{node: present pages} from /proc/zoneinfo."""
    pages = {}
    for (node, _), z in zoneinfo(g).items():
        pages[node] = pages.get(node, 0) + z.get("present", 0)
    return pages


def test_guest_numa_xml_boots():
    """Two cells of 128M: each node has its boot RAM (node 0 less the
    first page and the BIOS hole)."""
    with Guest("memvisor", extra_args=["--config", config("guest-numa.xml")]) as g:
        g.wait_ready()
        pages = node_pages(g)
        assert pages[1] == 32768, pages
        assert 32000 < pages[0] < 32768, pages
        assert g.poweroff() == 0


BAD = {
    "malformed": ("<domain><memory>1</domain>", "not well-formed XML"),
    "unit": ("<domain><memory unit='parsec'>1</memory></domain>",
             "unit 'parsec' is not a size"),
    "absurd": ("<domain><memory unit='EiB'>999999</memory></domain>", "too large"),
    "entity": ("<!DOCTYPE d [<!ENTITY a 'x'>]><domain>&a;</domain>",
               "<!DOCTYPE> is not accepted"),
    "disk": ("<domain><memory unit='MiB'>256</memory><os><kernel>/k</kernel></os>"
             "<devices><disk type='file'/></devices></domain>",
             "<devices><disk> is not supported"),
    "memory_range": ("<domain><memory unit='MiB'>1</memory>"
                     "<os><kernel>/k</kernel></os>"
                     "<features><acpi/></features></domain>", "--memory"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_config_is_one_line_exit_2(tmp_path, name):
    xml, words = BAD[name]
    path = tmp_path / (name + ".xml")
    path.write_text(xml)
    r = subprocess.run([str(MEMVISOR), "run", "--config", str(path)],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and words in lines[0], r.stderr
    assert lines[0].startswith("memvisor: "), r.stderr


def test_missing_file_and_template():
    r = subprocess.run([str(MEMVISOR), "run", "--config", "/nonexistent.xml"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and "cannot open /nonexistent.xml" in r.stderr
    r = subprocess.run([str(MEMVISOR), "run", "--config",
                        str(ROOT / "configs" / "guest.xml")],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and "@KERNEL@" in r.stderr, r.stderr
