"""Drive JupyterLab in headless Chromium: start a server, run a notebook through the UI, report.

Used by tests/test_browser.py. The server serves a temporary copy of the course (JupyterLab
autosaves, and a run through the UI must not write outputs into the repository), with user
settings that render every cell (no windowing) and switch off the news pop-up.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none", "autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    url: str
    token: str
    root: Path

    def notebook_url(self, relative: str) -> str:
        """Open one notebook in a fresh workspace (no tabs restored from an earlier run)."""
        return f"{self.url}/lab/tree/{relative}?reset&token={self.token}"

    def shutdown_kernels(self) -> None:
        """End every session, so kernels of notebooks already checked do not pile up."""
        with urllib.request.urlopen(f"{self.url}/api/sessions?token={self.token}", timeout=10) as response:
            sessions = json.load(response)
        for session in sessions:
            request = urllib.request.Request(f"{self.url}/api/sessions/{session['id']}?token={self.token}", method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()


def stop_process_group(process: subprocess.Popen) -> None:
    """Terminate a server started with ``start_new_session=True`` and all its children.

    Safe to call twice, and on a server that has already exited (its group may be gone).
    """
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:  # the whole group has exited already
            pass
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
    raise RuntimeError(f"process {process.pid} ({process.args!r}) survived SIGKILL for 10 s")


class ServerDidNotStart(RuntimeError):
    """A server exited, or did not answer in time; the message ends with its log."""


def start_server(command: list[str], url: str, log_path: Path, *, cwd: Path, timeout_s: float = 90, env=None) -> subprocess.Popen:
    """Start ``command`` in its own process group, logging to ``log_path``; return once ``url`` answers.

    Gives up on its own: if the server exits, or ``url`` does not answer within ``timeout_s``
    seconds, the server's whole process group is stopped *first* and then ``ServerDidNotStart``
    is raised with the end of the log (output goes to a file, never to a pipe: a pipe nobody
    drains stalls a chatty server, and reading one from a live server blocks until it exits).
    """
    with open(log_path, "wb") as log:  # the child keeps its own copy of the descriptor
        server = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    deadline = time.monotonic() + timeout_s
    while (code := server.poll()) is None and time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return server
        except OSError:  # not listening yet, or not answering yet (HTTPError is an OSError too)
            time.sleep(0.5)
    stop_process_group(server)
    why = f"exited with code {code}" if code is not None else f"did not answer within {timeout_s:g} s, so it was stopped"
    tail = log_path.read_text(errors="replace")[-3000:]
    raise ServerDidNotStart(f"{' '.join(map(str, command[:4]))} ... {why} (waiting for {url.split('?')[0]}); end of its log {log_path}:\n{tail}")


@contextmanager
def lab_server(workdir: Path, folders=("solutions", "notebooks")):
    """Serve a copy of the course's notebook folders from ``workdir``; always shut down."""
    root = workdir / "course"
    root.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        shutil.copytree(ROOT / folder, root / folder, dirs_exist_ok=True)
    settings = workdir / "settings"
    for name, value in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value))
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workdir / 'workspaces'}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    lab = LabServer(f"http://127.0.0.1:{port}", token, root)
    server = start_server(command, f"{lab.url}/api/status?token={token}", workdir / "server.log", cwd=root)
    try:
        yield lab
    finally:
        stop_process_group(server)


@dataclass
class NotebookRun:
    """What a run of one notebook through the UI showed."""

    name: str
    code_cells: int = 0
    errors: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # status of each check result shown
    widgets: int = 0
    widget_placeholders: list[str] = field(default_factory=list)
    sliders: int = 0
    slider_moves: list[bool] = field(default_factory=list)
    images: int = 0
    broken_images: int = 0
    screenshot: Path | None = None


PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on show
_PROMPTS_JS = f"() => [...document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim())"
_FIGURE_JS = """(handle) => {
  const box = handle.closest('.widget-interact') || handle.closest('.jp-Cell-outputArea');
  return [...box.querySelectorAll('img')].map(i => i.src.length + ':' + i.src.slice(-200)).join('|');
}"""


