"""Packaging and launch files agree with each other: pyproject, environment.yml, Makefile,
.ci/run, README, the Colab helper."""

import json
import os
import re
import tomllib

import pytest
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from course_utils import colab, curriculum
from course_utils.notebooks import ROOT, repository_url

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DEPENDENCIES = PYPROJECT["project"]["dependencies"]
DEV = PYPROJECT["project"]["optional-dependencies"]["dev"]
LOWER_BOUNDS = ROOT / "lower-bounds.txt"

# What Colab ships (googlecolab/backend-info, pip-freeze.txt of 2026-08-19, commit a7240792:
# Python 3.13; the oldest runtime Colab still offers, 2025.07, has TensorFlow 2.18.0, Keras 3.8.0,
# NumPy 2.0.2). There the course keeps these packages as they are (course_utils.colab installs only
# what is missing), so each lower bound must be at or below them.
COLAB = {
    "tensorflow-cpu": "2.20.0",  # Colab's build is called tensorflow
    "keras": "3.13.2", "numpy": "2.1.3", "pandas": "2.2.3", "scipy": "1.16.3", "scikit-learn": "1.6.1",
    "scikit-image": "0.25.2", "matplotlib": "3.10.0", "shap": "0.52.0", "tqdm": "4.67.3",
    "threadpoolctl": "3.6.0", "psutil": "5.9.5",
    # Below our bounds, and kept so on purpose: Colab's notebook front end (not JupyterLab) needs its
    # own ipykernel and the ipywidgets 7 it renders; the course never installs them there.
    "ipykernel": "6.17.1", "ipywidgets": "7.7.1",
}
COLAB_OWN_FRONT_END = {"ipykernel", "ipywidgets"}


def _split(requirement):
    name = colab._name(requirement)
    spec = requirement.split(";")[0].strip()[len(name):].strip()
    return name, spec


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    binder = dict(_split(r) for r in pip_section)
    # Binder is Linux x86_64: the pyproject requirement whose marker holds there.
    linux = dict(_split(r) for r in DEPENDENCIES if "platform_machine != 'x86_64'" not in r)
    assert binder == linux
    assert "tensorflow" not in binder, "Binder must get the CPU-only build only"


def test_exactly_one_tensorflow_build_per_platform():
    from packaging.markers import Marker

    tensorflows = [r for r in DEPENDENCIES if colab._name(r) in ("tensorflow", "tensorflow-cpu")]
    platforms = [
        {"sys_platform": "linux", "platform_machine": "x86_64"},
        {"sys_platform": "linux", "platform_machine": "aarch64"},
        {"sys_platform": "darwin", "platform_machine": "arm64"},
        {"sys_platform": "win32", "platform_machine": "AMD64"},
    ]
    for platform in platforms:
        chosen = [r for r in tensorflows if Marker(r.split(";")[1]).evaluate(platform)]
        assert len(chosen) == 1, (platform, chosen)


def test_every_dependency_has_a_lower_bound():
    for requirement in DEPENDENCIES + DEV:
        assert ">=" in requirement, f"{requirement} needs a known-good lower bound"


def _lower_bounds(requirements):
    """{name: version} of each requirement's ``>=`` bound."""
    bounds = {}
    for text in requirements:
        requirement = Requirement(text)
        bounds[canonicalize_name(requirement.name)] = next(
            s.version for s in requirement.specifier if s.operator == ">="
        )
    return bounds


