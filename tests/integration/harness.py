"""Integration-test harness: boot build/guest.elf on memvisor or QEMU and
talk to its serial console through pipes, with pexpect (run by pytest, see
conftest.py).

    with Guest("qemu", memory="512M") as g:
        g.wait_ready()
        out = g.cmd("cat /proc/meminfo")
        assert g.poweroff() == 0

Backends
  memvisor  build/memvisor run --memory SIZE --kernel build/guest.elf [extra]
            console on stdin/stdout; exits 0 when the guest powers off.
  qemu      qemu-system-x86_64 -M pc -accel tcg (or kvm) -kernel ... with
            -serial stdio, pvpanic, -no-reboot: exits 0 on guest poweroff,
            1 on a guest panic.

The VM is a subprocess.Popen (console on its stdin/stdout pipes, stderr in
a file); pexpect's fdspawn reads and matches its stdout. A pty (pexpect.spawn)
would put a terminal between us and the VMM, merge stderr into the console
and make proc a pexpect object; PopenSpawn polls its queue in a busy loop.
The console is read while expect() (cmd(), wait_ready()...), wait() or
send() waits: a guest that prints more than a pipe holds (64 KiB) while the
test does something else (QMP...) waits for the test, as on a terminal
nobody reads.

Every Guest runs in its own session (process group) and is killed with it,
by process id, when the `with` block ends, when the test ends (conftest.py
calls cleanup_all) or when the interpreter exits. Every wait has a timeout.
Reasons to skip (no QEMU, no /dev/kvm) raise Skip, which is pytest's.
"""

import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pexpect
import pexpect.expect
import pexpect.fdpexpect
import pytest

ROOT = Path(__file__).resolve().parents[2]
MEMVISOR = ROOT / "build" / "memvisor"
KERNEL = ROOT / "build" / "guest.elf"
LOG_DIR = ROOT / "build" / "integration-logs"

READY_LINE = "memvisor guest ready"
PROMPT = "guest# "
BACKENDS = ("memvisor", "qemu")

# memvisor's option for its QMP socket (QEMU's is -qmp).
MEMVISOR_QMP_OPTION = "--qmp"

# Default timeouts in seconds, per backend/accelerator: boot includes
# firmware on QEMU (SeaBIOS is slow under the emulated ring 0 of -accel kvm).
BOOT_TIMEOUT = {"memvisor": 20, "qemu-tcg": 30, "qemu-kvm": 120}
CMD_TIMEOUT = {"memvisor": 20, "qemu-tcg": 20, "qemu-kvm": 60}

# Name of the running test, set by conftest.py; used to name console logs.
current_test = "adhoc"

# The test cannot run here (missing QEMU, no /dev/kvm...): raise Skip(reason).
Skip = pytest.skip.Exception


class GuestError(Exception):
    """The guest did not do what was expected: timeout, early exit..."""


