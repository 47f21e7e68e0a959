/**
 * Value and Array on the main thread: every typecode, display, iteration, indexing, locks, and
 * every bad input, each checked for its error class and a message that names the value and what
 * is allowed.
 */
import { describe, test } from "node:test";
import * as assert from "node:assert/strict";
import { inspect } from "node:util";
import fc from "fast-check";
import * as mp from "../dist";
import { fails } from "./helpers/util";

type IntCode = "b" | "B" | "h" | "H" | "i" | "I" | "l" | "L" | "q" | "Q";

/** Each integer typecode's range, written out independently of the library's own table. */
const INTS: readonly { code: IntCode; min: bigint; max: bigint; big: boolean }[] = [
  { code: "b", min: -128n, max: 127n, big: false },
  { code: "B", min: 0n, max: 255n, big: false },
  { code: "h", min: -32768n, max: 32767n, big: false },
  { code: "H", min: 0n, max: 65535n, big: false },
  { code: "i", min: -2147483648n, max: 2147483647n, big: false },
  { code: "I", min: 0n, max: 4294967295n, big: false },
  { code: "l", min: -(2n ** 63n), max: 2n ** 63n - 1n, big: true },
  { code: "L", min: 0n, max: 2n ** 64n - 1n, big: true },
  { code: "q", min: -(2n ** 63n), max: 2n ** 63n - 1n, big: true },
  { code: "Q", min: 0n, max: 2n ** 64n - 1n, big: true },
];

/** The element type a typecode gives back: a bigint for 64-bit codes, else a number. */
function element(big: boolean, x: bigint): number | bigint {
  return big ? x : Number(x);
}

// The library's signatures tie the element type to the typecode; these loops range over all codes.
const AnyValue = mp.Value as (code: string, value?: unknown, options?: mp.SharedOptions) => { value: unknown };
const AnyArray = mp.Array as (code: string, init: unknown, options?: mp.SharedOptions) => mp.SharedArray<mp.Typecode>;

describe("Value over every integer typecode", () => {
  for (const { code, min, max, big } of INTS) {
    test(`"${code}" round-trips min, max and 0, and starts at 0`, () => {
      for (const x of [min, max, 0n]) {
        assert.equal(AnyValue(code, element(big, x)).value, element(big, x));
        const v = AnyValue(code);
        v.value = element(big, x);
        assert.equal(v.value, element(big, x));
      }
      assert.equal(AnyValue(code).value, element(big, 0n));
    });

    test(`"${code}" refuses min - 1 and max + 1 with a RangeError naming the value and the range`, () => {
      for (const x of [min - 1n, max + 1n]) {
        // Past 2**53 only a bigint can say the exact value, so those codes are fed bigints.
        const input = big ? x : Number(x);
        assert.throws(() => AnyValue(code, input), fails(RangeError, String(x), `"${code}"`, `${min} to ${max}`));
        const v = AnyValue(code);
        assert.throws(() => (v.value = input), fails(RangeError, String(x), `${min} to ${max}`));
        assert.equal(v.value, element(big, 0n), "a refused write leaves the value alone");
      }
    });

    test(`"${code}" round-trips any value in range and refuses any outside (property)`, () => {
      fc.assert(
        fc.property(fc.bigInt({ min, max }), (x) => {
          const v = AnyValue(code, element(big, x));
          assert.equal(v.value, element(big, x));
          const arr = AnyArray(code, 2);
          arr[1] = element(big, x);
          assert.equal(arr[-1], element(big, x));
        }),
        { numRuns: 200 },
      );
      const outside = fc.oneof(fc.bigInt({ min: min - 2n ** 70n, max: min - 1n }), fc.bigInt({ min: max + 1n, max: max + 2n ** 70n }));
      fc.assert(
        fc.property(outside, (x) => {
          assert.throws(() => AnyValue(code, big ? x : Number(x)), RangeError);
        }),
        { numRuns: 200 },
      );
    });
  }

  test("64-bit typecodes give bigints and take a whole number too", () => {
    for (const code of ["l", "L", "q", "Q"] as const) {
      const v = mp.Value(code, 5);
      assert.equal(v.value, 5n);
      v.value = 7;
      assert.equal(v.value, 7n);
      assert.equal(typeof v.value, "bigint");
    }
    const big = mp.Value("q", 9007199254740993n);
    assert.equal(big.value, 9007199254740993n, "one past 2**53 is kept exactly");
  });

  test("a number past Number.MAX_SAFE_INTEGER is refused for 64-bit codes (its digits are already lost)", () => {
    assert.throws(() => mp.Value("q", 2 ** 53), fails(RangeError, String(2 ** 53), "MAX_SAFE_INTEGER", "bigint"));
  });

  test("a whole number given as a bigint is accepted by a 32-bit code", () => {
    assert.equal(AnyValue("i", 5n).value, 5);
  });
});

