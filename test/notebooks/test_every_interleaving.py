"""Notebook 07, run fresh through the real tslab kernel: the explorer's counts against a model
this test computes itself, the measured rounds by property.

The explorer's numbers are exact and do not change from run to run: the bank's schedules are
every merge of the two workers' 4 steps (read, write, read, write), C(8, 4) = 70, and the final
balance of each merge is computed here by running it over a plain number. The locked bank's
"orders of the updates" are the orders of 2 deposits and 2 withdrawals, C(4, 2) = 6, each with
the balances each worker read. The rounds of real workers vary with the machine, so they are
checked only for what must hold in any run: every round counted once, every balance one that some
schedule can produce.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter
from math import comb

import pytest

from test_beyond_notebooks import svg_of, texts, tooltips
from test_tutorial_notebooks import _executed, check_exercise, out, run_times  # noqa: F401 (run_times is a fixture)

NB07 = "07-every-interleaving.ipynb"


@pytest.fixture(scope="module")
def nb07(run_times):
    yield from _executed(NB07, run_times)


def merges(a: str, b: str):
    """Every interleaving of the letters of `a` (thread A's steps) and `b` (thread B's), as schedules."""
    n = len(a) + len(b)
    for places in itertools.combinations(range(n), len(a)):
        yield "".join("A" if i in places else "B" for i in range(n))


def bank_balance(schedule: str, start: int = 200) -> int:
    """Runs a schedule of the unlocked bank (each thread: read, write, read, write) over a number."""
    balance, register, done = start, {"A": 0, "B": 0}, {"A": 0, "B": 0}
    delta = {"A": +1, "B": -1}
    for thread in schedule:
        if done[thread] % 2 == 0:
            register[thread] = balance
        else:
            balance = register[thread] + delta[thread]
        done[thread] += 1
    return balance


MODEL = Counter(bank_balance(s) for s in merges("AAAA", "BBBB"))


def loses_an_update(schedule: str) -> bool:
    """Whether a schedule of the unlocked bank loses an update: another thread writes the balance
    between a thread's read and its write (that write is then computed from a stale read)."""
    done, read_at = {"A": 0, "B": 0}, {}
    for step, thread in enumerate(schedule):
        if done[thread] % 2 == 0:
            read_at[thread] = step
        else:
            other = "B" if thread == "A" else "A"
            others_writes = [i for i in range(read_at[thread] + 1, step) if schedule[i] == other and schedule[:i].count(other) % 2 == 1]
            if others_writes:
                return True
        done[thread] += 1
    return False


LOST = [s for s in merges("AAAA", "BBBB") if loses_an_update(s)]


def test_07_every_schedule_of_the_bank_matches_the_model(nb07):
    text = out(nb07, "every-schedule")
    assert sum(MODEL.values()) == comb(8, 4) == 70
    assert text.startswith(f"70 schedules (every one: true), {8 * 70} steps in all\n"), text
    counts = {int(b): int(n) for n, b in re.findall(r"^\s+(\d+) end at (\d+)", text, re.MULTILINE)}
    assert counts == dict(MODEL), (counts, MODEL)
    off_balance = 70 - MODEL[200]
    cancelled = sum(1 for s in LOST if bank_balance(s) == 200)
    assert (len(LOST), off_balance, cancelled) == (64, 56, 8)
    assert f"{len(LOST)} of 70 schedules lose at least one update: {off_balance} end at a balance other than 200, and {cancelled} end at 200 anyway" in text
    assert f"{MODEL[200]} end at 200   ({cancelled} of them lost a deposit and a withdrawal, which cancel out)" in text


def test_07_measured_rounds_are_all_counted_and_possible(nb07):
    rows = re.findall(r"^\s+(\d+) of 2000 rounds ended at (\d+)$", out(nb07, "measure"), re.MULTILINE)
    assert sum(int(n) for n, _ in rows) == 2000, rows
    assert {int(b) for _, b in rows} <= set(MODEL), f"a balance no schedule can produce: {rows}"


