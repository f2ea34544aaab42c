// The I/O edge of spec/: reads config, TODO.md and task files safely, then builds the mission.
// Bad content never throws: it becomes a Problem (what an error holds, one task or the mission: held.ts).
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readFileSync, realpathSync, type Dirent } from "node:fs";
import { isUtf8 } from "node:buffer";
import path from "node:path";
import type { Problem } from "../util/index.js";
import type { Mission } from "./model.js";
import { DEFAULT_CONFIG, type Config } from "./config.js";
import { buildMission, leavesRepo, type SpecCache, type TaskFileText } from "./mission.js";
import { parseConfig } from "./config-problems.js";

function realpathOrUndefined(p: string): string | undefined {
  try {
    return realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/** The folder's entries (none when it cannot be read); one syscall, so synchronous. */
function readdirOrEmpty(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Size limits: larger files are refused as a problem rather than read. */
export const LIMITS = { todoBytes: 8 * 1024 * 1024, taskFileBytes: 1024 * 1024, configBytes: 1024 * 1024 };

/** Where the config lives, relative to the repo root. */
export const CONFIG_PATH = ".orchestrator/config.json";

type Read = { text: string } | { problem: Problem } | { missing: true };

/**
 * Reads a user file under root: refuses paths or symlinks leaving root, huge, binary and
 * non-UTF-8 files. (Synchronous inside: see readUserFileSync.)
 */
async function readUserFile(rootReal: string, rel: string, maxBytes: number): Promise<Read> {
  return readUserFileSync(rootReal, rel, maxBytes);
}

/** readUserFile's synchronous twin; `regular` (from a dirent) skips the symlink check. */
export function readUserFileSync(rootReal: string, rel: string, maxBytes: number, regular = false): Read {
  const file = rel.split(path.sep).join("/");
  const bad = (code: string, message: string, hint: string, line = 0): Read => ({
    problem: { code, severity: "error", file, line, col: line ? 1 : 0, message, hint },
  });
  if (leavesRepo(rel)) return bad("path-outside", `${file} is outside the repository`, "Use a path relative to the repo root, without `..`.");
  const abs = path.join(rootReal, rel);
  let fd: number;
  try {
    if (!regular && lstatSync(abs).isSymbolicLink()) {
      let target: string;
      try {
        target = realpathSync(abs);
      } catch {
        return bad("broken-symlink", `${file} is a symlink to nothing`, "Point it at a file inside the repository or replace it with a file.");
      }
      if (!inside(rootReal, target)) return bad("symlink-outside", `${file} is a symlink leading outside the repository (${target})`, "orch only reads files inside the repository; copy the file in instead.");
    }
    fd = openSync(abs, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { missing: true };
    return bad("unreadable", `${file} cannot be read: ${(e as Error).message}`, "Check the file's permissions.");
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return bad("not-a-file", `${file} is not a regular file`, "Replace it with a markdown file.");
    if (st.size > maxBytes) return bad("too-large", `${file} is ${st.size} bytes, over the ${maxBytes}-byte limit`, "Split it up; orch refuses very large files.");
    return decode(readFileSync(fd), file, bad);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads TODO.md. orch's own writer swaps the file in two steps (move aside, link ours in: see
 * store/todo-writer.ts), so for a few microseconds it may be absent; look again before calling
 * it missing.
 */
async function readTodo(rootReal: string, file: string): Promise<Read> {
  for (let attempt = 0; ; attempt++) {
    const r = await readUserFile(rootReal, file, LIMITS.todoBytes);
    if (!("missing" in r) || attempt === 3) return r;
    await new Promise((resolve) => setTimeout(resolve, 5));
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
  const rootReal = realpathSync.native(root); // one syscall (the loop runs this on every pass)
  const r = await readUserFile(rootReal, CONFIG_PATH, LIMITS.configBytes);
  if ("missing" in r) return { config: DEFAULT_CONFIG, problems: [] };
  if ("problem" in r) return { config: DEFAULT_CONFIG, problems: [r.problem] };
  // The loop reads the config on every pass; the same text parses to the same config.
  if (lastConfig?.text !== r.text) lastConfig = { text: r.text, parsed: parseConfig(r.text, CONFIG_PATH) };
  const parsed = lastConfig.parsed;
  return parsed.config ? { config: parsed.config, problems: [] } : { config: DEFAULT_CONFIG, problems: parsed.problems };
}

/** The last config text parsed, and what it parsed to (Config values are never changed in place). */
let lastConfig: { text: string; parsed: ReturnType<typeof parseConfig> } | undefined;

/** Options of loadMission. */
export interface LoadOptions {
  /** Memo across loads (parses by content); required for `changed`. */
  cache?: SpecCache;
  /**
   * Paths (relative to root, or absolute) known to have changed since the last load with this
   * cache, e.g. from a file watcher: only they are re-read. Omit it to re-read everything.
   */
  changed?: readonly string[];
}

/** Reads TODO.md and the task files and builds the mission. Never throws on bad content. */
export async function loadMission(root: string, config: Config, options: LoadOptions | SpecCache = {}): Promise<Mission> {
  const { cache, changed } = "todo" in options && "taskFiles" in options ? { cache: options as SpecCache, changed: undefined } : (options as LoadOptions);
  const rootReal = realpathSync.native(root); // one syscall (the loop runs this on every pass)
  const todoFile = config.todo.split(path.sep).join("/");
  const last = changed && cache?.last;
  const dirRel = config.tasksDir.split(path.sep).join("/").replace(/\/+$/, "");
  // Watchers report absolute paths (under root or its real path) or relative ones: compare relative.
  const rel = (c: string) => {
    if (!path.isAbsolute(c)) return norm(c);
    const r = path.relative(rootReal, c);
    return norm(r.startsWith("..") ? path.relative(path.resolve(root), c) : r);
  };
  const todoChanged = !last || changed!.some((c) => rel(c) === todoFile);
  const todo: Read = todoChanged ? await readTodo(rootReal, config.todo) : { text: last.todo };
  let files: Map<string, TaskFileText>;
  let readProblems: Map<string, Problem>;
  if (last) {
    files = last.files;
    readProblems = last.readProblems;
    for (const c of changed!.map(rel)) {
      if (path.posix.dirname(c) !== dirRel || !c.toLowerCase().endsWith(".md")) continue;
      const r = await readUserFile(rootReal, c, LIMITS.taskFileBytes);
      files.delete(c);
      readProblems.delete(c);
      if ("text" in r) files.set(c, { path: c, text: r.text });
      else if ("problem" in r) readProblems.set(c, r.problem);
    }
  } else {
    const taskRead = await readTaskFiles(rootReal, config.tasksDir);
    files = new Map(taskRead.files.map((f) => [f.path, f]));
    readProblems = new Map(taskRead.problems.map((p) => [p.file, p]));
  }
  if (!("text" in todo)) {
    if (cache) cache.last = undefined;
    const problem: Problem =
      "problem" in todo
        ? todo.problem
        : { code: "missing-todo", severity: "error", file: todoFile, line: 0, col: 0, message: `${todoFile} not found`, hint: "Run `orch init` to create it, or pass --dir to point at your repository." };
    return { root: rootReal, todoFile, tasks: [], problems: [problem, ...readProblems.values()] };
  }
  if (cache) cache.last = { todo: todo.text, files, readProblems };
  const mission = buildMission(rootReal, todoFile, todo.text, [...files.values()], config, cache);
  // Scope globs come from task files; when only TODO.md changed, the symlink check cannot change.
  const scope = last && cache?.lastScope && changed!.every((c) => rel(c) === todoFile) ? cache.lastScope : await scopeSymlinkProblems(rootReal, mission);
  if (cache) cache.lastScope = scope;
  mission.problems.push(...readProblems.values(), ...scope);
  return mission;
}

const norm = (p: string) => p.split(path.sep).join("/").replace(/^\.\//, "");

async function readTaskFiles(rootReal: string, tasksDir: string): Promise<{ files: TaskFileText[]; problems: Problem[] }> {
  const problems: Problem[] = [];
  const dirRel = tasksDir.split(path.sep).join("/").replace(/\/+$/, "");
  if (leavesRepo(dirRel)) {
    problems.push({ code: "path-outside", severity: "error", file: dirRel, line: 0, col: 0, message: `tasks folder ${dirRel} is outside the repository`, hint: "Set tasksDir to a folder inside the repo." });
    return { files: [], problems };
  }
  const dirAbs = path.join(rootReal, dirRel);
  const dirReal = realpathOrUndefined(dirAbs);
  if (!dirReal) return { files: [], problems };
  if (!inside(rootReal, dirReal)) {
    problems.push({ code: "symlink-outside", severity: "error", file: dirRel, line: 0, col: 0, message: `tasks folder ${dirRel} leads outside the repository`, hint: "Make it a real folder inside the repo." });
    return { files: [], problems };
  }
  const entries = readdirOrEmpty(dirAbs);
  const md = entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.toLowerCase().endsWith(".md")).sort((a, b) => (a.name < b.name ? -1 : 1));
  const names = md.map((e) => e.name);
  // Synchronous reads in slices, yielding between them: on a busy machine, 10,000 small async reads
  // through libuv's 4-thread pool are 5-10x slower than plain sequential reads.
  const reads: Read[] = [];
  for (let i = 0; i < names.length; i += 512) {
    for (const e of md.slice(i, i + 512)) reads.push(readUserFileSync(rootReal, `${dirRel}/${e.name}`, LIMITS.taskFileBytes, e.isFile()));
    if (i + 512 < names.length) await new Promise((r) => setImmediate(r));
  }
  const files: TaskFileText[] = [];
  reads.forEach((r, i) => {
    if ("text" in r) files.push({ path: `${dirRel}/${names[i]}`, text: r.text });
    else if ("problem" in r) problems.push(r.problem);
  });
  return { files, problems };
}

// A scope glob whose fixed prefix is a symlink out of the repo would let an agent write outside it.
// Synchronous realpath: a few hundred distinct prefixes at most, and the thread pool is slower.
async function scopeSymlinkProblems(rootReal: string, mission: Mission): Promise<Problem[]> {
  const problems: Problem[] = [];
  const real = new Map<string, string | undefined>();
  for (const t of mission.tasks) {
    for (const g of t.files) {
      let target = real.get(g);
      if (!real.has(g)) real.set(g, (target = symlinkEscape(rootReal, g)));
      if (target)
        problems.push({ code: "scope-outside", severity: "error", file: t.file ?? mission.todoFile, line: t.file ? 1 : t.line, col: 1, message: `scope "${g}" leads outside the repository through a symlink (${target})`, hint: "Scope globs must stay inside the repo; remove the symlink or the glob." });
    }
  }
  return problems;
}

/**
 * Where a scope glob leads when its fixed prefix (src/a of src/a/**) is a symlink out of the
 * repository (`rootReal` is the root's real path); undefined when it stays inside or does not exist.
 */
export function symlinkEscape(rootReal: string, glob: string): string | undefined {
  const prefix = leavesRepo(glob) ? "" : fixedPrefix(glob);
  let target: string | undefined;
  try {
    target = prefix ? realpathSync(path.join(rootReal, prefix)) : undefined;
  } catch {
    target = undefined;
  }
  return target && !inside(rootReal, target) ? target : undefined;
}

/** The glob's leading path segments before any wildcard (src/a/** → src/a). */
function fixedPrefix(glob: string): string {
  const fixed: string[] = [];
  for (const seg of glob.split("/")) {
    if (/[*?[\]{}!]/.test(seg)) break;
    fixed.push(seg);
  }
  return fixed.join("/");
}
