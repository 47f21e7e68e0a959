"""Notebooks 01-03, run fresh through the real tslab kernel: do they print the tutorial's results?

Each notebook is executed once per test module, in order, on its own kernel (cwd notebooks/),
exactly as "Restart and run all" would; any cell that fails (reply status not "ok", or stderr)
fails the fixture and with it every test of that notebook. The kernels stay up until the module
ends, so a test can run a cell again in the same session.

The race cells print a different balance from run to run. They are checked by property: the
unlocked race of 3.5 (the tutorial's causes reproduced) must be wrong in most runs, by at least
two different amounts; the locked races must be 200 in every run.
"""
from __future__ import annotations

import copy
import re

import nbformat
import pytest

from tslab_runner import NOTEBOOK_DIR, cell_by_id, kernel_session, stream_text

NB01 = "01-isolated-memory.ipynb"
NB02 = "02-shared-array-and-value.ipynb"
NB03 = "03-locks.ipynb"

RUN_LINE = re.compile(r"^run (\d+): balance (-?\d+)\b", re.MULTILINE)
# The visible-window race cell (3.5, the tutorial's three causes reproduced) prints 5 runs; the test
# executes it again until it has WINDOW_RUNS runs in all, and asks for lost updates in most of them.
WINDOW_RUNS = 20


def _executed(name: str, run_times: dict[str, float]):
    with kernel_session(NOTEBOOK_DIR / name) as session:
        session.run_all()
        run_times[name] = session.seconds
        yield session


