"""Times each notebook run top to bottom through the tslab kernel, as a learner's "Restart and run all".

Usage: .venv/bin/python bench/notebooks.py NOTEBOOK.ipynb ...
Each notebook gets a fresh kernel whose working directory is the notebook's folder. Prints one JSON
list: per notebook the kernel's start-up, the cells' run time and the total (start-up, cells and
shut-down), in seconds, and the first failure if a cell failed (the notebook stops there).
"""
import json
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CELL_TIMEOUT_SECONDS = 120


def failure(error, cell):
    """One line on why a notebook stopped: the error line tslab printed to the cell's stderr, if any."""
    stderr = "".join(o.get("text", "") for o in (cell or {}).get("outputs", []) if o.get("name") == "stderr")
    lines = [line for line in (stderr or str(error)).splitlines() if line.strip()]
    named = [line for line in lines if re.match(r"\w*(Error|Exception)\b", line)]
    return f"{type(error).__name__}: {(named or lines or [''])[0]}"[:300]


def run(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, kernel_name="tslab", timeout=CELL_TIMEOUT_SECONDS, resources={"metadata": {"path": str(path.parent)}}
    )
    result = {"notebook": path.name, "codeCells": sum(c.cell_type == "code" for c in nb.cells)}
    start = time.perf_counter()
    index = None
    try:
        with client.setup_kernel():
            ready = time.perf_counter()
            result["kernelStartSeconds"] = ready - start
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            result["cellsSeconds"] = time.perf_counter() - ready
    except Exception as error:  # a failed cell, a timeout or a dead kernel: report it, go on
        result["error"] = f"cell {index}: {failure(error, nb.cells[index] if index is not None else None)}"
    result["totalSeconds"] = time.perf_counter() - start
    return result


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps([run(Path(arg).resolve()) for arg in argv]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
