"""One line-length limit for the project's Python code, set in pyproject.toml ([tool.ruff])."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def line_length_limit() -> int:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["line-length"]


def long_lines(paths, limit: int, root: Path = ROOT) -> list[str]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if len(line) > limit:
                found.append(f"{path.relative_to(root)}:{number} ({len(line)} characters)")
    return found


def python_files() -> list[Path]:
    tracked = ["course_utils", "tests", "benchmarks", "book", "datasets"]
    files = [path for folder in tracked for path in (ROOT / folder).rglob("*.py")]
    return sorted(files + [ROOT / "conftest.py"])


def test_every_python_file_keeps_the_line_length_limit():
    limit = line_length_limit()
    assert limit == 120
    found = long_lines(python_files(), limit)
    assert found == [], f"{len(found)} lines are longer than {limit} characters:\n" + "\n".join(found[:40])


def test_a_long_line_is_reported_with_its_place(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("x = 1\n" + "y = '" + "a" * 200 + "'\n" + "z = '" + "b" * 114 + "'\n")
    assert long_lines([path], 120, root=tmp_path) == ["m.py:2 (206 characters)"]


