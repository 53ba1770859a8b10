"""Kernels for the test suite that talk over Unix sockets, so two kernels can never share a port.

jupyter_client picks a kernel's five TCP ports by binding port 0 and closing the socket; the kernel
binds them a second or so later, when it has started. Under ``make test`` two workers (and the
nested pytest runs, and nbgrader) start kernels at the same moments, and another process can be
handed the same free port in between: the kernel then dies at start with ``ZMQError: Address
already in use`` ("Kernel died before replying to kernel_info"). Measured on this 2-core machine on
2026-12-02, three processes starting kernels one after another while the lower-bounds suite ran
(the method of ``benchmarks/kernel_starts.py``): over TCP 4 of about 1,550 starts died so, over Unix
sockets 0 of 1,200. Each kernel here gets its own socket files, ``<tmp>/kernel-<uuid>-<n>``, which
jupyter_client removes when the kernel is shut down.

conftest.py makes nbval start its kernels with :class:`IpcKernelManager`; the nbgrader round trip
configures ``Execute.kernel_manager_class`` with :class:`AsyncIpcKernelManager`.

:func:`unanswered_requests` is the check that the installed ipykernel answers every shell request
(ipykernel 7.0-7.3 do not: ipykernel#1529; tests/test_kernels.py, benchmarks/lost_requests.py).
"""

from __future__ import annotations

import contextlib
import os
import queue
import random
import tempfile
import time
import uuid

from jupyter_client.manager import AsyncKernelManager, KernelManager
from traitlets import CaselessStrEnum, default


def _own_socket_files(manager: type) -> type:
    """A subclass of ``manager`` whose transport is ipc, on socket files no other kernel uses."""

    class OwnSocketFiles(manager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _ip_default(self) -> str:
            if self.transport != "ipc":
                return super()._ip_default()
            return os.path.join(tempfile.gettempdir(), f"kernel-{uuid.uuid4().hex}")

    return OwnSocketFiles


class IpcKernelManager(_own_socket_files(KernelManager)):
    """A blocking kernel manager (nbval's) whose kernel listens on its own Unix socket files."""


class AsyncIpcKernelManager(_own_socket_files(AsyncKernelManager)):
    """An asyncio kernel manager (nbclient's, nbgrader's) whose kernel listens on its own Unix socket files."""


@contextlib.contextmanager
def running_kernel(**manager_options):
    """A started ``python3`` kernel on its own socket files; yields ``(manager, ready blocking client)``."""
    manager = IpcKernelManager(kernel_name="python3", **manager_options)
    manager.start_kernel()
    client = manager.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=60)
        yield manager, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def unanswered_requests(client, n: int = 300, seed: int = 0, timeout: float = 30.0) -> int:
    """Send ``n`` shell requests a few milliseconds apart without waiting; count those never answered.

    Half are ``kernel_info_request`` and half short ``execute_request`` (``x = k``), in turn, each
    sent 0-4 ms after the last, so requests arrive while the kernel is sending earlier replies,
    as a front end's completion or inspection requests do while a cell runs. ipykernel 7.0-7.3
    sent shell replies raw on the socket its ZMQStream reads, and such a send can consume the
    wake-up of a request arriving meanwhile: the request then sits unread, and the kernel and the
    client both wait, idle (ipykernel#1529, fixed in 7.4.0). ``client`` is a started, ready
    blocking client; replies are awaited up to ``timeout`` seconds in all.
    """
    pace = random.Random(seed)
    waiting = set()
    for k in range(n):
        time.sleep(pace.uniform(0, 0.004))
        waiting.add(client.kernel_info() if k % 2 else client.execute(f"x = {k}"))
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        try:
            reply = client.get_shell_msg(timeout=deadline - time.monotonic())
        except queue.Empty:
            break
        waiting.discard(reply["parent_header"].get("msg_id"))
    return len(waiting)
