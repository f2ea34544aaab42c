#!/usr/bin/env node
// npm run demo (after the build): copies examples/hello-mission to a temp dir and runs
// `orch validate` and `orch status` on it through the built CLI. Exits non-zero on failure.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.join(root, "dist", "bin", "orch.js");
const dir = mkdtempSync(path.join(tmpdir(), "orch-demo-"));
let failed = false;
try {
  cpSync(path.join(root, "examples", "hello-mission"), dir, { recursive: true });
  console.log(`example mission copied to ${dir}\n`);
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
} finally {
  rmSync(dir, { recursive: true, force: true });
}
// Then the main job, end to end: `orch run` on a fresh copy with the demo model (src/demo/main.ts).
if (!failed) {
  console.log("$ orch run   # with the demo model\n");
  const { runDemo } = await import("../dist/demo/main.js");
  if (runDemo() !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
