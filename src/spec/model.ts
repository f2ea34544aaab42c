// The desired state as plain values. Built by spec/ from TODO.md and task files; no I/O here.
import type { Problem } from "../util/index.js";

/** A task id as written in TODO.md, e.g. "T12". */
export type TaskId = string;

export type Role = "planner" | "worker" | "reviewer" | "fixer" | "searcher";
export const ROLES: readonly Role[] = ["planner", "worker", "reviewer", "fixer", "searcher"];

/** Per-task limits; any field left out falls back to config.budget. */
export interface Budget {
  tokens?: number;
  usd?: number;
  minutes?: number;
  attempts?: number;
}

/** The ladder of a task (docs/RECONCILER.md, "The ladder"): after how many failed attempts each rung comes; 0 or absent: never. */
export interface Ladder {
  search?: number;
  split?: number;
  ask?: number;
  /** How deep splits nest: a task with this many split ancestors is not split (default 1). */
  maxSplitDepth?: number;
}

/** What orch does when an agent asks for a permission on this task. */
export type ApprovalPolicy = "auto" | "ask" | "deny";

/** One task: its TODO line merged with its optional task file. */
export interface TaskSpec {
  id: TaskId;
  title: string;
  /** The checkbox as found in TODO.md. */
  checked: boolean;
  /** Inline deps (TODO line) ∪ front-matter deps, de-duplicated, in first-seen order. */
  deps: TaskId[];
  /** Parent task when this is a nested item; the parent is done only when its subtasks are. */
  parent?: TaskId;
  children: TaskId[];
  /** Heading path above the line, outermost first. */
  headings: string[];
  type?: string;
  role?: Role;
  agent?: string;
  model?: string;
  priority: number;
  /** Scope globs, relative to the repo root, validated to stay inside it. */
  files: string[];
  /** Verify commands; empty means "use config.verify.commands". */
  verify: string[];
  approval?: ApprovalPolicy;
  budget: Budget;
  /** The task's own ladder keys (front matter `ladder:`); the rest come from config.ladder. */
  ladder?: Ladder;
  suspend: boolean;
  /** The task may succeed without changing a file (front matter `allowEmpty: true`). */
  allowEmpty?: boolean;
  /** The task may change the files its verify commands name (front matter `editsTests: true`). */
  editsTests?: boolean;
  /** Markdown body of the task file: instructions and acceptance criteria. */
  body: string;
  /** Task file path relative to the root, when the task has one. */
  file?: string;
  /** Where the task's line is in TODO.md (1-based). */
  line: number;
  col: number;
  /** Hash of the task's meaning (TODO line minus checkbox, plus task file); changes on any edit. */
  generation: string;
  /**
   * Set by the loop (reconcile/desired.ts) when the task's own task file has errors: the spec is
   * its last valid one, or the TODO line alone; no start, redo or reset is decided from it.
   */
  held?: true;
}

/** The whole desired state of one repository. */
export interface Mission {
  /** Absolute repo root. */
  root: string;
  /** TODO.md path relative to root. */
  todoFile: string;
  /** Tasks in document order. */
  tasks: TaskSpec[];
  /**
   * Problems found while reading. An error in one task's own task file holds that task only
   * (spec/held.ts); any other error means the mission is not acted on.
   */
  problems: Problem[];
}
