"""Notebooks 04-06 and 08, run fresh through the real tslab kernel, checked by property.

Each notebook is executed once per test module, on its own kernel (cwd notebooks/), exactly as
"Restart and run all" would; a cell that fails (reply status not "ok", or stderr) fails the
fixture and with it every test of that notebook.

Timings and the interleaving of workers differ from run to run, so nothing here compares them
with stored outputs. What must hold in every run: the exact ways of counting are exact, every
hand-built lock is exact, the pictures are there as SVG with their lanes and labels (with a PNG
and a text line in the same output), the deadlock ends by timeout, and every check line says ✓. Plain read-modify-write must lose updates in at
least one multi-worker run (it does in nearly all of them).
"""
from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest

from tslab_runner import cell_by_id
# The 01-03 tests' way to run a notebook once per module and time it, and to read a cell's output.
from test_tutorial_notebooks import _executed, check_exercise, out, run_times  # noqa: F401 (run_times is a fixture)

NB04 = "04-atomics-vs-locks.ipynb"
NB05 = "05-more-primitives.ipynb"
NB06 = "06-how-a-lock-works.ipynb"
NB08 = "08-share-or-pass-messages.ipynb"
SVG = "{http://www.w3.org/2000/svg}"


def executed(name: str):
    """A module-scoped fixture: the notebook `name`, run once on its own kernel."""

    @pytest.fixture(scope="module")
    def session(run_times):
        yield from _executed(name, run_times)

    return session


nb04 = executed(NB04)
nb05 = executed(NB05)
nb06 = executed(NB06)
nb08 = executed(NB08)


def svg_of(session, cell_id: str) -> ET.Element:
    """The one image/svg+xml output of the cell, parsed (so it must be well-formed XML), after
    checking that the kernel sent it in one bundle with its PNG and its one-line text."""
    cell = cell_by_id(session.nb, cell_id)[1]
    bundles = [o["data"] for o in cell.outputs if "image/svg+xml" in o.get("data", {})]
    assert len(bundles) == 1, f"cell {cell_id}: {len(bundles)} SVG outputs, want 1"
    assert base64.b64decode(bundles[0].get("image/png", ""))[:8] == b"\x89PNG\r\n\x1a\n", f"cell {cell_id}: no PNG with the SVG"
    assert re.fullmatch(r"[^\n]+", bundles[0].get("text/plain", "")), f"cell {cell_id}: no one-line text with the SVG"
    root = ET.fromstring(bundles[0]["image/svg+xml"])
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def tooltips(root: ET.Element) -> list[str]:
    """The <title> of every bar: "series, group: value"."""
    return [t.text or "" for r in root.iter(f"{SVG}rect") for t in r.findall(f"{SVG}title")]


def check_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("✓", "✗"))]


# --- 04: the counter four ways ---------------------------------------------------------------------

WAYS = ["plain", "Atomics.add", "Lock", "partial sums"]
ROW = re.compile(r"^(plain|Atomics\.add|Lock|partial sums)\s+(\d)\s+(.*)$", re.MULTILINE)
RUN = re.compile(r"(\d+\.\d) ms,\s+(\d+) lost")


def measured04(nb04) -> dict[tuple[str, int], list[tuple[float, int]]]:
    table = {}
    for way, workers, runs in ROW.findall(out(nb04, "measure")):
        table[(way, int(workers))] = [(float(ms), int(lost)) for ms, lost in RUN.findall(runs)]
    assert sorted(table) == sorted((w, n) for w in WAYS for n in (1, 2, 4)), sorted(table)
    assert all(len(runs) == 3 for runs in table.values()), table
    return table


def test_04_atomics_lock_and_partial_sums_are_exact(nb04):
    table = measured04(nb04)
    for (way, workers), runs in table.items():
        if way != "plain":
            assert [lost for _, lost in runs] == [0, 0, 0], f"{way} with {workers} workers lost updates: {runs}"
    assert [lost for _, lost in table[("plain", 1)]] == [0, 0, 0], "one worker alone cannot lose updates"


