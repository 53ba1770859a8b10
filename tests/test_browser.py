"""The course in a real browser: JupyterLab in headless Chromium, driven by Playwright.

For 00_welcome and every notebook with an ipywidgets widget, in both versions: run all cells
through the UI, then assert no error output, checks in student notebooks say "not attempted",
widgets render (no placeholder), moving a slider changes the figure it drives, images load.
A screenshot of each notebook is saved in a temporary folder (printed at the end).

Needs Chromium (Debian: `apt-get install chromium`); without it the test is skipped with that
message, except under CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from tests import lab_driver

ROOT = lab_driver.ROOT


def _has_widget(path: Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    return any("ipywidgets" in cell.source for cell in nb.cells if cell.cell_type == "code")


WIDGET_NOTEBOOKS = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb") if _has_widget(p))
BROWSER_NOTEBOOKS = ["00_welcome", *[stem for stem in WIDGET_NOTEBOOKS if stem != "00_welcome"]]


def _missing(what: str):
    message = (
        f"{what} — the browser test is skipped. To run it: install Chromium (Debian/Ubuntu: "
        "`sudo apt-get install chromium`, or set CHROMIUM=/path/to/chrome) and `pip install -e .[dev]`."
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true: {message}")
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = lab_driver.find_chromium()
    if executable is None:
        _missing("Chromium was not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=lab_driver.CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser_page(browser):
    """A fresh page (and browser context) for each notebook."""
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with lab_driver.lab_server(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"\nbrowser screenshots: {folder}")


@pytest.mark.parametrize("folder", ["solutions", "notebooks"])
@pytest.mark.parametrize("stem", BROWSER_NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(browser_page, lab, screenshots, stem, folder):
    try:
        run = lab_driver.run_notebook(browser_page, lab, f"{folder}/{stem}.ipynb", screenshots)
    finally:
        lab.shutdown_kernels()
    found = lab_driver.problems(run, student=folder == "notebooks", expects_widgets=stem in WIDGET_NOTEBOOKS)
    assert not found, "\n".join(found) + f"\nscreenshot: {run.screenshot}"


BROKEN_WIDGET = '''\
import ipywidgets as widgets
import matplotlib.pyplot as plt

def draw(width):
    if width != 1:  # any move breaks it: no figure for an in-between value may appear on a slow machine
        raise ValueError("this slider is broken on purpose")
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, width], [0, 1])
    plt.show()

widgets.interactive(draw, width=widgets.IntSlider(value=1, min=1, max=10))'''


def test_the_browser_test_catches_a_broken_widget(browser_page, tmp_path, screenshots):
    """A test of the test: a slider bound to a function that raises must be reported."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(BROKEN_WIDGET)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    with lab_driver.lab_server(tmp_path, folders=()) as server:
        (server.root / "broken").mkdir(parents=True)
        nbformat.write(nb, server.root / "broken" / "widget.ipynb")
        run = lab_driver.run_notebook(browser_page, server, "broken/widget.ipynb", screenshots)
    found = lab_driver.problems(run, student=False, expects_widgets=True)
    assert run.widgets and run.sliders == 1
    assert any("moving the slider did not change the figure" in line for line in found), found
    assert any("this slider is broken on purpose" in line for line in found), found


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_missing_browser_fails_under_ci_and_is_skipped_with_advice_elsewhere(monkeypatch, ci, outcome):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match=r"install Chromium \(Debian/Ubuntu: `sudo apt-get install chromium`"):
        _missing("Chromium was not found")
