"""Static checks on the committed notebooks/*.ipynb (no kernel needed).

A notebook passes when it was saved right after a clean "Restart kernel and run all" on
the tslab kernel: valid nbformat 4, kernelspec tslab, every code cell executed once in
order (execution counts 1..n), no error outputs and no stderr (tslab prints compile and
runtime errors to stderr, not as error outputs). Every stored picture can be seen before a
cell is run: an SVG or PNG output carries the PNG (shown by untrusted notebooks and GitHub) and
a one-line text/plain alternative, and an SVG has its <title> and <desc>. Each notebook stays
under 1 MB.
"""
import base64
import re
import xml.etree.ElementTree as ET
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


MAX_NOTEBOOK_BYTES = 1_000_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"


def picture_problems(output) -> list[str]:
    """What keeps a stored picture output from being seen everywhere; [] for a good one or for
    an output that is no picture."""
    data = output.get("data", {})
    if "image/svg+xml" not in data and "image/png" not in data:
        return []
    problems = []
    png = data.get("image/png")
    if not isinstance(png, str) or not base64.b64decode(png).startswith(PNG_SIGNATURE):
        problems.append("no image/png (untrusted notebooks and GitHub show no SVG)")
    text = data.get("text/plain")
    if isinstance(text, list):
        text = "".join(text)
    if not isinstance(text, str) or not re.fullmatch(r"[^\r\n]+", text.strip()):
        problems.append("no one-line text/plain alternative")
    svg = data.get("image/svg+xml")
    if svg is not None:
        root = ET.fromstring("".join(svg) if isinstance(svg, list) else svg)
        for part in ("title", "desc"):
            element = root.find(f"{SVG}{part}")
            if element is None or not (element.text or "").strip():
                problems.append(f"the SVG has no <{part}>")
    return problems


def test_every_picture_has_a_png_and_a_text_alternative(path, nb):
    bad = [
        f"cell {i}: {', '.join(problems)}"
        for i, c in code_cells(nb)
        for o in c.outputs
        for problems in [picture_problems(o)]
        if problems
    ]
    assert not bad, f"{path.name}: pictures that some viewers cannot show:\n" + "\n".join(bad)


def test_notebook_is_under_1_mb(path):
    size = path.stat().st_size
    assert size < MAX_NOTEBOOK_BYTES, f"{path.name} is {size} bytes; keep each notebook under 1 MB"


def test_picture_check_finds_what_is_missing():
    """The check above, on outputs built to miss each part: it must name exactly what is missing."""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><title>t</title><desc>d</desc></svg>'
    png = base64.b64encode(PNG_SIGNATURE + b"rest").decode()
    good = {"output_type": "display_data", "data": {"image/svg+xml": svg, "image/png": png, "text/plain": "t: d"}}
    assert picture_problems(good) == []
    assert picture_problems({"output_type": "stream", "name": "stdout", "text": "hi"}) == []
    assert picture_problems({"output_type": "display_data", "data": {"image/svg+xml": svg}}) == [
        "no image/png (untrusted notebooks and GitHub show no SVG)",
        "no one-line text/plain alternative",
    ]
    no_text = {"output_type": "display_data", "data": {"image/png": png, "text/plain": "two\nlines"}}
    assert picture_problems(no_text) == ["no one-line text/plain alternative"]
    bare_svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>'
    assert picture_problems({"data": {**good["data"], "image/svg+xml": bare_svg}}) == ["the SVG has no <desc>"]


# --- finding the way, and exercises that check the learner's own code ----------------------------
# 00-start-here is the course map: it links to the first notebook and has no summary or exercises.
# Every other notebook starts with a link to the one before it, ends with a link to the one after
# it, has a "## Summary", and its last section is "## Exercises", where each exercise N has a cell
# for the learner (id exercise-N), a check they call on it (id check-N: check.exerciseN(answer)),
# and a collapsed reference solution (id solution-N), its code and its output both hidden.

MAP = "00-start-here.ipynb"
LINK = re.compile(r"\]\(((\d\d)-[\w-]+\.ipynb)\)")