def test_04_plain_read_modify_write_loses_updates_with_several_workers(nb04):
    table = measured04(nb04)
    shared = [lost for n in (2, 4) for _, lost in table[("plain", n)]]
    assert any(lost > 0 for lost in shared), f"no lost update in any multi-worker run: {shared}"
    assert all(0 <= lost < 2_000_000 for lost in shared)


def test_04_check_lines_agree(nb04):
    lines = check_lines(out(nb04, "check"))
    assert lines == [
        "✓ Atomics.add, Lock and partial sums counted exactly 2000000 in all 27 runs",
        "✓ plain read-modify-write with 1 worker: nothing lost (nobody to collide with)",
    ], lines
    assert re.search(r"updates lost in [1-6] of 6 runs", out(nb04, "check"))


def test_04_bar_charts_show_every_way_and_worker_count(nb04):
    root = svg_of(nb04, "chart")
    words = texts(root)
    for label in ["Updates lost", "1 worker", "2 workers", "4 workers", *WAYS]:
        assert label in words, f"{label!r} missing from the chart"
    bars = tooltips(root)
    assert len(bars) == 2 * 4 * 3, bars
    for way in ["Atomics.add", "Lock", "partial sums"]:
        for group in ["1 worker", "2 workers", "4 workers"]:
            assert f"{way}, {group}: 0" in bars, f"the lost-updates bar of {way}, {group} is not 0"


LOG_LINE = re.compile(r"^tick\s+(\d+): worker (\d) (read|write) (\d+)(?:, replacing (\d+))?$", re.MULTILINE)


def test_04_recorded_lost_update_is_consistent(nb04):
    steps = LOG_LINE.findall(out(nb04, "find"))
    assert len(steps) == 4, out(nb04, "find")
    ticks = [int(t) for t, *_ in steps]
    assert ticks == sorted(ticks) and len(set(ticks)) == 4
    reads = [(int(w), int(v)) for _, w, op, v, _ in steps if op == "read"]
    writes = [(int(w), int(v), r) for _, w, op, v, r in steps if op == "write"]
    assert len(reads) == 2 and len(writes) == 2
    (w1, v1), (w2, v2) = reads
    assert w1 != w2 and v1 == v2, f"two different workers must have read the same value: {reads}"
    assert [v for _, v, _ in writes] == [v1 + 1, v1 + 1], writes
    last_worker, last_value, replaced = writes[-1]
    assert replaced and int(replaced) >= last_value, "the last write replaced the other worker's write or later"
    assert writes[0][0] != last_worker


def test_04_timeline_picture_has_two_lanes_reads_writes_and_the_overwrite(nb04):
    root = svg_of(nb04, "timeline")
    words = texts(root)
    assert "worker 1" in words and "worker 2" in words
    assert any(w.startswith("read ") for w in words) and any(w.startswith("write ") for w in words)
    assert any(w.startswith("overwrote ") for w in words)
    crossed = [t for t in root.iter(f"{SVG}text") if t.get("text-decoration") == "line-through"]
    assert crossed and all("".join(t.itertext()).startswith("write ") for t in crossed), "the undone writes are crossed out"
    assert any("lost in one write" in w for w in words)


# --- 05: more primitives ---------------------------------------------------------------------------


def test_05_lock_cannot_be_taken_twice_rlock_can(nb05):
    assert out(nb05, "rlock-lock") == (
        "clerk (Lock): deposit(10) waited 0.2 s for a lock its own worker holds; gave up\nbalance 200\n"
    )
    text = out(nb05, "rlock-rlock")
    assert sorted(line for line in text.splitlines() if "RLock" in line) == [
        "clerk 1 (RLock): batch done",
        "clerk 2 (RLock): batch done",
    ]
    assert check_lines(text) == ["✓ balance 320: both batches of 10 + 20 + 30 went in, each as a whole"]


