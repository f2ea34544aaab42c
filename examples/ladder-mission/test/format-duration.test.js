import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration } from "../src/format-duration.js";

test("minutes read as hours and minutes", () => {
  assert.equal(formatDuration(90), "1h 30m");
  assert.equal(formatDuration(45), "45m");
  assert.equal(formatDuration(120), "2h");
});
