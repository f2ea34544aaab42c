import { test } from "node:test";
import assert from "node:assert/strict";
import { titleCase } from "../src/title-case.js";

test("capitalises each word", () => {
  assert.equal(titleCase("the quick  BROWN fox"), "The Quick Brown Fox");
});

test("small words stay lower-case unless first or last", () => {
  assert.equal(titleCase("war and peace"), "War and Peace");
  assert.equal(titleCase("a tale of two cities"), "A Tale of Two Cities");
  assert.equal(titleCase("what it is for"), "What It Is For");
});
