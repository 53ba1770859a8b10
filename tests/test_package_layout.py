"""The package's layout rules: the map in course_utils/__init__.py lists every module, each with a
docstring."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import pytest

import course_utils

ROOT = Path(__file__).resolve().parents[1]


def _modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(course_utils.__path__, "course_utils.")
        if not info.name.rsplit(".", 1)[-1].startswith("_")
    )


def test_the_package_map_lists_every_module_and_only_modules_that_exist():
    listed = set(re.findall(r"^\s+(course_utils\.\w+)\s", course_utils.__doc__, flags=re.M))
    modules = set(_modules())
    assert modules - listed == set(), "add these modules to the map in course_utils/__init__.py"
    assert listed - modules == set(), "the map in course_utils/__init__.py names modules that do not exist"


@pytest.mark.parametrize("name", _modules())
def test_every_module_has_a_docstring_that_says_what_it_is_for(name):
    module = __import__(name, fromlist=["_"])
    assert (module.__doc__ or "").strip(), f"{name} has no module docstring"