def test_07_chart_puts_exact_shares_beside_measured_ones(nb07):
    root = svg_of(nb07, "chart")
    words = texts(root)
    assert all(str(b) in words for b in MODEL), words
    bars = tooltips(root)
    assert len(bars) == 2 * len(MODEL), bars
    for balance, count in MODEL.items():
        share = 100 * count / 70
        assert f"every schedule (70), {balance}: {share:.0f}" in bars, (balance, bars)


def preemptions(schedule: str, steps: dict[str, int]) -> int:
    """Switches away from a thread that still had steps left."""
    left, count = dict(steps), 0
    for before, after in zip(schedule, schedule[1:]):
        left[before] -= 1
        if after != before and left[before] > 0:
            count += 1
    return count


def test_07_the_simplest_losing_schedule_has_one_preemption_and_replays_as_the_model_says(nb07):
    few = [s for s in merges("AAAA", "BBBB") if preemptions(s, {"A": 4, "B": 4}) <= 1]
    lost = [s for s in few if bank_balance(s) != 200]
    found = re.fullmatch(r"(\d+) schedules with at most one preemption; (\d+) of them lose an update\nthe first: ([AB]{8}), ending at (\d+)\n", out(nb07, "simplest"))
    assert found, out(nb07, "simplest")
    assert (int(found.group(1)), int(found.group(2))) == (len(few), len(lost))
    schedule, balance = found.group(3), found.group(4)
    assert schedule in lost
    assert min(preemptions(s, {"A": 4, "B": 4}) for s in merges("AAAA", "BBBB") if bank_balance(s) != 200) == 1
    assert int(balance) == bank_balance(schedule) != 200
    replayed = out(nb07, "replay")
    assert replayed.startswith(f"Schedule {schedule}\n")
    rows = re.findall(r"^\s+(\d)\s+([AB])\s+(read|write)\s+b\.value", replayed, re.MULTILINE)
    assert "".join(t for _, t, _ in rows) == schedule
    assert replayed.endswith(f"Final state: Value('i', {balance})\n")


def test_07_timeline_draws_both_lanes_and_the_erased_writes(nb07):
    words = texts(svg_of(nb07, "timeline"))
    assert "A (deposit)" in words and "B (withdraw)" in words
    assert sum(bool(re.fullmatch(r"read \d+", w)) for w in words) == 4 and sum(bool(re.fullmatch(r"write \d+", w)) for w in words) == 4
    assert any(w.startswith("erased ") for w in words)


def locked_orders() -> set[str]:
    """Each order of 2 whole deposits and 2 whole withdrawals, as the balances each worker read."""
    states = set()
    for order in set(itertools.permutations("AABB")):
        balance, seen = 200, {"A": [], "B": []}
        for thread in order:
            seen[thread].append(balance)
            balance += 1 if thread == "A" else -1
        states.add(f"A read {seen['A'][0]} then {seen['A'][1]}, B read {seen['B'][0]} then {seen['B'][1]}")
    return states


def test_07_with_a_lock_every_schedule_ends_at_200_and_only_whole_updates_interleave(nb07):
    rows = re.findall(r"^at most (\d) preemptions:\s+(\d+) classes of schedules, (\d) different orders of the updates, (\d+) not ending at 200$",
                      out(nb07, "locked-bounds"), re.MULTILINE)
    assert [int(p) for p, *_ in rows] == [0, 1, 2, 3, 4], rows
    assert all(int(failed) == 0 for *_, failed in rows)
    classes = [int(c) for _, c, _, _ in rows]
    assert classes == sorted(classes), "a higher bound runs every schedule of a lower one, and more"
    assert all(int(orders) <= 6 for _, _, orders, _ in rows) and int(rows[-1][2]) == 6
    text = out(nb07, "locked-orders")
    assert set(re.findall(r"^  (A read .*)$", text, re.MULTILINE)) == locked_orders()
    assert len(locked_orders()) == comb(4, 2)
    assert "70 without the lock, 6 with it" in text and "the lock removed 64 of 70" in text


