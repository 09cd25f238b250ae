"""virtio-blk: the guest reads the image's bytes (its dd checksum equals the
host's over the same bytes), writes reach the host file, a read-only disk
refuses writes and stays unchanged, images in memory (tmpfs, whose queue
memvisor works on the vCPU that rang) beside one on disk (worked by the
drive's thread) read and write as well, a read past the end fails cleanly, an
image truncated under the running guest gives I/O errors and memvisor
survives, and QMP query-block answers with QEMU's shape.

Every test runs on memvisor (--drive file=PATH[,readonly=on][,id=ID]) and
on QEMU (-drive file=PATH,if=virtio,format=raw[,readonly=on][,id=ID]) with
images the test makes in a temporary directory. Measured dd rates are
printed (pytest -s shows them), never asserted.
"""

import os
import re
import shutil
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from harness import Guest, MEMVISOR

MIB = 1 << 20
FNV_OFFSET = 0xcbf29ce484222325
FNV_PRIME = 0x100000001b3
MASK = (1 << 64) - 1


def fnv1a64(data):
    """The guest dd's checksum: FNV-1a over little-endian 64-bit words."""
    h = FNV_OFFSET
    for (w,) in struct.iter_unpack("<Q", data):
        h = ((h ^ w) * FNV_PRIME) & MASK
    return h


def make_image(path, size, random=True):
    with open(path, "wb") as f:
        f.write(os.urandom(size) if random else bytes(size))
    return path


def drive_args(backend, path, readonly=False, drive_id=None):
    opt = "file=%s" % path
    if backend != "memvisor":
        opt += ",if=virtio,format=raw"
    if readonly:
        opt += ",readonly=on"
    if drive_id:
        opt += ",id=%s" % drive_id
    return ["--drive" if backend == "memvisor" else "-drive", opt]


def disk_guest(backend, drives, qmp=False):
    """A guest with @drives, a list of (path, readonly, id)."""
    extra = []
    for path, ro, did in drives:
        extra += drive_args(backend, path, ro, did)
    return Guest(backend, qmp=qmp, extra_args=extra)


def ready(g, ndisks, timeout=30):
    """Wait for the prompt and for the driver (probed after the ready line)
    to have added @ndisks disks; /proc/partitions' lines."""
    g.wait_ready()
    deadline = time.monotonic() + timeout
    while True:
        out = g.cmd("cat /proc/partitions")
        names = re.findall(r"^\s*253\s+\d+\s+\d+\s+(vd[a-z])$", out, re.M)
        if len(names) == ndisks:
            return out
        assert time.monotonic() < deadline, out
        time.sleep(0.5)


def dd(g, args, timeout=120):
    """Run dd; (bytes copied, MB/s, checksum or None, whole output)."""
    out = g.cmd("dd " + args, timeout=timeout)
    m = re.search(r"^(\d+) bytes .* copied, [\d.]+ s, ([\d.]+) MB/s$", out,
                  re.M)
    assert m, out
    c = re.search(r"^fnv1a64 0x([0-9a-f]{16})", out, re.M)
    return int(m.group(1)), float(m.group(2)), \
        int(c.group(1), 16) if c else None, out


def cached_checksum(g, mib, dev="/dev/vda", timeout=120):
    """The FNV-1a checksum (as dd's) of the first @mib MiB of @dev's page
    cache, read by a user-mode task (`hog SIZE file DEV`: the cached pages
    mapped read-only, what is not cached read in), which then ends. dd's
    own checksum runs in the guest kernel, ~3 instructions per 8 bytes:
    ~19 s for 64 MiB where ring 0 is emulated; this takes ~2.5 s."""
    out = g.cmd("hog %dM file %s --name csum" % (mib, dev), timeout=timeout)
    m = re.search(r"^hog: pid (\d+) read %d MiB \(file\) in \d+ ms, "
                  r"fnv1a64 0x([0-9a-f]{16})$" % mib, out, re.M)
    assert m, out
    g.cmd("kill %s" % m.group(1))
    return int(m.group(2), 16)


def test_read_matches_image(backend, tmp_path):
    img = make_image(tmp_path / "a.img", 4 * MIB)
    data = img.read_bytes()
    with disk_guest(backend, [(img, False, None)]) as g:
        parts = ready(g, 1)
        assert re.search(r"^\s*253\s+0\s+4096 vda$", parts, re.M), parts
        assert g.cmd("cat /sys/block/vda/size").strip() == "8192"
        assert g.cmd("cat /sys/block/vda/ro").strip() == "0"
        n, _, csum, out = dd(g, "if=/dev/vda of=/dev/null bs=1M count=4")
        assert n == 4 * MIB and csum == fnv1a64(data), out
        # the same bytes as scatter-gather runs of 8 KiB
        n, _, csum, out = dd(g, "if=/dev/vda of=/dev/null bs=512K count=2 "
                                "skip=3 split=8K")
        assert csum == fnv1a64(data[3 * 512 * 1024:5 * 512 * 1024]), out
        n, rate, _, out = dd(g, "if=/dev/vda of=/dev/null bs=1M count=4 "
                                "csum=off")
        assert n == 4 * MIB, out
        print("\n[%s] guest dd read: %.1f MB/s" % (backend, rate))


