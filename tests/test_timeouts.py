"""Tests of the tests: a hang fails fast, with a message that says what hung.

A notebook cell that never finishes fails by nbval's cell timeout (showing the cell), also when
the kernel does not answer the interrupt; any other test that never finishes fails by
pytest-timeout, naming itself. Each case runs pytest, configured as `make test` is, on a tiny
file with its limit lowered to 3 s; one more test checks the limits that pyproject.toml sets.
"""

import re
import time
import tomllib

import nbformat
import pytest

from course_utils import notebooks as tool
from tests.test_nbval_guard import _run_pytest_on, run_pytest

HANGS = "import time\ntime.sleep(600)  # never finishes"
# What a wedged kernel looks like from the client: no reply, and an interrupt changes nothing.
IGNORES_INTERRUPTS = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(600)"


@pytest.mark.parametrize("source, message", [
    (HANGS, r"Timeout of 3 seconds exceeded executing cell"),
    (IGNORES_INTERRUPTS, r"Timeout of 3 seconds exceeded while executing cell\. Failed to interrupt kernel"),
])
def test_a_hung_cell_fails_fast_showing_the_cell(tmp_path, source, message):
    cells = [nbformat.v4.new_code_cell(code) for code in ("x = 1", source, "print('after the hang')")]
    start = time.monotonic()
    result = _run_pytest_on(tmp_path, cells, "--nbval-cell-timeout=3")
    assert time.monotonic() - start < 90, "the cell timeout did not stop the run promptly"
    assert result.returncode == 1, result.stdout[-3000:]
    assert re.search(message, result.stdout), result.stdout[-3000:]
    assert "time.sleep(600)" in result.stdout  # the failing cell's source is shown
    # the cells after it are marked "expected to fail", not reported as if all were well
    assert re.search(r"1 failed, 1 passed, 1 x(failed|passed)", result.stdout), result.stdout[-3000:]


@pytest.mark.parametrize("workers", [0, 1])  # serial, and under pytest-xdist as `make test` runs
def test_a_hung_test_fails_fast_and_names_itself(tmp_path, workers):
    path = tmp_path / "test_probe.py"
    path.write_text("import time\n\n\ndef test_waits_forever():\n    time.sleep(600)\n")
    start = time.monotonic()
    result = run_pytest(path, "-o", "timeout=3", workers=workers)
    assert time.monotonic() - start < 90, "pytest-timeout did not stop the test promptly"
    assert result.returncode == 1, result.stdout[-3000:]
    # (the probe lies outside the repository, so its node id is just "::test_waits_forever")
    assert "::test_waits_forever was stopped by pytest-timeout" in result.stdout, result.stdout[-3000:]
    assert "FAILED ::test_waits_forever - Failed: Timeout (>3.0s) from pytest-timeout" in result.stdout
    assert "time.sleep(600)" in result.stdout  # the traceback shows where it waited


def test_the_limits_are_set_and_end_well_before_ci_gives_up():
    options = tomllib.loads((tool.ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    cell = re.search(r"--nbval-cell-timeout=(\d+)", options["addopts"])
    assert cell, "pyproject.toml's addopts must set --nbval-cell-timeout (nbval's default is 2000 s)"
    per_test = float(options["timeout"])
    assert 60 < float(cell.group(1)) < per_test, "a hung cell should fail by nbval (which shows the cell), before pytest-timeout"
    assert per_test <= 15 * 60, "CI stops at 90 minutes; one hung test must not use a large part of that"