describe("Value over the float typecodes", () => {
  test('"d" keeps any double exactly, including -0, Infinity and NaN', () => {
    for (const x of [0, -0, 1.5, -2.25, 0.1, Number.MAX_VALUE, Number.MIN_VALUE, -Infinity, Infinity, NaN]) {
      assert.ok(Object.is(mp.Value("d", x).value, x), `Value("d", ${x})`);
    }
    fc.assert(
      fc.property(fc.double(), (x) => Object.is(mp.Value("d", x).value, x)),
      { numRuns: 300 },
    );
  });

  test('"f" stores the nearest float32, as C does', () => {
    assert.equal(mp.Value("f", 0.1).value, Math.fround(0.1));
    assert.equal(mp.Value("f", 1.5).value, 1.5);
    assert.equal(mp.Value("f", 3.4028234663852886e38).value, 3.4028234663852886e38);
    fc.assert(
      fc.property(fc.double({ min: -3.4e38, max: 3.4e38, noNaN: true }), (x) => Object.is(mp.Value("f", x).value, Math.fround(x))),
      { numRuns: 300 },
    );
  });

  test('"f" refuses a finite number too large for a float32, and points to "d"', () => {
    assert.throws(() => mp.Value("f", 1e39), fails(RangeError, "1e+39", '"f"', '"d"'));
  });

  test("a float typecode refuses what is not a number", () => {
    assert.throws(() => AnyValue("d", "1.5"), fails(TypeError, '"1.5"', '"d"', "must be a number"));
    assert.throws(() => AnyValue("f", 1n), fails(TypeError, "1n", "must be a number"));
  });
});

describe("Value: bad inputs", () => {
  test("Value('i', 2**31) is a RangeError naming 2147483648 and the range of int", () => {
    assert.throws(() => mp.Value("i", 2 ** 31), fails(RangeError, "2147483648", '"i"', "int", "-2147483648 to 2147483647"));
  });

  test("Value('i', 2.5) is a TypeError: int holds whole numbers only", () => {
    assert.throws(() => mp.Value("i", 2.5), fails(TypeError, "2.5", '"i"', "whole numbers"));
  });

  test("Value('i', NaN) and Infinity are TypeErrors naming the value", () => {
    assert.throws(() => mp.Value("i", NaN), fails(TypeError, "NaN", '"i"', "whole numbers"));
    assert.throws(() => mp.Value("i", Infinity), fails(TypeError, "Infinity", '"i"'));
  });

  test("a string, boolean or object is a TypeError naming it", () => {
    assert.throws(() => AnyValue("i", "5"), fails(TypeError, '"5"', "whole number"));
    assert.throws(() => AnyValue("i", true), fails(TypeError, "true", "whole number"));
    assert.throws(() => AnyValue("q", {}), fails(TypeError, "object", "a bigint or a whole number"));
  });

  test("an unknown typecode is a TypeError that names it and lists the typecodes allowed", () => {
    assert.throws(() => AnyValue("x"), fails(TypeError, '"x"', '"i" (int)', '"d" (double)', '"Q" (unsigned long long)'));
    assert.throws(() => AnyValue("int", 1), fails(TypeError, '"int"', '"i" (int)'));
    assert.throws(() => AnyValue(5 as unknown as string), fails(TypeError, "typecode 5", '"b" (signed char)'));
  });

  test("writing a bad value through .value names the Value and leaves it alone", () => {
    const v = mp.Value("i", 7);
    assert.throws(() => (v.value = 2.5), fails(TypeError, "Value.value", "2.5", "whole numbers"));
    assert.throws(() => (v.value = 2 ** 31), fails(RangeError, "Value.value", "2147483648", "-2147483648 to 2147483647"));
    assert.equal(v.value, 7);
  });

  test("options that are not an object, and a lock that is not a lock, are TypeErrors", () => {
    assert.throws(() => AnyValue("i", 0, 5 as unknown as mp.SharedOptions), fails(TypeError, "options", "{ lock: false }", "5"));
    assert.throws(() => AnyValue("i", 0, { lock: "yes" as unknown as boolean }), fails(TypeError, "lock must be true, false, or a Lock/RLock", '"yes"'));
  });
});