def kvm_available():
    """True if /dev/kvm exists and this user can open it read-write."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    os.close(fd)
    return True


def qemu_binary():
    return shutil.which("qemu-system-x86_64")


def log_path(test):
    """Where the console log of a guest of @test is saved."""
    return LOG_DIR / (re.sub(r"[^\w.\[\]-]", "_", test) + ".log")


_live = set()


def cleanup_all():
    """Kill every guest still running (conftest.py calls this after each
    test; also registered with atexit)."""
    for g in list(_live):
        g.kill()


atexit.register(cleanup_all)


class Guest:
    """One VM with its console.

    backend: "memvisor" or "qemu"; memory: "256M"...; smp: vCPUs;
    accel: "tcg" or "kvm" (QEMU only); qmp: open a QMP socket (see qmp());
    extra_args: appended to the command line.
    """

    def __init__(self, backend="qemu", memory="256M", smp=1, accel="tcg",
                 qmp=False, extra_args=(), kernel=None):
        if backend not in BACKENDS:
            raise ValueError("unknown backend %r" % backend)
        self.backend = backend
        self.memory = memory
        self.smp = smp
        self.accel = accel
        self.kernel = Path(kernel) if kernel else KERNEL
        self.extra_args = list(extra_args)
        self.proc = None
        self.returncode = None
        self._tmpdir = tempfile.mkdtemp(prefix="mv-guest-")
        self.qmp_path = os.path.join(self._tmpdir, "qmp.sock") if qmp else None
        self._qmp = None
        self._console = None    # _Console over the VM's stdout
        self._buf = ""          # console output, "\r" removed
        self._pos = 0           # expect() searches from here
        self._eof = False       # all of the console output is in _buf
        self._stderr = None
        key = backend if backend == "memvisor" else "qemu-" + accel
        self.boot_timeout = BOOT_TIMEOUT[key]
        self.cmd_timeout = CMD_TIMEOUT[key]

    # ------------------------------------------------------------ start/stop
    def command_line(self):
        if self.backend == "memvisor":
            cmd = [str(MEMVISOR), "run", "--memory", self.memory,
                   "--kernel", str(self.kernel)]
            if self.smp != 1:
                cmd += ["--smp", str(self.smp)]
            if self.qmp_path:
                cmd += [MEMVISOR_QMP_OPTION, self.qmp_path]
            return cmd + self.extra_args
        cmd = [qemu_binary() or "qemu-system-x86_64", "-M", "pc",
               "-accel", self.accel, "-m", self.memory,
               "-smp", str(self.smp), "-kernel", str(self.kernel),
               "-serial", "stdio", "-display", "none", "-no-reboot",
               "-nodefaults", "-device", "pvpanic",
               "-action", "panic=exit-failure"]
        if self.qmp_path:
            cmd += ["-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        return cmd + self.extra_args

    def _check_can_run(self):
        if not self.kernel.exists():
            raise GuestError("%s not built (run make)" % self.kernel)
        if self.backend == "memvisor":
            if not kvm_available():
                raise Skip("memvisor needs /dev/kvm, not available")
            if not MEMVISOR.exists():
                raise GuestError("%s not built (run make)" % MEMVISOR)
            return
        if not qemu_binary():
            raise Skip("qemu-system-x86_64 not found")
        if self.accel == "kvm" and not kvm_available():
            raise Skip("/dev/kvm not available")

    def start(self):
        self._check_can_run()
        self._stderr = open(os.path.join(self._tmpdir, "stderr"), "w+b")
        self.proc = subprocess.Popen(
            self.command_line(), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._stderr,
            start_new_session=True, cwd=str(ROOT))
        _live.add(self)
        os.set_blocking(self.proc.stdin.fileno(), False)   # see send()
        self._console = _Console(self)
        return self

    def kill(self):
        """Kill the VM (its whole process group) if it still runs, reap it
        and save the console log. Idempotent."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._reap(10)

    def _reap(self, timeout):
        deadline = time.monotonic() + timeout
        self._drain(timeout)
        try:
            self.returncode = self.proc.wait(max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            return None
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        if self._qmp:
            self._qmp.close()
            self._qmp = None
        self._save_log()
        _live.discard(self)
        return self.returncode

    def _save_log(self):
        try:
            LOG_DIR.mkdir(parents=True, exist_ok=True)
            self.log_path = log_path(current_test)
            with open(self.log_path, "w") as f:
                f.write("$ %s\n" % " ".join(self.command_line()))
                f.write(self._buf)
                f.write("\n--- stderr ---\n" + self.stderr_text())
        except OSError:
            pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()
        shutil.rmtree(self._tmpdir, ignore_errors=True)
        return False

    # -------------------------------------------------------------- console
    @property
    def output(self):
        """All console output read so far, with "\\r" removed (what expect()
        has read; all of it once the VM has exited)."""
        return self._buf

    def _drain(self, timeout):
        """Read the console into _buf until EOF (the VM has exited), for at
        most @timeout s, without moving expect()'s position. After EOF,
        expect() searches only _buf. No error if the VM runs on."""
        if self._eof or not self._console:
            return
        try:
            self._console.expect_loop(
                pexpect.expect.searcher_re([pexpect.EOF]), timeout)
            self._eof = True
        except pexpect.TIMEOUT:
            pass

    def stderr_text(self):
        if not self._stderr:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def _tail(self, n=400):
        out = self.output[-n:].replace("\n", "\\n")
        err = self.stderr_text().strip().splitlines()
        return "console tail: %r%s" % (
            out, ("; stderr: " + err[-1]) if err else "")

    def send(self, text):
        """Type @text on the console. While the VM takes no more input, its
        output is read (as _drain does), for at most cmd_timeout s: a VM
        that waits for us to read its output cannot stall us."""
        data = text.encode()
        deadline = time.monotonic() + self.cmd_timeout
        try:
            while data:
                try:
                    data = data[os.write(self.proc.stdin.fileno(), data):]
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise GuestError("console input not taken within %gs;"
                                         " %s" % (self.cmd_timeout,
                                                  self._tail())) from None
                    self._drain(0.05)
        except OSError as e:
            raise GuestError("console write failed (%s); %s" % (e, self._tail()))

    def expect(self, pattern, timeout=None):
        """Wait until @pattern (a regex, MULTILINE) matches the output after
        the previous match; return the match and move past it."""
        rx = re.compile(pattern, re.M)
        timeout = self.cmd_timeout if timeout is None else timeout
        m = rx.search(self._buf, self._pos) if self._eof else None
        if not m and not self._eof:
            try:
                self._console.expect_loop(_Searcher(self, rx), timeout)
                m = self._console.match
            except pexpect.EOF:
                self._eof = True
            except pexpect.TIMEOUT:
                raise GuestError("timeout (%gs) waiting for %r; %s"
                                 % (timeout, pattern, self._tail())) from None
        if not m:
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
            raise GuestError("guest exited (status %s) while waiting for %r; %s"
                             % (self.proc.returncode, pattern, self._tail()))
        self._pos = m.end()
        return m

    def wait_ready(self, timeout=None):
        """Wait for the ready line and the first prompt; returns the output
        before the ready line."""
        timeout = self.boot_timeout if timeout is None else timeout
        start = self._pos
        m = self.expect(r"^%s\n" % re.escape(READY_LINE), timeout)
        self.expect(r"^%s" % re.escape(PROMPT), timeout)
        return self.output[start:m.start()]

    def cmd(self, line, timeout=None):
        """Run @line at the prompt; return its output (text between the
        echoed line and the next prompt, "\\n"-separated)."""
        self.send(line + "\n")
        self.expect(r"%s\n" % re.escape(line), timeout)
        start = self._pos
        m = self.expect(r"^%s" % re.escape(PROMPT), timeout)
        return self.output[start:m.start()]

    def wait(self, timeout=None):
        """Wait for the VM process to exit; its exit status."""
        timeout = self.boot_timeout if timeout is None else timeout
        rc = self._reap(timeout)
        if rc is None:
            raise GuestError("VM did not exit within %gs; %s"
                             % (timeout, self._tail()))
        return rc

    def poweroff(self, timeout=None):
        """Type `poweroff` and return the VM's exit status."""
        self.send("poweroff\n")
        return self.wait(timeout)

    # ------------------------------------------------------------------ QMP
    def qmp(self, command, timeout=10, **arguments):
        """Execute a QMP command (Guest(qmp=True)); returns "return"'s value,
        raises GuestError on an "error" reply. Events are skipped."""
        if not self.qmp_path:
            raise ValueError("Guest was created without qmp=True")
        if not self._qmp:
            self._qmp = _Qmp(self.qmp_path, timeout)
        return self._qmp.execute(command, arguments, timeout)


class _Console(pexpect.fdpexpect.fdspawn):
    """pexpect over the VM's stdout pipe: what it reads is decoded (UTF-8,
    bad bytes replaced), stripped of "\\r" and appended to the Guest's _buf."""

    def __init__(self, guest):
        super().__init__(guest.proc.stdout, maxread=65536, encoding="utf-8",
                         codec_errors="replace", use_poll=True)
        self._guest = guest

    def read_nonblocking(self, size=1, timeout=-1):
        data = super().read_nonblocking(size, timeout).replace("\r", "")
        self._guest._buf += data
        return data


class _Searcher(pexpect.expect.searcher_re):
    """pexpect searcher for one regex, matched as re.search(_buf, _pos): "^"
    matches where the unread text starts only if that starts a line, and
    the match's positions are positions in Guest.output. pexpect's unread
    buffer is always _buf[_pos:]."""

    def __init__(self, guest, rx):
        super().__init__([rx])
        self._guest = guest

    def search(self, buffer, freshlen, searchwindowsize=None):
        text, pos = self._guest._buf, self._guest._pos
        m = self._searches[0][1].search(text, pos)
        if not m:
            return -1
        offset = len(text) - len(buffer)
        self.start, self.end, self.match = m.start() - offset, m.end() - offset, m
        return 0


class _Qmp:
    """Minimal QMP client: greeting, qmp_capabilities, execute."""

    def __init__(self, path, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise GuestError("QMP socket %s did not open" % path)
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile("rwb")
        greeting = self._read()
        if "QMP" not in greeting:
            raise GuestError("bad QMP greeting %r" % greeting)
        self.execute("qmp_capabilities", {}, timeout)

    def _read(self):
        line = self.file.readline()
        if not line:
            raise GuestError("QMP connection closed")
        return json.loads(line)

    def execute(self, command, arguments, timeout):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.sock.settimeout(timeout)
        self.file.write(json.dumps(msg).encode() + b"\n")
        self.file.flush()
        while True:
            reply = self._read()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise GuestError("QMP %s: %s" % (command, reply["error"]))

    def close(self):
        try:
            self.file.close()
            self.sock.close()
        except OSError:
            pass