def course_notebook(path):
    if path is None or path.name == MAP:
        pytest.skip("the course map has no previous notebook, summary or exercises")


def markdown(nb):
    return [c for c in nb.cells if c.cell_type == "markdown"]


def headings(nb, level="## "):
    return [line.strip() for c in markdown(nb) for line in c.source.splitlines() if line.startswith(level)]


def test_starts_with_a_link_to_the_previous_notebook(path, nb):
    course_notebook(path)
    before = [p.name for p in NOTEBOOKS if p.name < path.name][-1]
    first = nb.cells[0]
    assert first.cell_type == "markdown" and f"]({before})" in first.source.split("\n# ")[0], (
        f"{path.name}: the first cell must open with a link to the previous notebook, ]({before})"
    )


def test_ends_with_a_link_to_the_next_notebook(path, nb):
    last = nb.cells[-1]
    assert last.cell_type == "markdown", f"{path.name}: the last cell must be the link to the next notebook"
    number = int(path.name[:2])
    after = [p.name for p in NOTEBOOKS if p.name > path.name]
    targets = [name for name, _ in LINK.findall(last.source)]
    if after:
        assert after[0] in targets, f"{path.name}: the last cell must link to the next notebook, {after[0]}: {last.source!r}"
    else:  # the last one here: a notebook that another branch adds, or back to the course map
        assert any(int(n) in (number + 1, 0) for _, n in LINK.findall(last.source)), (
            f"{path.name}: the last cell must link to notebook {number + 1:02d} or back to {MAP}: {last.source!r}"
        )


def test_has_a_summary(path, nb):
    course_notebook(path)
    assert "## Summary" in headings(nb), f"{path.name}: no '## Summary' section"


def test_last_section_is_exercises(path, nb):
    course_notebook(path)
    sections = headings(nb)
    assert sections and sections[-1] == "## Exercises", f"{path.name}: the last section is {sections[-1:]}, want '## Exercises'"


def test_each_exercise_has_a_learner_cell_a_check_they_call_and_a_hidden_solution(path, nb):
    course_notebook(path)
    ids = [c.get("id", "") for c in nb.cells]
    start = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "## Exercises" in c.source)
    numbers = sorted(int(m.group(1)) for i in ids[start:] if (m := re.fullmatch(r"exercise-(\d+)", i)))
    assert numbers and numbers == list(range(1, len(numbers) + 1)), f"{path.name}: exercise cells {numbers}"
    imports = [c for c in nb.cells[start:] if c.cell_type == "code" and '"../dist/exercises"' in c.source]
    assert imports, f"{path.name}: the exercises do not import their checks from ../dist/exercises"
    for n in numbers:
        learner, check, solution = (ids.index(f"{kind}-{n}") if f"{kind}-{n}" in ids else -1 for kind in ("exercise", "check", "solution"))
        assert learner < check < solution and learner > start, f"{path.name}: exercise {n} needs exercise-{n}, check-{n}, solution-{n} in that order"
        call = re.search(rf"\bcheck\.exercise{n}\(\s*([^)\s][^)]*)\)", nb.cells[check].source)
        assert call, f"{path.name}: check-{n} must call check.exercise{n}(...) on the learner's answer"
        assert not call.group(1).lstrip().startswith(("\"", "'", "[", "(", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")), (
            f"{path.name}: check-{n} passes a literal, not the learner's answer: {call.group(0)}"
        )
        assert nb.cells[solution].metadata.get("jupyter", {}).get("source_hidden") is True, f"{path.name}: solution-{n} is not collapsed"
        # Its output (the ✓) is the answer too: hidden in JupyterLab (outputs_hidden) and classic Notebook (collapsed).
        assert nb.cells[solution].metadata.get("jupyter", {}).get("outputs_hidden") is True, f"{path.name}: solution-{n} shows its output"
        assert nb.cells[solution].metadata.get("collapsed") is True, f"{path.name}: solution-{n} shows its output in classic Notebook (collapsed)"
