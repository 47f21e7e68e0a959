"""Static checks on the committed notebooks/*.ipynb (no kernel needed).

A notebook passes when it was saved right after a clean "Restart kernel and run all" on
the tslab kernel: valid nbformat 4, kernelspec tslab, every code cell executed once in
order (execution counts 1..n), no error outputs and no stderr (tslab prints compile and
runtime errors to stderr, not as error outputs).
"""
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))

if NOTEBOOKS:
    PARAMS = [pytest.param(p, id=p.name) for p in NOTEBOOKS]
else:
    PARAMS = [
        pytest.param(
            None,
            id="no-notebooks",
            marks=pytest.mark.skip(
                reason="no notebooks/*.ipynb yet; these checks run on each one once it exists"
            ),
        )
    ]


@pytest.fixture(params=PARAMS)
def path(request):
    return request.param


@pytest.fixture
def nb(path):
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def code_cells(nb):
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def test_valid_nbformat(path, nb):
    assert nb.nbformat == 4, f"{path.name}: nbformat {nb.nbformat}, want 4"
    nbformat.validate(nb)  # raises nbformat.ValidationError with the JSON path


def test_kernelspec_is_tslab(path, nb):
    spec = nb.metadata.get("kernelspec", {})
    assert spec.get("name") == "tslab", f"{path.name}: kernelspec {spec!r}, want name 'tslab'"


def test_no_error_outputs(path, nb):
    bad = [
        f"cell {i}: {o.get('ename')}: {o.get('evalue')}"
        for i, c in code_cells(nb)
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not bad, f"{path.name} has error outputs:\n" + "\n".join(bad)


def test_no_stderr(path, nb):
    bad = [
        f"cell {i}: {o.text.strip()[:300]!r}"
        for i, c in code_cells(nb)
        for o in c.outputs
        if o.output_type == "stream" and o.name == "stderr"
    ]
    assert not bad, f"{path.name} has stderr output (tslab reports errors there):\n" + "\n".join(bad)


def test_every_code_cell_executed_in_order(path, nb):
    cells = code_cells(nb)
    empty = [i for i, c in cells if not c.source.strip()]
    assert not empty, f"{path.name}: empty code cells {empty} (never executed); delete them"
    unrun = [i for i, c in cells if c.execution_count is None]
    assert not unrun, f"{path.name}: code cells {unrun} were not executed"
    counts = [c.execution_count for _, c in cells]
    want = list(range(1, len(cells) + 1))
    assert counts == want, (
        f"{path.name}: execution counts {counts}, want {want}; "
        "restart the kernel and run all cells, then save"
    )
