"""Grading with nbgrader: every exercise has its grade cell, and a real nbgrader course grades right.

The round trip builds an nbgrader course in a temporary folder from ``solutions/`` with
``python -m course_utils.grading init`` and follows the README's instructor section: generate and
release the assignment, three students fetch it and submit, the instructor collects, autogrades,
generates feedback and exports the grades. Per notebook it asserts: the worked solution scores the
maximum (> 0), the untouched student version scores 0, and a solution with one exercise answered
wrongly loses exactly that exercise's points.
"""

from __future__ import annotations

import ast
import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_utils import grading
from course_utils.notebooks import BEGIN, END, ROOT

NBGRADER = [sys.executable, "-m", "nbgrader"]
# nbgrader runs `alembic` (its database migrations) from PATH: put the environment's scripts first,
# as `source .venv/bin/activate` does for an instructor.
# PYTHONPATH: nbgrader's kernels come from tests/kernels.py (Unix sockets, see there); the course's
# nbgrader_config.py is otherwise the instructor's.
ENV = {
    **os.environ,
    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
}
IPC_KERNELS = 'c.Execute.kernel_manager_class = "tests.kernels.AsyncIpcKernelManager"\n'

GRADED = grading.graded_notebooks()
STUDENTS = ("solved", "untouched", "one_wrong")


def _solution_notebooks():
    return sorted((ROOT / "solutions").glob("*.ipynb"))


def _nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def _check_calls(tree):
    """The ``check.<name>(...)`` calls in a cell, with whether each sits inside ``with ungraded():``."""
    found = []

    def visit(node, inside_ungraded):
        if isinstance(node, ast.With):
            inside_ungraded = inside_ungraded or any(
                isinstance(item.context_expr, ast.Call)
                and getattr(item.context_expr.func, "id", getattr(item.context_expr.func, "attr", "")) == "ungraded"
                for item in node.items
            )
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and getattr(node.func.value, "id", "") == "check"
        ):
            found.append((node, inside_ungraded))
        for child in ast.iter_child_nodes(node):
            visit(child, inside_ungraded)

    visit(tree, False)
    return found


@pytest.mark.parametrize("path", _solution_notebooks(), ids=lambda p: p.stem)
def test_every_exercise_has_its_grade_cell(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    exercises = [i for i, c in enumerate(code) if BEGIN in c.source]
    grades = [i for i, c in enumerate(code) if _nbgrader(c).get("grade")]
    assert [i + 1 for i in exercises] == grades, "each exercise cell must be followed by exactly one grade cell"
    ids = [_nbgrader(c)["grade_id"] for c in code if _nbgrader(c)]
    assert len(ids) == len(set(ids)), "grade ids must be unique"
    for i in exercises:
        solution, check = code[i], code[i + 1]
        assert _nbgrader(solution)["solution"] and not _nbgrader(solution)["grade"]
        meta = _nbgrader(check)
        assert meta["locked"] and not meta["solution"] and meta["points"] > 0
        defined = {node.name for node in ast.walk(ast.parse(solution.source)) if isinstance(node, ast.FunctionDef)}
        calls = _check_calls(ast.parse(check.source))
        assert len(calls) == 1, f"grade cell {meta['grade_id']} should make one check call"
        passed = {arg.id for arg in calls[0][0].args if isinstance(arg, ast.Name)}
        assert passed & defined, (
            f"grade cell {meta['grade_id']} should check a function its exercise defines ({defined})"
        )
    for c in code:
        if _nbgrader(c).get("grade"):
            continue
        for call, inside_ungraded in _check_calls(ast.parse(c.source)):
            assert inside_ungraded, (
                f"{path.name}: a check outside a grade cell must run inside `with ungraded():` "
                f"(line {call.lineno}: {ast.unparse(call)}), or it would fail under the autograder"
            )


def test_every_notebook_with_exercises_is_graded():
    with_exercises = {p.stem for p in _solution_notebooks() if BEGIN in p.read_text(encoding="utf-8")}
    assert set(GRADED) == with_exercises and GRADED
    assert all(points > 0 for cells in GRADED.values() for _, points in cells)


def test_the_default_exchange_is_nbgraders_own_so_students_need_no_option():
    from nbgrader.exchange.default.exchange import Exchange

    assert grading.DEFAULT_EXCHANGE == Exchange.root.default_value


def test_init_refuses_an_unknown_notebook(tmp_path):
    with pytest.raises(ValueError, match="no graded notebook named '99_nope'; choose from: 00_welcome"):
        grading.init_course(tmp_path, ["99_nope"])


# --- the round trip ------------------------------------------------------------------------------


def _run(args, cwd, timeout=1800):
    """Run an nbgrader command; fail with its output (never hang: nbgrader's own cell timeout is set too)."""
    try:
        result = subprocess.run(args, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"{' '.join(map(str, args))} did not finish in {timeout} s:\n{(error.stderr or '')[-3000:]}")
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, args))} failed "
            f"({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result


