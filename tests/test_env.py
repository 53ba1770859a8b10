"""Environment report, quick import, setup()."""

import subprocess
import sys

import numpy as np
import pytest

import course_utils
from course_utils import env


def test_cpu_count_honours_binders_limit(monkeypatch):
    monkeypatch.setenv("CPU_LIMIT", "1.5")
    assert env.cpu_count() == 1.5
    monkeypatch.setenv("CPU_LIMIT", "not a number")
    assert env.cpu_count() >= 1
    monkeypatch.delenv("CPU_LIMIT")
    assert env.cpu_count() == len(__import__("os").sched_getaffinity(0))


def test_memory_honours_binders_limit(monkeypatch):
    monkeypatch.setenv("MEM_LIMIT", str(2 * 1024**3))
    assert env.memory_gb() == pytest.approx(2.147, abs=1e-3)
    monkeypatch.delenv("MEM_LIMIT")
    with open("/proc/meminfo") as f:
        total_kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    assert env.memory_gb() == pytest.approx(total_kb * 1024 / 1e9, rel=1e-3)


@pytest.mark.parametrize(
    "variables, place",
    [({}, "local"), ({"BINDER_SERVICE_HOST": "10.0.0.1"}, "binder"), ({"COLAB_RELEASE_TAG": "release-colab"}, "colab")],
)
def test_where_detects_binder_and_colab(monkeypatch, variables, place):
    for name in ("BINDER_SERVICE_HOST", "BINDER_REQUEST", "BINDER_REF_URL", "COLAB_RELEASE_TAG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert env.where() == place


def test_versions_report_tensorflow_whichever_build_is_installed():
    import importlib.metadata

    found = env.versions()
    assert found["tensorflow"] != "not installed"
    assert found["numpy"] == np.__version__
    assert env.versions(("no-such-package-xyz",))["no-such-package-xyz"] == "not installed"
    builds = [name for name in ("tensorflow", "tensorflow-cpu") if _installed(importlib.metadata, name)]
    assert len(builds) == 1, f"exactly one TensorFlow build must be installed, found {builds}"


def _installed(metadata, name):
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def test_report_and_summary_line(monkeypatch):
    monkeypatch.setenv("CPU_LIMIT", "2")
    text = env.format_report()
    assert "CPU_LIMIT" in text and "tensorflow" in text and "memory" in text
    line = env.summary_line(seed=7)
    assert line.startswith(f"course_utils {course_utils.__version__}") and "seed 7" in line and "TensorFlow" in line


def test_importing_the_numpy_modules_does_not_import_tensorflow():
    code = (
        "import sys, course_utils, course_utils.datasets, course_utils.checks, course_utils.checks.welcome, "
        "course_utils.env, course_utils.smoke, course_utils.notebooks, course_utils.curriculum, course_utils.colab\n"
        "course_utils.setup(tensorflow=False, quiet=True)\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'sklearn', 'shap') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "import os; assert os.environ['TF_CPP_MIN_LOG_LEVEL'] == '3'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_setup_fixes_numpy_and_keras_seeds(capsys):
    import keras

    course_utils.setup(seed=5)
    first = np.random.rand(3), keras.random.uniform((3,)).numpy()
    course_utils.setup(seed=5)
    second = np.random.rand(3), keras.random.uniform((3,)).numpy()
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    assert "seed 5" in capsys.readouterr().out
