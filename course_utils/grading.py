"""Grade the course with nbgrader: an nbgrader course folder made from ``solutions/``.

::

    python -m course_utils.grading init ~/explaining-dl-grading            # every notebook with exercises
    python -m course_utils.grading init ~/explaining-dl-grading 01_linear_solvability 02_linear_svm

``init`` writes the folder's ``nbgrader_config.py`` and copies each chosen solution notebook to
``source/<notebook>/<notebook>.ipynb`` (one nbgrader assignment per notebook, named like the
notebook). From there nbgrader's own commands take over — ``generate_assignment``,
``release_assignment``, ``collect``, ``autograde``, ``generate_feedback``, ``export`` — as the
README's instructor section shows.

The solution notebooks already carry nbgrader's metadata (:mod:`course_utils.notebooks`): each
exercise cell is a solution cell, and the check cell after it is a locked grade cell with points.
Under the autograder a check that is not correct fails its cell (:mod:`course_utils.checks`), so a
submission scores an exercise's points exactly when its check says correct.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat

from course_utils.notebooks import ROOT, grade_cells

__all__ = ["COURSE_ID", "graded_notebooks", "init_course", "config_source"]

COURSE_ID = "explaining-dl"
# nbgrader's own default (Exchange.root), so students' commands need no --Exchange.root.
DEFAULT_EXCHANGE = "/usr/local/share/nbgrader/exchange"
CELL_TIMEOUT = 300  # seconds one cell may take under the autograder (a notebook takes about a minute in all)


def graded_notebooks(root: Path = ROOT) -> dict[str, list[tuple[str, float]]]:
    """Every solution notebook that has exercises: ``{stem: [(grade_id, points), ...]}``."""
    found = {}
    for path in sorted((root / "solutions").glob("*.ipynb")):
        cells = grade_cells(nbformat.read(path, as_version=4))
        if cells:
            found[path.stem] = cells
    return found


def config_source(*, exchange: str = DEFAULT_EXCHANGE, course_id: str = COURSE_ID) -> str:
    """The ``nbgrader_config.py`` of a course folder."""
    return (
        "# nbgrader configuration of the course Explaining Deep Learning Models\n"
        "# (written by `python -m course_utils.grading init`; run nbgrader from this folder).\n"
        "c = get_config()  # noqa: F821 (nbgrader defines it)\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        "# Where released assignments and submissions are exchanged (must exist and be writable by all).\n"
        f"c.Exchange.root = {exchange!r}\n"
        "# A hung cell fails after this many seconds instead of stopping the grading.\n"
        f"c.Execute.timeout = {CELL_TIMEOUT}\n"
    )


def init_course(folder: Path, notebooks: list[str] | None = None, *, exchange: str = DEFAULT_EXCHANGE, root: Path = ROOT) -> list[Path]:
    """Write ``folder/nbgrader_config.py`` and ``folder/source/<stem>/<stem>.ipynb``; return the notebooks copied."""
    available = graded_notebooks(root)
    chosen = notebooks or list(available)
    unknown = [name for name in chosen if name.removesuffix(".ipynb") not in available]
    if unknown:
        raise ValueError(f"no graded notebook named {unknown[0]!r}; choose from: {', '.join(available)}.")
    folder = Path(folder).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(config_source(exchange=exchange), encoding="utf-8")
    copied = []
    for name in chosen:
        stem = name.removesuffix(".ipynb")
        target = folder / "source" / stem / f"{stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / "solutions" / f"{stem}.ipynb", target)
        copied.append(target)
    return copied


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.grading", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="make an nbgrader course folder from solutions/")
    init.add_argument("folder", type=Path)
    init.add_argument("notebooks", nargs="*", help="notebooks to include (default: every notebook with exercises)")
    init.add_argument("--exchange", default=DEFAULT_EXCHANGE, help=f"nbgrader's exchange folder (default {DEFAULT_EXCHANGE})")
    args = parser.parse_args(argv)
    try:
        copied = init_course(args.folder, args.notebooks, exchange=args.exchange)
    except ValueError as error:
        parser.error(str(error))
    points = graded_notebooks()
    for path in copied:
        cells = points[path.stem]
        print(f"source/{path.stem}/{path.name}: {len(cells)} exercises, {sum(p for _, p in cells):g} points")
    print(f"wrote {args.folder / 'nbgrader_config.py'} (exchange: {args.exchange})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