describe("Value: display and locks", () => {
  test("String() and util.inspect read like Python's repr", () => {
    assert.equal(String(mp.Value("i", 174)), "Value('i', 174)");
    assert.equal(inspect(mp.Value("i", -3)), "Value('i', -3)");
    assert.equal(String(mp.Value("d", 2)), "Value('d', 2.0)");
    assert.equal(String(mp.Value("d", 2.5)), "Value('d', 2.5)");
    assert.equal(String(mp.Value("q", 2n ** 62n)), `Value('q', ${2n ** 62n})`);
  });

  test("getLock() is an RLock by default, the same one each time", () => {
    const v = mp.Value("i");
    assert.ok(v.getLock() instanceof mp.RLock);
    assert.equal(v.getLock(), v.getLock());
    assert.ok(mp.Value("i", 0, { lock: true }).getLock() instanceof mp.RLock);
  });

  test("a passed Lock is the one getLock() returns, so two Values can share it", () => {
    const lock = new mp.Lock();
    const a = mp.Value("i", 0, { lock });
    const b = mp.Value("d", 0, { lock });
    assert.equal(a.getLock(), lock);
    assert.equal(b.getLock(), lock);
  });

  test("{ lock: false } has no lock: getLock() is a TypeError that says so", () => {
    assert.throws(() => mp.Value("i", 0, { lock: false }).getLock(), fails(TypeError, "{ lock: false }", "no lock"));
  });

  test("typecode and buffer are exposed; the buffer is shared memory", () => {
    const v = mp.Value("h", 3);
    assert.equal(v.typecode, "h");
    assert.ok(v.buffer instanceof SharedArrayBuffer);
    assert.equal(new Int16Array(v.buffer)[0], 3);
  });
});

describe("Array", () => {
  test("String(), template strings and util.inspect print like a Python list", () => {
    const arr = mp.Array("i", [25, 36, 49, 64]);
    assert.equal(String(arr), "[25, 36, 49, 64]");
    assert.equal(`${arr}`, "[25, 36, 49, 64]");
    assert.equal(inspect(arr), "[25, 36, 49, 64]");
    assert.equal(String(mp.Array("d", [1, 2.5])), "[1.0, 2.5]");
    assert.equal(String(mp.Array("q", [1n, -2n])), "[1, -2]");
    assert.equal(String(mp.Array("i", 0)), "[]");
  });

  test("Array(code, n) is n zeros; Array(code, iterable) copies the values", () => {
    assert.deepEqual(mp.Array("i", 3).toArray(), [0, 0, 0]);
    assert.deepEqual(mp.Array("Q", 2).toArray(), [0n, 0n]);
    assert.deepEqual(mp.Array("b", new Set([1, -2, 3])).toArray(), [1, -2, 3]);
    function* squares() {
      for (let i = 1; i <= 3; i++) yield i * i;
    }
    assert.deepEqual(mp.Array("H", squares()).toArray(), [1, 4, 9]);
    assert.equal(mp.Array("i", 0).length, 0);
  });

  test("every integer typecode round-trips min, 0 and max through an Array", () => {
    for (const { code, min, max, big } of INTS) {
      const want = [min, 0n, max].map((x) => element(big, x));
      assert.deepEqual(AnyArray(code, want).toArray(), want, code);
      const arr = AnyArray(code, 3);
      want.forEach((x, i) => (arr[i] = x));
      assert.deepEqual([...arr], want, code);
    }
  });

  test("indexing reads and writes, with negative indices from the end, as in Python", () => {
    const arr = mp.Array("i", [25, 36, 49, 64]);
    assert.equal(arr[0], 25);
    assert.equal(arr[3], 64);
    assert.equal(arr[-1], 64);
    assert.equal(arr[-4], 25);
    arr[-1] = 81;
    assert.equal(arr[3], 81);
    arr.set(-2, 7);
    assert.equal(arr.get(2), 7);
    assert.equal(arr.get(-3), 36);
    assert.equal(arr.length, 4);
    assert.ok(0 in arr);
    assert.ok(!(4 in arr));
  });

  test("iteration, spread, Array.from and toArray give the elements; toArray is a copy", () => {
    const arr = mp.Array("i", [25, 36, 49, 64]);
    const seen: number[] = [];
    for (const x of arr) seen.push(x);
    assert.deepEqual(seen, [25, 36, 49, 64]);
    assert.deepEqual([...arr], [25, 36, 49, 64]);
    assert.deepEqual(Array.from(arr), [25, 36, 49, 64]);
    const copy = arr.toArray();
    assert.ok(Array.isArray(copy));
    copy[0] = 0;
    assert.equal(arr[0], 25, "changing the copy does not change the shared array");
  });

  test("JSON.stringify gives a JSON list (toJSON)", () => {
    const arr = mp.Array("i", [25, 36, 49, 64]);
    assert.deepEqual(arr.toJSON(), [25, 36, 49, 64]);
    assert.equal(JSON.stringify(arr), "[25,36,49,64]");
    assert.equal(JSON.stringify({ squares: mp.Array("d", [0.5]) }), '{"squares":[0.5]}');
  });

  test("getLock(), { lock: false } and a passed lock behave as for Value", () => {
    assert.ok(mp.Array("i", 2).getLock() instanceof mp.RLock);
    const lock = new mp.Lock();
    assert.equal(mp.Array("i", 2, { lock }).getLock(), lock);
    assert.throws(() => mp.Array("i", 2, { lock: false }).getLock(), fails(TypeError, "{ lock: false }"));
  });

  test("writes show through every view of the same memory", () => {
    const arr = mp.Array("I", 2);
    arr[1] = 4294967295;
    assert.equal(new Uint32Array(arr.buffer)[1], 4294967295);
    assert.equal(arr.typecode, "I");
  });
});