def _answer(path: Path, solutions: dict[str, str], wrong: str | None = None) -> None:
    """Fill a fetched notebook's exercise cells with the worked solutions; ``wrong`` gets `return None`."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        grade_id = _nbgrader(cell).get("grade_id")
        if _nbgrader(cell).get("solution"):
            source = solutions[grade_id]
            if grade_id == wrong:
                source = re.sub(
                    rf"{re.escape(BEGIN)}.*?{re.escape(END)}", "return None  # a wrong answer", source, flags=re.S
                )
            cell.source = source
    nbformat.write(nb, path)


@pytest.fixture
def course(tmp_path):
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    folder = tmp_path / "course"
    return folder, exchange


@pytest.mark.timeout(1500)  # five nbgrader steps and three runs of the notebook
@pytest.mark.parametrize("stem", list(GRADED), ids=str)
def test_nbgrader_grades_each_exercise_exactly_when_its_check_says_correct(stem, course, tmp_path):
    folder, exchange = course
    env_args = ["--course", grading.COURSE_ID, f"--Exchange.root={exchange}"]
    _run(
        [sys.executable, "-m", "course_utils.grading", "init", str(folder), stem, "--exchange", str(exchange)],
        cwd=tmp_path,
    )
    with open(folder / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write(IPC_KERNELS)
    _run([*NBGRADER, "generate_assignment", stem], cwd=folder)
    _run([*NBGRADER, "release_assignment", stem], cwd=folder)

    source = nbformat.read(folder / "source" / stem / f"{stem}.ipynb", as_version=4)
    solutions = {_nbgrader(c)["grade_id"]: c.source for c in source.cells if _nbgrader(c).get("solution")}
    cells = GRADED[stem]
    exercise = list(GRADED).index(stem) % len(cells)  # which exercise is answered wrongly: varies by notebook
    wrong_id, wrong_points = f"{stem}-exercise-{exercise + 1}", cells[exercise][1]
    for student in STUDENTS:
        home = tmp_path / "students" / student
        home.mkdir(parents=True)
        _run([*NBGRADER, "fetch_assignment", stem, *env_args], cwd=home)
        fetched = home / stem / f"{stem}.ipynb"
        if student == "solved":
            _answer(fetched, solutions)
        elif student == "one_wrong":
            _answer(fetched, solutions, wrong=wrong_id)
        _run([*NBGRADER, "submit", stem, *env_args, "--student", student], cwd=home)

    _run([*NBGRADER, "collect", stem], cwd=folder)
    _run([*NBGRADER, "autograde", stem, "--create"], cwd=folder)
    _run([*NBGRADER, "generate_feedback", stem], cwd=folder)
    _run([*NBGRADER, "export"], cwd=folder)

    maximum = sum(points for _, points in cells)
    with open(folder / "grades.csv", newline="") as f:
        scores = {row["student_id"]: (float(row["raw_score"]), float(row["max_score"])) for row in csv.DictReader(f)}
    assert maximum > 0
    assert scores["solved"] == (maximum, maximum), "the worked solution must score the maximum"
    assert scores["untouched"] == (0.0, maximum), "the untouched student version must score 0"
    assert scores["one_wrong"] == (maximum - wrong_points, maximum), (
        f"one wrong exercise ({wrong_id}) must lose exactly its points"
    )

    for student in STUDENTS:
        feedback = folder / "feedback" / student / stem / f"{stem}.html"
        assert feedback.exists(), f"no feedback for {student}"
    report = (folder / "feedback" / "one_wrong" / stem / f"{stem}.html").read_text(encoding="utf-8")
    assert "CheckFailed" in report and "did you forget" in report, "the feedback should carry the check's message"
