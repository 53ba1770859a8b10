"""The course map, defined once: the README's table and notebook 00's map are made from it.

``python -m course_utils.curriculum`` prints the README table (between the markers
``<!-- course-map:start -->`` and ``<!-- course-map:end -->``); ``--write`` updates README.md.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from course_utils.notebooks import ROOT, repository_url

__all__ = ["NOTEBOOKS", "Lesson", "binder_url", "colab_url", "readme_table", "map_markdown"]

START, END = "<!-- course-map:start -->", "<!-- course-map:end -->"


@dataclass(frozen=True)
class Lesson:
    stem: str
    part: str
    title: str
    minutes: int
    linear_model: str  # where the linear model hides in this notebook


NOTEBOOKS = (
    Lesson(
        "00_welcome",
        "Start",
        "Welcome: course map, checks, environment",
        15,
        "standardized features make weights comparable",
    ),
    Lesson(
        "01_linear_solvability",
        "I Linear foundations",
        "Linear systems, rank, least squares, conditioning",
        45,
        "the weights of a linear fit — when they are unique and stable",
    ),
    Lesson(
        "02_linear_svm",
        "I Linear foundations",
        "Perceptron, XOR, linear SVMs, hinge loss",
        50,
        "the SVM's weight vector, drawn as a template",
    ),
    Lesson(
        "03_backprop_from_scratch",
        "I Linear foundations",
        "An MLP and backpropagation in NumPy",
        70,
        "each layer is linear; the gradient is the local linear model",
    ),
    Lesson(
        "04_keras_mnist",
        "II Inside the network",
        "The seed models in Keras 3, diagnosis",
        45,
        "the last layer is a linear classifier on learned features",
    ),
    Lesson(
        "05_hidden_layers",
        "II Inside the network",
        "Weights, activations, probes, activation maximization",
        60,
        "a linear probe per layer",
    ),
    Lesson(
        "06_gradient_attributions",
        "III Explaining one prediction",
        "Saliency, SmoothGrad, integrated gradients, Grad-CAM",
        60,
        "the path-averaged gradient as local weights",
    ),
    Lesson(
        "07_shapley_and_shap",
        "III Explaining one prediction",
        "Shapley values by hand, KernelSHAP, the shap library",
        75,
        "KernelSHAP is weighted least squares",
    ),
    Lesson(
        "08_lime",
        "III Explaining one prediction",
        "LIME from scratch and the lime library",
        60,
        "a weighted ridge regression around one input",
    ),
    Lesson(
        "09_global_importance",
        "IV Trusting explanations",
        "Permutation importance, PDP/ICE, regularization",
        60,
        "global weights from local ones",
    ),
    Lesson(
        "10_evaluating_explanations",
        "IV Trusting explanations",
        "Recovering known effects, deletion curves, sanity checks",
        60,
        "scoring local weights against the truth",
    ),
    Lesson(
        "11_case_studies",
        "IV Trusting explanations",
        "Credit, diagnosis, a Clever Hans shortcut",
        60,
        "reasons as a linear score's terms; the shortcut as a local weight",
    ),
    Lesson(
        "12_privacy_and_security",
        "IV Trusting explanations",
        "Fooled explainers, membership leakage, fragile saliency, int8",
        60,
        "a surrogate that can be gamed",
    ),
    Lesson("13_capstone", "IV Trusting explanations", "Audit a model end to end", 90, "all of the above"),
)


def _slug(url: str) -> str:
    return url.rstrip("/").removeprefix("https://github.com/")


def binder_url(stem: str, root: Path = ROOT) -> str:
    return f"https://mybinder.org/v2/gh/{_slug(repository_url(root))}/HEAD?urlpath=lab/tree/notebooks/{stem}.ipynb"


def colab_url(stem: str, root: Path = ROOT) -> str:
    return f"https://colab.research.google.com/github/{_slug(repository_url(root))}/blob/main/notebooks/{stem}.ipynb"


def _available(root: Path) -> list[Lesson]:
    return [lesson for lesson in NOTEBOOKS if (root / "notebooks" / f"{lesson.stem}.ipynb").exists()]


def readme_table(root: Path = ROOT) -> str:
    """The README's course map: one row per notebook, with launch badges for those that exist."""
    rows = [
        "| Part | Notebook | Time | Where the linear model hides | Launch |",
        "| --- | --- | --- | --- | --- |",
    ]
    available = {lesson.stem for lesson in _available(root)}
    for lesson in NOTEBOOKS:
        if lesson.stem in available:
            name = f"[`{lesson.stem}`](notebooks/{lesson.stem}.ipynb) — {lesson.title}"
            launch = (
                f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url(lesson.stem, root)}) "
                f"[![Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(lesson.stem, root)})"
            )
        else:
            name, launch = f"`{lesson.stem}` — {lesson.title}", "coming soon"
        rows.append(f"| {lesson.part} | {name} | {lesson.minutes} min | {lesson.linear_model} | {launch} |")
    return "\n".join(rows)


def map_markdown(root: Path = ROOT) -> str:
    """The map shown in notebook 00 (links relative to the notebook's own folder)."""
    rows = ["| Part | Notebook | Time | Where the linear model hides |", "| --- | --- | --- | --- |"]
    available = {lesson.stem for lesson in _available(root)}
    for lesson in NOTEBOOKS:
        name = f"[{lesson.stem}]({lesson.stem}.ipynb)" if lesson.stem in available else f"{lesson.stem} *(coming)*"
        rows.append(f"| {lesson.part} | {name}: {lesson.title} | {lesson.minutes} min | {lesson.linear_model} |")
    return "\n".join(rows)


def updated_readme(root: Path = ROOT) -> str:
    text = (root / "README.md").read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{readme_table(root)}\n{END}{tail}"


if __name__ == "__main__":
    if "--write" in sys.argv:
        (ROOT / "README.md").write_text(updated_readme(), encoding="utf-8")
    else:
        print(readme_table())
