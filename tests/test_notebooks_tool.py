"""One-source notebooks: solution stripping, output cleaning, stale detection, Colab cell."""

import shutil
import subprocess
import sys
import textwrap

import nbformat
import pytest

from course_utils import notebooks as tool

SOLVED = textwrap.dedent(
    """\
    def f(x):
        \"\"\"Double x.\"\"\"
        ### BEGIN SOLUTION
        y = 2 * x
        return y
        ### END SOLUTION"""
)


def test_strip_solutions_keeps_indentation_and_the_rest():
    assert tool.strip_solutions(SOLVED) == textwrap.dedent(
        """\
        def f(x):
            \"\"\"Double x.\"\"\"
            # YOUR CODE HERE
            raise NotImplementedError()"""
    )
    assert tool.strip_solutions("x = 1") == "x = 1"


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "top level of the cell"),
        ("def f():\n    ### BEGIN SOLUTION\n    return 1", "never closed"),
        ("def f():\n    return 1\n    ### END SOLUTION", "without a matching"),
        ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION", "inside another solution block"),
    ],
)
def test_bad_markers_are_refused_with_the_fix(source, message):
    with pytest.raises(ValueError, match=message):
        tool.strip_solutions(source, where="demo cell 3")


def _notebook_with_outputs():
    nb = nbformat.v4.new_notebook()
    checked = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)")
    checked.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="1\n"),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<Figure>"}),
    ]
    plain = nbformat.v4.new_code_cell("plt.plot([1])", metadata={"scrolled": True})
    plain.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"})]
    plain.execution_count = 4
    nb.cells = [
        nbformat.v4.new_markdown_cell("# T"),
        nbformat.v4.new_code_cell(SOLVED),
        nbformat.v4.new_code_cell("check.f(f)"),
        checked,
        plain,
    ]
    nb.metadata["widgets"] = {"state": {}}
    return nb


def test_clean_keeps_only_the_text_of_checked_cells_and_adds_the_colab_cell():
    nb = tool.clean(_notebook_with_outputs(), stem="demo")
    colab, solved, graded, checked, plain = nb.cells[1:]
    assert colab.source == tool.colab_cell_source() and tool.COLAB_TAG in colab.metadata["tags"]
    assert (
        solved.metadata["nbgrader"]["solution"] is True and solved.metadata["nbgrader"]["grade_id"] == "demo-exercise-1"
    )
    assert graded.metadata["nbgrader"] == {
        "grade": True,
        "grade_id": "demo-check-1",
        "locked": True,
        "points": 1,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    assert "nbgrader" not in checked.metadata and "nbgrader" not in plain.metadata
    assert [o.output_type for o in checked.outputs] == ["stream", "display_data"]
    assert checked.outputs[1].data == {"text/plain": "<Figure>"}
    assert plain.outputs == [] and plain.execution_count is None and "scrolled" not in plain.metadata
    assert "widgets" not in nb.metadata and nb.metadata.kernelspec.name == "python3"


def test_student_version_has_no_solutions_and_no_nbgrader_marks():
    student = tool.make_student(tool.clean(_notebook_with_outputs(), stem="demo"), stem="demo")
    text = tool.dumps(student)
    assert "BEGIN SOLUTION" not in text and "y = 2 * x" not in text and "nbgrader" not in text
    assert "raise NotImplementedError()" in student.cells[2].source


def test_a_check_cells_points_are_kept_and_validated():
    nb = _notebook_with_outputs()
    nb.cells[2].metadata["nbgrader"] = {"points": 3}
    assert tool.grade_cells(tool.clean(nb, stem="demo")) == [("demo-check-1", 3)]
    nb = _notebook_with_outputs()
    nb.cells[2].metadata["nbgrader"] = {"points": 0}
    with pytest.raises(ValueError, match="demo cell 3: nbgrader points must be a positive number; got 0"):
        tool.clean(nb, stem="demo")


@pytest.mark.parametrize("after", ["print('no check here')", None])
def test_an_exercise_without_its_check_cell_is_refused(after):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SOLVED)] + ([nbformat.v4.new_code_cell(after)] if after else [])
    message = "the code cell after exercise 1 must be its check" if after else "exercise 1 is the last code cell"
    with pytest.raises(ValueError, match=message):
        tool.clean(nb, stem="demo")


def test_committed_notebooks_are_up_to_date():
    assert tool.problems() == []


def test_every_notebook_starts_with_the_colab_cell_and_has_a_student_twin():
    solutions = sorted(p.name for p in (tool.ROOT / "solutions").glob("*.ipynb"))
    students = sorted(p.name for p in (tool.ROOT / "notebooks").glob("*.ipynb"))
    assert solutions == students and solutions
    for folder in ("solutions", "notebooks"):
        for path in (tool.ROOT / folder).glob("*.ipynb"):
            nb = nbformat.read(path, as_version=4)
            first_code = next(c for c in nb.cells if c.cell_type == "code")
            assert first_code.source == tool.colab_cell_source(), path
            assert tool.repository_url() in first_code.source


@pytest.fixture
def course_copy(tmp_path):
    for name in ("solutions", "notebooks"):
        shutil.copytree(tool.ROOT / name, tmp_path / name)
    shutil.copy(tool.ROOT / "pyproject.toml", tmp_path)
    assert tool.problems(tmp_path) == []
    return tmp_path


def test_an_edited_solution_makes_the_student_notebook_stale(course_copy):
    path = course_copy / "solutions" / "00_welcome.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += "\n\nA new sentence."
    path.write_text(tool.dumps(nb))
    assert tool.problems(course_copy) == ["notebooks/00_welcome.ipynb is stale — run `make notebooks`."]
    tool.generate(course_copy)
    assert tool.problems(course_copy) == []


def test_a_figure_left_in_a_solution_is_caught(course_copy):
    path = course_copy / "solutions" / "00_welcome.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "plt.subplots" in c.source)
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"})]
    path.write_text(tool.dumps(nb))
    assert tool.problems(course_copy) == [
        "solutions/00_welcome.ipynb carries outputs or metadata that must be stripped — run `make notebooks`."
    ]


def test_orphans_and_missing_student_notebooks_are_caught(course_copy):
    (course_copy / "notebooks" / "00_welcome.ipynb").rename(course_copy / "notebooks" / "99_orphan.ipynb")
    found = tool.problems(course_copy)
    assert "notebooks/00_welcome.ipynb is missing — run `make notebooks`." in found
    assert any("99_orphan.ipynb has no source in solutions/" in line for line in found)


def test_the_command_line_check_passes_on_the_committed_tree():
    result = subprocess.run([sys.executable, "-m", "course_utils.notebooks", "check"], capture_output=True, text=True)
    assert result.returncode == 0 and "up to date" in result.stdout


def test_kept_streams_are_merged_however_the_kernel_chunked_them():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nfor i in range(2): print(i)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in ("0\n", "1\n")]
    nb.cells = [cell]
    kept = tool.clean(nb).cells[1].outputs
    assert len(kept) == 1 and kept[0].text == "0\n1\n"
