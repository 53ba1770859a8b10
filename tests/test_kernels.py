"""The test suite's kernels (tests/kernels.py): their own Unix socket files, removed after shutdown."""

import glob
import json
import time
from pathlib import Path

import pytest

from tests.kernels import AsyncIpcKernelManager, IpcKernelManager


def test_each_manager_has_its_own_absolute_socket_prefix():
    first, second = IpcKernelManager(), IpcKernelManager()
    assert first.transport == second.transport == "ipc"
    assert Path(first.ip).is_absolute() and first.ip != second.ip


def test_a_kernel_answers_over_its_socket_files_and_they_are_gone_after_shutdown():
    manager = IpcKernelManager(kernel_name="python3")
    manager.start_kernel()
    client = manager.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=60)
        info = json.loads(Path(manager.connection_file).read_text())
        assert info["transport"] == "ipc" and info["ip"] == manager.ip
        deadline = time.monotonic() + 10  # the heartbeat binds in its own thread
        while len(glob.glob(f"{manager.ip}-*")) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(glob.glob(f"{manager.ip}-*")) == 5  # shell, iopub, stdin, control, heartbeat
        reply = client.execute_interactive("x = 6 * 7", timeout=60)
        assert reply["content"]["status"] == "ok"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert glob.glob(f"{manager.ip}-*") == []


def test_a_manager_told_to_use_tcp_still_can():
    assert IpcKernelManager(transport="tcp").ip == "127.0.0.1"


@pytest.mark.parametrize("manager", [IpcKernelManager, AsyncIpcKernelManager])
def test_the_prefix_fits_a_unix_socket_path(manager):
    assert len(f"{manager().ip}-5") < 100  # the limit of a socket path on Linux is 107 bytes
