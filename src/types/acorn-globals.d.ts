// acorn-globals ships no types; this is the part of its API the library uses.
declare module "acorn-globals" {
  /** One free (global) name a program uses, with the places it is used. */
  interface FoundGlobal {
    name: string;
    nodes: { start: number; end: number }[];
  }
  /** Lists the names `source` uses without declaring them. Throws a SyntaxError if it does not parse. */
  function findGlobals(source: string, options?: { ecmaVersion?: "latest" | number }): FoundGlobal[];
  export = findGlobals;
}
