"""Python's multiprocessing.Lock under the same harness as the JavaScript rows of the bench.

Processes (fork) are started, each parks on an Event, all are released together, and the time runs
from the release to the last process's finish (each one notes time.perf_counter(), the same
monotonic clock in every process). The final count must be exact.

  pair  1 process: acquire(); k += 1 (a local); release(). Per pair, the lock alone.
  count N processes: acquire(); counter.value += 1 (a shared ctypes int); release().

Prints one JSON object: {"python": version, "runs": [{"kind", "workers", "n", "seconds"}]}.
Usage: python3 bench/python_lock.py PAIRS INCREMENTS WORKERS,...  (INCREMENTS is the total, split
evenly over the processes).
"""
import json
import multiprocessing
import sys
import time

ctx = multiprocessing.get_context("fork")


def pairs(n, lock, counter):
    acquire, release = lock.acquire, lock.release
    k = 0
    for _ in range(n):
        acquire()
        k += 1
        release()
    with lock:
        counter.value += k


def increments(n, lock, counter):
    acquire, release = lock.acquire, lock.release
    for _ in range(n):
        acquire()
        counter.value += 1
        release()


def parked(body, n, lock, counter, ready, go, ends, index):
    ready.release()
    go.wait()
    try:
        body(n, lock, counter)
    finally:
        ends[index] = time.perf_counter()


def timed(body, workers, n):
    """Seconds from the release to the last finish; raises unless the count is exactly workers * n."""
    lock, counter = ctx.Lock(), ctx.Value("i", 0, lock=False)
    ready, go, ends = ctx.Semaphore(0), ctx.Event(), ctx.Array("d", workers, lock=False)
    processes = [
        ctx.Process(target=parked, args=(body, n, lock, counter, ready, go, ends, i)) for i in range(workers)
    ]
    for p in processes:
        p.start()
    for _ in processes:
        ready.acquire()
    start = time.perf_counter()
    go.set()
    for p in processes:
        p.join()
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"{body.__name__}: processes exited with {failed}")
    if counter.value != workers * n:
        raise RuntimeError(f"{body.__name__} with {workers} processes: count {counter.value}, expected {workers * n}")
    return max(ends) - start


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    n_pairs, total = int(argv[0]), int(argv[1])
    runs = [{"kind": "pair", "workers": 1, "n": n_pairs, "seconds": timed(pairs, 1, n_pairs)}]
    for workers in (int(w) for w in argv[2].split(",")):
        n = total // workers
        runs.append({"kind": "count", "workers": workers, "n": n, "seconds": timed(increments, workers, n)})
    print(json.dumps({"python": sys.version.split()[0], "runs": runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
