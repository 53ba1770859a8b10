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
"""

from __future__ import annotations

import os
import tempfile
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
