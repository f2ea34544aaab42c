import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/strkit.js", import.meta.url));
const run = (...args) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

test("slug, title and words subcommands", () => {
  assert.equal(run("slug", "Hello,", "World!").stdout, "hello-world\n");
  assert.equal(run("title", "war and peace").stdout, "War and Peace\n");
  assert.equal(run("words", "fooBar baz").stdout, "foo\nBar\nbaz\n");
});

test("usage error exits 2", () => {
  const r = run("shout", "x");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage: strkit slug\|title\|words/);
});
