"""User tasks: hogs fill memory in user mode and verify it, ps shows their
RSS, /proc's free-page counts agree, kill returns the memory, a hog larger
than memory ends with an out-of-memory message, a segfault ends only the
faulting task, the shell stays responsive while a hog fills, and bench mm
prints its table. Every test runs on memvisor and on QEMU (TCG).
"""

import re

from harness import Guest

FREE_TOLERANCE = 0.01           # MemFree back within 1% after a kill


def meminfo(text):
    """{"MemFree": kB, ...} from /proc/meminfo text."""
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^([\w()]+):\s+(\d+)", text, re.M)}


def buddyinfo_free_pages(text):
    """Free pages summed over every zone and order of /proc/buddyinfo."""
    total = 0
    for line in text.splitlines():
        m = re.match(r"^Node \d+, zone\s+\S+\s+(.*)$", line)
        if m:
            counts = [int(c) for c in m.group(1).split()]
            total += sum(c << order for order, c in enumerate(counts))
    return total


def zoneinfo_free_pages(text):
    """"pages free" summed over the zones of /proc/zoneinfo."""
    return sum(int(n) for n in re.findall(r"^\s+pages free\s+(\d+)$",
                                          text, re.M))


def ps(g):
    """{pid: (comm, stat, rss_kb)} from the shell's ps."""
    out = g.cmd("ps")
    assert re.search(r"^\s+PID\s+COMMAND\s+STAT\s+RSS$", out, re.M), out
    tasks = {}
    for m in re.finditer(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\d+)$", out, re.M):
        tasks[int(m.group(1))] = (m.group(2), m.group(3), int(m.group(4)))
    return tasks


def start_hog(g, args, mib, pattern):
    """Run `hog ARGS` in the foreground; its pid and fill time in ms."""
    out = g.cmd("hog " + args, timeout=60)
    m = re.search(r"^hog: pid (\d+) filled %d MiB \(%s(, seed \d+)?\) "
                  r"in (\d+) ms$" % (mib, pattern), out, re.M)
    assert m, "hog %s: %r" % (args, out)
    return int(m.group(1)), int(m.group(3))


def mem_free(g):
    return meminfo(g.cmd("cat /proc/meminfo"))["MemFree"]


def check_free_counts_agree(g):
    free_kb = mem_free(g)
    buddy = buddyinfo_free_pages(g.cmd("cat /proc/buddyinfo"))
    zones = zoneinfo_free_pages(g.cmd("cat /proc/zoneinfo"))
    assert buddy == zones, "buddyinfo %d pages, zoneinfo %d" % (buddy, zones)
    assert abs(buddy * 4 - free_kb) <= 64, \
        "buddyinfo %d kB free, meminfo MemFree %d kB" % (buddy * 4, free_kb)


def test_hogs_verify_ps_kill(backend):
    with Guest(backend, memory="256M") as g:
        g.wait_ready()
        free_before = mem_free(g)
        big, fill_ms = start_hog(g, "64M random", 64, "random")
        print("  64 MiB random hog filled in %d ms on %s" % (fill_ms, backend))
        same, _ = start_hog(g, "32M same", 32, "same")

        out = g.cmd("verify", timeout=60)
        assert re.search(r"^verify: pid %d \(hog\) ok 16384 pages$" % big,
                         out, re.M), out
        assert re.search(r"^verify: pid %d \(hog\) ok 8192 pages$" % same,
                         out, re.M), out
        assert re.search(r"^verify: ok 24576 pages in 2 tasks$", out, re.M), out

        tasks = ps(g)
        assert tasks[1][0] == "sh", tasks
        for pid, mib in ((big, 64), (same, 32)):
            comm, _, rss = tasks[pid]
            assert comm == "hog", tasks
            # the area, plus checksums, text and stack: under 1 MiB more
            assert mib << 10 <= rss <= (mib << 10) + 1024, (pid, rss)

        check_free_counts_agree(g)
        assert free_before - mem_free(g) >= 96 << 10

        g.cmd("kill %d %d" % (big, same))
        assert big not in ps(g) and same not in ps(g)
        free_after = mem_free(g)
        assert abs(free_after - free_before) <= free_before * FREE_TOLERANCE, \
            "MemFree %d kB before, %d kB after kill" % (free_before, free_after)
        check_free_counts_agree(g)
        assert g.poweroff() == 0


