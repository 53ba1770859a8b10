"""Hunt for lost kernel messages: many kernels at once, each executing many short cells.

The hangs seen while running notebooks on a busy machine (kernel and client both idle, the
client waiting for a reply that never comes) match a class of bugs that came with ipykernel 7's
shell channel thread: it sent each reply raw on the shell socket that a ZMQStream reads, which
can consume the wake-up of a request arriving during the send (ipykernel#1529, fixed in 7.4.0;
#1554 is open). One such hang still happened with 7.4.0, so pyproject.toml requires ipykernel 6.
This script recreates the conditions: ``--kernels`` kernels
in parallel, each executing ``--cells`` short cells (a small matrix product, an image, HTML and
output written from a background thread, as TensorFlow's threads do), ``--rounds`` times; a
cell whose reply has not come after ``--timeout`` seconds counts as a hang.

    python benchmarks/stress_kernels.py --kernels 4 --cells 1500 --rounds 3

Prints one line per kernel run and the ipykernel version; exits 1 if any run hung.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError

SETUP = """import base64, threading
import numpy as np
from IPython.display import HTML, Image, display
PNG = base64.b64decode(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='
)
def noise():
    for _ in range(3):
        print('.', end='')
"""
CELL = (
    "x = np.random.rand(50, 50) @ np.random.rand(50, 50)\n"
    "display(Image(PNG)); display(HTML('<b>{k}</b>'))\n"
    "t = threading.Thread(target=noise); t.start(); print({k}); t.join()"
)


def run_one(n_cells: int, timeout: float) -> tuple[str, float]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP)] + [
        nbformat.v4.new_code_cell(CELL.format(k=k)) for k in range(n_cells)
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3").execute()
        return "ok", time.perf_counter() - start
    except CellTimeoutError:
        return "HANG", time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=4)
    parser.add_argument("--cells", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    import ipykernel
    from jupyter_client.kernelspec import KernelSpecManager

    # Look the kernel up once here: the first lookup imports IPython, and four threads importing it at
    # once can meet a half-initialized module (ImportError: cannot import name 'ESC_MAGIC').
    KernelSpecManager().get_kernel_spec("python3")
    print(f"ipykernel {ipykernel.__version__}: {args.rounds} rounds of {args.kernels} kernels x {args.cells} cells")
    hangs = 0
    for round_ in range(1, args.rounds + 1):
        with ThreadPoolExecutor(args.kernels) as pool:
            results = list(pool.map(lambda _: run_one(args.cells, args.timeout), range(args.kernels)))
        for kernel, (status, seconds) in enumerate(results, start=1):
            hangs += status == "HANG"
            print(f"round {round_} kernel {kernel}: {status} in {seconds:.0f} s", flush=True)
    print(f"{hangs} hung of {args.rounds * args.kernels} runs ({args.rounds * args.kernels * args.cells} cells)")
    return 1 if hangs else 0


if __name__ == "__main__":
    sys.exit(main())
