"""Tests of the tests: a hang fails fast, with a message that says what hung.

A notebook cell that never finishes fails by nbval's cell timeout (showing the cell), also when
the kernel does not answer the interrupt; any other test that never finishes fails by
pytest-timeout, naming itself. Each case runs pytest, configured as `make test` is, on a tiny
file with its limit lowered to 3 s; one more test checks the limits that pyproject.toml sets.
"""

import re
import subprocess
import sys
import time
import tomllib

import nbformat
import psutil
import pytest

from course_utils import notebooks as tool
from tests import hangs
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
    assert 60 < float(cell.group(1)) < per_test, (
        "a hung cell should fail by nbval (which shows the cell), before pytest-timeout"
    )
    assert per_test <= 15 * 60, "CI stops at 90 minutes; one hung test must not use a large part of that"


# --- what a test that gives up on a process shows ---------------------------------------------------


def _py_spy_can_attach() -> bool:
    """Whether py-spy can read a child's stacks here (it needs ptrace; some containers forbid it)."""
    spy = hangs.py_spy()
    if spy is None:
        return False
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as child:
        try:
            time.sleep(0.5)
            dump = subprocess.run([spy, "dump", "--pid", str(child.pid)], capture_output=True, timeout=30)
            return dump.returncode == 0
        finally:
            child.kill()


needs_py_spy = pytest.mark.skipif(not _py_spy_can_attach(), reason="py-spy is missing or may not attach here")


def _waiting_section(stdout: str) -> str:
    match = re.search(r"where the processes this test started were waiting -+\n([\s\S]*?)(?:\n[=_-]{5,}|\Z)", stdout)
    assert match, f"no section on the waiting processes:\n{stdout[-3000:]}"
    return match.group(1)


@needs_py_spy
def test_a_hung_cell_shows_what_its_kernel_was_doing(tmp_path):
    result = _run_pytest_on(tmp_path, [nbformat.v4.new_code_cell(HANGS)], "--nbval-cell-timeout=5")
    assert result.returncode == 1, result.stdout[-3000:]
    seen = _waiting_section(result.stdout)
    assert "ipykernel_launcher" in seen  # the kernel, with its command line ...
    assert re.search(r"<module> \(.*:2\)", seen), seen  # ... and its stack, down to the cell's line 2


@needs_py_spy
def test_a_hung_test_shows_the_processes_it_started(tmp_path):
    path = tmp_path / "test_probe.py"
    path.write_text(
        "import subprocess, sys, time\n\n\ndef test_waits_on_a_child():\n"
        "    child = subprocess.Popen([sys.executable, '-c', 'import time\\ntime.sleep(600)'])\n"
        "    child.wait()\n"
    )
    result = run_pytest(path, "-o", "timeout=5")
    assert result.returncode == 1, result.stdout[-3000:]
    seen = _waiting_section(result.stdout)
    assert "-c import time" in seen and re.search(r"<module> \(<string>:2\)", seen), seen
    assert "was stopped by pytest-timeout" in result.stdout


def test_a_nested_pytest_that_never_finishes_fails_with_its_processes_and_leaves_none_behind(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(HANGS)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "hangs.ipynb").write_text(tool.dumps(nb))
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with pytest.raises(pytest.fail.Exception, match=r"did not finish in 20 s[\s\S]*ipykernel_launcher") as failure:
        run_pytest(tmp_path / "hangs.ipynb", timeout_s=20)
    assert "Where each of its processes was waiting" in str(failure.value)
    assert {p.pid for p in psutil.Process().children(recursive=True)} <= before
