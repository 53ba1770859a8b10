"""What the first cell of every notebook does on Google Colab.

Colab already has TensorFlow, Keras, NumPy, pandas, scikit-learn, matplotlib and more, built to
work together; reinstalling any of them (or adding a second TensorFlow build next to Colab's)
breaks that. So :func:`install` installs only the course's requirements that are *missing*, never
TensorFlow, Keras or NumPy (nor JupyterLab, which Colab replaces), and then the course package itself with
``--no-deps``.

This module uses only the standard library: it runs before anything is installed.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

__all__ = ["install", "missing_requirements"]

# Colab's own builds (reinstalling them breaks Colab), and Jupyter front-end pieces Colab replaces.
NEVER_INSTALL = {"tensorflow", "tensorflow-cpu", "keras", "numpy", "jupyterlab", "ipykernel"}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _installed(name: str) -> bool:
    try:
        importlib.metadata.version(name)
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


def missing_requirements(root: str | Path) -> list[str]:
    """The requirements in ``root/pyproject.toml`` that are not installed, minus NEVER_INSTALL."""
    with open(Path(root) / "pyproject.toml", "rb") as f:
        requirements = tomllib.load(f)["project"]["dependencies"]
    missing = []
    for requirement in requirements:
        name = _name(requirement)
        if name in NEVER_INSTALL or _installed(name) or requirement.split(";")[0] in missing:
            continue
        missing.append(requirement.split(";")[0].strip())
    return missing


def install(root: str | Path) -> list[str]:
    """Install what is missing, then the course package without dependencies; return what was added."""
    missing = missing_requirements(root)
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    if missing:
        print("Installing what Colab lacks:", ", ".join(missing), flush=True)
        subprocess.run([*pip, *missing], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(root)], check=True)
    print("Course ready.", flush=True)
    return missing
