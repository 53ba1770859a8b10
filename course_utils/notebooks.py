"""One-source notebooks: ``solutions/`` is written by hand, ``notebooks/`` is generated.

Commands (also ``make notebooks`` and ``make refresh``)::

    python -m course_utils.notebooks generate   # clean solutions/, regenerate notebooks/
    python -m course_utils.notebooks check      # exit 1 if notebooks/ is stale or outputs leaked
    python -m course_utils.notebooks refresh    # execute solutions, keep expected outputs, generate

Rules (COURSE.md section 5):

- Exercise code sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` inside a function;
  the student version gets ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` instead.
- ``solutions/`` is also an nbgrader source: each exercise cell is an nbgrader *solution* cell,
  and the code cell right after it — its check, ``check.<name>(<function>)`` — is a locked
  *grade* cell worth ``points`` (1 unless the cell's nbgrader metadata says otherwise). Under the
  autograder a check that is not correct fails its cell (:mod:`course_utils.checks`), so the
  exercise scores its points exactly when its check says correct.
- Outputs are stripped, except the text outputs of cells marked ``# NBVAL_CHECK_OUTPUT``: they
  are what nbval compares against.
- The first code cell of every notebook is the Colab set-up cell (:func:`colab_cell_source`).
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat

from course_utils.validation import check_positive

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CHECK_OUTPUT = "# NBVAL_CHECK_OUTPUT"
COLAB_TAG = "colab-setup"
_TEXT_MIMETYPES = ("text/plain",)
_CELL_METADATA_KEPT = ("tags", "nbgrader")
DEFAULT_POINTS = 1


def repository_url(root: Path = ROOT) -> str:
    """The course's repository URL, defined once in pyproject.toml ([project.urls] Repository)."""
    import tomllib

    with open(root / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["urls"]["Repository"]


def colab_cell_source(root: Path = ROOT) -> str:
    """The first code cell of every notebook: on Colab, fetch the course and install what is missing."""
    return (
        "# On Colab: fetch the course and install only what Colab lacks. Elsewhere this does nothing.\n"
        "import os, sys\n"
        'if "google.colab" in sys.modules and not os.path.isdir("/content/course"):\n'
        "    import subprocess\n"
        f'    subprocess.run(["git", "clone", "--depth=1", "{repository_url(root)}", "/content/course"], check=True)\n'
        '    sys.path.insert(0, "/content/course")\n'
        "    from course_utils.colab import install\n"
        '    install("/content/course")\n'
        'if "google.colab" in sys.modules:\n'
        '    os.chdir("/content/course/notebooks")'
    )


def strip_solutions(source: str, *, where: str = "cell") -> str:
    """Replace every solution block by ``# YOUR CODE HERE`` + ``raise NotImplementedError()``.

    The replacement keeps the indentation of the ``### BEGIN SOLUTION`` line. A block must sit
    inside a function (indented): at the top level of a cell, the student notebook would raise
    and stop.
    """
    out: list[str] = []
    inside: str | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside is not None:
                raise ValueError(
                    f"{where}, line {number}: '{BEGIN}' inside another solution block; close the first with '{END}'."
                )
            inside = line[: len(line) - len(line.lstrip())]
            if not inside:
                raise ValueError(
                    f"{where}, line {number}: solution block at the top level of the cell. Put the exercise "
                    "inside a function so the student notebook still runs (the check calls the function)."
                )
            out += [f"{inside}# YOUR CODE HERE", f"{inside}raise NotImplementedError()"]
        elif stripped == END:
            if inside is None:
                raise ValueError(f"{where}, line {number}: '{END}' without a matching '{BEGIN}'.")
            inside = None
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise ValueError(f"{where}: '{BEGIN}' is never closed; add '{END}'.")
    return "\n".join(out)


def _kept_outputs(cell) -> list:
    """Text outputs of an NBVAL_CHECK_OUTPUT cell; nothing for any other cell."""
    if CHECK_OUTPUT not in cell.source:
        return []
    kept = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            if kept and kept[-1].output_type == "stream" and kept[-1].name == output.name:
                kept[-1].text += output.text  # one stream, however the kernel chunked it
            else:
                kept.append(nbformat.v4.new_output("stream", name=output.name, text=output.text))
        elif output.output_type in ("execute_result", "display_data"):
            data = {k: v for k, v in output.data.items() if k in _TEXT_MIMETYPES}
            if data:
                kept.append(nbformat.v4.new_output("display_data", data=data))
    return kept


def clean(nb, *, stem: str = "notebook"):
    """Normalize a solution notebook in place: outputs, metadata, Colab cell, nbgrader marks."""
    nb.metadata = nbformat.from_dict(
        {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        }
    )
    colab = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and COLAB_TAG in c.metadata.get("tags", [])]
    if not colab:
        first_code = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells))
        nb.cells.insert(first_code, nbformat.v4.new_code_cell(metadata={"tags": [COLAB_TAG]}))
        colab = [first_code]
    nb.cells[colab[0]].source = colab_cell_source()
    exercise, awaiting_check = 0, None
    for index, cell in enumerate(nb.cells):
        cell.metadata = nbformat.from_dict({k: v for k, v in cell.metadata.items() if k in _CELL_METADATA_KEPT})
        if cell.cell_type != "code":
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            continue
        cell.outputs = _kept_outputs(cell)
        # nbval skips comparing a cell that looks unrun; a kept output keeps a (stable) count.
        cell.execution_count = index if cell.outputs else None
        strip_solutions(cell.source, where=f"{stem} cell {index}")  # validates the markers
        if awaiting_check is not None:
            cell.metadata["nbgrader"] = _grade_metadata(cell, stem, awaiting_check, index)
            awaiting_check = None
        elif BEGIN in cell.source:
            exercise += 1
            awaiting_check = exercise
            cell.metadata["nbgrader"] = {
                "grade": False,
                "grade_id": f"{stem}-exercise-{exercise}",
                "locked": False,
                "schema_version": 3,
                "solution": True,
                "task": False,
            }
        else:
            cell.metadata.pop("nbgrader", None)
    if awaiting_check is not None:
        raise ValueError(f"{stem}: exercise {awaiting_check} is the last code cell; add its check cell after it.")
    return nb


