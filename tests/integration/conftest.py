"""pytest glue for the integration tests (harness.py does the work).

A test taking `backend` runs once per backend, as NAME[memvisor] and
NAME[qemu]; `guest` and `qmp_guest` give it a guest already at its prompt
(256M; the second with a QMP socket, see Guest.qmp). Each test's console
log goes to build/integration-logs/MODULE.NAME[BACKEND].log, and every
guest still running when a test ends is killed. Timeouts: pytest-timeout,
300 s unless the test is marked @pytest.mark.timeout(N) (pytest.ini).
"""

import pytest

import harness


@pytest.fixture(params=harness.BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def guest(backend):
    with harness.Guest(backend) as g:
        g.wait_ready()
        yield g


@pytest.fixture
def qmp_guest(backend):
    with harness.Guest(backend, qmp=True) as g:
        g.wait_ready()
        yield g


@pytest.fixture(autouse=True)
def _console_logs_and_cleanup(request):
    """Name the test's console logs; kill its leftover guests."""
    harness.current_test = "%s.%s" % (request.module.__name__,
                                      request.node.name)
    yield
    harness.cleanup_all()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Point a failure's report at its console log."""
    report = (yield).get_result()
    if report.failed:
        name = "%s.%s" % (item.module.__name__, item.name)
        report.sections.append(("console log", str(harness.log_path(name))))