def test_05_semaphore_allows_at_most_two_printers(nb05):
    assert re.fullmatch(r"✓ 10 jobs printed, at most [12] at once; the semaphore is back to 2 free\n", out(nb05, "sem-run"))
    root = svg_of(nb05, "sem-picture")
    words = texts(root)
    assert [f"worker {i}" for i in range(1, 6)] == [w for w in words if w.startswith("worker ")]
    assert len(tooltips(root)) == 10, "one bar per job"
    assert "BoundedSemaphore.release() would raise its value above the starting value 2" in out(nb05, "bounded")


def test_05_event_start_signal(nb05):
    assert out(nb05, "event-with") == "with a start signal, workers found ready: 4, 4, 4, 4\n"
    assert re.fullmatch(r"without a signal, workers found ready: [1-4], [1-4], [1-4], [1-4]\n", out(nb05, "event-without"))


def test_05_condition_queue_delivers_every_item_once(nb05):
    text = out(nb05, "cond-run")
    assert check_lines(text) == ["✓ each of the 20 items was consumed exactly once"]
    got = [int(x) for line in text.splitlines() if line.startswith("consumer ") for x in line.split(": ", 1)[1].split()]
    assert sorted(got) == list(range(1, 21))
    assert re.search(r"^producer: put 20 items, found the queue full \d+ times$", text, re.MULTILINE)


def test_05_barrier_prefix_sums(nb05):
    text = out(nb05, "barrier-run")
    assert "after step  8: [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 66, 78, 91, 105, 120, 136]" in text
    assert check_lines(text) == ["✓ the running totals of 1..16, computed in 4 phases by 4 workers"]


def test_05_deadlock_is_ended_by_timeout_then_fixed(nb05):
    assert out(nb05, "deadlock-hang") == (
        "TimeoutError: A-to-B.join() timed out after 1 s. It is still running: "
        "await A-to-B.terminate() to end it, or join() again to keep waiting.\n"
        "lock A is held by A-to-B, lock B by B-to-A: each waits for the other\n"
        "A-to-B terminated (exit code -15); B-to-A ended with LockOwnerDiedError (exit code 1)\n"
        "lock A: abandoned; lock B: free; balances still 200 and 200\n"
    )
    text = out(nb05, "deadlock-timeout")
    assert "A-to-B: no second lock after 0.5 s, so this is probably a deadlock: giving up, releasing the first" in text
    assert "B-to-A: done" in text and "balances: A 201, B 199" in text
    assert check_lines(out(nb05, "deadlock-ordered")) == ["✓ 100 transfers each way, no deadlock: A 200, B 200, total 400"]


def test_05_a_lock_knows_its_holder_but_is_not_reentrant(nb05):
    prose = cell_by_id(nb05.nb, "md-rlock")[1].source
    assert "does not know who holds it" not in prose
    assert "knows who holds it" in prose and "re-entrant" in prose


# --- exercises of 04-06: the stub's check says ✗ with a reason, the hidden solution's ✓ -------------


@pytest.mark.parametrize("fixture, number", [("nb04", 1), ("nb04", 2), ("nb04", 3), ("nb04", 4), ("nb04", 5), ("nb05", 1), ("nb05", 2), ("nb05", 3), ("nb05", 4), ("nb05", 5), ("nb06", 1), ("nb08", 1), ("nb08", 2), ("nb08", 3)])
def test_exercise_checks(request, fixture, number):
    check_exercise(request.getfixturevalue(fixture), number)


# --- 06: how a lock works --------------------------------------------------------------------------

VERSIONS = ["spinLock", "sleepingLock", "threeStateLock", "libraryLock"]
BENCH = re.compile(r"^(\w+) (\d) workers?\s*: lost (\d+)/(\d+), .*notify calls (\d+)$", re.MULTILINE)


def test_06_without_a_lock_updates_get_lost(nb06):
    lost = [int(n) for n in re.findall(r"^no lock, [24] workers: (\d+) of 2000000", out(nb06, "nolock"), re.MULTILINE)]
    assert len(lost) == 2 and any(n > 0 for n in lost), out(nb06, "nolock")