describe("Array slices, as Python's arr[start:end] and arr[start:end] = values", () => {
  test("slice() gives a plain array of the elements, with negative bounds from the end, clipped", () => {
    const arr = mp.Array("i", [10, 20, 30, 40, 50]);
    assert.deepEqual(arr.slice(1, 3), [20, 30]);
    assert.deepEqual(arr.slice(), [10, 20, 30, 40, 50]);
    assert.deepEqual(arr.slice(-2), [40, 50]);
    assert.deepEqual(arr.slice(1, -1), [20, 30, 40]);
    assert.deepEqual(arr.slice(3, 1), []);
    assert.deepEqual(arr.slice(-100, 100), [10, 20, 30, 40, 50]);
    const copy = arr.slice(0, 2);
    copy[0] = 99;
    assert.equal(arr[0], 10, "the slice is a copy");
    assert.ok(Array.isArray(copy));
    assert.deepEqual(mp.Array("q", [1n, 2n, 3n]).slice(1), [2n, 3n]);
  });

  test("slice() agrees with a plain array's slice for any bounds", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 12 }), fc.option(fc.integer({ min: -15, max: 15 }), { nil: undefined }), fc.option(fc.integer({ min: -15, max: 15 }), { nil: undefined }), (xs, start, end) => {
        assert.deepEqual(mp.Array("i", xs).slice(start, end), xs.slice(start, end));
      }),
    );
  });

  test("setSlice() writes a slice of the same length, as Python's shared arrays require", () => {
    const arr = mp.Array("i", [10, 20, 30, 40, 50]);
    arr.setSlice(1, 3, [21, 31]);
    assert.deepEqual(arr.toArray(), [10, 21, 31, 40, 50]);
    arr.setSlice(-2, undefined, new Set([41, 51]));
    assert.deepEqual(arr.toArray(), [10, 21, 31, 41, 51]);
    arr.setSlice(undefined, undefined, [1, 2, 3, 4, 5]);
    assert.deepEqual(arr.toArray(), [1, 2, 3, 4, 5]);
    arr.setSlice(4, 2, []); // an empty slice takes no values
    const big = mp.Array("Q", 2);
    big.setSlice(0, 2, [2n ** 64n - 1n, 7]);
    assert.deepEqual(big.toArray(), [2n ** 64n - 1n, 7n]);
  });

  test("setSlice() with a wrong count, a bad value or bad bounds is refused, and changes nothing", () => {
    const arr = mp.Array("i", [10, 20, 30]);
    assert.throws(() => arr.setSlice(0, 2, [1, 2, 3]), fails(RangeError, "Array.setSlice(0, 2)", "the slice has 2 elements", "3 values were given", "exactly 2"));
    assert.throws(() => arr.setSlice(1, undefined, [1]), fails(RangeError, "the slice has 2 elements", "1 value was given"));
    assert.throws(() => arr.setSlice(0, 2, [1, 2 ** 31]), fails(RangeError, "Array.setSlice(0, 2): element [1]", "2147483648"));
    assert.throws(() => arr.setSlice(-2, undefined, [1, 2.5]), fails(TypeError, "element [2]", "2.5", "whole numbers"));
    assert.throws(() => arr.setSlice(0, 1, 5 as unknown as number[]), fails(TypeError, "values must be an array", "5"));
    assert.throws(() => arr.setSlice(0.5, 1, [1]), fails(TypeError, "Array.setSlice(): start must be a whole number", "0.5"));
    assert.throws(() => arr.slice(0, "2" as unknown as number), fails(TypeError, "Array.slice(): end must be a whole number", '"2"'));
    assert.deepEqual(arr.toArray(), [10, 20, 30]);
  });
});

