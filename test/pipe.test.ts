/**
 * mp.Pipe and its Connections: the behaviours CPython's own tests check (Lib/test/
 * _test_multiprocessing.py, class `_TestConnection`; each test names the one it comes from),
 * across real workers, plus this library's refusals.
 *
 * What these runs cover: each result holds whatever order the OS ran the threads in (values are
 * compared; where one thread must act after another, an Event orders them, never a sleep alone);
 * a run tries only the interleavings that happened. Every wait on the main thread has a timeout,
 * so a broken pipe fails a test instead of hanging it.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { fails, finish } from "./helpers/util";

/** Receives on the main thread, failing (not hanging) if nothing comes within `seconds`. */
async function received(conn: mp.Connection, seconds = 30): Promise<unknown> {
  assert.equal(await conn.pollAsync(seconds), true, `nothing to receive within ${seconds} s`);
  return conn.recvAsync();
}

/** CPython's `_echo`: sends back everything received until `null`, then closes its end. */
function echo(conn: mp.Connection): void {
  for (let msg = conn.recv(); msg !== null; msg = conn.recv()) conn.send(msg);
  conn.close();
}

test("send/recv across a worker, poll with and without a timeout, then EOFError once the other end closed (_TestConnection.test_connection)", async () => {
  const [conn, childConn] = mp.Pipe();
  const p = new mp.Process({ target: echo, args: [childConn] });
  p.start();
  const seq = [1, 2.25, null, "text", [1, 2], { a: new Map([[1, "x"]]) }, "X".repeat(100_000)];
  for (const msg of seq.filter((m) => m !== null)) {
    conn.send(msg);
    assert.deepEqual(await received(conn), msg);
  }
  assert.equal(conn.poll(), false, "nothing to receive");
  let began = performance.now();
  assert.equal(await conn.pollAsync(0.1), false);
  assert.ok(performance.now() - began >= 95, "pollAsync(0.1) waited its timeout");
  conn.send("ping");
  began = performance.now();
  assert.equal(await conn.pollAsync(5), true, "the echo arrives");
  assert.ok(performance.now() - began < 5000);
  assert.equal(await received(conn), "ping");
  conn.send(null); // tell the child to quit: it closes its end
  await finish(p);
  assert.equal(conn.readable, true);
  assert.equal(conn.writable, true);
  assert.equal(conn.poll(), true, "poll says true at the end, as recv will not wait");
  await assert.rejects(conn.recvAsync(), fails(mp.EOFError, "closed", "nothing more will come"));
  assert.throws(() => conn.send(1), fails(mp.BrokenPipeError, "other end"));
});

test("what was sent before the other end closed is still received, then EOFError (_TestConnection.test_connection)", async () => {
  const [reader, writer] = mp.Pipe(false);
  const p = new mp.Process({
    target: (writer: mp.Connection) => {
      for (let i = 0; i < 100; i++) writer.send(i);
      writer.close();
    },
    args: [writer],
  });
  p.start();
  const got: unknown[] = [];
  for (;;) {
    try {
      got.push(await received(reader));
    } catch (error) {
      if (error instanceof mp.EOFError) break;
      throw error;
    }
  }
  await finish(p);
  assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => i));
});

test("Python's habit of closing the parent's copy of the child's end: the EOFError and BrokenPipeError say that this thread closed it, and why that differs from Python; an end a worker closed gets no such words", async () => {
  // Python: parent_conn, child_conn = Pipe(); p = Process(target=f, args=(child_conn,)); p.start(); child_conn.close()
  const [parentConn, childConn] = mp.Pipe();
  childConn.close();
  const closedHere = (cls: typeof mp.EOFError | typeof mp.BrokenPipeError) => fails(cls, "That end was closed in this thread", "not a copy per process as in Python", "let the worker close it");
  await assert.rejects(parentConn.recvAsync(), closedHere(mp.EOFError));
  assert.throws(() => parentConn.send(1), closedHere(mp.BrokenPipeError));
  // Closed by the worker that used it: the plain words.
  const [reader, writer] = mp.Pipe(false);
  const p = new mp.Process({ target: (w: mp.Connection) => w.close(), args: [writer] });
  p.start();
  await finish(p);
  await assert.rejects(reader.recvAsync(), (error: unknown) => {
    assert.ok(error instanceof mp.EOFError);
    assert.ok(!error.message.includes("in this thread"), error.message);
    return true;
  });
});

