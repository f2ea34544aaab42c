import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const usage = readme.split(/^## Usage\s*$/m)[1]?.split(/^## /m)[0] ?? "";
const blocks = [...usage.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1].trimEnd());

test("README has a Usage section with an example per function", () => {
  for (const name of ["words", "slugify", "titleCase"]) assert.ok(blocks.some((b) => b.includes(`${name}(`)), `no example for ${name}`);
});

test("every example evaluates to the result its comment promises", async () => {
  for (const [i, block] of blocks.entries()) {
    const lines = block.split("\n");
    const m = /^(.*?);?\s*\/\/ → (.*)$/.exec(lines.pop());
    assert.ok(m, `example ${i + 1}: the last line must end with // → <expected JSON>`);
    const file = `${root}.readme-example-${i}.mjs`;
    writeFileSync(file, `${lines.join("\n")}\nexport default (${m[1]});\n`);
    try {
      const { default: got } = await import(pathToFileURL(file).href);
      assert.deepEqual(got, JSON.parse(m[2]), `example ${i + 1}`);
    } finally {
      rmSync(file, { force: true });
    }
  }
});
