// The planner's answer: a structured plan of small tasks. The single source of schemas/plan.schema.json;
// orch validates every answer with it (src/plan/) and re-prompts the planner with the errors.
import { z } from "zod";

/** A plan-local task name: how tasks of one plan refer to each other before orch gives them ids. */
const PLAN_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,15}$/;

/** A non-empty, one-line string (of at most `max` characters). */
const line = (what: string, max = 1000) =>
  z
    .string()
    .trim()
    .min(1, `${what} is empty`)
    .max(max, `${what} is longer than ${max} characters`)
    .regex(/^[^\r\n]*$/, `${what} must be one line`);

/** One task of a plan. */
const PlanTaskSchema = z
  .object({
    id: z.string().regex(PLAN_NAME, "must be a short name such as N1 (letters, digits, _ or -, at most 16)").describe("The task's name within this plan (N1, N2, …); orch gives the final ids"),
    title: line("title", 160).describe("One line: what the task does"),
    type: z.string().regex(/^[a-z][a-z0-9-]*$/, "must be a lower-case word such as logic, test, docs").optional().describe("Routing category: infrastructure, logic, integration, test, docs, …"),
    deps: z.array(z.string()).default([]).describe("Names of tasks of this plan, or ids of existing tasks, that must be done first"),
    files: z.array(line("a files entry")).min(1, "name the files the task may change").describe("Scope: paths or globs relative to the repository root (few; one responsibility per task)"),
    verify: z.array(line("a verify command")).min(1, "give at least one verify command").describe("Shell commands orch runs from the repository root after the work; all must exit 0"),
    body: z.string().trim().min(1, "body is empty").describe("Instructions for the worker (markdown)"),
    acceptance: z.array(line("an acceptance criterion")).min(1, "give at least one acceptance criterion").describe("What must hold when the task is done, one criterion per entry"),
  })
  .strict();
/** One planned task, as validated. */
export type PlanTask = z.output<typeof PlanTaskSchema>;

/** The planner's whole answer. */
export const PlanSchema = z
  .object({
    summary: z.string().optional().describe("One or two sentences on the approach"),
    tasks: z.array(PlanTaskSchema).min(1, "the plan has no tasks").describe("Tasks in the order they should appear in TODO.md"),
  })
  .strict();