describe("Array: bad inputs", () => {
  test("Array('i', -1) is a RangeError naming -1 and the sizes allowed", () => {
    assert.throws(() => mp.Array("i", -1), fails(RangeError, "-1", "between 0 and"));
    assert.throws(() => mp.Array("i", 2 ** 28 + 1), fails(RangeError, String(2 ** 28 + 1), "between 0 and"));
  });

  test("Array('i', 2.5) and NaN are TypeErrors: the size must be a whole number", () => {
    assert.throws(() => mp.Array("i", 2.5), fails(TypeError, "2.5", "whole number"));
    assert.throws(() => mp.Array("i", NaN), fails(TypeError, "NaN", "whole number"));
  });

  test("a second argument that is neither a size nor values is a TypeError naming it", () => {
    assert.throws(() => AnyArray("i", "abc"), fails(TypeError, '"abc"', "a size or an array of values"));
    assert.throws(() => AnyArray("i", { length: 3 }), fails(TypeError, "object", "a size or an array of values"));
  });

  test("a bad starting element is refused with its index", () => {
    assert.throws(() => mp.Array("i", [1, 2.5]), fails(TypeError, "element [1]", "2.5"));
    assert.throws(() => mp.Array("B", [1, 256]), fails(RangeError, "element [1]", "256", "0 to 255"));
  });

  test("an unknown typecode is a TypeError listing the typecodes", () => {
    assert.throws(() => AnyArray("z", 3), fails(TypeError, '"z"', '"i" (int)'));
  });

  test("an index out of range is a RangeError on read and on write, naming the index and the valid ones", () => {
    const arr = mp.Array("i", [25, 36, 49, 64]);
    assert.throws(() => arr[4], fails(RangeError, "index 4", "read", "length 4", "0 to 3", "-4 to -1"));
    assert.throws(() => arr[-5], fails(RangeError, "index -5", "read", "length 4"));
    assert.throws(() => (arr[4] = 1), fails(RangeError, "index 4", "write", "0 to 3"));
    assert.throws(() => arr.get(10), fails(RangeError, "index 10", "read"));
    assert.throws(() => arr.set(-5, 1), fails(RangeError, "index -5", "write"));
    assert.throws(() => mp.Array("i", 0)[0], fails(RangeError, "index 0", "empty"));
    assert.deepEqual(arr.toArray(), [25, 36, 49, 64]);
  });

  test("an index that is not a whole number is a TypeError naming it", () => {
    const arr = mp.Array("i", 4);
    assert.throws(() => arr[1.5], fails(TypeError, "1.5", "whole number", "read"));
    assert.throws(() => (arr[1.5] = 1), fails(TypeError, "1.5", "whole number", "write"));
    assert.throws(() => arr[NaN], fails(TypeError, "NaN", "whole number"));
    assert.throws(() => arr.get("1" as unknown as number), fails(TypeError, '"1"', "whole number"));
  });

  test("writing a bad value through an index is refused with the index, and changes nothing", () => {
    const arr = mp.Array("i", [1, 2]);
    assert.throws(() => (arr[0] = 2.5), fails(TypeError, "element [0]", "2.5", "whole numbers"));
    assert.throws(() => (arr[-1] = 2 ** 31), fails(RangeError, "element [-1]", "2147483648", "-2147483648 to 2147483647"));
    assert.throws(() => ((arr as unknown as string[])[0] = "3"), fails(TypeError, "element [0]", '"3"'));
    assert.deepEqual(arr.toArray(), [1, 2]);
  });

  test("assigning a property that is not an element is a TypeError", () => {
    const arr = mp.Array("i", 2);
    assert.throws(() => ((arr as unknown as Record<string, unknown>).size = 3), fails(TypeError, "no property size", "arr[0] to arr[1]"));
  });
});