def test_07_the_broken_lock_replays(nb07):
    assert out(nb07, "broken-replay").startswith("Schedule AAAAABBBBB\n")
    for cell in ["broken-replay", "broken-replay-2"]:
        assert out(nb07, cell).endswith("Final state: Value('i', 200), Value('i', 0)\n")


KILL_STATES = {"A killed, B took the lock and finished", "A finished, B took the lock and finished", "A killed, B threw LockOwnerDiedError"}


def test_07_lock_with_a_holder_killed_anywhere_counts_every_class(nb07):
    text = out(nb07, "kill")
    total = int(re.match(r"^(\d+) classes of schedules \(every one: true\), A killed at every step:\n", text).group(1))
    states = {s: int(n) for n, s in re.findall(r"^\s+(\d+) × (.*)$", text, re.MULTILINE)}
    assert sum(states.values()) == total, states
    assert set(states) - {"deadlock"} <= KILL_STATES and {"A killed, B threw LockOwnerDiedError", "A killed, B took the lock and finished"} <= set(states)
    failed = states.get("deadlock", 0)
    verdict = text.splitlines()[-1]
    assert verdict == ("✓ in every schedule, B took the lock cleanly or got LockOwnerDiedError" if failed == 0 else f"✗ {failed} schedules failed; the first is below")
    if failed:
        assert out(nb07, "kill-failure").startswith("deadlock: every live thread is blocked: B sleeps in wait() on lock[0]")


@pytest.mark.parametrize("number", [1, 2, 3])
def test_07_exercise_checks(nb07, number):
    check_exercise(nb07, number)


def test_07_the_solutions_count_of_the_broken_lock_adds_up(nb07):
    text = out(nb07, "solution-1")
    total, lost = map(int, re.search(r"^(\d+) schedules; (\d+) of them lose an update:$", text, re.MULTILINE).groups())
    states = {s: int(n) for n, s in re.findall(r"^\s+(\d+) × (Value.*)$", text, re.MULTILINE)}
    assert sum(states.values()) == total
    assert sum(n for s, n in states.items() if s.endswith("an update lost")) == lost > 0
    # Every schedule that ends off 200 lost an update; some that end at 200 lost one too.
    assert all(s.endswith("an update lost") for s in states if not s.startswith("Value('i', 200)"))


def test_07_treiber_stack_on_real_workers_and_aba_explored(nb07):
    real = out(nb07, "lockfree-real")
    # Real workers: the untagged stack may or may not break in a run; the tagged one never does.
    assert re.search(r"^untagged: (all 8 nodes on the stack, once each|broken: the stack reads [\d, ]+); compare-exchanges that lost and retried: ", real, re.MULTILINE), real
    assert re.search(r"^tagged  : all 8 nodes on the stack, once each; compare-exchanges that lost and retried: ", real, re.MULTILINE), real
    explored = out(nb07, "lockfree-explore")
    # Raw Atomics on the Int32Array are the explorer's steps, so both searches are exhaustive.
    untagged = re.search(r"^untagged: (\d+) classes of schedules \(all of them\), (\d+) broken; [AB]+ ends with stack \[2,3\], A holds \[1\], B holds \[2\]$", explored, re.MULTILINE)
    assert untagged and int(untagged.group(2)) > 0, explored
    assert re.search(r"^tagged  : \d+ classes of schedules \(all of them\), 0 broken$", explored, re.MULTILINE), explored


def test_07_aba_timeline_draws_both_threads_and_the_compare_exchange_that_should_have_failed(nb07):
    words = texts(svg_of(nb07, "lockfree-timeline"))
    for label in ["A (pops one)", "B (pops two, pushes the first back)", "expects top 1: it is 1 again", "CAS top 1 → 2", "CAS top 3 → 1"]:
        assert label in words, f"{label!r} missing from the ABA timeline: {words}"
