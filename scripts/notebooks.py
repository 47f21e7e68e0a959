#!/usr/bin/env python3
"""npm run notebooks: run every notebook through the real tslab kernel and show its outputs here.

Usage: .venv/bin/python scripts/notebooks.py [notebooks/NN-name.ipynb ...]
       (npm run notebooks sets up what is missing first, see scripts/setup.sh)

Without arguments: every notebooks/*.ipynb, in name order. Each notebook runs on a fresh kernel
with notebooks/ as its working directory, cell by cell; as each cell finishes, its text output
is printed (stdout/stderr streams, text/plain results), and each picture or HTML output as one
line per type such as `[image/png, 83 kB]`, then its text/plain (a picture's one-line summary).
A notebook stops at its first failing cell (tslab's reply status is not "ok", or the cell wrote
to stderr, or it timed out). The notebook files
are only read, never written. Exits 1 if any notebook failed, 2 on bad arguments.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "test" / "notebooks"))

from tslab_runner import NOTEBOOK_DIR, NotebookRunError, kernel_session  # noqa: E402

# Shown as text; any other MIME type of a display_data/execute_result is shown as a placeholder.
TEXT_MIME = "text/plain"


def size_label(data) -> str:
    text = data if isinstance(data, str) else "".join(data) if isinstance(data, list) else str(data)
    n = len(text.encode("utf-8"))
    if n < 1000:
        return f"{n} B"
    return f"{n / 1000:.1f} kB" if n < 10_000 else f"{n / 1000:.0f} kB"


def output_lines(output) -> list[tuple[bool, str]]:
    """(is_error, text) pieces for one nbformat output, in order."""
    kind = output.get("output_type")
    if kind == "stream":
        return [(output.get("name") == "stderr", output.get("text", ""))]
    if kind == "error":
        trace = "\n".join(output.get("traceback") or []) or f"{output.get('ename')}: {output.get('evalue')}"
        return [(True, trace)]
    if kind in ("display_data", "execute_result"):
        data = output.get("data", {})
        pieces = [(False, f"[{mime}, {size_label(data[mime])}]") for mime in data if mime != TEXT_MIME]
        if TEXT_MIME in data:  # a picture's one-line summary, or a value's text
            text = data[TEXT_MIME]
            pieces.append((False, text if isinstance(text, str) else "".join(text)))
        return pieces
    return []


def print_cell(cell, number: int) -> None:
    """Prints a cell's outputs after a `[n]` prefix; stderr and errors go to stderr."""
    prefix = f"  [{number}] "
    indent = " " * len(prefix)
    for is_error, text in (piece for o in cell.get("outputs", []) for piece in output_lines(o)):
        stream = sys.stderr if is_error else sys.stdout
        for line in text.rstrip("\n").split("\n"):
            print(prefix + line, file=stream, flush=True)
            prefix = indent


def run_notebook(path: Path, label: str) -> bool:
    print(label, path.name, flush=True)
    start = time.monotonic()
    failure = None
    cells = 0
    try:
        with kernel_session(path) as session:
            for index, cell in enumerate(session.nb.cells):
                if cell.cell_type != "code":
                    continue
                cells += 1
                try:
                    session.run_cell(index, execution_count=cells)
                finally:
                    print_cell(cell, cells)  # also what a failing cell printed
    except NotebookRunError:  # tslab reports errors on stderr, printed with the cell's outputs
        failure = f"cell [{cells}] failed"
    except Exception as error:  # timeout, dead kernel, unreadable notebook, ...
        failure = f"{type(error).__name__} in cell [{cells}]" if cells else type(error).__name__
        print(f"{type(error).__name__}: {error}", file=sys.stderr, flush=True)
    seconds = time.monotonic() - start
    result = f"FAILED: {failure}, {seconds:.1f} s" if failure else f"{cells} cells, {seconds:.1f} s"
    print(f"{label} {path.name} … {result}", flush=True)
    return failure is None


def main(argv: list[str]) -> int:
    if any(a.startswith("-") for a in argv):
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv in (["-h"], ["--help"]) else 2
    paths = [Path(a).resolve() for a in argv] or sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing or not paths:
        print(f"notebooks: no such notebook: {', '.join(missing) or NOTEBOOK_DIR / '*.ipynb'}", file=sys.stderr)
        return 2
    start = time.monotonic()
    failed = []
    for i, path in enumerate(paths, 1):
        if not run_notebook(path, f"[{i}/{len(paths)}]"):
            failed.append(path.name)
    print(f"\n{len(paths)} notebooks in {time.monotonic() - start:.1f} s" + (f"; failed: {', '.join(failed)}" if failed else ""))
    print(f"notebooks: {len(paths) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:  # the kernel was shut down on the way out
        print("\nnotebooks: interrupted", file=sys.stderr)
        sys.exit(130)
