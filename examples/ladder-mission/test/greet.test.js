import { test } from "node:test";
import assert from "node:assert/strict";
import { greet } from "../src/greet.js";

test("greets in French, as the person answered", () => {
  assert.equal(greet("Ada"), "Bonjour, Ada !");
});
