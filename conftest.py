"""Test-suite wide hooks: notebook run times, and no stray stderr (warnings) in notebooks.

- After the run, a short table gives each notebook's wall time under nbval (kernel start and
  every cell), so the 60-second budget stays visible. Under pytest-xdist the workers' reports
  reach the controller, which sums them; two workers share the CPU, so the times run higher
  than the budget's measurement (benchmarks/), and the header says so.
- A test that runs past pytest-timeout's limit (``timeout`` in pyproject.toml) fails with a
  message that names it and says where the limit is set; a hung notebook cell fails first, by
  nbval's ``--nbval-cell-timeout``, with the cell's source. Shortly before either limit, a
  watchdog notes what every process the test started (a kernel, a server, a nested pytest) was
  doing, with its Python stacks (``tests/hangs.py``); a test that then fails by the limit shows it.
- Under ``pytest -n 2 --dist loadfile`` (``make test``) each file's tests run on one worker: a
  notebook's cells in one kernel and in order, as nbval needs, and a module's fixtures (a
  JupyterLab server) built once. The tests named by the ini option ``spread_tests`` are handed
  out case by case instead, so long independent tests (the nbgrader round trip of each notebook)
  share both cores. (Not xdist's ``loadgroup``: with pytest 9.2 its groups are silently ignored,
  pytest-xdist#1386.)
- nbval's kernels talk to the tests over Unix sockets (``tests/kernels.py``): over TCP, a kernel
  started while another process starts one can be handed that kernel's port and die at start.
- A notebook cell that writes to stderr (a warning, a log line from TensorFlow) fails its nbval
  test: learners should see no noise. A cell that must show stderr says so with the marker
  ``# NBVAL_ALLOW_STDERR``.
"""

from __future__ import annotations

import os
import re
import threading
from collections import defaultdict
from pathlib import Path

import pytest

_NOTEBOOK_SECONDS: dict[str, float] = defaultdict(float)


def pytest_addoption(parser):
    parser.addini(
        "spread_tests", "tests (path::function) whose cases xdist hands out one by one", type="linelist", default=[]
    )


class _SpreadScheduling:
    """Registered only where pytest-xdist is loaded (its hook is unknown to pytest without it)."""

    @staticmethod
    def pytest_xdist_make_scheduler(config, log):
        if config.getvalue("dist") != "loadfile":
            return None
        from xdist.scheduler import LoadFileScheduling

        spread = tuple(config.getini("spread_tests"))

        class FilesExceptSpread(LoadFileScheduling):
            """One unit of work per file, except one per case for the tests named in ``spread_tests``."""

            def _split_scope(self, nodeid: str) -> str:
                test = nodeid.split("[", 1)[0]
                return nodeid if test in spread else super()._split_scope(nodeid)

        return FilesExceptSpread(config, log)


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_SpreadScheduling(), "course-spread-scheduling")
    if config.pluginmanager.hasplugin("nbval"):
        import nbval.kernel

        from tests.kernels import IpcKernelManager

        nbval.kernel.KernelManager = IpcKernelManager  # the name nbval.kernel.start_new_kernel uses


# The watchdog looks at 90% of the limit that will stop the test, so the processes are still there.
_WATCHDOG_AT = 0.9


def _limit_s(item) -> float | None:
    """The seconds after which this test is stopped: nbval's cell timeout for a notebook cell, else pytest-timeout's."""
    marker = item.get_closest_marker("timeout")
    limits = [float(marker.args[0]) if marker and marker.args else float(item.config.getini("timeout") or 0)]
    if hasattr(item, "cell") and hasattr(item.parent, "kernel"):
        limits.append(float(item.config.getoption("nbval_cell_timeout")))
    limits = [limit for limit in limits if limit > 0]
    return min(limits) if limits else None


def _look_at_children(item) -> None:
    from tests import hangs

    item.stash[_SEEN] = hangs.where_they_wait(hangs.family(os.getpid())[1:])


_SEEN = pytest.StashKey[str]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    limit = _limit_s(item)
    watchdog = threading.Timer(_WATCHDOG_AT * limit, _look_at_children, args=(item,)) if limit else None
    if watchdog is not None:
        watchdog.daemon = True
        watchdog.start()
    try:
        yield
    finally:
        if watchdog is not None:
            watchdog.cancel()
            watchdog.join()  # a look already under way finishes before the report is made


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    seen = item.stash.get(_SEEN, None) if report.failed and call.when == "call" else None
    if seen is not None:
        report.sections.append(("where the processes this test started were waiting", seen))
    if report.failed and _stopped_by_pytest_timeout(call) and hasattr(report.longrepr, "addsection"):
        report.longrepr.addsection("pytest-timeout", _timeout_advice(item))
        return
    if call.when != "call" or not report.passed or not hasattr(item, "test_outputs"):
        return
    if "NBVAL_ALLOW_STDERR" in getattr(item.cell, "source", ""):
        return
    stderr = [
        o.get("text", "")
        for o in item.test_outputs or []
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    ]
    if stderr:
        report.outcome = "failed"
        report.longrepr = (
            f"{item.name} wrote to stderr (a warning or a log line learners would see):\n"
            + "".join(stderr)[:2000]
            + "\nSilence it at its source, or mark the cell with # NBVAL_ALLOW_STDERR if it is meant to be seen."
        )


def _stopped_by_pytest_timeout(call) -> bool:
    error = call.excinfo.value if call.excinfo is not None else None
    return (
        isinstance(error, pytest.fail.Exception)
        and re.match(r"Timeout \(>[\d.]+s\) from pytest-timeout", str(error)) is not None
    )


def _timeout_advice(item) -> str:
    marker = item.get_closest_marker("timeout")
    where = "its @pytest.mark.timeout" if marker else "`timeout` in pyproject.toml [tool.pytest.ini_options]"
    return (
        f"{item.nodeid} was stopped by pytest-timeout (the limit is {where}). Something it waits on "
        "never answered: a hung kernel, server or subprocess (the traceback above shows where it waited). "
        "A test that needs longer on purpose says so with @pytest.mark.timeout(seconds)."
    )


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _NOTEBOOK_SECONDS[path] += report.duration


def pytest_terminal_summary(terminalreporter, config):
    if not _NOTEBOOK_SECONDS or hasattr(config, "workerinput"):  # xdist: only the controller reports
        return
    workers = getattr(config.option, "numprocesses", None) or 0
    shared = (
        f"; {workers} workers in parallel, so a notebook's time includes waiting for the CPU" if workers > 1 else ""
    )
    terminalreporter.write_sep("-", f"notebook run times under nbval (budget: 60 s each{shared})")
    for path, seconds in sorted(_NOTEBOOK_SECONDS.items()):
        flag = "  OVER BUDGET" if seconds > 60 else ""
        terminalreporter.write_line(f"{seconds:6.1f} s  {Path(path).as_posix()}{flag}")
