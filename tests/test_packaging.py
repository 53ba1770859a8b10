"""Packaging and launch files agree with each other: pyproject, environment.yml, Makefile,
.ci/run, README, the Colab helper."""

import re
import tomllib

import yaml

from course_utils import colab, curriculum
from course_utils.notebooks import ROOT, repository_url

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DEPENDENCIES = PYPROJECT["project"]["dependencies"]


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
    for requirement in DEPENDENCIES + PYPROJECT["project"]["optional-dependencies"]["dev"]:
        assert ">=" in requirement, f"{requirement} needs a known-good lower bound"


def test_colab_installs_only_what_is_missing_and_never_tensorflow_or_numpy(monkeypatch):
    monkeypatch.setattr(colab, "_installed", lambda name: False)
    everything = colab.missing_requirements(ROOT)
    assert not any(colab._name(r) in colab.NEVER_INSTALL for r in everything)
    assert "shap>=0.46" in everything and len(everything) == len(set(everything))
    monkeypatch.setattr(colab, "_installed", lambda name: name != "lime")
    assert colab.missing_requirements(ROOT) == ["lime>=0.2.0.1"]


def test_makefile_and_ci_use_the_two_commands():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^lab: \$\(STAMP\)", makefile, re.M) and re.search(r"^test: \$\(STAMP\)", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_shows_the_two_commands_first_and_the_manual_equivalent():
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", readme, re.S).group(1)
    assert first_block.split() == ["make", "lab", "make", "test"] or first_block.strip().splitlines()[:2] == ["make lab", "make test"]
    for manual in ('pip install -e ".[dev]"', "jupyter lab", "pytest"):
        assert manual in readme


def test_readme_course_map_is_generated_from_the_curriculum():
    assert (ROOT / "README.md").read_text() == curriculum.updated_readme(), "run `python -m course_utils.curriculum --write`"


def test_badges_use_the_one_repository_url():
    url = repository_url()
    for lesson in curriculum.NOTEBOOKS:
        assert curriculum.colab_url(lesson.stem).startswith("https://colab.research.google.com/github/" + url.removeprefix("https://github.com/"))
        assert "mybinder.org/v2/gh/" + url.removeprefix("https://github.com/") in curriculum.binder_url(lesson.stem)
    readme = (ROOT / "README.md").read_text()
    assert readme.count(curriculum.colab_url("00_welcome")) == 1


def test_colab_install_adds_the_missing_then_the_course_without_dependencies(monkeypatch, capsys):
    commands = []
    monkeypatch.setattr(colab, "_installed", lambda name: name not in ("lime", "shap"))
    monkeypatch.setattr(colab.subprocess, "run", lambda command, check: commands.append(command))
    assert colab.install(ROOT) == ["shap>=0.46", "lime>=0.2.0.1"]
    assert commands[0][-2:] == ["shap>=0.46", "lime>=0.2.0.1"]
    assert commands[1][-3:] == ["--no-deps", "-e", str(ROOT)]
    assert "Installing what Colab lacks: shap>=0.46, lime>=0.2.0.1" in capsys.readouterr().out
