import { test } from "node:test";
import assert from "node:assert/strict";
import { words } from "../src/words.js";

test("splits on anything that is not a letter or digit", () => {
  assert.deepEqual(words("Hello, world! 42 times"), ["Hello", "world", "42", "times"]);
  assert.deepEqual(words("naïve café-au-lait"), ["naïve", "café", "au", "lait"]);
});

test("splits camelCase and PascalCase", () => {
  assert.deepEqual(words("fooBar bazQux"), ["foo", "Bar", "baz", "Qux"]);
  assert.deepEqual(words("XMLHttpRequest"), ["XML", "Http", "Request"]);
});

test("empty input gives no words; non-strings throw", () => {
  assert.deepEqual(words(""), []);
  assert.deepEqual(words("  ...  "), []);
  assert.throws(() => words(42), TypeError);
});
