import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDuration } from "../src/parse-duration.js";

test("hours and minutes become minutes", () => {
  assert.equal(parseDuration("1h30m"), 90);
  assert.equal(parseDuration("45m"), 45);
  assert.equal(parseDuration("2h"), 120);
});

test("anything else throws a TypeError", () => {
  assert.throws(() => parseDuration("soon"), TypeError);
  assert.throws(() => parseDuration(""), TypeError);
});
