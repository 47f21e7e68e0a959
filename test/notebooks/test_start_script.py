"""`npm start` (scripts/start.sh): the URL it prints opens the course map, and stopping it with
SIGTERM, as a process manager does, stops JupyterLab and its kernels too.

npm passes a SIGTERM on to the `sh -c` that runs the script, not further; a script that exec'd
JupyterLab left it and its kernels running, orphaned. This starts the real thing (with
MP_START_SKIP_SETUP=1: the setup step is not what is tested, and it would rewrite the .venv),
starts a kernel through Jupyter's REST API, sends npm a SIGTERM, and checks that every process
that was under npm, the kernel included, has ended.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
URL = re.compile(r"(http://127\.0\.0\.1:(\d+)(/\S*)\?token=(\w+))")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children() -> dict[int, int]:
    """Every process's parent, by pid."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
    return parents


def descendants(pid: int) -> set[int]:
    parents = children()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc (Linux)")
def test_npm_start_opens_the_course_map_and_sigterm_stops_jupyter_and_its_kernels(tmp_path):
    port = free_port()
    log = tmp_path / "start.log"
    env = {**os.environ, "MP_START_SKIP_SETUP": "1"}
    with open(log, "w") as out:
        npm = subprocess.Popen(["npm", "start", "--", f"--port={port}", "--no-browser"], cwd=REPO, env=env,
                               stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    under_npm: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        while not (match := URL.search(log.read_text())) and time.monotonic() < deadline:
            assert npm.poll() is None, f"npm start ended early:\n{log.read_text()}"
            time.sleep(0.5)
        assert match, f"no URL printed within 90 s:\n{log.read_text()}"
        url, _, path, token = match.groups()
        # The root of Jupyter's files is notebooks/ (start.sh names the course map in it).
        assert path == "/lab/tree/00-start-here.ipynb", f"the printed URL does not open the course map: {url}"
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/00-start-here.ipynb?content=0&token={token}", timeout=30)
        assert json.load(page)["type"] == "notebook", "the course map is not where the printed URL points"

        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/kernels", data=json.dumps({"name": "tslab"}).encode(),
                                         headers={"Authorization": f"token {token}"}, method="POST")
        kernel = json.load(urllib.request.urlopen(request, timeout=30))
        deadline = time.monotonic() + 30
        while not any("tslab" in Path(f"/proc/{p}/cmdline").read_text(errors="replace") for p in descendants(npm.pid) if alive(p)):
            assert time.monotonic() < deadline, f"kernel {kernel['id']} did not start"
            time.sleep(0.5)
        under_npm = descendants(npm.pid)

        npm.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while (left := {p for p in under_npm if alive(p)}) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = {p: Path(f"/proc/{p}/cmdline").read_text(errors="replace").replace("\0", " ")[:120] for p in left if alive(p)}
        assert not left, f"still running 30 s after SIGTERM to npm start: {left}"
    finally:  # what is left, even orphaned, is ended here so that a failure leaves nothing behind
        for pid in {npm.pid} | under_npm | descendants(npm.pid):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
