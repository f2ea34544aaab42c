// A user's first hour with the built CLI: --version, what `orch init` writes, `orch run` outside a
// project, and task ids that name no task (exit 2 in every command that takes ids).
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runOrch } from "../support/cli.js";

const tmp = () => mkdtempSync(path.join(tmpdir(), "orch-first-hour-"));
const PKG = JSON.parse(readFileSync(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8")) as { version: string };

/** A mission with tasks T1 and T2, after `orch init`. */
async function mission(): Promise<string> {
  const dir = tmp();
  expect((await runOrch(["init", "--dir", dir])).status).toBe(0);
  return dir;
}

describe.concurrent("a user's first hour", () => {
  it("orch --version prints the package's version", async () => {
    expect(await runOrch(["--version"])).toEqual({ status: 0, stdout: `${PKG.version}\n`, stderr: "" });
  });

  it("orch init writes a config that shows the main options, per-task commits on", async () => {
    const dir = await mission();
    const config = JSON.parse(readFileSync(path.join(dir, ".orchestrator", "config.json"), "utf8"));
    expect(Object.keys(config)).toEqual(["$schema", "todo", "tasksDir", "concurrency", "verify", "review", "budget", "ladder", "git"]);
    expect(config.git).toEqual({ commit: "task" });
    expect((await runOrch(["validate", "--dir", dir])).status).toBe(0);
  });

  it("orch run and watch outside a project: say there is no TODO.md, exit 2, create nothing", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "notes.txt"), "not a mission\n");
    for (const cmd of ["run", "watch"]) {
      const r = await runOrch([cmd, "--dir", dir, "--server", "http://127.0.0.1:9"]);
      expect(r.status, cmd).toBe(2);
      expect(r.stderr).toBe(`orch: no TODO.md in ${dir}: nothing to run\n  hint: Run \`orch init\` there to create one, or pass --dir <the repository root>.\n`);
      expect(readdirSync(dir)).toEqual(["notes.txt"]);
    }
  });

  it("an id that names no task: exit 2 with the same message in log, context, retry, suspend, resume, approve, reject", async () => {
    const dir = await mission();
    for (const cmd of ["log", "context", "retry", "suspend", "resume", "approve", "reject"]) {
      const r = await runOrch([cmd, "T99", "--dir", dir]);
      expect({ cmd, status: r.status, stderr: r.stderr }).toEqual({ cmd, status: 2, stderr: "orch: no task T99 in TODO.md\n  hint: `orch status` lists the task ids.\n" });
    }
    expect(existsSync(path.join(dir, ".orchestrator", "control"))).toBe(false);
  });

  it("orch log of a task no longer in TODO.md still shows its history", async () => {
    const dir = await mission();
    const history = path.join(dir, ".orchestrator", "history");
    await import("node:fs").then((fs) => fs.mkdirSync(history, { recursive: true }));
    writeFileSync(path.join(history, "T7.jsonl"), `${JSON.stringify({ at: "2026-12-01T10:00:00.000Z", task: "T7", kind: "deleted" })}\n`);
    const r = await runOrch(["log", "T7", "--dir", dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/T7 +deleted/);
  });
});
