/**
 * How a process's `target` gets into a worker. A worker is a fresh JavaScript world: it cannot
 * receive a function, only text. So the target travels as its source code and is compiled again
 * inside the worker. That only works for a function that needs nothing but its arguments and
 * JavaScript's globals, and this module checks that before a worker starts, with a message that
 * names what the function uses and cannot take along.
 *
 * @packageDocumentation
 */
import { describe, showLearnerFrames } from "./errors";
import { host } from "./host";

type FindGlobals = typeof import("acorn-globals");
let acornGlobals: FindGlobals | undefined;

/** acorn-globals, loaded on first use: only the thread that starts workers needs it, not every worker. */
function findGlobals(...args: Parameters<FindGlobals>): ReturnType<FindGlobals> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load needs require()
  acornGlobals ??= require("acorn-globals") as FindGlobals;
  return acornGlobals(...args);
}

/** Names a worker provides besides JavaScript's own globals (see worker-main.ts). */
const WORKER_EXTRAS: readonly string[] = ["mp", "require"];

/** Node's globals that are enumerable properties of `globalThis` (the rest are not enumerable). */
const NODE_ENUMERABLE_GLOBALS = [
  "global",
  "clearImmediate",
  "setImmediate",
  "clearInterval",
  "clearTimeout",
  "setInterval",
  "setTimeout",
  "queueMicrotask",
  "structuredClone",
  "atob",
  "btoa",
  "performance",
  "fetch",
  "crypto",
  "navigator",
];

/**
 * True if `name` is a global every worker has. A notebook's own top-level variables may also be
 * properties of `globalThis` here, but they are enumerable, unlike JavaScript's built-ins.
 */
function isWorkerGlobal(name: string): boolean {
  if (WORKER_EXTRAS.includes(name) || NODE_ENUMERABLE_GLOBALS.includes(name)) return true;
  for (let o: object | null = globalThis; o !== null; o = Object.getPrototypeOf(o)) {
    const property = Object.getOwnPropertyDescriptor(o, name);
    if (property !== undefined) return !property.enumerable;
  }
  return false;
}

function list(names: string[]): string {
  const quoted = names.map((n) => `\`${n}\``);
  return quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

/**
 * Checks that `target` can be rebuilt in a worker and returns the source of an expression that
 * evaluates to it there.
 *
 * @param target - what the learner passed as `target` (or as a barrier's `action`).
 * @param where - the call, for messages, such as `"Process()"`.
 * @param role - what the function is, for messages: `"target"` (default, it gets `args`),
 *   `"action"` (a barrier's, which gets no arguments) or `"function"` (a pool's, which gets each
 *   task's items or arguments).
 * @throws TypeError if it is not a function, is a class, a bound or built-in function, or uses
 *   variables from around it that a worker will not have.
 */
export function targetSource(target: unknown, where: string, role: "target" | "action" | "function" | "initializer" = "target"): string {
  if (typeof target !== "function") {
    throw showLearnerFrames(new TypeError(`${where}: ${role} must be a function to run in the worker, not ${describe(target)}.`));
  }
  // An arrow written inline, { target: (v) => ... }, is named "target" after the key: say "target"
  // once, not "target target".
  const label = target.name === "" || target.name === role ? role : `${role} ${target.name}`;
  const text = Function.prototype.toString.call(target);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(text)) {
    throw showLearnerFrames(new TypeError(
      `${where}: ${label} is a bound or built-in function. A worker rebuilds ${role} from its source text, ` +
        `which such a function does not have. Pass a plain function` +
        (role === "target" ? ", and give it the values you bound through args." : role === "function" ? ", and give it the values you bound in the items." : "."),
    ));
  }
  if (/^class\b/.test(text)) {
    throw showLearnerFrames(new TypeError(`${where}: ${label} is a class. Pass a function (it may create the class's objects itself).`));
  }
  const expression = toExpression(text);
  const uses = freeNames(expression);
  const foreign = [...new Set(uses.map((u) => u.name))].filter((n) => !isWorkerGlobal(n));
  if (foreign.length > 0) {
    // A name that is called is most likely a helper function: a function cannot travel in args.
    const called = foreign.filter((n) => uses.some((u) => u.name === n && u.called));
    const values = foreign.filter((n) => !called.includes(n));
    throw showLearnerFrames(new TypeError(
      `${where}: ${label} uses ${list(foreign)}, which ${foreign.length === 1 ? "is" : "are"} not defined inside a worker. ` +
        `A worker runs ${role === "function" ? "the function" : role} from its source text in a fresh thread: it sees its own arguments and JavaScript's globals, ` +
        `but none of ${host().surroundings}. ` +
        (called.length > 0
          ? `A function cannot be sent to a worker: define ${list(called)} inside ${label} (a function declared in its body travels with it), ` +
            `or put ${called.length === 1 ? "it" : "them"} in a module file and require() it inside ${label}. `
          : "") +
        (values.length === 0
          ? ""
          : role === "target"
            ? `Pass ${list(values)} through args (shared objects travel by memory, everything else as a copy). `
            : role === "initializer"
              ? `Pass ${list(values)} through initargs (shared objects travel by memory, everything else as a copy). `
            : role === "function"
              ? `Pass ${list(values)} in each task's items or arguments (shared objects travel by memory, everything else as a copy). `
              : `An action gets no arguments, so do work that needs ${list(values)} in the workers, after wait() returns. `) +
        `Inside a worker the helper library is \`mp\`, and modules come from require().`,
    ));
  }
  return expression;
}

/**
 * The names `source` uses without declaring them, as the learner wrote them (the host knows how
 * its compiler renames some: tslab's `exports.name` for a name of an earlier cell), and whether
 * each use is a call.
 */
function freeNames(source: string): { name: string; called: boolean }[] {
  return findGlobals(source, { ecmaVersion: "latest" }).flatMap((g) =>
    g.nodes.map((node) => {
      const after = source.slice(node.end);
      const name = host().freeName(g.name, after);
      // `f(`, or tslab's `exports.f(` or `(0, exports.f)(` for a function of an earlier cell.
      const rest = name === g.name ? after : after.replace(/^\s*\.\s*[A-Za-z_$][\w$]*\s*\)?/, "");
      return { name, called: /^\s*\(/.test(rest) };
    }),
  );
}

/**
 * `function f() {}`, `async () => 1` and the like are expressions already; a method written
 * `f() {}` (from an object or class) is wrapped in an object literal and taken out again.
 */
function toExpression(text: string): string {
  for (const candidate of [`(${text})`, `Object.values({ ${text} })[0]`]) {
    try {
      findGlobals(candidate, { ecmaVersion: "latest" });
      return candidate;
    } catch {
      // Not this form; try the next one.
    }
  }
  throw showLearnerFrames(new TypeError(`The source of this function could not be read back as JavaScript: ${text.slice(0, 80)}`));
}
