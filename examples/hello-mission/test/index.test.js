import { test } from "node:test";
import assert from "node:assert/strict";
import * as strkit from "../src/index.js";

test("exports exactly words, slugify and titleCase", () => {
  assert.deepEqual(Object.keys(strkit).sort(), ["slugify", "titleCase", "words"]);
  assert.equal(strkit.slugify("Hello World"), "hello-world");
  assert.equal(strkit.titleCase("hello world"), "Hello World");
  assert.deepEqual(strkit.words("hello world"), ["hello", "world"]);
});
