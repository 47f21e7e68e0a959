/**
 * The notebooks' plumbing: code a notebook needs but that does not teach what the notebook is
 * about (recording and drawing a lost update, a test bench for hand-built locks and one for their
 * fairness, threads for the explorer that differ by a seat number, the live views of running
 * workers, the stepper that makes the learner the scheduler). A separate entry from the library,
 * `import * as lessons from "../dist/lessons"`; workers never load it.
 *
 * @packageDocumentation
 */
export * from "./event-log";
export * from "./fairness";
export * from "./lock-bench";
export * from "./lost-update";
export * from "./seats";
export * from "./stepper";
export * from "./watched-bank";
export * from "./watched-lock";
export * from "./watched-semaphore";