test("an end closed in one thread is closed in every thread: a worker's send on it raises ClosedError, nothing is sent, and a worker's recv waiting on it wakes with ClosedError", async () => {
  // Python's habit: the parent closes its copy of the child's end (here before the start, so the worker surely finds it closed).
  const [parentConn, childConn] = mp.Pipe();
  childConn.close();
  const sender = new mp.Process({ target: (c: mp.Connection) => c.send("hello"), args: [childConn] });
  sender.start();
  await assert.rejects(finish(sender), fails(mp.ProcessError, "ClosedError", "closed in another thread", "Nothing was sent", "let the worker close it"));
  assert.equal(await parentConn.pollAsync(0), true, "the end's close is there to see");
  await assert.rejects(parentConn.recvAsync(), mp.EOFError, "and nothing was sent");
  // A worker waits in recv on an end that the main thread then closes: it wakes with ClosedError.
  // (If the close comes before the worker reached its wait, recv refuses at once with the same error:
  // this run covers whichever of the two the OS's timing gave; the close wakes every sleeper either way.)
  const [a, b] = mp.Pipe();
  const waiting = new mp.Event();
  const receiver = new mp.Process({
    target: (a: mp.Connection, waiting: mp.Event) => {
      waiting.set();
      a.recv();
    },
    args: [a, waiting],
  });
  receiver.start();
  assert.equal(await waiting.waitAsync({ timeout: 30 }), true);
  await mp.sleepAsync(0.1);
  a.close();
  await assert.rejects(finish(receiver), fails(mp.ProcessError, "ClosedError", "closed in another thread", "Nothing was received"));
  assert.throws(() => b.send(1), mp.BrokenPipeError);
});

test("a worker's recv and poll(timeout) block, and wake for a send (_TestConnection.test_connection, the child's side)", async () => {
  const [conn, childConn] = mp.Pipe();
  const waited = mp.Array("d", 2, { lock: false });
  const polled = new mp.Event();
  const p = new mp.Process({
    target: (conn: mp.Connection, waited: mp.Array, polled: mp.Event) => {
      let began = performance.now();
      if (conn.poll(0.1)) throw new Error("poll(0.1) found something");
      waited[0] = performance.now() - began;
      began = performance.now();
      polled.set(); // the main thread sends only after this: recv below waits for it
      const msg = conn.recv();
      waited[1] = performance.now() - began;
      conn.send(`got ${msg}`);
      if (conn.poll(null) !== true) throw new Error("poll(null) returned without anything");
      conn.recv();
    },
    args: [childConn, waited, polled],
  });
  p.start();
  assert.equal(await polled.waitAsync({ timeout: 30 }), true, "the worker's poll(0.1) returned");
  await mp.sleepAsync(0.1);
  conn.send("late");
  assert.equal(await received(conn), "got late");
  conn.close(); // the child's poll(null) wakes for the end, and its recv raises EOFError
  await assert.rejects(finish(p), fails(mp.ProcessError, "EOFError"));
  assert.ok(waited[0] >= 95, `poll(0.1) waited ${waited[0]} ms`);
  assert.ok(waited[1] >= 95, `recv waited ${waited[1]} ms for the send`);
});

test("Pipe(false): the first end only receives, the second only sends; the wrong way is refused (_TestConnection.test_duplex_false)", async () => {
  const [reader, writer] = mp.Pipe(false);
  assert.equal(writer.send(1), undefined);
  assert.equal(await reader.recvAsync(), 1);
  assert.equal(reader.readable, true);
  assert.equal(reader.writable, false);
  assert.equal(writer.readable, false);
  assert.equal(writer.writable, true);
  assert.throws(() => reader.send(2), fails(mp.WrongEndError, "only receives"));
  assert.throws(() => writer.recv(), fails(mp.WrongEndError, "only sends"));
  assert.throws(() => writer.poll(), mp.WrongEndError);
  await assert.rejects(writer.recvAsync(), mp.WrongEndError);
});

test("a closed end refuses everything (Python: OSError \"handle is closed\"), closing twice is allowed, and the other end sees EOF and a broken pipe", async () => {
  const [a, b] = mp.Pipe();
  a.close();
  a.close();
  assert.equal(a.closed, true);
  assert.throws(() => a.send(1), fails(mp.ClosedError, "closed"));
  assert.throws(() => a.recv(), mp.ClosedError);
  assert.throws(() => a.poll(), mp.ClosedError);
  assert.throws(() => b.send(1), mp.BrokenPipeError);
  await assert.rejects(b.recvAsync(), mp.EOFError);
  assert.equal(String(b), "<Connection(send, recv)>");
});

test("refusals: an item that cannot be copied, one bigger than the ring, a blocking recv on the main thread, a bad duplex", () => {
  const [a, b] = mp.Pipe(true, { bytes: 64 });
  assert.throws(() => a.send(() => 1), fails(TypeError, "cannot be copied"));
  assert.throws(() => a.send("x".repeat(100)), fails(RangeError, "64 bytes", "Pipe(true, { bytes:"));
  a.send("fits");
  assert.equal(b.poll(), true);
  assert.throws(() => b.recv(), fails(mp.BlockingCallError, "Connection.recv()", "recvAsync"));
  assert.throws(() => b.poll(1), fails(mp.BlockingCallError, "pollAsync"));
  // The main thread's send does not wait: a full ring is refused, pointing at sendAsync.
  assert.throws(() => {
    for (let i = 0; i < 100; i++) a.send(i);
  }, fails(mp.BlockingCallError, "sendAsync"));
  assert.throws(() => mp.Pipe("yes" as never), fails(TypeError, "duplex"));
});
