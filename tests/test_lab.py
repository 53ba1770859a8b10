"""`make lab` serves JupyterLab on the course (checked with HTTP requests, no browser)."""

import os
import secrets
import shutil
import subprocess
import time
import urllib.request

import pytest

from course_utils.notebooks import ROOT
from tests.lab_driver import free_port, stop_process_group


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8", "replace")


@pytest.mark.skipif(shutil.which("make") is None, reason="`make` is not installed; run `jupyter lab` by hand instead")
def test_make_lab_serves_jupyterlab_with_the_course():
    port, token = free_port(), secrets.token_hex(16)
    args = f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --IdentityProvider.token={token}"
    server = subprocess.Popen(
        ["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "MAKEFLAGS": ""},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _ = _get(f"{base}/api/status?token={token}")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.5)
        assert status == 200
        status, page = _get(f"{base}/lab/tree/notebooks/00_welcome.ipynb?token={token}")
        assert status == 200 and "JupyterLab" in page
        status, listing = _get(f"{base}/api/contents/notebooks?token={token}")
        assert status == 200 and "00_welcome.ipynb" in listing
    finally:
        stop_process_group(server)