def run_notebook(page, lab: LabServer, relative: str, screenshot_dir: Path, *, timeout_s: float = 180) -> NotebookRun:
    """Open a notebook, run all cells from the Run menu, wait, then inspect what rendered."""
    run = NotebookRun(relative)
    page.goto(lab.notebook_url(relative))
    page.wait_for_selector(f"{PANEL} .jp-CodeCell", timeout=60_000)
    _wait_for_idle_kernel(page)
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
    deadline = time.monotonic() + timeout_s
    while True:
        prompts = page.evaluate(_PROMPTS_JS)
        counts = [int(p[1:-2]) if p[1:-2].strip().isdigit() else None for p in prompts]
        ran_in_order = bool(counts) and None not in counts and counts[0] == 1 and counts == sorted(set(counts))
        if ran_in_order and page.get_by_text("| Idle").count():
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"{relative}: cells still running after {timeout_s:.0f} s: {prompts}")
        time.sleep(0.5)
    page.wait_for_timeout(1500)  # let widget views and images finish rendering
    run.code_cells = len(prompts)
    _inspect(page, run)
    sliders = page.locator(f"{PANEL} .jp-OutputArea .widget-slider .noUi-handle")
    run.sliders = sliders.count()
    if run.sliders:
        run.slider_moves.append(_move_slider(page, sliders.first))
        page.get_by_text("| Idle").first.wait_for(timeout=60_000)
        _inspect(page, run, after_slider=True)
    run.screenshot = screenshot_dir / (relative.replace("/", "__") + ".png")
    page.screenshot(path=str(run.screenshot), full_page=True)
    return run


def _wait_for_idle_kernel(page) -> None:
    """Wait until the status bar shows a started, idle kernel; accept a kernel picker if shown."""
    deadline = time.monotonic() + 60
    while not page.get_by_text("Python 3 (ipykernel) | Idle").count():
        picker = page.locator(".jp-Dialog button.jp-mod-accept")
        if picker.count():
            picker.first.click()
        if time.monotonic() > deadline:
            raise TimeoutError("the notebook's kernel did not start within 60 s")
        page.wait_for_timeout(300)


def _inspect(page, run: NotebookRun, *, after_slider: bool = False) -> None:
    errors = page.locator(f"{PANEL} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    run.errors = [errors.nth(i).inner_text().strip()[-600:] for i in range(errors.count())]  # the end names the error
    if after_slider:
        return
    text = page.locator(f"{PANEL} .jp-Notebook").inner_text()
    boxes = page.locator(f"{PANEL} .jp-OutputArea-output .course-check")
    run.checks = [boxes.nth(i).get_attribute("data-status") or boxes.nth(i).inner_text()[:80] for i in range(boxes.count())]
    run.widgets = page.locator(f"{PANEL} .jp-OutputArea .jupyter-widgets").count()
    run.widget_placeholders = [s for s in ("Loading widget", "Error displaying widget", "interactive(children=") if s in text]
    images = page.locator(f"{PANEL} .jp-OutputArea-output img")
    run.images = images.count()
    run.broken_images = sum(1 for i in range(run.images) if not images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"))


def _move_slider(page, handle) -> bool:
    """Press the right arrow on a slider handle; True if the figure next to it changed."""
    handle.scroll_into_view_if_needed()
    before = handle.evaluate(_FIGURE_JS)
    handle.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page.wait_for_timeout(500)
        after = handle.evaluate(_FIGURE_JS)
        if after and after != before:
            return True
    return False


def problems(run: NotebookRun, *, student: bool, expects_widgets: bool) -> list[str]:
    """What is wrong with a run, in words; empty when all is well."""
    found = []
    if run.errors:
        found.append(f"{run.name}: error output: {run.errors[0]}")
    expected = "not attempted" if student else "correct"
    if not run.checks:
        found.append(f"{run.name}: no check result was shown")
    elif any(status != expected for status in run.checks):
        found.append(f"{run.name}: every check should say {expected!r}; they said {run.checks}")
    if run.widget_placeholders:
        found.append(f"{run.name}: widgets did not render: {run.widget_placeholders}")
    if expects_widgets:
        if not run.widgets:
            found.append(f"{run.name}: no ipywidgets widget rendered")
        if not run.sliders:
            found.append(f"{run.name}: no slider rendered")
        elif not all(run.slider_moves):
            found.append(f"{run.name}: moving the slider did not change the figure it drives")
    if run.images == 0:
        found.append(f"{run.name}: no images rendered")
    if run.broken_images:
        found.append(f"{run.name}: {run.broken_images} images did not load")
    return found
