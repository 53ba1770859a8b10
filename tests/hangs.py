"""Where each process was waiting, for the message of a test that gave up on one.

The hangs this suite guards against (a kernel and its client both idle, each waiting for the
other) are rare and have not reproduced on demand, so the test that meets one must say all it
can at that moment: for every process involved (a kernel, a JupyterLab server, a nested pytest
and its workers) its command line, state and CPU time, and, where py-spy can attach (it is in
the dev extra), the Python stack of each of its threads. An idle kernel shows its event loop
waiting in ``select``; a client shows the reply it waits for.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

# A dump takes a fraction of a second; a process that py-spy cannot stop in this time is noted.
DUMP_TIMEOUT_S = 30


def py_spy() -> str | None:
    """The py-spy executable beside this Python (the dev extra installs it there), else on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def family(pid: int) -> list[psutil.Process]:
    """The process and every process it started (children, grandchildren...), those still running."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def where_they_wait(processes: list[psutil.Process]) -> str:
    """A report on each process: pid, parent, state, CPU seconds, age, command line, thread stacks."""
    if not processes:
        return "(no processes left to look at)"
    spy = py_spy()
    parts = []
    for process in processes:
        try:
            with process.oneshot():
                cpu = process.cpu_times()
                head = (
                    f"pid {process.pid} (parent {process.ppid()}), {process.status()}, "
                    f"{cpu.user + cpu.system:.1f} s of CPU in {time.time() - process.create_time():.0f} s: "
                    + " ".join(process.cmdline())[:300]
                )
        except psutil.Error as error:  # it ended meanwhile
            parts.append(f"pid {process.pid}: {type(error).__name__}")
            continue
        parts.append(head + ("\n" + _stacks(spy, process.pid) if _is_python(process) else ""))
    return "\n\n".join(parts)


def _is_python(process: psutil.Process) -> bool:
    try:
        return Path(process.cmdline()[0]).name.startswith("python")
    except (psutil.Error, IndexError):
        return False


def _stacks(spy: str | None, pid: int) -> str:
    if spy is None:
        return "  (no py-spy here to show its stacks: pip install py-spy)"
    try:
        result = subprocess.run(
            [spy, "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=DUMP_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return f"  (py-spy could not read its stacks within {DUMP_TIMEOUT_S} s)"
    text = result.stdout if result.returncode == 0 else f"(py-spy: {result.stderr.strip()[:300]})"
    return "\n".join("  " + line for line in text.strip().splitlines())


def stop(processes: list[psutil.Process], grace_s: float = 5) -> None:
    """SIGTERM every process, then SIGKILL those still running after ``grace_s``."""
    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(processes, timeout=grace_s)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace_s)
