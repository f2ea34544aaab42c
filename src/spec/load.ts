// The I/O edge of spec/: reads config, TODO.md and task files safely, then builds the mission.
// Bad content never throws: it becomes a Problem, and the mission is not acted on.
import { open, readdir, realpath, lstat } from "node:fs/promises";
import { isUtf8 } from "node:buffer";
import path from "node:path";
import type { Problem } from "../util/errors.js";
import type { Mission } from "./model.js";
import { ConfigSchema, DEFAULT_CONFIG, type Config } from "./config.js";
import { buildMission, leavesRepo, type SpecCache, type TaskFileText } from "./mission.js";
import { configProblems } from "./config-problems.js";

/** Size limits: larger files are refused as a problem rather than read. */
export const LIMITS = { todoBytes: 8 * 1024 * 1024, taskFileBytes: 1024 * 1024, configBytes: 1024 * 1024 };

/** Where the config lives, relative to the repo root. */
export const CONFIG_PATH = ".orchestrator/config.json";

type Read = { text: string } | { problem: Problem } | { missing: true };

/** Reads a user file under root: refuses paths or symlinks leaving root, huge, binary and non-UTF-8 files. */
export async function readUserFile(rootReal: string, rel: string, maxBytes: number): Promise<Read> {
  const file = rel.split(path.sep).join("/");
  const bad = (code: string, message: string, hint: string, line = 0): Read => ({
    problem: { code, severity: "error", file, line, col: line ? 1 : 0, message, hint },
  });
  if (leavesRepo(rel)) return bad("path-outside", `${file} is outside the repository`, "Use a path relative to the repo root, without `..`.");
  const abs = path.join(rootReal, rel);
  let fh;
  try {
    const st = await lstat(abs);
    if (st.isSymbolicLink()) {
      const target = await realpath(abs).catch(() => undefined);
      if (!target) return bad("broken-symlink", `${file} is a symlink to nothing`, "Point it at a file inside the repository or replace it with a file.");
      if (!inside(rootReal, target)) return bad("symlink-outside", `${file} is a symlink leading outside the repository (${target})`, "orch only reads files inside the repository; copy the file in instead.");
    }
    fh = await open(abs, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { missing: true };
    return bad("unreadable", `${file} cannot be read: ${(e as Error).message}`, "Check the file's permissions.");
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return bad("not-a-file", `${file} is not a regular file`, "Replace it with a markdown file.");
    if (st.size > maxBytes)
      return bad("too-large", `${file} is ${st.size} bytes, over the ${maxBytes}-byte limit`, "Split it up; orch refuses very large files.");
    const buf = await fh.readFile();
    return decode(buf, file, bad);
  } finally {
    await fh.close();
  }
}

function decode(buf: Buffer, file: string, bad: (c: string, m: string, h: string, line?: number) => Read): Read {
  const nul = buf.indexOf(0);
  if (nul !== -1) return bad("binary", `${file} looks binary (a NUL byte at offset ${nul})`, "orch reads only UTF-8 text files.", lineAt(buf, nul));
  if (!isUtf8(buf)) {
    const at = firstInvalidUtf8(buf);
    return bad("not-utf8", `${file} is not valid UTF-8 (byte ${at})`, "Re-save the file as UTF-8.", lineAt(buf, at));
  }
  return { text: buf.toString("utf8").replace(/^\uFEFF/, "") };
}

function lineAt(buf: Buffer, offset: number): number {
  let line = 1;
  for (let i = buf.indexOf(10); i !== -1 && i < offset; i = buf.indexOf(10, i + 1)) line++;
  return line;
}

function firstInvalidUtf8(buf: Buffer): number {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i]!;
    const n = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (((buf[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return buf.length;
}

function inside(rootReal: string, p: string): boolean {
  const rel = path.relative(rootReal, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** Reads .orchestrator/config.json; a missing file means the defaults. */
export async function loadConfig(root: string): Promise<{ config: Config; problems: Problem[] }> {
  const rootReal = await realpath(root);
  const r = await readUserFile(rootReal, CONFIG_PATH, LIMITS.configBytes);
  if ("missing" in r) return { config: DEFAULT_CONFIG, problems: [] };
  if ("problem" in r) return { config: DEFAULT_CONFIG, problems: [r.problem] };
  const problems = configProblems(r.text, CONFIG_PATH);
  if (problems.length) return { config: DEFAULT_CONFIG, problems };
  return { config: ConfigSchema.parse(JSON.parse(r.text)), problems: [] };
}

/** Reads TODO.md and the task files and builds the mission. Never throws on bad content. */
export async function loadMission(root: string, config: Config, cache?: SpecCache): Promise<Mission> {
  const rootReal = await realpath(root);
  const todoFile = config.todo.split(path.sep).join("/");
  const todo = await readUserFile(rootReal, config.todo, LIMITS.todoBytes);
  const taskRead = await readTaskFiles(rootReal, config.tasksDir);
  if (!("text" in todo)) {
    const problem: Problem =
      "problem" in todo
        ? todo.problem
        : { code: "missing-todo", severity: "error", file: todoFile, line: 0, col: 0, message: `${todoFile} not found`, hint: "Run `orch init` to create it, or pass --dir to point at your repository." };
    return { root: rootReal, todoFile, tasks: [], problems: [problem, ...taskRead.problems] };
  }
  const mission = buildMission(rootReal, todoFile, todo.text, taskRead.files, config, cache);
  mission.problems.push(...taskRead.problems, ...(await scopeSymlinkProblems(rootReal, mission)));
  return mission;
}

async function readTaskFiles(rootReal: string, tasksDir: string): Promise<{ files: TaskFileText[]; problems: Problem[] }> {
  const problems: Problem[] = [];
  const dirRel = tasksDir.split(path.sep).join("/").replace(/\/+$/, "");
  if (leavesRepo(dirRel)) {
    problems.push({ code: "path-outside", severity: "error", file: dirRel, line: 0, col: 0, message: `tasks folder ${dirRel} is outside the repository`, hint: "Set tasksDir to a folder inside the repo." });
    return { files: [], problems };
  }
  const dirAbs = path.join(rootReal, dirRel);
  const dirReal = await realpath(dirAbs).catch(() => undefined);
  if (!dirReal) return { files: [], problems };
  if (!inside(rootReal, dirReal)) {
    problems.push({ code: "symlink-outside", severity: "error", file: dirRel, line: 0, col: 0, message: `tasks folder ${dirRel} leads outside the repository`, hint: "Make it a real folder inside the repo." });
    return { files: [], problems };
  }
  const entries = await readdir(dirAbs, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.toLowerCase().endsWith(".md")).map((e) => e.name).sort();
  const reads = await Promise.all(names.map((n) => readUserFile(rootReal, `${dirRel}/${n}`, LIMITS.taskFileBytes)));
  const files: TaskFileText[] = [];
  reads.forEach((r, i) => {
    if ("text" in r) files.push({ path: `${dirRel}/${names[i]}`, text: r.text });
    else if ("problem" in r) problems.push(r.problem);
  });
  return { files, problems };
}

// A scope glob whose fixed prefix is a symlink out of the repo would let an agent write outside it.
async function scopeSymlinkProblems(rootReal: string, mission: Mission): Promise<Problem[]> {
  const problems: Problem[] = [];
  const seen = new Map<string, Promise<string | undefined>>();
  for (const t of mission.tasks) {
    for (const g of t.files) {
      if (leavesRepo(g)) continue;
      const fixed: string[] = [];
      for (const seg of g.split("/")) {
        if (/[*?[\]{}!]/.test(seg)) break;
        fixed.push(seg);
      }
      const prefix = fixed.join("/");
      if (!prefix) continue;
      if (!seen.has(prefix)) seen.set(prefix, realpath(path.join(rootReal, prefix)).catch(() => undefined));
      const real = await seen.get(prefix);
      if (real && !inside(rootReal, real))
        problems.push({ code: "scope-outside", severity: "error", file: t.file ?? mission.todoFile, line: t.file ? 1 : t.line, col: 1, message: `scope "${g}" leads outside the repository through a symlink (${real})`, hint: "Scope globs must stay inside the repo; remove the symlink or the glob." });
    }
  }
  return problems;
}
