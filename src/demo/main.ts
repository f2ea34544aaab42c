// `npm run demo`: copies the example mission to a fresh git repo and runs `orch run` on it with
// the demo model (`--demo`: scripted, offline; not a language model), then shows the checked TODO.md.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../util/index.js";

const pkgRoot = packageRoot();
/** The CLI as users run it: the bundle `npm run build` writes. */
const cli = path.join(pkgRoot, "dist", "bin", "orch.js");

/** Copies the example mission into a fresh git repo (one commit) under `target`; returns its folder. */
export function prepareDemo(target = mkdtempSync(path.join(tmpdir(), "orch-demo-"))): string {
  const dir = path.join(target, "hello-mission");
  cpSync(path.join(pkgRoot, "examples", "hello-mission"), dir, { recursive: true });
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=demo@orch", "-c", "user.name=orch demo", "commit", "-qm", "example mission");
  return dir;
}

/** Runs the demo in `dir` (by default a fresh one); resolves to the exit code of `orch run`. */
export function runDemo(dir = prepareDemo()): number {
  process.stdout.write(`orch demo: ${dir}\nModel: orch-demo/scripted, the DEMO model (a scripted, offline stand-in that writes known solutions; not an LLM).\n\n`);
  const run = spawnSync(process.execPath, [cli, "run", "--demo", "--dir", dir], { stdio: "inherit" });
  process.stdout.write(`\n--- ${path.join(dir, "TODO.md")} ---\n${readFileSync(path.join(dir, "TODO.md"), "utf8")}`);
  process.stdout.write(`\nTry: node ${cli} status --dir ${dir}\n     git -C ${dir} log --stat   (one commit per task)\n`);
  return run.status ?? 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = runDemo(prepareDemo(process.argv[2]));