def test_write_reaches_host(backend, tmp_path):
    src = make_image(tmp_path / "src.img", 4 * MIB)
    dst = make_image(tmp_path / "dst.img", 2 * MIB, random=False)
    sdata = src.read_bytes()
    with disk_guest(backend, [(src, False, None), (dst, False, None)]) as g:
        ready(g, 2)
        # 512 KiB of vda from 128 KiB in, to vdb at 256 KiB
        n, _, csum, out = dd(g, "if=/dev/vda of=/dev/vdb bs=64K count=8 "
                                "skip=2 seek=4")
        assert n == 512 * 1024 and csum == fnv1a64(sdata[128 * 1024:
                                                         640 * 1024]), out
        dd(g, "if=/dev/zero of=/dev/vda bs=4K count=2 seek=10")
        assert g.cmd("sync").strip() == ""
        n, _, back, out = dd(g, "if=/dev/vdb of=/dev/null bs=64K count=8 "
                                "skip=4")
        assert back == csum, out
        n, rate, _, out = dd(g, "if=/dev/zero of=/dev/vdb bs=1M count=2")
        assert n == 2 * MIB, out
        print("\n[%s] guest dd write: %.1f MB/s" % (backend, rate))
        ddata = dst.read_bytes()
        assert ddata == bytes(2 * MIB)          # the last dd zeroed it all
        assert g.poweroff() == 0
    sdata2 = src.read_bytes()
    assert sdata2[40960:49152] == bytes(8192)
    assert sdata2[:40960] == sdata[:40960]
    assert sdata2[49152:] == sdata[49152:]


@pytest.fixture
def shm_path():
    """A directory on tmpfs, removed after the test."""
    if not os.path.isdir("/dev/shm"):
        pytest.skip("no /dev/shm")
    d = tempfile.mkdtemp(prefix="mv-test-blk-", dir="/dev/shm")
    yield Path(d)
    shutil.rmtree(d, ignore_errors=True)


def test_in_memory_and_disk_images(backend, shm_path, tmp_path):
    src = make_image(shm_path / "src.img", 4 * MIB)
    dst = make_image(shm_path / "dst.img", 2 * MIB, random=False)
    disk = make_image(tmp_path / "disk.img", 1 * MIB)
    sdata, kdata = src.read_bytes(), disk.read_bytes()
    drives = [(src, False, None), (dst, False, None), (disk, False, None)]
    with disk_guest(backend, drives) as g:
        ready(g, 3)
        n, _, csum, out = dd(g, "if=/dev/vda of=/dev/null bs=1M count=4 "
                                "split=8K")
        assert n == 4 * MIB and csum == fnv1a64(sdata), out
        # memory to memory, then disk to memory, then memory to disk
        dd(g, "if=/dev/vda of=/dev/vdb bs=256K count=4 skip=4")
        dd(g, "if=/dev/vdc of=/dev/vdb bs=64K count=4 seek=16")
        dd(g, "if=/dev/vda of=/dev/vdc bs=4K count=16 seek=128")
        assert g.cmd("sync").strip() == ""
        n, _, back, out = dd(g, "if=/dev/vdb of=/dev/null bs=1M count=2")
        assert g.poweroff() == 0
    ddata = dst.read_bytes()
    assert ddata[:MIB] == sdata[MIB:2 * MIB]
    assert ddata[MIB:MIB + 256 * 1024] == kdata[:256 * 1024]
    assert ddata[MIB + 256 * 1024:] == bytes(MIB - 256 * 1024)
    assert back == fnv1a64(ddata), out
    assert disk.read_bytes()[512 * 1024:576 * 1024] == sdata[:64 * 1024]


def test_write_then_read_back_on_host(backend, tmp_path):
    src = make_image(tmp_path / "src.img", 1 * MIB)
    dst = make_image(tmp_path / "dst.img", 1 * MIB, random=False)
    sdata = src.read_bytes()
    with disk_guest(backend, [(src, False, None), (dst, False, None)]) as g:
        ready(g, 2)
        dd(g, "if=/dev/vda of=/dev/vdb bs=256K count=2 skip=1 seek=2")
        g.cmd("sync")
        ddata = dst.read_bytes()
    assert ddata[512 * 1024:] == sdata[256 * 1024:768 * 1024]
    assert ddata[:512 * 1024] == bytes(512 * 1024)


