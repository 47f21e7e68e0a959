"""Python's multiprocessing.Pool on the same work as the Pool rows of the bench (bench/pool.ts).

  primes  Pool(W).map(count_primes, [N] * ITEMS): W = 1 and 2; seconds for the map alone (the
          pool is started, and each worker has run one small task, before the clock starts).
  empty   Pool(1).map(noop, range(TASKS), chunksize=1): seconds, so the cost of one empty task.

Prints one JSON object: {"python": version, "runs": [{"kind", "workers", "n", "seconds"}]}, where n
is the number of items (primes) or tasks (empty).
Usage: python3 bench/python_pool.py N ITEMS TASKS REPS
"""
import json
import multiprocessing
import sys
import time

ctx = multiprocessing.get_context("fork")


def count_primes(n):
    """How many primes are below n, by trial division (the same loop as bench/pool.ts)."""
    count = 0
    for i in range(2, n):
        d = 2
        prime = True
        while d * d <= i:
            if i % d == 0:
                prime = False
                break
            d += 1
        if prime:
            count += 1
    return count


def noop(x):
    return x


def timed_map(workers, fn, items, chunksize=None):
    with ctx.Pool(workers) as pool:
        pool.map(count_primes, [1000] * workers, chunksize=1)  # every worker is up and has run once
        start = time.perf_counter()
        result = pool.map(fn, items, chunksize=chunksize)
        seconds = time.perf_counter() - start
    return seconds, result


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    n, items, tasks, reps = (int(a) for a in argv)
    expected = count_primes(n)
    runs = []
    for _ in range(reps):
        for workers in (1, 2):
            seconds, result = timed_map(workers, count_primes, [n] * items)
            if result != [expected] * items:
                raise RuntimeError(f"count_primes on {workers} workers gave {result[:3]}..., expected {expected}")
            runs.append({"kind": "primes", "workers": workers, "n": items, "seconds": seconds})
        seconds, result = timed_map(1, noop, range(tasks), chunksize=1)
        if result != list(range(tasks)):
            raise RuntimeError("the empty tasks came back wrong")
        runs.append({"kind": "empty", "workers": 1, "n": tasks, "seconds": seconds})
    print(json.dumps({"python": sys.version.split()[0], "runs": runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
