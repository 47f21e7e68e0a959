/**
 * Every declaration a learner can reach through `src/index.ts` or `src/display/index.ts` (the pictures'
 * entry) has a TSDoc comment: exported
 * classes, functions, interfaces and types, and the public members of exported classes and
 * interfaces (inherited ones included, when they are declared in the library). Checked with the
 * TypeScript compiler API over the real sources. A second entry point, a small fixture with
 * known gaps, proves that the check finds what is missing.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import * as ts from "typescript";

const ROOT = resolve(__dirname, "..");
/** The library's entry, and the pictures' entry that notebooks import on its own. */
const ENTRIES = [join(ROOT, "src", "index.ts"), join(ROOT, "src", "display", "index.ts")];

/**
 * True if `decl` has a JSDoc comment with some words in it (a bare `/** *\/` does not count): a
 * `/**` comment among those just before it (before the whole statement, for a variable).
 */
function hasDoc(decl: ts.Node): boolean {
  const host = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
  const text = host.getSourceFile().text;
  return (ts.getLeadingCommentRanges(text, host.getFullStart()) ?? []).some(
    (range) => text.startsWith("/**", range.pos) && /\w/.test(text.slice(range.pos + 3, range.end - 2)),
  );
}

/** Private, protected and `#private` members are not part of the public API. */
function isPublic(decl: ts.Declaration): boolean {
  if (ts.getCombinedModifierFlags(decl) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  const name = ts.getNameOfDeclaration(decl);
  return name === undefined || !ts.isPrivateIdentifier(name);
}

/**
 * Whether a symbol is documented. Its declarations outside `dir` (the standard library's, for
 * members inherited from `Error`) are not looked at. An overloaded function needs each signature
 * documented, but not its implementation; a get/set pair needs one of the two.
 */
function symbolDocumented(declarations: readonly ts.Declaration[]): boolean {
  const accessors = declarations.filter((d) => ts.isGetAccessorDeclaration(d) || ts.isSetAccessorDeclaration(d));
  if (accessors.length > 0 && !accessors.some(hasDoc)) return false;
  const rest = declarations.filter((d) => !accessors.includes(d));
  const signatures = rest.filter((d) => ts.isFunctionLike(d) && !(d as ts.FunctionLikeDeclaration).body);
  return rest.every((d) => hasDoc(d) || (signatures.length > 0 && ts.isFunctionLike(d) && (d as ts.FunctionLikeDeclaration).body !== undefined));
}

/**
 * Lists, for the module `entry` of `program`, every undocumented export and every undocumented
 * public member of an exported class or interface, as `Name` or `Name.member`.
 */
function undocumented(program: ts.Program, entry: string): { missing: string[]; checked: number } {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry);
  assert.ok(file, `${entry} is not in the program`);
  // The compiler spells file names with "/" on every platform.
  const dir = (dirname(entry) + sep).split(sep).join("/");
  const mine = (symbol: ts.Symbol) => (symbol.declarations ?? []).filter((d) => d.getSourceFile().fileName.startsWith(dir));
  const moduleSymbol = checker.getSymbolAtLocation(file);
  assert.ok(moduleSymbol, `${entry} is not a module`);
  const missing: string[] = [];
  let checked = 0;
  const check = (symbol: ts.Symbol, name: string) => {
    const declarations = mine(symbol);
    checked += declarations.length > 0 ? 1 : 0;
    if (declarations.length > 0 && !symbolDocumented(declarations)) missing.push(name);
  };
  const checkMembers = (owner: string, members: readonly ts.Symbol[]) => {
    for (const member of members) {
      const declarations = mine(member).filter(isPublic);
      if (member.name === "prototype" || declarations.length === 0) continue;
      if (declarations.length === mine(member).length) check(member, `${owner}.${checker.symbolToString(member)}`);
    }
  };

  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const name = exported.name;
    check(symbol, name); // for a re-export, the comment is on the original declaration
    if (symbol.flags & ts.SymbolFlags.Class) {
      checkMembers(name, checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)));
      const classDecl = mine(symbol).find(ts.isClassDeclaration);
      if (classDecl !== undefined) {
        checkMembers(name, checker.getPropertiesOfType(checker.getTypeOfSymbolAtLocation(symbol, classDecl)));
        const constructors = classDecl.members.filter(ts.isConstructorDeclaration).filter(isPublic);
        if (constructors.length > 0 && !symbolDocumented(constructors)) missing.push(`${name}.constructor`);
      }
    }
    if (symbol.flags & ts.SymbolFlags.Interface) {
      checkMembers(name, checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)));
    }
  }
  return { missing: [...new Set(missing)].sort(), checked };
}