def _pins(text):
    """{name: version} of a file of ``name==version`` lines (comments and blank lines skipped)."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, equals, version = line.partition("==")
            assert equals, f"lower-bounds.txt should pin with ==; got {line!r}"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def _disagreements(bounds, pins):
    missing = [
        f"{name}: pyproject says >={bounds[name]}, lower-bounds.txt pins nothing"
        for name in bounds.keys() - pins.keys()
    ]
    extra = [
        f"{name}: lower-bounds.txt pins {pins[name]}, pyproject has no such dependency"
        for name in pins.keys() - bounds.keys()
    ]
    differ = [
        f"{name}: pyproject says >={bounds[name]}, lower-bounds.txt pins =={pins[name]}"
        for name in bounds.keys() & pins.keys()
        if Version(bounds[name]) != Version(pins[name])
    ]
    return sorted(missing + extra + differ)


def test_lower_bounds_file_pins_every_dependency_at_its_bound_in_pyproject():
    assert _disagreements(_lower_bounds(DEPENDENCIES + DEV), _pins(LOWER_BOUNDS.read_text())) == []


def test_a_bound_and_a_pin_that_disagree_are_reported():
    bounds = _lower_bounds(["keras>=3.3.3", "numpy>=1.26.4", "tqdm>=4.66"])
    pins = _pins("keras==3.4.0  # raised in one file only\nnumpy==1.26.4\ntqdm==4.66.0\nscipy==1.11.4\n")
    assert _disagreements(bounds, pins) == [
        "keras: pyproject says >=3.3.3, lower-bounds.txt pins ==3.4.0",
        "scipy: lower-bounds.txt pins 1.11.4, pyproject has no such dependency",
    ]  # tqdm: 4.66 and 4.66.0 are the same version
    assert _disagreements(bounds, _pins("keras==3.3.3\n")) == [
        "numpy: pyproject says >=1.26.4, lower-bounds.txt pins nothing",
        "tqdm: pyproject says >=4.66, lower-bounds.txt pins nothing",
    ]


@pytest.mark.skipif(
    "COURSE_LOWER_BOUNDS" not in os.environ,
    reason="runs under `make test-lower`, in the environment at the lower bounds",
)
def test_the_lower_bounds_environment_has_exactly_the_pinned_versions():
    import importlib.metadata

    pins = _pins((ROOT / os.environ["COURSE_LOWER_BOUNDS"]).read_text())
    here = [Requirement(r) for r in DEPENDENCIES + DEV]
    here = [canonicalize_name(r.name) for r in here if r.marker is None or r.marker.evaluate(default_environment())]
    installed = {name: importlib.metadata.version(name) for name in here}
    assert {name: Version(v) for name, v in installed.items()} == {name: Version(pins[name]) for name in here}


def test_lower_bounds_cover_what_colab_ships():
    bounds = _lower_bounds(r for r in DEPENDENCIES if "platform_machine != 'x86_64'" not in r)  # Colab: Linux x86_64
    too_high = {
        name: (bounds[name], colab)
        for name, colab in COLAB.items()
        if name not in COLAB_OWN_FRONT_END and Version(bounds[name]) > Version(colab)
    }
    assert too_high == {}, "lower bounds above Colab's versions (bound, Colab): these would not be met on Colab"


def test_colab_installs_only_what_is_missing_and_never_tensorflow_or_numpy(monkeypatch):
    monkeypatch.setattr(colab, "_installed", lambda name: False)
    everything = colab.missing_requirements(ROOT)
    assert not any(colab._name(r) in colab.NEVER_INSTALL for r in everything)
    assert "shap>=0.47.0" in everything and len(everything) == len(set(everything))
    monkeypatch.setattr(colab, "_installed", lambda name: name != "lime")
    assert colab.missing_requirements(ROOT) == ["lime>=0.2.0.1"]


def test_makefile_and_ci_use_the_two_commands():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^lab: \$\(STAMP\)", makefile, re.M) and re.search(r"^test: \$\(STAMP\)", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_ci_runs_the_tests_again_at_the_lower_bounds_after_make_test():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^\$\(STAMP\): pyproject.toml \$\(CONSTRAINTS\)$", makefile, re.M)
    assert (
        '-e ".[dev]" $(if $(CONSTRAINTS),-c $(CONSTRAINTS))' in makefile
    )  # the pins constrain the course's own install
    assert "\t$(MAKE) install VENV=$(LOWER_VENV) CONSTRAINTS=lower-bounds.txt\n" in makefile
    assert re.search(
        r"^test-lower: install-lower\n\tVENV=\$\(LOWER_VENV\) COURSE_LOWER_BOUNDS=lower-bounds.txt "
        r"\$\(LOWER_VENV\)/bin/python -m pytest",
        makefile,
        re.M,
    )
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ci.index("make test-lower") > ci.index("make test")


def test_readme_shows_the_two_commands_first_and_the_manual_equivalent():
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", readme, re.S).group(1)
    assert first_block.split() == ["make", "lab", "make", "test"] or first_block.strip().splitlines()[:2] == [
        "make lab",
        "make test",
    ]
    for manual in ('pip install -e ".[dev]"', "jupyter lab", "pytest"):
        assert manual in readme


def test_readme_course_map_is_generated_from_the_curriculum():
    assert (ROOT / "README.md").read_text() == curriculum.updated_readme(), (
        "run `python -m course_utils.curriculum --write`"
    )


WRITTEN = [lesson for lesson in curriculum.NOTEBOOKS if (ROOT / "solutions" / f"{lesson.stem}.ipynb").exists()]


@pytest.mark.parametrize("lesson", WRITTEN, ids=lambda lesson: lesson.stem)
def test_each_notebook_states_the_time_the_course_map_gives(lesson):
    intro = "".join(json.loads((ROOT / "solutions" / f"{lesson.stem}.ipynb").read_text())["cells"][0]["source"])
    stated = re.search(r"\*\*Estimated time:\*\* (\d+) minutes", intro)
    assert stated, f"{lesson.stem}: its first cell should say '**Estimated time:** N minutes.'"
    assert int(stated.group(1)) == lesson.minutes, (
        f"{lesson.stem} says {stated.group(1)} minutes, the course map (course_utils/curriculum.py) {lesson.minutes}: "
        "make them agree, then run `python -m course_utils.curriculum --write`"
    )


def test_badges_use_the_one_repository_url():
    url = repository_url()
    for lesson in curriculum.NOTEBOOKS:
        assert curriculum.colab_url(lesson.stem).startswith(
            "https://colab.research.google.com/github/" + url.removeprefix("https://github.com/")
        )
        assert "mybinder.org/v2/gh/" + url.removeprefix("https://github.com/") in curriculum.binder_url(lesson.stem)
    readme = (ROOT / "README.md").read_text()
    assert readme.count(curriculum.colab_url("00_welcome")) == 1


def test_colab_install_adds_the_missing_then_the_course_without_dependencies(monkeypatch, capsys):
    commands = []
    monkeypatch.setattr(colab, "_installed", lambda name: name not in ("lime", "shap"))
    monkeypatch.setattr(colab.subprocess, "run", lambda command, check: commands.append(command))
    assert colab.install(ROOT) == ["shap>=0.47.0", "lime>=0.2.0.1"]
    assert commands[0][-2:] == ["shap>=0.47.0", "lime>=0.2.0.1"]
    assert commands[1][-3:] == ["--no-deps", "-e", str(ROOT)]
    assert "Installing what Colab lacks: shap>=0.47.0, lime>=0.2.0.1" in capsys.readouterr().out
