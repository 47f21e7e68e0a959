"""Python's multiprocessing.Queue under the same protocol as the queue rows of the bench (bench/queue.ts).

P producer and P consumer processes (fork) share one Queue; each parks on an Event after
signalling a Semaphore; all are released together, and the time runs from the release to the last
consumer's last item (each notes time.perf_counter(), the same monotonic clock in every process).
Each producer puts N items, each consumer gets N and adds up the items' ids (small objects: a
dict {"id": i, "x": 1.5, "tag": "item"}) or the strings' lengths (a str of 1024 characters); the
sum must be exact.

With one pair, the same again through multiprocessing.Pipe(duplex=False): the producer sends on
the writing end, the consumer receives on the reading end (a pipe has two ends, so 1 -> 1 only).

Prints one JSON object: {"python": version, "runs": [{"carrier", "item", "pairs", "n", "seconds"}]}.
Usage: python3 bench/python_queue.py N_SMALL N_1KB PAIRS,...
"""
import json
import multiprocessing
import sys
import time

ctx = multiprocessing.get_context("fork")
TEXT = "x" * 1024


def producer(put, item, n, ready, go):
    ready.release()
    go.wait()
    if item == "small":
        for i in range(n):
            put({"id": i, "x": 1.5, "tag": "item"})
    else:
        for _ in range(n):
            put(TEXT)


def consumer(get, item, n, ready, go, ends, sums, index):
    ready.release()
    go.wait()
    total = 0
    if item == "small":
        for _ in range(n):
            total += get()["id"]
    else:
        for _ in range(n):
            total += len(get())
    sums[index] = total
    ends[index] = time.perf_counter()


def timed(carrier, item, pairs, n):
    """Seconds from the release to the last consumer's finish; raises unless the sum is exact."""
    if carrier == "pipe":
        reader, writer = ctx.Pipe(duplex=False)
        put, get = writer.send, reader.recv
    else:
        q = ctx.Queue()
        put, get = q.put, q.get
    ready, go = ctx.Semaphore(0), ctx.Event()
    ends, sums = ctx.Array("d", pairs, lock=False), ctx.Array("d", pairs, lock=False)
    # fork: each process inherits put and get (bound methods of the queue or of the pipe's ends).
    processes = [ctx.Process(target=producer, args=(put, item, n, ready, go)) for _ in range(pairs)]
    processes += [ctx.Process(target=consumer, args=(get, item, n, ready, go, ends, sums, i)) for i in range(pairs)]
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
        raise RuntimeError(f"{carrier} {item} {pairs}->{pairs}: processes exited with {failed}")
    expected = pairs * (n * (n - 1) // 2 if item == "small" else n * 1024)
    if sum(sums) != expected:
        raise RuntimeError(f"{carrier} {item} {pairs}->{pairs}: the consumers received {sum(sums)}, expected exactly {expected}")
    return max(ends) - start


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    counts = {"small": int(argv[0]), "1kB": int(argv[1])}
    runs = []
    for item, n in counts.items():
        for pairs in (int(p) for p in argv[2].split(",")):
            runs.append({"carrier": "queue", "item": item, "pairs": pairs, "n": n, "seconds": timed("queue", item, pairs, n)})
            if pairs == 1:
                runs.append({"carrier": "pipe", "item": item, "pairs": 1, "n": n, "seconds": timed("pipe", item, 1, n)})
    print(json.dumps({"python": sys.version.split()[0], "runs": runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
