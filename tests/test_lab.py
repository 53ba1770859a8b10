"""`make lab` serves JupyterLab on the course (checked with HTTP requests, no browser).

Also a test of the test: waiting for a server that never listens, or that exits, gives up on
its own, promptly, with the server's log in the message and no process left behind.
"""

import os
import secrets
import shutil
import sys
import time
import urllib.request

import psutil
import pytest

from course_utils.notebooks import ROOT
from tests.lab_driver import ServerDidNotStart, free_port, start_server, stop_process_group


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8", "replace")


@pytest.mark.skipif(shutil.which("make") is None, reason="`make` is not installed; run `jupyter lab` by hand instead")
def test_make_lab_serves_jupyterlab_with_the_course(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    args = f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --ServerApp.port_retries=0 --IdentityProvider.token={token}"
    base = f"http://127.0.0.1:{port}"
    server = start_server(
        ["make", "-s", "lab", f"LAB_ARGS={args}"], f"{base}/api/status?token={token}", tmp_path / "lab.log",
        cwd=ROOT, env={**os.environ, "MAKEFLAGS": ""},
    )
    try:
        status, page = _get(f"{base}/lab/tree/notebooks/00_welcome.ipynb?token={token}")
        assert status == 200 and "JupyterLab" in page
        status, listing = _get(f"{base}/api/contents/notebooks?token={token}")
        assert status == 200 and "00_welcome.ipynb" in listing
    finally:
        stop_process_group(server)


# A stand-in server that never listens: it starts a child (as `make lab` starts `jupyter lab`),
# writes both pids and a log line, then sleeps.
NEVER_LISTENS = """\
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open(sys.argv[1], "w").write(f"{child.pid}")
print("starting, but never listening", flush=True)
time.sleep(600)
"""


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_waiting_for_a_server_that_never_listens_gives_up_promptly_and_stops_it(tmp_path):
    pids = tmp_path / "child.pid"
    url = f"http://127.0.0.1:{free_port()}/api/status"
    start = time.monotonic()
    with pytest.raises(ServerDidNotStart, match=r"did not answer within 3 s, so it was stopped[\s\S]*starting, but never listening"):
        start_server([sys.executable, "-c", NEVER_LISTENS, str(pids)], url, tmp_path / "fake.log", cwd=tmp_path, timeout_s=3)
    assert time.monotonic() - start < 30  # the 3 s wait, then SIGTERM; never the 600 s sleep
    assert _gone(int(pids.read_text())), "the server's child survived: its process group was not stopped"


def test_waiting_for_a_server_that_exits_fails_at_once_with_its_log(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/api/status"
    start = time.monotonic()
    code = "import sys; print('port 8888 is not available', flush=True); sys.exit(3)"
    with pytest.raises(ServerDidNotStart, match=r"exited with code 3[\s\S]*port 8888 is not available"):
        start_server([sys.executable, "-c", code], url, tmp_path / "fake.log", cwd=tmp_path, timeout_s=60)
    assert time.monotonic() - start < 30  # it does not wait out the 60 s
