// Child of bench/spec.ts: one cold load (or, with "raw", a raw read of the same files) in a
// fresh process, then prints its peak RSS in bytes. Same imports in both modes.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_CONFIG } from "../src/spec/config.js";
import { loadMission } from "../src/spec/load.js";

const [dir, mode] = process.argv.slice(2);
const t = performance.now();
let tasks = 0;
if (mode === "raw") {
  readFileSync(path.join(dir!, "TODO.md"), "utf8");
  for (const n of readdirSync(path.join(dir!, "tasks"))) readFileSync(path.join(dir!, "tasks", n), "utf8");
} else {
  tasks = (await loadMission(dir!, DEFAULT_CONFIG)).tasks.length;
}
process.stdout.write(JSON.stringify({ maxRSS: process.resourceUsage().maxRSS * 1024, ms: performance.now() - t, tasks }));
