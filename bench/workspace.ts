// Workspace creation and removal (src/workspace/workspaces.ts: openWorkspace + removeWorkspace) on a
// repository of 3,000 files, p50 and p95, beside raw `git worktree add`/`remove` and raw
// `git clone --shared` + checkout + rm measured in the same run; and the disk one workspace adds.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openWorkspace, personRepo, removeWorkspace } from "../src/workspace/workspaces.js";

const FILES = 3_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const fmt = (x: number) => x.toFixed(1).padStart(7);

const root = mkdtempSync(path.join(os.tmpdir(), "orch-bench-ws-"));
const git = (cwd: string, ...a: string[]) => execFileSync("git", a, { cwd, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "b", GIT_AUTHOR_EMAIL: "b@b", GIT_COMMITTER_NAME: "b", GIT_COMMITTER_EMAIL: "b@b" } });
// 3,000 files of ~1 KB in 60 folders, as a mid-sized source tree.
for (let d = 0; d < 60; d++) {
  mkdirSync(path.join(root, "src", `m${d}`), { recursive: true });
  for (let f = 0; f < FILES / 60; f++) writeFileSync(path.join(root, "src", `m${d}`, `f${f}.ts`), `export const v${f} = ${f};\n`.repeat(30));
}
writeFileSync(path.join(root, "TODO.md"), "- [ ] T1 x\n");
writeFileSync(path.join(root, ".gitignore"), ".orchestrator/\n");
git(root, "init", "-q", "-b", "main");
git(root, "add", ".");
git(root, "commit", "-qm", "tree");
const repo = await personRepo(root);
if ("why" in repo) throw new Error(repo.why);

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const du = (p: string) => Number(execFileSync("du", ["-sk", p], { encoding: "utf8" }).split("\t")[0]) * 1024;
const scratch = path.join(root, ".orchestrator", "raw");
mkdirSync(scratch, { recursive: true });
const rows: Record<string, { create: number[]; remove: number[] }> = { "git worktree add/remove": { create: [], remove: [] }, "git clone --shared + checkout/rm": { create: [], remove: [] }, "orch workspace (open/remove)": { create: [], remove: [] } };
let disk = { worktree: 0, clone: 0, workspace: 0 };
for (let i = 0; i < ROUNDS; i++) {
  const wt = path.join(scratch, `wt${i}`);
  rows["git worktree add/remove"]!.create.push(await time(() => git(root, "worktree", "add", "-q", "-b", `raw/wt${i}`, wt, "main")));
  if (i === 0) disk.worktree = du(wt) + du(path.join(root, ".git", "worktrees"));
  rows["git worktree add/remove"]!.remove.push(await time(() => (git(root, "worktree", "remove", "--force", wt), git(root, "branch", "-q", "-D", `raw/wt${i}`))));
  const cl = path.join(scratch, `cl${i}`);
  rows["git clone --shared + checkout/rm"]!.create.push(await time(() => (git(root, "clone", "-q", "--shared", "--no-checkout", root, cl), git(cl, "checkout", "-q", "-b", "orch/x", "main"))));
  if (i === 0) disk.clone = du(cl);
  rows["git clone --shared + checkout/rm"]!.remove.push(await time(() => rmSync(cl, { recursive: true, force: true })));
  let dir = "";
  rows["orch workspace (open/remove)"]!.create.push(await time(async () => (dir = (await openWorkspace(root, "T1", repo)).dir)));
  if (i === 0) disk.workspace = du(dir);
  rows["orch workspace (open/remove)"]!.remove.push(await time(() => removeWorkspace(root, "T1", repo.top)));
}
const base = rows["git worktree add/remove"]!;
console.log(`${FILES} files, ${ROUNDS} rounds; ms (ratio to raw git worktree in this run)`);
console.log(`${"".padEnd(34)} create p50  p95      remove p50  p95`);
for (const [name, r] of Object.entries(rows)) {
  const ratio = (xs: number[], ys: number[], p: number) => `${fmt(pct(xs, p))} (${(pct(xs, p) / pct(ys, p)).toFixed(2)}x)`;
  console.log(`${name.padEnd(34)} ${ratio(r.create, base.create, 0.5)} ${ratio(r.create, base.create, 0.95)}   ${ratio(r.remove, base.remove, 0.5)} ${ratio(r.remove, base.remove, 0.95)}`);
}
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
console.log(`disk added per workspace: orch workspace ${mb(disk.workspace)}, raw clone --shared ${mb(disk.clone)}, raw worktree ${mb(disk.worktree)} (the repository's own .git: ${mb(du(path.join(root, ".git")))})`);
rmSync(root, { recursive: true, force: true });
