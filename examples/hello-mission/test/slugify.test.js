import { test } from "node:test";
import assert from "node:assert/strict";
import { slugify } from "../src/slugify.js";

test("lower-cases words joined by dashes", () => {
  assert.equal(slugify("Hello, World!"), "hello-world");
  assert.equal(slugify("  many   spaces  "), "many-spaces");
  assert.equal(slugify("fooBar"), "foo-bar");
});

test("strips accents", () => {
  assert.equal(slugify("Crème brûlée"), "creme-brulee");
});

test("nothing left gives an empty slug", () => {
  assert.equal(slugify("!!!"), "");
});