def test_hog_patterns_and_names(backend):
    with Guest(backend, memory="256M") as g:
        g.wait_ready()
        start_hog(g, "8M zero --name zeroes", 8, "zero")
        start_hog(g, "8M seq", 8, "seq")
        pid, _ = start_hog(g, "4M random --seed 42 --name r42", 4,
                           "random")
        names = sorted(comm for comm, _, _ in ps(g).values()
                       if not comm.startswith("["))   # kernel threads
        assert names == ["hog", "r42", "sh", "zeroes"], names
        out = g.cmd("verify", timeout=60)
        assert re.search(r"^verify: pid %d \(r42\) ok 1024 pages$" % pid,
                         out, re.M), out
        assert re.search(r"^verify: ok 5120 pages in 3 tasks$", out, re.M), out
        assert "usage: hog" in g.cmd("hog 8M stripes")
        assert "No such process" in g.cmd("kill 999")
        assert "Operation not permitted" in g.cmd("kill 1")
        assert g.poweroff() == 0


def test_hog_out_of_memory(backend):
    with Guest(backend, memory="256M") as g:
        g.wait_ready()
        free_before = mem_free(g)
        out = g.cmd("hog 512M", timeout=120)
        m = re.search(r"Out of memory: Killed process (\d+) \(hog\) "
                      r"total-vm:\d+kB, anon-rss:\d+kB, file-rss:0kB, "
                      r"shmem-rss:0kB, UID:0 pgtables:\d+kB "
                      r"oom_score_adj:0$", out, re.M)
        assert m, out
        assert int(m.group(1)) not in ps(g)
        assert g.cmd("echo still here").strip() == "still here"
        free_after = mem_free(g)
        assert abs(free_after - free_before) <= free_before * FREE_TOLERANCE, \
            "MemFree %d kB before, %d kB after the OOM" % (free_before,
                                                           free_after)
        start_hog(g, "16M random", 16, "random")
        assert re.search(r"^verify: ok 4096 pages in 1 tasks$",
                         g.cmd("verify", timeout=60), re.M)
        assert g.poweroff() == 0


def test_segfault_ends_only_the_task(backend):
    with Guest(backend, memory="256M") as g:
        g.wait_ready()
        pid, _ = start_hog(g, "4M", 4, "random")
        out = g.cmd("segv")
        m = re.search(r"segv\[(\d+)\]: segfault at 0 ip [0-9a-f]{16} "
                      r"sp [0-9a-f]{16} error 6", out)
        assert m, out
        tasks = ps(g)
        assert int(m.group(1)) not in tasks and pid in tasks, tasks
        assert re.search(r"^verify: ok 1024 pages in 1 tasks$",
                         g.cmd("verify"), re.M)
        assert g.poweroff() == 0


def test_shell_responsive_while_hog_fills(backend):
    with Guest(backend, memory="256M") as g:
        g.wait_ready()
        g.cmd("hog 128M random &")
        # the shell answers while the hog runs in user mode
        assert g.cmd("echo hi", timeout=5).strip() == "hi"
        tasks = ps(g)
        assert [c for c, _, _ in tasks.values()].count("hog") == 1, tasks
        # printed after the prompt, as a background job's output is
        g.expect(r"hog: pid \d+ filled 128 MiB \(random, seed 1\) in \d+ ms$",
                 timeout=120)
        assert re.search(r"^verify: ok 32768 pages in 1 tasks$",
                         g.cmd("verify", timeout=60), re.M)
        assert g.poweroff() == 0


def test_bench_mm(backend):
    with Guest(backend, memory="256M") as g:
        g.wait_ready()
        out = g.cmd("bench mm", timeout=120)
        assert re.search(r"^bench mm: TSC \d+\.\d{3} MHz$", out, re.M), out
        rows = re.findall(r"^(\S.*?)\s+(\d+)\s+(\d+)$", out, re.M)
        names = [r[0] for r in rows]
        for want in ("alloc_pages+free order 0", "alloc_pages+free order 3",
                     "alloc_pages+free order 9", "kmalloc(64)+kfree",
                     "vmalloc(64K)+vfree", "page fault 4K (handle_mm_fault)",
                     "page fault 64K chunk", "page fault 2M chunk"):
            assert want in names, (want, out)
        for name, ns, runs in rows:
            assert int(ns) > 0 and int(runs) > 0, (name, ns, runs)
        assert g.poweroff() == 0
