"""The kernel survives a Jupyter server whose stderr nobody reads any more.

`npm start 2>&1 | tee log`, and tee ends: the kernel inherits a stderr pipe with no reader. Its next
write there fails with EPIPE; with nothing listening, that is an uncaught exception, and tslab's
own handler writes it to stderr again, endlessly: the kernel burns CPU while it looks idle. The
project's kernelspec loads scripts/kernel-preload.js first, which ignores EPIPE on stdout/stderr.

Both kernels below get a stderr pipe whose read end is closed. tslab sends `process.stderr.write`
to the running cell, so only writes before a kernel's first cell (or through the stream's own
write method) reach the real stderr; the trigger cell puts the stream's own write back, as before
a first cell, and writes once. The project's kernelspec must then stay idle and still run cells;
tslab started bare, the same way, must spin (it then no longer even answers), which shows that
the trigger really reproduces the loop the preload is there for.
"""
from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
TICKS = os.sysconf("SC_CLK_TCK")
# An idle kernel uses ~0 % of a core; the loop measured ~40-100 %.
IDLE_AT_MOST = 0.10
SPIN_AT_LEAST = 0.25
MEASURE_SECONDS = 3.0

WRITE_TO_STDERR = """\
process.stderr.write = Object.getPrototypeOf(process.stderr).write;
process.stderr.write("to the server's stderr, which nobody reads\\n");
console.log("written");
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def execute(km: KernelManager, code: str, timeout: float = 60) -> tuple[str, str]:
    """Runs `code` in the kernel; returns (reply status, what the cell printed on stdout)."""
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=timeout)
        out: list[str] = []
        reply = kc.execute_interactive(
            code,
            timeout=timeout,
            output_hook=lambda msg: out.append(msg["content"].get("text", "") if msg["msg_type"] == "stream" else ""),
        )
        return reply["content"]["status"], "".join(out)
    finally:
        kc.stop_channels()


@contextmanager
def kernel_with_broken_stderr(argv: list[str]) -> Iterator[KernelManager]:
    """A kernel started with `argv` (a kernelspec's), its stderr a pipe whose read end is closed."""
    km = KernelManager(kernel_name="tslab")
    km.kernel_spec.argv = argv
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        km.start_kernel(stderr=write_end, cwd=str(NOTEBOOKS))
    finally:
        os.close(write_end)
    try:
        yield km
    finally:
        km.shutdown_kernel(now=True)


def cpu_share_after_stderr_write(km: KernelManager) -> float:
    """Writes to the kernel's stderr from a cell, then the share of a core it uses while idle."""
    status, out = execute(km, WRITE_TO_STDERR)
    assert (status, out.strip()) == ("ok", "written")
    pid = km.provisioner.process.pid
    before = cpu_seconds(pid)
    time.sleep(MEASURE_SECONDS)
    return (cpu_seconds(pid) - before) / MEASURE_SECONDS


def project_argv() -> list[str]:
    return KernelSpecManager().get_kernel_spec("tslab").argv


def test_the_kernelspec_loads_the_preload():
    argv = project_argv()
    assert argv[:3] == ["node", "--require", str(ROOT / "scripts" / "kernel-preload.js")], json.dumps(argv)


def test_a_kernel_whose_stderr_is_a_broken_pipe_stays_idle_and_runs_cells():
    with kernel_with_broken_stderr(project_argv()) as km:
        share = cpu_share_after_stderr_write(km)
        assert share <= IDLE_AT_MOST, f"the idle kernel used {share:.0%} of a core (EPIPE loop?)"
        assert execute(km, "console.log(6 * 7);") == ("ok", "42\n")


def test_without_the_preload_the_same_kernel_spins():
    argv = project_argv()
    bare = [argv[0], *argv[3:]]  # node <tslab> kernel --config-path {connection_file}
    with kernel_with_broken_stderr(bare) as km:
        share = cpu_share_after_stderr_write(km)
        assert share >= SPIN_AT_LEAST, f"without the preload the kernel used only {share:.0%} of a core"