def test_06_every_hand_built_lock_is_exact(nb06):
    for version, cell_id in zip(VERSIONS, ["spin", "sleeping", "three-state", "library"]):
        rows = BENCH.findall(out(nb06, cell_id))
        assert [(v, int(w)) for v, w, *_ in rows] == [(version, 1), (version, 2), (version, 4)], out(nb06, cell_id)
        assert all(a == "0" and b == "0" for _, _, a, b, _ in rows), f"{version} lost updates:\n{out(nb06, cell_id)}"
    assert check_lines(out(nb06, "exact")) == ["✓ all 4 locks exact in all 24 runs (200000 increments each)"]


SIDE_BY_SIDE = re.compile(r"^spinLock ([24]) workers: .*side by side (\d+)%, failed tries (\d+),", re.MULTILINE)


def test_06_spin_lock_rows_of_several_workers_measure_contention(nb06):
    rows = SIDE_BY_SIDE.findall(out(nb06, "spin"))
    assert [w for w, _, _ in rows] == ["2", "4"], out(nb06, "spin")
    for workers, overlap, tries in rows:
        # A run that overlapped less than half the time is run again (up to 5 times): a row that
        # still did not overlap is possible on a very busy machine, but then it says so.
        assert int(tries) > 0 or int(overlap) < 50, f"{workers} workers side by side {overlap}% with 0 failed tries"


def test_06_the_lock_word_names_the_notebooks_thread(nb06):
    assert out(nb06, "lock-word") == (
        "free:                   word 0\n"
        "held by the notebook's: word 4 = (tag 1 << 2) | sleepers 0 | abandoned 0\n"
        "released:               word 0\n"
    )


def test_06_notify_counts_tell_the_versions_apart(nb06):
    notify = {(v, int(w)): int(n) for v, w, _, _, n in BENCH.findall("".join(out(nb06, c) for c in ["spin", "sleeping", "three-state"]))}
    assert all(notify[("sleepingLock", w)] == 200_000 for w in (1, 2, 4)), "version 2 notifies on every release"
    assert notify[("threeStateLock", 1)] == 0, "version 3 never notifies when nobody waits"
    assert all(notify[("spinLock", w)] == 0 for w in (1, 2, 4))


def test_06_chart_compares_the_four_locks(nb06):
    root = svg_of(nb06, "chart")
    words = texts(root)
    for label in [*VERSIONS, "Atomics.notify calls", "1 worker", "4 workers"]:
        assert label in words, f"{label!r} missing from the chart"
    bars = tooltips(root)
    assert len(bars) == 4 * 3 + 3 * 3, "times for 4 locks, notify calls for the 3 that count them"
    assert "sleepingLock, 1 worker: 200k" in bars


def test_06_main_thread_wait_freezes_the_kernel_and_is_refused(nb06):
    assert re.search(r"the timer ticked 0 times meanwhile\nand [1-9]\d* times in the 100 ms after it", out(nb06, "freeze"))
    refused = out(nb06, "refused")
    assert refused.startswith("BlockingCallError: Lock.acquire() would block the main thread")
    assert "BlockingCallError: sleep() would block the main thread" in refused
    assert check_lines(out(nb06, "async")) == [
        "✓ the notebook waited for the worker's lock with acquireAsync, and its timer kept ticking meanwhile"
    ]


def test_at_least_three_pictures_from_measured_data(nb04, nb05, nb06):
    pictures = [svg_of(nb04, "chart"), svg_of(nb04, "timeline"), svg_of(nb05, "sem-picture"), svg_of(nb06, "chart")]
    assert len(pictures) >= 3


FAIRNESS = re.compile(r"^(\w+)\s+(\d) workers?\s*:\s+([\d.]+) M/s, lost (\d+), a hand-off every (\d+) acquisitions, longest wait of each worker ([\d. /]+) ms$", re.MULTILINE)


