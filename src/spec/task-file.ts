// tasks/<id>.md → front matter (gray-matter, validated by zod) + instructions body. Pure.
import matter from "gray-matter";
import { z } from "zod";
import type { Problem } from "../util/index.js";
import { ROLES } from "./model.js";
import { BudgetSchema, LadderSchema } from "./config.js";
import { ID_PATTERN, nearest } from "./ids.js";
import { fastFrontMatter } from "./front-matter.js";

const idSchema = z.string().regex(new RegExp(`^${ID_PATTERN}$`), "must be a task id like T12");
const oneOrMany = <T extends z.ZodType>(s: T) => z.union([s, z.array(s)]);

/** Front matter of a task file: the single source of schemas/task-file.schema.json. */
export const TaskFrontMatterSchema = z
  .object({
    id: idSchema.optional().describe("Must equal the file name without .md"),
    title: z.string().optional().describe("Used when the TODO line has none; the TODO line wins"),
    deps: oneOrMany(idSchema).optional().describe("Ids this task waits for; merged with the TODO line's (after …)"),
    type: z.string().optional().describe("Routing category, e.g. infrastructure, logic, integration, test, docs"),
    role: z.enum(ROLES as unknown as [string, ...string[]]).optional().describe("Role of the agent that does the work"),
    agent: z.string().optional().describe("OpenCode agent name override"),
    model: z.string().optional().describe("provider/model override"),
    priority: z.number().int().optional().describe("Higher runs first among ready tasks (default 0)"),
    files: oneOrMany(z.string()).optional().describe("Scope globs relative to the repo root; must stay inside it"),
    verify: oneOrMany(z.string()).optional().describe("Commands run by orch after the worker; all must exit 0"),
    approval: z.enum(["auto", "ask", "deny"]).optional().describe("Permission policy for this task's sessions"),
    budget: BudgetSchema.optional().describe("Per-task limits; missing fields fall back to config.budget"),
    ladder: LadderSchema.optional().describe("Per-task ladder (after how many failures a searcher, a split, a person); missing fields fall back to config.ladder"),
    suspend: z.boolean().optional().describe("true: orch leaves the task alone (a running session is stopped)"),
    allowEmpty: z.boolean().optional().describe("true: the task may succeed without changing a file (an empty diff)"),
    editsTests: z.boolean().optional().describe("true: the task may change the files its verify commands name (its job is to write the tests); by default they are protected"),
  })
  .strict();
/** Front matter as written. */
type TaskFrontMatter = z.infer<typeof TaskFrontMatterSchema>;
/** Every key a task file may use (for "did you mean" hints). */
const TASK_FILE_KEYS = Object.keys(TaskFrontMatterSchema.shape);

/** A parsed task file. `data` is undefined when the front matter could not be read. */
export interface TaskFileParse {
  data?: TaskFrontMatter;
  /** Instructions: the text after the front matter, trimmed. */
  body: string;
  problems: Problem[];
  /** 1-based line of each top-level front-matter key (for positions in later checks). */
  keyLines: Record<string, number>;
}

/** Parses one task file. Pure; never throws. */
export function parseTaskFile(text: string, file: string): TaskFileParse {
  const problems: Problem[] = [];
  const src = text.replace(/^\uFEFF/, "");
  if (src.trim() === "") {
    problems.push(problem("empty-file", file, 0, 0, "task file is empty", "Write the task's instructions, or delete the file."));
    return { body: "", problems, keyLines: {} };
  }
  let parsed: { data: unknown; content: string; keyLines?: Record<string, number> };
  try {
    // Options object: gray-matter caches by content only when called without options.
    parsed = fastFrontMatter(src) ?? matter(src, { language: "yaml" });
  } catch (err) {
    const mark = (err as { mark?: { line?: number; column?: number } }).mark;
    const reason = (err as { reason?: string }).reason ?? (err as Error).message.split("\n")[0];
    problems.push(
      problem(
        "invalid-yaml",
        file,
        mark?.line !== undefined ? mark.line + 2 : 1,
        (mark?.column ?? 0) + 1,
        `invalid YAML in front matter: ${reason}`,
        "Fix the YAML between the --- lines (quote values containing ':' or '#').",
      ),
    );
    return { body: "", problems, keyLines: {} };
  }
  const keyLines = parsed.keyLines ?? frontMatterKeyLines(src);
  const body = parsed.content.trim();
  const raw: unknown = parsed.data ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push(problem("invalid-front-matter", file, 2, 1, "front matter must be a YAML mapping (key: value lines)", "Write one `key: value` per line."));
    return { body, problems, keyLines };
  }
  const result = TaskFrontMatterSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(issueProblem(issue, file, src, keyLines));
    return { body, problems, keyLines };
  }
  return { data: result.data, body, problems, keyLines };
}

function issueProblem(issue: z.core.$ZodIssue, file: string, src: string, keyLines: Record<string, number>): Problem {
  const top = String(issue.path[0] ?? "");
  if (issue.code === "unrecognized_keys") {
    const parentKeys = issue.path.length === 0 ? TASK_FILE_KEYS : Object.keys(BudgetSchema.shape);
    const key = issue.keys[0]!;
    const near = nearest(key, parentKeys);
    const line = issue.path.length === 0 ? keyLines[key] ?? 1 : nestedKeyLine(src, keyLines[top], key);
    return problem(
      "unknown-key",
      file,
      line,
      1,
      `unknown key "${issue.keys.join('", "')}"${issue.path.length ? ` in ${issue.path.join(".")}` : ""}`,
      near ? `Did you mean "${near}"?` : `Known keys: ${parentKeys.join(", ")}.`,
    );
  }
  const where = issue.path.join(".");
  const line = issue.path.length > 1 && typeof issue.path[1] === "string"
    ? nestedKeyLine(src, keyLines[top], issue.path[1])
    : keyLines[top] ?? 1;
  return problem("invalid-field", file, line, 1, `${where || "front matter"}: ${issue.message}`, hintFor(top));
}

function hintFor(key: string): string {
  const shape = TaskFrontMatterSchema.shape as Record<string, z.ZodType>;
  const desc = shape[key]?.description;
  return desc ? `${key}: ${desc}.` : "See docs/FORMAT.md for the task-file fields.";
}

/** Line of each top-level key in the front matter (the file's first line is `---`). */
function frontMatterKeyLines(src: string): Record<string, number> {
  const close = src.indexOf("\n---", 3);
  const lines = (close === -1 ? src : src.slice(0, close + 4)).split(/\r?\n/);
  const out: Record<string, number> = {};
  if (!/^---\s*$/.test(lines[0] ?? "")) return out;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^(---|\.\.\.)\s*$/.test(l)) break;
    const m = /^([^\s#:][^:]*?)\s*:/.exec(l);
    if (m && !(m[1]! in out)) out[m[1]!.replace(/^["']|["']$/g, "")] = i + 1;
  }
  return out;
}

function nestedKeyLine(src: string, parentLine: number | undefined, key: string): number {
  if (parentLine === undefined) return 1;
  const lines = src.split(/\r?\n/);
  for (let i = parentLine; i < lines.length && /^\s/.test(lines[i]!); i++) {
    if (new RegExp(`^\\s+${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*:`).test(lines[i]!)) return i + 1;
  }
  return parentLine;
}

function problem(code: string, file: string, line: number, col: number, message: string, hint: string): Problem {
  return { code, severity: "error", file, line, col, message, hint };
}

/** Normalises a string-or-list field to a list. */
export function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
