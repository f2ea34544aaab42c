#!/usr/bin/env node
// npm run demo (after the build): copies examples/hello-mission into a fresh git repo in the temp
// dir, runs `orch validate` and `orch status` on it through the built CLI, then the main job,
// `orch run` with the demo model (src/demo/main.ts); then examples/ladder-mission, whose run shows
// the ladder: a split, and a question the demo answers with `orch answer`. The repos are kept, to
// look at. Exits non-zero on failure.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.join(root, "dist", "bin", "orch.js");
const { prepareDemo, runDemo, runLadderDemo } = await import("../dist/demo/main.js");
const dir = prepareDemo();
console.log(`example mission copied to ${dir}\n`);
let failed = false;
for (const args of [["validate"], ["status"]]) {
  console.log(`$ orch ${args.join(" ")}`);
  const r = spawnSync(process.execPath, [cli, ...args, "--dir", dir], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`orch ${args.join(" ")} exited with ${r.status ?? r.signal}`);
    failed = true;
    break;
  }
  console.log("");
}
if (!failed) {
  console.log("$ orch run   # with the demo model\n");
  if (runDemo(dir) !== 0) failed = true;
}
// The second mission: the self-healing ladder (a split, and a question a person answers).
if (!failed) {
  console.log("\n==========\n");
  if (runLadderDemo(prepareDemo(path.dirname(dir), "ladder-mission")) !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