def test_06_fairness_measures_three_locks_exactly_and_draws_them(nb06):
    rows = FAIRNESS.findall(out(nb06, "fairness-run"))
    locks = ["libraryLock", "threeStateLock", "ticketLock"]
    assert [(lock, int(w)) for lock, w, *_ in rows] == [(lock, w) for w in (1, 2, 4) for lock in locks], out(nb06, "fairness-run")
    assert all(lost == "0" for _, _, _, lost, _, _ in rows), out(nb06, "fairness-run")
    assert all(len(waits.split(" / ")) == int(w) for _, w, _, _, _, waits in rows)
    words = texts(svg_of(nb06, "fairness-chart"))
    for label in [*locks, "Longest single wait of each worker (4 workers)", "worker 3"]:
        assert label in words, f"{label!r} missing from the fairness chart"
    words = texts(svg_of(nb06, "fairness-waits"))
    assert all(label in words for label in ["< 1 µs", "≥ 10 ms", "% of acquisitions"]), words


def test_04_memory_model_flag_and_explored_publication(nb04):
    flag = out(nb04, "memory-model-flag")
    assert re.match(r"Node \d+\.\d+\.\d+, V8 \S+\n", flag), flag
    # The plain loop may or may not see the flag (the engine's choice); the line says which.
    assert re.search(r"^plain flag\[0\]: +(saw the flag after .* and data 42|never saw the flag change in 2 s .*terminated)$", flag, re.MULTILINE), flag
    assert re.search(r"^Atomics\.load\(flag, 0\): saw the flag after .* and data 42$", flag, re.MULTILINE), flag
    explored = out(nb04, "memory-model-explore")
    assert re.search(r"^publish: \d+ schedules, 0 wrong;", explored, re.MULTILINE), explored
    wrong = re.search(r"^publishFlagFirst: \d+ schedules, (\d+) wrong;", explored, re.MULTILINE)
    assert wrong and int(wrong.group(1)) > 0, explored
    # Plain accesses on an Int32Array are steps too, run as if atomic: the data race passes.
    assert re.fullmatch(r"publishPlain: \d+ schedules, 0 wrong: the explorer passes it, although it is a data race\n", out(nb04, "memory-model-plain")), out(nb04, "memory-model-plain")


def test_04_false_sharing_measured_and_drawn(nb04):
    rows = re.findall(r"^(\d) workers?\s*: neighbouring \d+ ms, padded \d+ ms \(medians of 3\): neighbouring took [\d.]+× as long", out(nb04, "false-sharing"), re.MULTILINE)
    assert rows == ["1", "2", "4"], out(nb04, "false-sharing")
    words = texts(svg_of(nb04, "false-sharing-chart"))
    assert "neighbouring (one line for all)" in words and "padded (one 128-byte line each)" in words, words


def test_05_classic_problems_explored(nb05):
    philosophers = out(nb05, "classic-philosophers")
    assert re.search(r"^left fork first : \d+ schedules, deadlock in schedule [A-C]+: every live thread is blocked", philosophers, re.MULTILINE), philosophers
    assert re.search(r"^lower fork first: \d+ schedules, every philosopher ate in every one$", philosophers, re.MULTILINE), philosophers
    buffers = out(nb05, "classic-buffer")
    assert re.search(r"^two conditions: \d+ schedules \(at most 1 preemption\), 0 failed; consumer got \[1,2,3\]$", buffers, re.MULTILINE), buffers
    assert re.search(r"^semaphores +: \d+ schedules \(at most 2 preemptions\), 0 failed; consumer got \[1,2,3\]$", buffers, re.MULTILINE), buffers
    rw = out(nb05, "classic-readers-writers")
    plain = re.search(r"^readers first +: \d+ schedules, 0 with a reader beside the writer; reads that began while the writer waited: at most (\d) of 4$", rw, re.MULTILINE)
    turnstile = re.search(r"^with a turnstile +: \d+ schedules, 0 with a reader beside the writer; reads that began while the writer waited: at most (\d) of 4$", rw, re.MULTILINE)
    assert plain and turnstile, rw
    # Counted over the same bounded set of schedules every run: without the turnstile every read
    # can overtake the waiting writer; with it, at most one per reader.
    assert int(plain.group(1)) == 4 and int(turnstile.group(1)) <= 2, rw


