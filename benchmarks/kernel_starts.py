"""Kernels started at the same moments by several processes, as nbval starts them under ``make test``.

jupyter_client chooses a kernel's TCP ports by binding port 0 and closing the socket; the kernel
binds them when it has started, a second or so later. A process that starts its own kernel in
between can be handed the same port, and one of the two kernels dies at start (``ZMQError: Address
already in use``, which nbval reports as "Kernel died before replying to kernel_info"). This script
counts how often: ``--processes`` processes each start ``--starts`` kernels one after another (and
run one short cell in each), over TCP or over Unix sockets (``--transport ipc``, with the test
suite's ``tests.kernels.IpcKernelManager``). A start that dies is reported with the last line its
kernel wrote to stderr; a start or cell with no answer in ``--timeout`` seconds counts as stalled.

    python benchmarks/kernel_starts.py --processes 3 --starts 400 --transport tcp
    python benchmarks/kernel_starts.py --processes 3 --starts 400 --transport ipc

Exits 1 if any start died or stalled.
"""

from __future__ import annotations

import argparse
import queue
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.kernels


def starts(n: int, transport: str, timeout: float) -> list[str]:
    """Start ``n`` kernels one after another; return a line for each that died or stalled."""
    import nbval.kernel
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, RunningKernel, start_new_kernel

    if transport == "ipc":
        from tests.kernels import IpcKernelManager

        nbval.kernel.KernelManager = IpcKernelManager
    problems = []
    for _ in range(n):
        kernel = RunningKernel.__new__(RunningKernel)
        with tempfile.TemporaryFile("w+") as stderr:
            try:
                kernel.km, kernel.kc = start_new_kernel(
                    startup_timeout=timeout,
                    kernel_name=CURRENT_ENV_KERNEL_NAME,
                    stderr=stderr,
                    cwd=tempfile.gettempdir(),
                )
                kernel._ensure_iopub_up()
            except RuntimeError as error:
                stderr.seek(0)
                last = (stderr.read().strip().splitlines() or ["(nothing on stderr)"])[-1]
                problems.append(f"died at start: {error} -- {last}")
                continue
            msg_id = kernel.execute_cell_input("x = sum(range(1000))", allow_stdin=False)
            try:
                kernel.await_reply(msg_id, timeout=timeout)
                kernel.await_idle(msg_id, timeout)
            except queue.Empty:
                problems.append(f"stalled: no answer to a cell in {timeout} s")
            kernel.stop()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--starts", type=int, default=400, help="kernels started by each process")
    parser.add_argument("--transport", choices=["tcp", "ipc"], default="tcp")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    with ProcessPoolExecutor(args.processes) as pool:
        futures = [pool.submit(starts, args.starts, args.transport, args.timeout) for _ in range(args.processes)]
        problems = [line for future in futures for line in future.result()]
    total = args.processes * args.starts
    for line in problems:
        print(line)
    print(
        f"{args.transport}: {len(problems)} of {total} kernel starts died or stalled "
        f"({args.processes} processes at once, {time.perf_counter() - start:.0f} s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
