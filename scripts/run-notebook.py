#!/usr/bin/env python3
"""Restart and run all: execute notebooks through the real tslab kernel and save them in place.

Usage: .venv/bin/python scripts/run-notebook.py notebooks/01-isolated-memory.ipynb [...]

Each notebook runs on a fresh kernel with its own folder as working directory (so
`import * as mp from "../dist"` finds the built library; run `npm run build` first). Stops at
the first cell that fails (reply status not "ok", or any stderr output) and leaves that
notebook unchanged. Prints how long each notebook's cells took.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "test" / "notebooks"))

from tslab_runner import NotebookRunError, execute_in_place  # noqa: E402


def main(argv: list[str]) -> int:
    if not argv or any(a.startswith("-") for a in argv):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for arg in argv:
        path = Path(arg).resolve()
        try:
            seconds = execute_in_place(path)
        except NotebookRunError as error:
            print(f"FAILED {arg}\n{error}", file=sys.stderr)
            return 1
        print(f"{arg}: ran in {seconds:.1f} s, saved")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
