"""Tests of the tests: nbval as configured really compares NBVAL_CHECK_OUTPUT cells, and a cell
that writes to stderr (a warning) fails. Each case runs pytest on a tiny notebook."""

import subprocess
import sys

import nbformat
import pytest

from course_utils import notebooks as tool


def run_pytest(path, *options, workers=0):
    """Run pytest as `make test` does (the project's configuration and conftest) on one file."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "--rootdir", str(tool.ROOT), "-c", str(tool.ROOT / "pyproject.toml"),
         "-q", "-p", "no:cacheprovider", "-n", str(workers), *options, str(path)],
        cwd=tool.ROOT, capture_output=True, text=True, timeout=120,
    )


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