# --- 08: share memory, or pass messages ------------------------------------------------------------


def test_08_the_bank_with_one_teller_is_200_every_run(nb08):
    assert out(nb08, "bank-run").splitlines() == [f"run {n}: balance 200" for n in (1, 2, 3)]


def test_08_a_bounded_queue_holds_the_producer_back(nb08):
    times = {int(m): (int(p), int(c)) for m, p, c in re.findall(r"^maxsize (\d+): producer done after (\d+) ms, consumer after (\d+) ms$", out(nb08, "bounded-run"), re.MULTILINE)}
    assert sorted(times) == [0, 3], out(nb08, "bounded-run")
    # 20 items at 20 ms each: with room for only 3, the producer cannot finish before the consumer
    # has taken 16 of them (16 x 20 ms), whatever the machine; with no limit it need not wait.
    assert times[3][0] >= 16 * 20, times
    assert times[0][0] < times[3][0], times


def test_08_a_pipe_squares_the_tutorials_numbers_and_ends_with_eof(nb08):
    # The worker stops only on EOFError: had the parent's close() not reached it, join() would not return.
    assert out(nb08, "pipe-run").strip() == "Result: [ 25, 36, 49, 64 ]"


def test_08_pythons_close_after_start_is_refused_with_the_reason_in_both_threads(nb08):
    first, *rest = [line for line in out(nb08, "pipe-habit").splitlines() if line]
    assert first.startswith("BrokenPipeError: Connection.send(): the other end of the pipe was closed"), first
    for words in ["That end was closed in this thread", "not a copy per process as in Python", "let the worker close it"]:
        assert words in first, (words, first)
    assert rest == ["and the worker: squarer failed: ClosedError: Connection.recv(): this end of the pipe was closed in another thread."], rest


def test_08_pool_results_speed_up_lines_and_chart(nb08):
    assert out(nb08, "pool-first").strip() == "[ 4, 25, 168 ]"
    rows = re.findall(r"^(\d) workers?: (\d+) ms, speed-up (\d+\.\d\d)×$", out(nb08, "pool-speed"), re.MULTILINE)
    assert [w for w, _, _ in rows] == ["1", "2", "4"] and rows[0][2] == "1.00", out(nb08, "pool-speed")
    words = texts(svg_of(nb08, "pool-chart"))
    for label in ["1 worker", "2 workers", "4 workers", "time (ms)"]:
        assert label in words, f"{label!r} missing from the chart"


def test_08_a_task_that_throws_rejects_its_map_and_the_pool_goes_on(nb08):
    lines = out(nb08, "pool-error").splitlines()
    assert re.fullmatch(r"TaskError: Pool-\d+: risky\(items\[2\]\) failed: RangeError: no 3s allowed, got 3", lines[0]), lines
    assert lines[1] == "[ 10, 20, 40 ]"


def test_08_both_ways_of_updating_are_exact(nb08):
    text = out(nb08, "cost-run")
    assert re.search(r"^shared Value under a Lock: \d+\.\d\d µs per update \(balance 20000\)$", text, re.MULTILINE), text
    assert re.search(r"^a message on a Queue: +\d+\.\d\d µs per update \(balance 20000\)$", text, re.MULTILINE), text


def test_08_the_explorer_finds_no_failing_schedule_of_the_small_queue(nb08):
    text = out(nb08, "explore-queue")
    assert re.match(r"^\d+ schedules \(at most 1 preemption per schedule\), 0 failed$", text.splitlines()[0]), text
    assert "[1, 2, 3]" in text and "[1, 2, -1]" in text
