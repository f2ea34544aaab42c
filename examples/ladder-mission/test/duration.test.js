import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDuration } from "../src/parse-duration.js";
import { formatDuration } from "../src/format-duration.js";

test("parse and format round-trip", () => {
  for (const s of ["1h 30m", "45m", "2h"]) assert.equal(formatDuration(parseDuration(s.replace(" ", ""))), s);
});
