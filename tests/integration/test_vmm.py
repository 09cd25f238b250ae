"""memvisor's host side as a user meets it: the CLI's errors, the ACPI
dump, QMP, the console (unix socket, no lost input) and SMP. These run on
memvisor only; test_boot.py covers what both backends share.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

from harness import KERNEL, MEMVISOR, READY_LINE, Guest, Skip, kvm_available


def run_memvisor(*args, timeout=20):
    """Run memvisor with @args, stdin closed; (exit status, stdout, stderr)."""
    p = subprocess.run([str(MEMVISOR)] + list(args), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def assert_usage_error(args, fragment):
    rc, out, err = run_memvisor(*args)
    assert rc == 2, "exit %d for %s; stderr %r" % (rc, args, err)
    lines = err.splitlines()
    assert len(lines) == 1, "want one line, got %r" % err
    assert lines[0].startswith("memvisor: "), lines
    assert fragment in lines[0], "%r not in %r" % (fragment, lines[0])
    assert out == "", "the guest must not start: %r" % out


def test_cli_bad_sizes():
    assert_usage_error(["run", "--memory", "12Q"], "invalid size '12Q'")
    assert_usage_error(["run", "--memory", "-1"], "invalid size")
    assert_usage_error(["run", "--memory", "1M"], "out of range")
    assert_usage_error(["run", "--memory", "100000T"], "")
    assert_usage_error(["run", "--memory", "33000K"], "multiple of 1M")
    assert_usage_error(["run", "--smp", "0"], "--smp")
    assert_usage_error(["run", "--smp", "two"], "--smp")


def test_cli_bad_kernels():
    # The kernel is loaded into a VM's memory: memvisor opens /dev/kvm first.
    if not kvm_available():
        raise Skip("memvisor needs /dev/kvm to get as far as the kernel")
    assert_usage_error(["run", "--kernel", "/etc/passwd"], "not an ELF file")
    assert_usage_error(["run", "--kernel", "/nonexistent/guest.elf"],
                       "cannot open kernel")
    assert_usage_error(["run", "--kernel", "/tmp"], "not a regular file")
    assert_usage_error(["run", "--kernel", "/bin/true"], "")
    with tempfile.TemporaryDirectory() as d:
        empty = os.path.join(d, "empty")
        open(empty, "w").close()
        assert_usage_error(["run", "--kernel", empty], "empty file")
        cut = os.path.join(d, "cut.elf")
        with open(KERNEL, "rb") as src, open(cut, "wb") as dst:
            dst.write(src.read(3000))
        assert_usage_error(["run", "--kernel", cut], "truncated")


def test_cli_bad_flags():
    assert_usage_error(["run", "--bogus"], "unknown option '--bogus'")
    assert_usage_error(["run", "--memory"], "needs a value")
    assert_usage_error(["run", "extra"], "unexpected argument")
    assert_usage_error(["run", "--serial", "tcp:1"], "--serial")
    assert_usage_error(["run", "--dimm", "100M"], "multiple of 128M")
    assert_usage_error(["frob"], "unknown command")
    rc, out, _ = run_memvisor("run", "--help")
    assert rc == 0 and "--memory SIZE" in out


def test_bench_density_bad_options():
    """Each mistake: one line, exit 2, before any VM boots."""
    for args, fragment in (
            (["--ksm", "use_zero_pages"], "--ksm use_zero_pages: expected NAME=VALUE"),
            (["--ksm", "use_zero_page=1"], "unknown ksm tunable 'use_zero_page'"),
            (["--ksm", "use_zero_pages=7"], "7 is out of range (0 to 1)"),
            (["--ksm", "use_zero_pages=1"] * 9, "at most 8 settings"),
            (["--mix", "50,50,50"], "adding up to 100"),
            (["--vms", "0"], "--vms 0"),
            (["--memory", "1M"], "at least 64M")):
        rc, out, err = run_memvisor("bench", "density", *args)
        assert rc == 2, (args, rc, err)
        assert err.splitlines() == [err.strip()] and fragment in err, (args, err)
        assert out == "", (args, out)


def test_dump_acpi_iasl():
    if not kvm_available():
        raise Skip("memvisor needs /dev/kvm")
    iasl = shutil.which("iasl")
    if not iasl:
        raise Skip("iasl not installed")
    with tempfile.TemporaryDirectory() as d:
        tables = os.path.join(d, "t")
        with Guest("memvisor", extra_args=["--dump-acpi", tables]) as g:
            g.wait_ready()
            assert g.poweroff() == 0
        names = sorted(os.listdir(tables))
        for want in ("apic.dat", "dsdt.dat", "facp.dat", "facs.dat",
                     "srat.dat", "xsdt.dat"):
            assert want in names, names
        files = [os.path.join(tables, n) for n in names]
        p = subprocess.run([iasl, "-d"] + files, cwd=tables,
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stdout + p.stderr
        for line in (p.stdout + p.stderr).splitlines():
            assert "Error" not in line or " 0 Errors" in line, line


def test_qmp_session():
    with Guest("memvisor", qmp=True, memory="512M") as g:
        g.wait_ready()
        st = g.qmp("query-status")
        assert st["running"] is True and st["status"] == "running", st
        size = g.qmp("query-memory-size-summary")
        assert size["base-memory"] == 512 << 20, size
        names = {c["name"] for c in g.qmp("query-commands")}
        for want in ("qmp_capabilities", "query-status", "system_powerdown",
                     "quit", "query-memory-size-summary"):
            assert want in names, names
        assert os.stat(g.qmp_path).st_mode & 0o777 == 0o600
        g.qmp("quit")
        assert g.wait() == 0


def raw_qmp(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s, s.makefile("rwb")


def send(f, obj):
    f.write((obj if isinstance(obj, str) else json.dumps(obj)).encode() + b"\n")
    f.flush()


def read_until(f, key, events=None):
    """The next message with @key; events met on the way go to @events."""
    while True:
        line = f.readline()
        assert line, "QMP connection closed while waiting for %r" % key
        msg = json.loads(line)
        if key in msg:
            return msg
        if "event" in msg and events is not None:
            events.append(msg["event"])


def test_qmp_errors_and_events():
    with Guest("memvisor", qmp=True) as g:
        g.wait_ready()
        s, f = raw_qmp(g.qmp_path)
        assert "QMP" in json.loads(f.readline())
        send(f, {"execute": "query-status"})
        err = read_until(f, "error")["error"]
        assert err["class"] == "CommandNotFound", err
        send(f, {"execute": "qmp_capabilities"})
        read_until(f, "return")
        send(f, {"execute": "no-such-command", "id": 7})
        reply = read_until(f, "error")
        assert reply["error"]["class"] == "CommandNotFound" and reply["id"] == 7
        send(f, "{not json")
        assert read_until(f, "error")["error"]["class"] == "GenericError"
        send(f, {"execute": "system_powerdown"})
        events = []
        read_until(f, "return", events)
        while len(events) < 2:
            events.append(read_until(f, "event")["event"])
        assert events == ["POWERDOWN", "SHUTDOWN"], events
        s.close()
        assert g.wait() == 0


def test_console_input_not_dropped():
    """A burst of input far larger than any UART FIFO arrives intact."""
    with Guest("memvisor") as g:
        g.wait_ready()
        n = 300
        g.send("".join("echo line-%04d\n" % i for i in range(n)))
        for i in range(n):
            g.expect(r"^line-%04d\n" % i, timeout=60)
        assert g.poweroff() == 0


def test_serial_unix_socket():
    if not kvm_available():
        raise Skip("memvisor needs /dev/kvm")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "console.sock")
        p = subprocess.Popen([str(MEMVISOR), "run", "--serial", "unix:" + path],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
        try:
            deadline = time.monotonic() + 10
            while not os.path.exists(path):
                assert time.monotonic() < deadline, "no console socket"
                time.sleep(0.05)
            assert os.stat(path).st_mode & 0o777 == 0o600
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(20)
            s.connect(path)
            s.sendall(b"echo over-the-socket\npoweroff\n")
            got = b""
            while b"over-the-socket\r\n" not in got and \
                    b"over-the-socket\n" not in got:
                chunk = s.recv(4096)
                assert chunk, "console closed early: %r" % got
                got += chunk
            assert p.wait(timeout=20) == 0
            assert not os.path.exists(path), "socket left behind"
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()


def test_smp_guest_boots():
    with Guest("memvisor", smp=4) as g:
        g.wait_ready()
        assert g.cmd("echo four") == "four\n"
        assert g.poweroff() == 0


def test_sigterm_stops_cleanly():
    with Guest("memvisor") as g:
        g.wait_ready()
        g.proc.terminate()
        assert g.wait() == 0