/** The project's own compiler options, so that `@types/node` and the lib resolve as in the build. */
function projectOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(ROOT, "tsconfig.json"), ts.sys.readFile);
  assert.equal(config.error, undefined);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options;
}

const FIXTURE = `
/** Documented. */
export function documented(): void {}
export function bareFunction(): void {}
export class BareClass {}
/** A class with some members documented. */
export class Partly {
  /** Documented. */
  good(): void {}
  bad(): void {}
  badProperty = 1;
  /**
   */
  emptyComment = 2;
  private hidden(): void {}
  protected alsoHidden = 2;
  #reallyHidden = 3;
  static bareStatic(): void {}
  /** Documented on the getter. */
  get pair(): number { return this.#reallyHidden; }
  set pair(_v: number) {}
  get bareGetter(): number { return 1; }
  /** One overload. */
  over(a: number): void;
  over(a: string): void;
  over(_a: unknown): void {}
}
/** Documented; its constructor is not. */
export class BareConstructor {
  constructor(_x: number) {}
}
/** An error whose inherited members come from the standard library. */
export class SomeError extends Error {}
/** An interface. */
export interface Shape {
  /** Documented. */
  a: number;
  b: string;
}
/** Extends Shape, so inherits b. */
export interface Solid extends Shape {
  /** Documented. */
  c: number;
}
export type Bare = number;
/** Documented alias. */
export type Fine = string;
export { documented as renamed };
`;

const FIXTURE_MISSING = [
  "Bare",
  "BareClass",
  "BareConstructor.constructor",
  "Partly.bad",
  "Partly.badProperty",
  "Partly.bareGetter",
  "Partly.bareStatic",
  "Partly.emptyComment",
  "Partly.over",
  "Shape.b",
  "Solid.b",
  "bareFunction",
];

test("every public declaration reachable from src/index.ts and src/display/index.ts has a doc comment; and the check finds gaps", (t) => {
  const fixtureDir = mkdtempSync(join(tmpdir(), "docs-fixture-"));
  try {
    const fixture = join(fixtureDir, "index.ts");
    writeFileSync(fixture, FIXTURE);
    const program = ts.createProgram([...ENTRIES, fixture], projectOptions());

    // The check itself: on the fixture it reports exactly the gaps it was built with.
    assert.deepEqual(undocumented(program, fixture).missing, FIXTURE_MISSING);

    for (const [entry, least] of [[ENTRIES[0], 100], [ENTRIES[1], 40]] as const) {
      const { missing, checked } = undocumented(program, entry);
      t.diagnostic(`${entry}: ${checked} declarations checked`);
      assert.ok(checked >= least, `only ${checked} declarations found: is ${entry} read?`);
      assert.deepEqual(missing, [], `undocumented in the public API of ${entry}:\n  ${missing.join("\n  ")}`);
    }
  } finally {
    rmSync(fixtureDir, { recursive: true, force: true });
  }
});

/** The notebooks' other entries: the lessons' plumbing, and each notebook's checks. */
const SIDE_ENTRIES = [
  join(ROOT, "src", "lessons", "index.ts"),
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => join(ROOT, "src", "exercises", `notebook0${n}.ts`)),
  join(ROOT, "src", "exercises", "schedules.ts"),
];

test("every public declaration of src/lessons and src/exercises has a doc comment", () => {
  const program = ts.createProgram(SIDE_ENTRIES, projectOptions());
  for (const entry of SIDE_ENTRIES) {
    const { missing, checked } = undocumented(program, entry);
    assert.ok(checked >= 1, `nothing exported from ${entry}`);
    assert.deepEqual(missing, [], `undocumented in ${entry}:\n  ${missing.join("\n  ")}`);
  }
});

test("the library's entry, which every worker loads, leaves the lessons and the exercises out", () => {
  const program = ts.createProgram([ENTRIES[0]], projectOptions());
  const reached = program.getSourceFiles().map((f) => f.fileName).filter((f) => f.includes("/src/"));
  assert.ok(reached.some((f) => f.endsWith("/src/lock.ts")), "src/index.ts is not read");
  const extra = reached.filter((f) => /\/src\/(lessons|exercises)\//.test(f));
  assert.deepEqual(extra, [], "src/index.ts must not reach these (workers load it)");
});
