"""Time and peak memory of every notebook, run as a learner runs it (one kernel, top to bottom).

    .venv/bin/python benchmarks/bench_notebooks.py             # all solution notebooks
    .venv/bin/python benchmarks/bench_notebooks.py 03 06       # those whose names start so
    .venv/bin/python benchmarks/bench_notebooks.py --student   # the student versions

Budget (COURSE.md section 5): 60 s and 1.5 GB per notebook on 2 CPU cores. Peak memory is the
kernel's resident set size (its children included), sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import platform
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S, BUDGET_MB = 60.0, 1500.0


class PeakMemory:
    """Sample the total RSS of this process's children (the kernel) until stopped."""

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run(path: Path) -> tuple[float, float]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    with PeakMemory() as memory:
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    return seconds, memory.peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefixes", nargs="*", help="only notebooks whose names start with these")
    parser.add_argument("--student", action="store_true", help="run notebooks/ instead of solutions/")
    args = parser.parse_args()
    folder = ROOT / ("notebooks" if args.student else "solutions")
    paths = [p for p in sorted(folder.glob("*.ipynb")) if not args.prefixes or p.name.startswith(tuple(args.prefixes))]
    print(f"{platform.node()} · {psutil.cpu_count()} CPUs · {folder.name}/ · {time.strftime('%Y-%m-%d')}")
    print("| notebook | time (s) | peak memory (MB) | within budget |\n| --- | ---: | ---: | --- |")
    for path in paths:
        seconds, megabytes = run(path)
        ok = seconds <= BUDGET_S and megabytes <= BUDGET_MB
        print(f"| {path.stem} | {seconds:.1f} | {megabytes:.0f} | {'yes' if ok else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()