@pytest.fixture(scope="module")
def run_times(request):
    """Seconds each notebook's cells took; shown in the terminal summary at the end."""
    times: dict[str, float] = {}
    yield times
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None and times:
        with capture.global_and_fixture_disabled():
            reporter.write_line("\nnotebook run times: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))


@pytest.fixture(scope="module")
def nb01(run_times):
    yield from _executed(NB01, run_times)


@pytest.fixture(scope="module")
def nb02(run_times):
    yield from _executed(NB02, run_times)


@pytest.fixture(scope="module")
def nb03(run_times):
    yield from _executed(NB03, run_times)


def out(session, cell_id: str) -> str:
    """What the cell with this id printed on stdout in the session."""
    return stream_text(cell_by_id(session.nb, cell_id)[1])


def balances(text: str) -> list[int]:
    """The balances of `run N: balance B` lines, checking the runs are numbered 1, 2, ..."""
    runs = RUN_LINE.findall(text)
    assert [int(n) for n, _ in runs] == list(range(1, len(runs) + 1)), f"run lines out of order:\n{text}"
    return [int(b) for _, b in runs]


# --- 01: each process has its own memory ---------------------------------------------------------


def test_01_worker_prints_its_result(nb01):
    assert out(nb01, "run-worker") == "Result: [25, 36, 49, 64]\n"


def test_01_parent_result_stays_empty(nb01):
    assert out(nb01, "parent-result") == "[]\n"


def test_01_target_using_notebook_variable_is_refused_by_name(nb01):
    text = out(nb01, "refused")
    assert "target makeSquaredListGlobal uses `RESULT`, which is not defined inside a worker" in text
    assert "Pass `RESULT` through args" in text


def test_01_structured_clone_is_a_different_object_with_equal_contents(nb01):
    assert out(nb01, "structured-clone") == (
        "copy: [5, 6, 7, 8]\nthe same object? false\nequal contents?  true\n"
    )


# --- 02: shared Array and Value -----------------------------------------------------------------


def test_02_parent_sees_what_the_worker_wrote(nb02):
    assert out(nb02, "make-shared") == "[0, 0, 0, 0]\nValue('i', 0)\n"
    assert out(nb02, "parent-sees") == "[25, 36, 49, 64]\n174\n"


def test_02_one_shared_array_buffer_of_16_bytes(nb02):
    assert out(nb02, "buffer") == "true\n16\n"
    assert out(nb02, "int32-view") == "Int32Array(4) [ 25, 36, 49, 64 ]\n"


def test_02_a_write_through_one_view_is_seen_through_the_other(nb02):
    assert out(nb02, "two-views") == "[100, 36, 49, 64]\n200\n"


# --- 03: locks ----------------------------------------------------------------------------------


def test_03_lost_update_by_hand(nb03):
    assert out(nb03, "lost-update-by-hand") == (
        "after the deposit writes:    201\nafter the withdrawal writes: 199\n"
    )


def test_03_faithful_port_runs_five_times_with_possible_balances(nb03):
    got = balances(out(nb03, "race-faithful"))
    assert len(got) == 5
    # 100 deposits and 100 withdrawals from 200: whatever is lost, the result is in 100..300.
    assert all(100 <= b <= 300 for b in got), got


def test_03_visible_window_race_loses_updates_in_most_runs(nb03):
    """The tutorial's unlocked program was wrong in every run it showed, by varying amounts (205, 201,
    193); 3.5 must show the same: wrong in most runs, by at least two different amounts.

    This samples real schedules, it proves nothing about all of them (notebook 7's explorer does).
    Measured in this kernel on a busy 2-core machine: 32 of 40 runs wrong. At 3 runs in 4 wrong, 10
    or fewer wrong out of 20 happens about 1 time in 70; at 4 in 5, about 1 in 400.
    """
    index, cell = cell_by_id(nb03.nb, "race-window")
    source = cell.source + cell_by_id(nb03.nb, "code-like-python")[1].source
    assert "moneyDpLikePython, moneyWdLikePython" in cell.source
    for cause in ["sleepOnTick(0.01)", "b.getLock()", "interpreterWork()"]:
        assert cause in source, f"3.5's clerks lost one of the tutorial's causes: {cause}"
    got = balances(stream_text(cell))
    assert len(got) == 5, got
    while len(got) < WINDOW_RUNS:
        again = nbformat.from_dict(copy.deepcopy(dict(cell)))
        nb03.run_cell(index, cell=again)
        runs = balances(stream_text(again))
        assert len(runs) == 5, runs
        got += runs
    wrong = [b for b in got if b != 200]
    assert len(wrong) > len(got) / 2, f"updates were lost in only {len(wrong)} of {len(got)} runs: {got}"
    assert len(set(wrong)) >= 2, f"fewer than two distinct wrong balances in {len(got)} runs: {got}"


@pytest.mark.parametrize("cell_id, runs", [("race-tutorial", 3), ("race-locked", 3), ("race-withlock", 2)])
def test_03_locked_race_is_200_every_run(nb03, cell_id, runs):
    assert balances(out(nb03, cell_id)) == [200] * runs


def test_03_quotes_and_runs_the_tutorials_locked_program(nb03):
    quoted = cell_by_id(nb03.nb, "md-10")[1].source
    for line in ["def MONEY_DP(B, lock):", "def MONEY_WD(B, lock):", 'if __name__ == "__main__":',
                 "lock = multiprocessing.Lock()", "print(B.value)"]:
        assert line in quoted, f"the tutorial's locked program is not quoted whole: {line!r} missing"
    port = cell_by_id(nb03.nb, "tutorial-locked")[1].source
    assert "performance.now()" not in port, "the tutorial's program has no busy work"
    assert port.count("lock.acquire();") == 2 and port.count("lock.release();") == 2
    assert "moneyDpTutorial, moneyWdTutorial, lock" in cell_by_id(nb03.nb, "race-tutorial")[1].source


def test_03_a_holder_that_throws_without_finally_abandons_the_lock(nb03):
    assert out(nb03, "no-finally") == (
        "deposit: ended with Error (exit code 1)\nwithdraw: ended with LockOwnerDiedError (exit code 1)\n"
    )



def test_03_the_watched_bank_is_one_live_picture_and_200_with_the_lock(nb03):
    # The live view replaced its one output in place: the cell keeps ONE picture (the last frame,
    # whole: SVG, PNG and text), not one per frame; with the lock no write erased another.
    cell = cell_by_id(nb03.nb, "live-bank")[1]
    pictures = [o for o in cell.outputs if o.output_type == "display_data"]
    assert len(pictures) == 1, f"{len(pictures)} picture outputs"
    assert {"image/svg+xml", "image/png", "text/plain"} <= set(pictures[0].data)
    text = pictures[0].data["text/plain"]
    assert re.search(r"with a lock: 200 updates, 0 of them erased another, balance 200\.", text), text
    assert re.search(r"without a lock: 200 updates, \d+ of them erased another, balance -?\d+\.", text), text
    assert "with a lock: balance 200" in out(nb03, "live-bank")

# --- exercises ----------------------------------------------------------------------------------
# Each exercise: a cell for the learner (exercise-N, a stub as stored), the check on it (check-N),
# which must answer ✗ for the stub, and a hidden reference solution (solution-N), which must get ✓.

EXERCISES = [(NB01, 3), (NB02, 3), (NB03, 3)]
FIXTURE = {NB01: "nb01", NB02: "nb02", NB03: "nb03"}


def verdicts(session, cell_id: str) -> list[str]:
    """The ✓/✗ lines a cell printed."""
    return [line for line in out(session, cell_id).splitlines() if re.match(r"^[✓✗] exercise \d+", line)]


def check_exercise(session, number: int) -> None:
    """The stub's check says ✗ with a reason, the hidden reference solution's says ✓."""
    source = cell_by_id(session.nb, f"check-{number}")[1].source
    assert re.search(rf"\bcheck\.exercise{number}\((?!\s*\))", source), f"check-{number} does not call check.exercise{number} on the learner's answer"
    stub = verdicts(session, f"check-{number}")
    assert len(stub) == 1 and re.match(rf"^✗ exercise {number}: .{{20,}}", stub[0]), stub
    solution = cell_by_id(session.nb, f"solution-{number}")[1]
    assert solution.metadata.get("jupyter", {}).get("source_hidden") is True, f"solution-{number} is not collapsed"
    reference = verdicts(session, f"solution-{number}")
    assert len(reference) == 1 and reference[0].startswith(f"✓ exercise {number}:"), reference


@pytest.mark.parametrize(
    "name, number",
    [(name, n) for name, count in EXERCISES for n in range(1, count + 1)],
    ids=[f"{name[:2]}-exercise-{n}" for name, count in EXERCISES for n in range(1, count + 1)],
)
def test_exercise_checks(request, name, number):
    check_exercise(request.getfixturevalue(FIXTURE[name]), number)


def exercise_count_is(name: str, count: int) -> None:
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    ids = sorted(c.get("id", "") for c in nb.cells if re.fullmatch(r"exercise-\d+", c.get("id", "")))
    assert ids == [f"exercise-{n}" for n in range(1, count + 1)], (name, ids)


def test_every_exercise_is_tested():
    for name, count in EXERCISES:
        exercise_count_is(name, count)
