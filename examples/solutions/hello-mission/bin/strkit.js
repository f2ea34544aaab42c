#!/usr/bin/env node
import { words, slugify, titleCase } from "../src/index.js";

const [cmd, ...rest] = process.argv.slice(2);
const text = rest.join(" ");
if (cmd === "slug") process.stdout.write(`${slugify(text)}\n`);
else if (cmd === "title") process.stdout.write(`${titleCase(text)}\n`);
else if (cmd === "words") process.stdout.write(words(text).map((w) => `${w}\n`).join(""));
else {
  process.stderr.write("usage: strkit slug|title|words <text...>\n");
  process.exitCode = 2;
}
