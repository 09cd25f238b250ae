#!/usr/bin/env python3
"""Run the integration tests: python3 tests/integration/run.py [filter...]

Discovers tests/integration/test_*.py and runs each top-level function
named test_*, in file order. A function with a `backend` parameter runs once
per backend, as NAME[memvisor] and NAME[qemu]. A filter is a substring of
"module.function[backend]"; with several, a test runs if any matches.

Prints one line per test (PASS name / FAIL name: reason / SKIP name: reason)
and a final "N passed, N failed, N skipped"; exits 1 if any test failed.
A test that runs longer than its limit (TEST_TIMEOUT, or the function's
`timeout` attribute) fails; console logs are kept in build/integration-logs.
"""

import importlib
import inspect
import signal
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

TEST_TIMEOUT = 300


class TestTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise TestTimeout("test exceeded its time limit")


def discover():
    """[(name, function, kwargs)] for every test, in file order."""
    tests = []
    for path in sorted(HERE.glob("test_*.py")):
        mod = importlib.import_module(path.stem)
        funcs = [f for n, f in vars(mod).items()
                 if n.startswith("test_") and inspect.isfunction(f)
                 and f.__module__ == mod.__name__]
        funcs.sort(key=lambda f: f.__code__.co_firstlineno)
        for f in funcs:
            base = "%s.%s" % (path.stem, f.__name__)
            if "backend" in inspect.signature(f).parameters:
                for b in harness.BACKENDS:
                    tests.append(("%s[%s]" % (base, b), f, {"backend": b}))
            else:
                tests.append((base, f, {}))
    return tests


def one_line(e):
    text = "%s: %s" % (type(e).__name__, e) if not isinstance(
        e, (AssertionError, harness.GuestError, TestTimeout)) else str(e)
    if isinstance(e, AssertionError) and not str(e):
        tb = traceback.extract_tb(e.__traceback__)[-1]
        text = "assertion failed at %s:%d: %s" % (
            Path(tb.filename).name, tb.lineno, tb.line)
    return " ".join(text.split()) or type(e).__name__


def run_one(name, func, kwargs):
    """('PASS'|'FAIL'|'SKIP', reason)"""
    harness.current_test = name
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(getattr(func, "timeout", TEST_TIMEOUT))
    try:
        func(**kwargs)
        return "PASS", ""
    except harness.Skip as e:
        return "SKIP", str(e)
    except Exception as e:  # noqa: BLE001 - any failure is a test failure
        return "FAIL", one_line(e)
    finally:
        signal.alarm(0)
        harness.cleanup_all()


def main(argv):
    filters = argv[1:]
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for name, func, kwargs in discover():
        if filters and not any(f in name for f in filters):
            continue
        status, reason = run_one(name, func, kwargs)
        counts[status] += 1
        print("%s %s%s" % (status, name, ": " + reason if reason else ""),
              flush=True)
    print("%d passed, %d failed, %d skipped"
          % (counts["PASS"], counts["FAIL"], counts["SKIP"]), flush=True)
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
