"""Run notebooks through the real tslab kernel with nbclient: the one place that knows how.

Used by scripts/run-notebook.py (execute and save in place, i.e. "Restart and run all") and by
test_tutorial_notebooks.py (execute a fresh copy, then look at the outputs). A cell counts as
failed when tslab's execute_reply status is not "ok" or the cell printed to stderr: tslab reports
compile and run-time errors as stderr text, not as error outputs (see nbval_tslab.py).
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
KERNEL_NAME = "tslab"
KERNELSPEC = {"name": "tslab", "display_name": "TypeScript", "language": "typescript"}
# Per cell. The slowest cell (a few bank runs of ~1 s each) needs far less.
CELL_TIMEOUT_SECONDS = 120


class NotebookRunError(AssertionError):
    """A cell did not run cleanly: its reply status was not "ok", or it wrote to stderr."""


def stream_text(cell, name: str = "stdout") -> str:
    """Everything a code cell printed on one stream, joined."""
    return "".join(
        o.get("text", "")
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == name
    )


def cell_by_id(nb, cell_id: str) -> tuple[int, nbformat.NotebookNode]:
    """The index and cell with this nbformat cell id (the notebooks give key cells readable ids)."""
    for i, cell in enumerate(nb.cells):
        if cell.get("id") == cell_id:
            return i, cell
    raise KeyError(f"no cell with id {cell_id!r}")


class Session:
    """A notebook executing in one live tslab kernel, cell by cell, like "Restart and run all"."""

    def __init__(self, nb: nbformat.NotebookNode, cwd: Path = NOTEBOOK_DIR, name: str = "notebook"):
        self.nb = nb
        self.name = name
        self.seconds = 0.0
        self._replies: dict[int, dict] = {}
        self.client = NotebookClient(
            nb,
            kernel_name=KERNEL_NAME,
            timeout=CELL_TIMEOUT_SECONDS,
            resources={"metadata": {"path": str(cwd)}},
            record_timing=False,
            coalesce_streams=True,
            allow_errors=False,
            on_cell_executed=self._on_cell_executed,
        )

    def _on_cell_executed(self, cell, cell_index, execute_reply):
        self._replies[cell_index] = execute_reply["content"] if execute_reply else {}

    def run_cell(self, index: int, cell=None, execution_count: int | None = None):
        """Executes nb.cells[index] (or `cell`, e.g. a copy) and raises NotebookRunError if it failed."""
        cell = self.nb.cells[index] if cell is None else cell
        self._replies.pop(index, None)
        try:
            self.client.execute_cell(cell, index, execution_count=execution_count)
        except CellExecutionError as error:  # tslab: status "error", the message is in stderr
            raise NotebookRunError(f"{self.name}: cell {index} (id {cell.get('id')!r}) failed:\n{error}") from None
        if cell.cell_type != "code":
            return cell
        status = self._replies.get(index, {}).get("status")
        err = stream_text(cell, "stderr")
        if status != "ok" or err:
            raise NotebookRunError(
                f"{self.name}: cell {index} (id {cell.get('id')!r}) failed, reply status {status!r}:\n"
                f"--- source ---\n{cell.source}\n--- stderr ---\n{err or '(none)'}"
            )
        return cell

    def run_all(self) -> nbformat.NotebookNode:
        """Executes every cell in order, numbering code cells 1..n; records the time taken."""
        start = time.monotonic()
        count = 0
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type == "code":
                count += 1
                self.run_cell(index, execution_count=count)
        self.seconds = time.monotonic() - start
        self.nb.metadata["kernelspec"] = dict(KERNELSPEC)
        return self.nb


@contextmanager
def kernel_session(path: Path) -> Iterator[Session]:
    """Reads the notebook at `path` and yields a Session on a fresh tslab kernel (cwd: its folder)."""
    nb = nbformat.read(path, as_version=4)
    session = Session(nb, cwd=path.parent, name=path.name)
    with session.client.setup_kernel():
        client = session.client
        reply = client.wait_for_reply(client.kc.kernel_info())
        if reply and "language_info" in reply["content"]:
            nb.metadata["language_info"] = reply["content"]["language_info"]
        yield session


def execute_in_place(path: Path) -> float:
    """Restart-and-run-all `path` on a fresh kernel and save it; returns the seconds the cells took."""
    with kernel_session(path) as session:
        nb = session.run_all()
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return session.seconds
