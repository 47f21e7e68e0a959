/**
 * The exercises' checks, one module per notebook: `import { notebook03 as check } from
 * "../dist/exercises"`, then `await check.exercise2(transfer)` runs the learner's own function
 * (in workers where the exercise is about workers) and prints `✓ exercise 2: …` or
 * `✗ exercise 2: …` with what went wrong. A separate entry from the library: workers never load it.
 *
 * @packageDocumentation
 */
export * as notebook01 from "./notebook01";
export * as notebook02 from "./notebook02";
export * as notebook03 from "./notebook03";
export * as notebook04 from "./notebook04";
export * as notebook05 from "./notebook05";
export * as notebook06 from "./notebook06";
export * as notebook07 from "./notebook07";
export * as notebook08 from "./notebook08";