def test_readonly_refuses_writes(backend, tmp_path):
    img = make_image(tmp_path / "ro.img", 1 * MIB)
    before = img.read_bytes()
    with disk_guest(backend, [(img, True, None)]) as g:
        ready(g, 1)
        assert g.cmd("cat /sys/block/vda/ro").strip() == "1"
        out = g.cmd("dd if=/dev/zero of=/dev/vda bs=4K count=4")
        assert "dd: error writing '/dev/vda': Read-only file system" in out, out
        assert re.search(r"^0\+0 records out$", out, re.M), out
        _, _, csum, out = dd(g, "if=/dev/vda of=/dev/null bs=64K count=16")
        assert csum == fnv1a64(before), out
        g.cmd("sync")
    assert img.read_bytes() == before


def test_read_past_end_fails_cleanly(backend, tmp_path):
    img = make_image(tmp_path / "a.img", 1 * MIB)
    with disk_guest(backend, [(img, False, None)]) as g:
        ready(g, 1)
        out = g.cmd("dd if=/dev/vda of=/dev/null bs=64K count=1 skip=16")
        assert "dd: error reading '/dev/vda': Input/output error" in out, out
        # straddling the end (768 KiB to 1152 KiB): refused whole
        out = g.cmd("dd if=/dev/vda of=/dev/null bs=384K count=1 skip=2")
        assert "Input/output error" in out, out
        # the disk still works
        _, _, csum, out = dd(g, "if=/dev/vda of=/dev/null bs=64K count=1")
        assert csum == fnv1a64(img.read_bytes()[:65536]), out


def test_truncated_image_gives_io_errors(backend, tmp_path):
    img = make_image(tmp_path / "a.img", 4 * MIB)
    with disk_guest(backend, [(img, False, None)]) as g:
        ready(g, 1)
        dd(g, "if=/dev/vda of=/dev/null bs=1M count=4 csum=off")
        os.truncate(img, 1 * MIB)
        # iflag=direct: past the page cache (the 4 MiB read above filled
        # it, and cached pages are not read again), to the device
        out_r = g.cmd("dd if=/dev/vda of=/dev/null bs=64K count=1 skip=32 "
                      "iflag=direct")
        out_w = g.cmd("dd if=/dev/zero of=/dev/vda bs=64K count=1 seek=40")
        if backend == "memvisor":
            # QEMU reads zeros past the end of a shrunk file and regrows
            # it on writes; memvisor answers I/O error to both.
            assert "Input/output error" in out_r, out_r
            assert "Input/output error" in out_w, out_w
            assert os.path.getsize(img) == 1 * MIB
        _, _, csum, out = dd(g, "if=/dev/vda of=/dev/null bs=64K count=2")
        assert csum == fnv1a64(img.read_bytes()[:131072]), out
        assert g.poweroff() == 0


def test_query_block(backend, tmp_path):
    a = make_image(tmp_path / "a.img", 2 * MIB)
    b = make_image(tmp_path / "b.img", 1 * MIB)
    with disk_guest(backend, [(a, False, None), (b, True, "data")],
                    qmp=True) as g:
        ready(g, 2)
        # ctl first: QEMU serves one QMP client at a time
        r = subprocess.run([str(MEMVISOR), "ctl", "--qmp", g.qmp_path,
                            "status"], capture_output=True, text=True,
                           timeout=30)
        info = g.qmp("query-block")
    disks = [d for d in info if d.get("inserted")]
    assert [d["device"] for d in disks] == ["virtio0", "data"], info
    for d, path, size, ro in ((disks[0], a, 2 * MIB, False),
                              (disks[1], b, 1 * MIB, True)):
        assert d["removable"] is False and d["locked"] is False
        assert d["qdev"].endswith("/virtio-backend"), d
        ins = d["inserted"]
        assert ins["file"] == str(path) and ins["ro"] is ro
        assert ins["drv"] == "raw"
        assert ins["image"]["filename"] == str(path)
        assert ins["image"]["virtual-size"] == size
        assert ins["image"]["format"] == "raw"
    assert r.returncode == 0, r
    assert "disk virtio0: %s, 2M, raw, read-write" % a in r.stdout, r.stdout
    assert "disk data: %s, 1M, raw, read-only" % b in r.stdout, r.stdout


@pytest.mark.parametrize("arg, message", [
    ("file={dir}/missing.img", "--drive: cannot open '{dir}/missing.img': "
                               "No such file or directory"),
    ("file={dir}", "--drive: '{dir}' is not a regular file or a block device"),
    ("file={dir}/a.img,cache=none", "--drive: unknown key 'cache'"),
    ("file={dir}/a.img,readonly=yes", "--drive: readonly must be on or off"),
    ("file={dir}/a.img,format=qcow2", "--drive: format=qcow2 is not supported"),
    ("readonly=on", "--drive: file=PATH is missing"),
])
def test_drive_flag_errors(tmp_path, arg, message):
    make_image(tmp_path / "a.img", 1 * MIB)
    r = subprocess.run([str(MEMVISOR), "run", "--drive",
                        arg.format(dir=tmp_path)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2, r
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message.format(dir=tmp_path) in lines[0], r
