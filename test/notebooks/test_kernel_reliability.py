"""Reliability in the real kernel: re-running a cell leaks no workers, and an interrupt ends them.

A learner re-runs cells and presses "Interrupt the kernel". These tests do the same through a live
tslab kernel and count, from outside, the OS threads of the kernel process (each worker is one).
"""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tslab_runner import NOTEBOOK_DIR, NotebookRunError, Session, stream_text

SETUP = """\
import * as mp from "../dist";
function work(counter: mp.Value, lock: mp.Lock) {
  for (let i = 0; i < 10000; i++) mp.withLock(lock, () => { counter.value = counter.value + 1; });
}
function holdForever(lock: mp.Lock) {
  lock.acquire();
  for (;;) {}
}
const counter = mp.Value("i", 0);
const lock = new mp.Lock();
console.log(process.pid);
"""

RERUN = """\
{
  const ps = [1, 2, 3, 4].map(() => new mp.Process({ target: work, args: [counter, lock] }));
  ps.forEach((p) => p.start());
  await Promise.all(ps.map((p) => p.join()));
  console.log(counter.value, mp.activeChildren().length);
}
"""

# Declared in its own cell: what an interrupted cell declares is gone afterwards.
HOLDER = """\
const holder = new mp.Process({ target: holdForever, args: [lock] });
"""

HANG = """\
holder.start();
await holder.join();
"""

AFTER = """\
console.log(mp.activeChildren().length, String(holder.exitCode));
try {
  await lock.acquireAsync({ timeout: 2 });
  console.log("acquired");
} catch (error) {
  console.log((error as Error).name);
}
"""


def threads(pid: int) -> int:
    """The number of OS threads of process `pid`, as the kernel reports it."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError(f"no Threads line for pid {pid}")


def settle(pid: int, at_most: int, seconds: float = 5.0) -> int:
    """Waits until the thread count is at most `at_most` (ended threads are reaped a little later)."""
    deadline = time.monotonic() + seconds
    count = threads(pid)
    while count > at_most and time.monotonic() < deadline:
        time.sleep(0.05)
        count = threads(pid)
    return count


@pytest.fixture()
def session():
    nb = new_notebook(cells=[new_code_cell(SETUP), new_code_cell(RERUN), new_code_cell(HOLDER), new_code_cell(HANG), new_code_cell(AFTER)])
    nb.metadata["kernelspec"] = {"name": "tslab", "display_name": "TypeScript", "language": "typescript"}
    s = Session(nb, cwd=NOTEBOOK_DIR, name="reliability")
    with s.client.setup_kernel():
        s.run_cell(0)
        yield s, int(stream_text(nb.cells[0]).strip())


def rerun(s: Session) -> str:
    """Runs the re-run cell once more, on a fresh copy so each run's output is its own."""
    cell = nbformat.from_dict(dict(s.nb.cells[1]))
    s.run_cell(1, cell=cell)
    return stream_text(cell).strip()


def test_rerunning_a_cell_leaks_no_workers(session):
    s, pid = session
    rerun(s)  # the first run loads what workers need; count from here
    baseline = settle(pid, 0, seconds=1.0)
    for run in range(2, 7):
        total, live = rerun(s).split()
        assert int(total) == run * 40000, f"run {run}: the locked counter is {total}"
        assert live == "0", f"run {run}: {live} workers still alive after join"
        assert settle(pid, baseline) <= baseline, f"run {run}: kernel has {threads(pid)} threads, {baseline} before"


def test_interrupt_ends_workers_and_marks_their_lock_abandoned(session):
    s, pid = session
    s.run_cell(2)
    baseline = settle(pid, 0, seconds=1.0)
    # What Jupyter's "Interrupt the kernel" does for tslab (interrupt_mode signal): SIGINT.
    timer = threading.Timer(1.5, os.kill, (pid, signal.SIGINT))
    timer.start()
    started = time.monotonic()
    with pytest.raises(NotebookRunError, match="Interrupted"):
        s.run_cell(3)
    assert time.monotonic() - started < 10, "the interrupt did not end the cell"
    # What the learner needs comes first: the workers ended and the cell's variables gone, then
    # tslab's own "Error: Interrupted asynchronously" with the kernel's stack.
    told = stream_text(s.nb.cells[3], "stderr")
    assert told.startswith("Interrupted: ending 1 running process (Process-"), f"the interrupt's own line is not first:\n{told}"
    assert "What this cell declared (its const, let and function names) is gone" in told.splitlines()[1], told
    assert told.index("Interrupted: ending") < told.index("Interrupted asynchronously"), told
    time.sleep(0.5)  # tslab refuses requests for 200 ms after a failed cell
    assert settle(pid, baseline) <= baseline, f"kernel still has {threads(pid)} threads, {baseline} before"
    s.run_cell(4)
    live, exit_code, outcome = stream_text(s.nb.cells[4]).split()
    assert (live, exit_code) == ("0", "-15"), "the interrupted cell's worker is still running"
    assert outcome == "LockOwnerDiedError", f"acquiring the dead worker's lock gave {outcome!r}"


POOL_WARM = """\
{
  const warm = new mp.Pool(2);
  console.log(await warm.map((x: number) => x * 2, [1, 2, 3]));
  await warm.terminate();
}
"""

# Declared in its own cell, as HOLDER is.
POOL = """\
const spinningPool = new mp.Pool(2);
"""

POOL_HANG = """\
await spinningPool.map((n: number) => { for (;;) {} }, [1, 2]);
"""

POOL_AFTER = """\
console.log(String(spinningPool), spinningPool.pids.length);
"""


@pytest.fixture()
def pool_session():
    cells = [new_code_cell(SETUP), new_code_cell(POOL_WARM), new_code_cell(POOL), new_code_cell(POOL_HANG), new_code_cell(POOL_AFTER)]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "tslab", "display_name": "TypeScript", "language": "typescript"}
    s = Session(nb, cwd=NOTEBOOK_DIR, name="reliability-pool")
    with s.client.setup_kernel():
        s.run_cell(0)
        yield s, int(stream_text(nb.cells[0]).strip())


def test_interrupt_ends_a_pools_workers(pool_session):
    s, pid = pool_session
    s.run_cell(1)  # loads what a pool needs, and ends its workers: count from here
    baseline = settle(pid, 0, seconds=1.0)
    s.run_cell(2)
    timer = threading.Timer(1.5, os.kill, (pid, signal.SIGINT))
    timer.start()
    started = time.monotonic()
    with pytest.raises(NotebookRunError, match="Interrupted"):
        s.run_cell(3)  # two workers spinning forever in a map
    assert time.monotonic() - started < 10, "the interrupt did not end the cell"
    time.sleep(0.5)  # tslab refuses requests for 200 ms after a failed cell
    assert settle(pid, baseline) <= baseline, f"kernel still has {threads(pid)} threads, {baseline} before the pool"
    s.run_cell(4)
    assert stream_text(s.nb.cells[4]).split() == ["<Pool", "name='Pool-2'", "state=TERMINATE", "pool_size=2>", "0"]