def _grade_metadata(cell, stem: str, exercise: int, index: int) -> dict:
    """nbgrader metadata of exercise ``exercise``'s check cell: a locked grade cell with points."""
    if BEGIN in cell.source or "check." not in cell.source:
        raise ValueError(
            f"{stem} cell {index}: the code cell after exercise {exercise} must be its check, "
            "e.g. `check.name(name)` (it becomes the exercise's nbgrader grade cell)."
        )
    points = cell.metadata.get("nbgrader", {}).get("points", DEFAULT_POINTS)
    try:
        if not isinstance(points, (int, float)):  # not text such as "2": nbgrader needs a number
            raise ValueError(points)
        check_positive(points, "points")
    except ValueError:
        raise ValueError(f"{stem} cell {index}: nbgrader points must be a positive number; got {points!r}.") from None
    return {
        "grade": True,
        "grade_id": f"{stem}-check-{exercise}",
        "locked": True,
        "points": points,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }


def grade_cells(nb) -> list[tuple[str, float]]:
    """The ``(grade_id, points)`` of every grade cell of a clean solution notebook, in order."""
    return [
        (cell.metadata["nbgrader"]["grade_id"], cell.metadata["nbgrader"]["points"])
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    ]


def make_student(nb, *, stem: str = "notebook"):
    """The student version of a clean solution notebook (a new object)."""
    student = copy.deepcopy(nb)
    for index, cell in enumerate(student.cells):
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, where=f"{stem} cell {index}")
    return student


def dumps(nb) -> str:
    """Serialize exactly as committed (nbformat's layout, one trailing newline)."""
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def _solution_paths(root: Path) -> list[Path]:
    return sorted((root / "solutions").glob("*.ipynb"))


def expected_files(root: Path = ROOT) -> dict[Path, str]:
    """Every committed notebook as it should read, solutions and notebooks alike."""
    files = {}
    for path in _solution_paths(root):
        nb = clean(nbformat.read(path, as_version=4), stem=path.stem)
        files[path] = dumps(nb)
        files[root / "notebooks" / path.name] = dumps(make_student(nb, stem=path.stem))
    return files


def problems(root: Path = ROOT) -> list[str]:
    """What is out of date: each entry names a file and says what to run."""
    found = []
    expected = expected_files(root)
    for path, text in expected.items():
        relative = path.relative_to(root)
        if not path.exists():
            found.append(f"{relative} is missing — run `make notebooks`.")
        elif path.read_text(encoding="utf-8") != text:
            kind = (
                "carries outputs or metadata that must be stripped" if path.parent.name == "solutions" else "is stale"
            )
            found.append(f"{relative} {kind} — run `make notebooks`.")
    for extra in sorted(set((root / "notebooks").glob("*.ipynb")) - set(expected)):
        found.append(f"{extra.relative_to(root)} has no source in solutions/ — delete it or add the solution.")
    return found


def generate(root: Path = ROOT) -> list[Path]:
    """Write every out-of-date notebook; return the paths written."""
    (root / "notebooks").mkdir(exist_ok=True)
    written = []
    for path, text in expected_files(root).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def refresh(root: Path = ROOT, names: list[str] | None = None, *, timeout: int = 600) -> None:
    """Execute solution notebooks and keep the new expected outputs, then regenerate."""
    from nbclient import NotebookClient

    for path in _solution_paths(root):
        if names and path.stem not in names and path.name not in names:
            continue
        print(f"executing {path.relative_to(root)} ...", flush=True)
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        ).execute()
        path.write_text(dumps(clean(nb, stem=path.stem)), encoding="utf-8")
    generate(root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.notebooks", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("generate", "check", "refresh"))
    parser.add_argument("names", nargs="*", help="refresh only these notebooks (e.g. 00_welcome)")
    args = parser.parse_args(argv)
    if args.command == "generate":
        for path in generate():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if args.command == "refresh":
        refresh(names=args.names)
        return 0
    found = problems()
    print("\n".join(found) if found else "notebooks are up to date")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
