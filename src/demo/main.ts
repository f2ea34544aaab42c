// `npm run demo`: copies an example mission to a fresh git repo and runs `orch run` on it with the
// demo model (`--demo`: scripted, offline; not a language model), then shows the checked TODO.md.
// The ladder's mission then shows a split and a question a person answers (`orch answer`).
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../util/index.js";

const pkgRoot = packageRoot();
/** The CLI as users run it: the bundle `npm run build` writes. */
const cli = path.join(pkgRoot, "dist", "bin", "orch.js");

/** Copies an example mission into a fresh git repo (one commit) under `target`; returns its folder. */
export function prepareDemo(target = mkdtempSync(path.join(tmpdir(), "orch-demo-")), mission = "hello-mission"): string {
  const dir = path.join(target, mission);
  cpSync(path.join(pkgRoot, "examples", mission), dir, { recursive: true });
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=demo@orch", "-c", "user.name=orch demo", "commit", "-qm", "example mission");
  return dir;
}

const orch = (dir: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args, "--dir", dir], { stdio: "inherit" }).status ?? 1;

/** Runs the demo in `dir` (by default a fresh one); resolves to the exit code of `orch run`. */
export function runDemo(dir = prepareDemo()): number {
  process.stdout.write(`orch demo: ${dir}\nModel: orch-demo/scripted, the DEMO model (a scripted, offline stand-in that writes known solutions; not an LLM).\n\n`);
  const status = orch(dir, "run", "--demo");
  process.stdout.write(`\n--- ${path.join(dir, "TODO.md")} ---\n${readFileSync(path.join(dir, "TODO.md"), "utf8")}`);
  process.stdout.write(`\nTry: node ${cli} status --dir ${dir}\n     git -C ${dir} log --stat   (one commit per task)\n`);
  return status;
}

/**
 * The ladder's demo (examples/ladder-mission): T1 is split by the planner, T2 asks a person. The first
 * run ends with T2 waiting (exit 1); the demo answers as a person would, with `orch answer`, and runs
 * again. Returns 0 when the mission is done after the answer.
 */
export function runLadderDemo(dir = prepareDemo(undefined, "ladder-mission")): number {
  process.stdout.write(`orch demo, the ladder: ${dir}\n\n$ orch run --demo\n`);
  const first = orch(dir, "run", "--demo");
  if (first !== 1) return process.stdout.write(`expected T2 to wait for a person (exit 1), got exit ${first}\n`), 1;
  const inbox = path.join(dir, ".orchestrator", "inbox", "T2.md");
  process.stdout.write(`\n--- ${inbox} (T2's question) ---\n${readFileSync(inbox, "utf8")}`);
  const answer = "French: greet() returns \"Bonjour, <name> !\"";
  process.stdout.write(`\nThe demo answers T2's question as a person would:\n$ orch answer T2 '${answer}'\n`);
  if (orch(dir, "answer", "T2", answer) !== 0) return 1;
  process.stdout.write("\n$ orch run --demo\n");
  const second = orch(dir, "run", "--demo");
  process.stdout.write(`\n--- ${path.join(dir, "TODO.md")} (T1's subtasks nested under it) ---\n${readFileSync(path.join(dir, "TODO.md"), "utf8")}\n$ orch log T1\n`);
  orch(dir, "log", "T1");
  return second;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = runDemo(prepareDemo(process.argv[2]));
