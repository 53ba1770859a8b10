"""Tests of the tests: nbval as configured really compares NBVAL_CHECK_OUTPUT cells, a cell
that writes to stderr (a warning) fails, and the notebook time table still lists every notebook
when pytest-xdist runs them. Each case runs pytest on a tiny notebook."""

import re
import subprocess
import sys

import nbformat
import pytest

from course_utils import notebooks as tool
from tests import hangs


def run_pytest(path, *options, workers=0, timeout_s=120):
    """Run pytest as `make test` does (the project's configuration and conftest) on one file.

    If it has not finished after ``timeout_s``, the test fails with where each of its processes
    (workers, kernels) was waiting, and they are stopped."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "conftest",
        "--rootdir",
        str(tool.ROOT),
        "-c",
        str(tool.ROOT / "pyproject.toml"),
        "-q",
        "-p",
        "no:cacheprovider",
        "-n",
        str(workers),
        *options,
        str(path),
    ]
    with subprocess.Popen(command, cwd=tool.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as run:
        try:
            stdout, stderr = run.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            processes = hangs.family(run.pid)
            seen = hangs.where_they_wait(processes)
            hangs.stop(processes)
            stdout, stderr = run.communicate()
            pytest.fail(
                f"pytest on {path.name} did not finish in {timeout_s} s. Its output:\n{stdout[-2000:]}\n"
                f"{stderr[-2000:]}\nWhere each of its processes was waiting:\n{seen}",
                pytrace=False,
            )
    return subprocess.CompletedProcess(command, run.returncode, stdout, stderr)


def _run_pytest_on(tmp_path, cells, *options):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "probe.ipynb"
    path.write_text(tool.dumps(nb))
    return run_pytest(path, *options)


def _checked_cell(expected_text):
    cell = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(round(2 / 3, 2))", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=expected_text)]
    return cell


@pytest.mark.parametrize("expected, passes", [("0.67\n", True), ("0.66\n", False)])
def test_checked_output_is_compared(tmp_path, expected, passes):
    result = _run_pytest_on(tmp_path, [_checked_cell(expected)])
    assert (result.returncode == 0) is passes, result.stdout[-2000:]


def test_a_warning_in_a_notebook_fails_it(tmp_path):
    result = _run_pytest_on(tmp_path, [nbformat.v4.new_code_cell("import warnings\nwarnings.warn('noisy')")])
    assert result.returncode == 1
    assert "wrote to stderr" in result.stdout and "noisy" in result.stdout


def test_a_cell_may_show_stderr_when_marked(tmp_path):
    cell = nbformat.v4.new_code_cell("# NBVAL_ALLOW_STDERR\nimport sys\nprint('shown on purpose', file=sys.stderr)")
    assert _run_pytest_on(tmp_path, [cell]).returncode == 0


def test_the_time_table_lists_every_notebook_when_two_workers_run_them(tmp_path):
    """Under pytest-xdist the table is built from the workers' reports, in the controller."""
    for name, seconds in (("quick", 0), ("slow", 2)):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(f"import time\ntime.sleep({seconds})")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        (tmp_path / f"{name}.ipynb").write_text(tool.dumps(nb))
    result = run_pytest(tmp_path, workers=2)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "2 workers in parallel" in result.stdout
    rows = re.findall(r"^\s*([\d.]+) s  (?:\S*/)?(quick|slow)\.ipynb$", result.stdout, flags=re.MULTILINE)
    assert sorted(name for _, name in rows) == ["quick", "slow"], result.stdout[-2000:]
    assert float(dict((name, t) for t, name in rows)["slow"]) >= 2  # the cell's own time is in it


def test_a_notebook_stays_on_one_worker_and_spread_tests_are_handed_out_case_by_case(tmp_path):
    """As `make test` runs: every cell of a notebook on one worker (one kernel, in order); the cases
    of a test named in spread_tests go to both workers."""
    for name in ("first", "second"):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(f"x = {k}\nprint(x)") for k in range(4)]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        (tmp_path / f"{name}.ipynb").write_text(tool.dumps(nb))
    (tmp_path / "test_spread.py").write_text(
        "import pytest, time\n\n@pytest.mark.parametrize('k', range(4))\ndef test_k(k):\n    time.sleep(1)\n"
    )
    spread = "-o", "spread_tests=test_spread.py::test_k"  # node ids here are relative to tmp_path
    result = run_pytest(tmp_path, "-vv", "--dist", "loadfile", *spread, workers=2)  # -vv: run_pytest passes -q
    assert result.returncode == 0, result.stdout[-2000:]
    ran = re.findall(r"^\[(gw\d)\] .*?PASSED (.+?)\s*$", result.stdout, flags=re.MULTILINE)
    for name in ("first", "second"):
        workers = {worker for worker, test in ran if f"{name}.ipynb" in test}
        assert len(workers) == 1, f"{name}.ipynb ran on {workers}:\n{result.stdout[-2000:]}"
    assert sum(".ipynb" in test for _, test in ran) == 8
    workers = {worker for worker, test in ran if "test_spread" in test}
    assert workers == {"gw0", "gw1"}, f"the spread test's cases ran on {workers}:\n{result.stdout[-2000:]}"


def test_notebook_kernels_listen_on_unix_sockets_not_tcp_ports(tmp_path):
    """conftest.py gives nbval's kernels tests/kernels.py's manager: no TCP port to be handed to two kernels."""
    cell = nbformat.v4.new_code_cell(
        "import json\nfrom ipykernel.connect import get_connection_info\n"
        "info = json.loads(get_connection_info())\n"
        "assert info['transport'] == 'ipc' and info['ip'].startswith('/'), info"
    )
    result = _run_pytest_on(tmp_path, [cell])
    assert result.returncode == 0, result.stdout[-2000:]
