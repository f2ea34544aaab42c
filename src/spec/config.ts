// .orchestrator/config.json: the single zod source; schemas/config.schema.json is generated from it.
import { z } from "zod";

const permissionAction = z.enum(["allow", "deny", "ask"]);

const budgetSchema = z
  .object({
    tokens: z.number().int().positive().optional().describe("Total tokens (input+output) across all sessions of the task"),
    usd: z.number().positive().optional().describe("Total cost in US dollars"),
    minutes: z.number().positive().optional().describe("Wall time across attempts"),
    attempts: z.number().int().positive().optional().describe("Worker attempts, including fixer passes and a split task's verify once more"),
  })
  .strict();

const rung = (what: string) => z.number().int().nonnegative().optional().describe(`${what} (0: never)`);

/** The self-healing ladder (docs/RECONCILER.md, "The ladder"): after how many failed attempts each rung comes. */
const ladderSchema = z
  .object({
    search: rung("After this failed attempt, a searcher session finds similar code, usages and tests, and the next fixer is given its findings"),
    split: rung("After this many failed attempts, the planner splits the task into subtasks (nested under it in TODO.md); the task then runs its own verify once more"),
    ask: rung("After this many failed attempts, the task waits for a person: a question in .orchestrator/inbox/<id>.md, answered there or with `orch answer`"),
    maxSplitDepth: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe("How deep splits nest: a task with this many split ancestors skips the split rung and goes on to ask a person (default 1: a subtask a split wrote is not split again; 0: no split)"),
  })
  .strict();

export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    todo: z.string().default("TODO.md").describe("Path of the task list, relative to the repo root"),
    tasksDir: z.string().default("tasks").describe("Folder of task files <id>.md, relative to the repo root"),
    idPrefix: z.string().regex(/^[A-Z][A-Z0-9]*$/).default("T").describe("Prefix of task ids orch assigns (T → T1, T2, …)"),
    concurrency: z
      .object({
        total: z.number().int().positive().default(4),
        perRole: z.record(z.string(), z.number().int().positive()).default({}).describe("Limit per role, e.g. { reviewer: 2 }"),
        verify: z.number().int().positive().optional().describe("Tasks running their verify commands at once (default: total)"),
      })
      .strict()
      .prefault({}),
    models: z
      .object({
        default: z.string().optional().describe("provider/model used when nothing more specific matches. None by default: orch run then needs --demo, a model in .orchestrator/opencode.json, or a --server (its own default model is used)"),
        byType: z.record(z.string(), z.string()).default({}).describe("Task type → model"),
        byRole: z.record(z.string(), z.string()).default({}).describe("Role → model (e.g. a cheap model for planner and searcher)"),
      })
      .strict()
      .prefault({}),
    verify: z
      .object({
        commands: z.array(z.string()).default([]).describe("Verify commands for tasks whose file names none"),
        timeoutSec: z.number().positive().default(600),
      })
      .strict()
      .prefault({}),
    review: z
      .object({
        enabled: z.boolean().default(true),
        maxInvalidVerdicts: z.number().int().nonnegative().default(2).describe("Re-prompts when the reviewer's verdict is not valid JSON"),
      })
      .strict()
      .prefault({}),
    plan: z
      .object({
        maxTasks: z.number().int().positive().max(1000).default(50).describe("Most tasks one `orch plan` (or a split) may add; a larger plan is sent back to the planner, then refused"),
        maxRetries: z.number().int().nonnegative().max(10).default(2).describe("Re-prompts, in the same session, when the planner's answer is not a valid plan"),
      })
      .strict()
      .prefault({})
      .describe("The planner (`orch plan`)"),
    retry: z
      .object({
        baseMs: z.number().int().positive().default(2_000),
        maxMs: z.number().int().positive().default(300_000),
        jitter: z.number().min(0).max(1).default(0.2),
      })
      .strict()
      .prefault({}),
    budget: budgetSchema.default({ attempts: 5 }).describe("Default per-task budget"),
    ladder: ladderSchema
      .default({ search: 3, split: 4, ask: 5 })
      .describe("What follows a failed attempt besides a fixer: which rungs, after how many failures; a task's `ladder:` overrides single keys. A rung past budget.attempts is never reached (the task fails at its budget)"),
    missionBudget: z
      .object({
        tokens: z.number().int().positive().optional().describe("Total tokens (input+output+reasoning) across every task's sessions, recorded and running"),
        usd: z.number().positive().optional().describe("Total cost in US dollars across every task"),
        minutes: z.number().positive().optional().describe("Wall time since this `orch run` / `orch watch` started"),
      })
      .strict()
      .prefault({})
      .describe("Budget of the whole mission, a hard stop: once reached no attempt starts and running ones are aborted; orch run exits 5, orch watch waits for a higher budget"),
    doomLoop: z
      .object({
        repeats: z.number().int().min(2).default(5).describe("The same tool call (same tool, same input) this many times in one session aborts it with error doom-loop"),
      })
      .strict()
      .prefault({}),
    stallSec: z.number().positive().default(300).describe("A running session with no progress for this long is aborted and retried"),
    onEdit: z.enum(["finish-then-rerun", "cancel-and-restart"]).default("finish-then-rerun").describe("What an edit to a running task does"),
    outOfScope: z
      .enum(["fail", "warn", "allow"])
      .default("fail")
      .describe("What a change outside a task's files: scope does: fail the attempt, warn (history and output), or allow"),
    circuitBreaker: z
      .object({
        failures: z.number().int().positive().default(5),
        cooldownSec: z.number().positive().default(30),
      })
      .strict()
      .prefault({}),
    permissions: z
      .record(z.string(), permissionAction)
      .default({ edit: "allow", bash: "allow", webfetch: "deny", external_directory: "deny", doom_loop: "deny", task: "deny" })
      .describe("OpenCode permission kind → allow | deny | ask (ask: the task waits for a person)"),
    sandbox: z
      .enum(["auto", "required", "off"])
      .default("auto")
      .describe("Confine the OpenCode server orch starts and every verify command (bubblewrap): they write only the workspace, the server's home and a private /tmp. auto: when available, else say so once; required: refuse to start without it; off: unconfined"),
    runtime: z
      .enum(["auto", "opencode1", "opencode2"])
      .default("auto")
      .describe("Which OpenCode orch speaks. auto: the version of the binary orch starts (opencode-linux-x64, else `opencode` on PATH), or of what a --server/server.url answers; opencode1: OpenCode 1.x; opencode2: OpenCode 2.x (orch starts @opencode/cli-<platform> when installed, else an `opencode` 2.x on PATH)"),
    server: z
      .object({
        url: z.string().url().optional().describe("A running `opencode serve`; when absent orch starts its own"),
        password: z.string().optional().describe("Password of the server at url (HTTP basic auth, user opencode); OpenCode 2 prints it as it starts"),
      })
      .strict()
      .prefault({}),
    git: z
      .object({
        commit: z.enum(["off", "task"]).default("task").describe("task: commit each succeeded task (its files, its checked box, its records); off: commit nothing"),
        workspaces: z
          .boolean()
          .default(true)
          .describe("true: each attempt runs in its own git workspace (a clone in .orchestrator/worktrees/slot-<n>, branch orch/<id>) and a success is merged into the branch checked out when the run started, as one commit; false: attempts share the person's checkout"),
      })
      .strict()
      .prefault({}),
    context: z
      .object({
        tokenBudget: z.number().int().positive().default(6_000),
        nativePool: z.number().int().positive().default(1),
      })
      .strict()
      .prefault({}),
    lease: z
      .object({
        ttlSec: z.number().positive().default(15),
      })
      .strict()
      .prefault({}),
    watch: z
      .object({
        debounceMs: z.number().int().nonnegative().default(30),
      })
      .strict()
      .prefault({}),
    notify: z
      .object({
        command: z
          .array(z.string().min(1))
          .min(1)
          .describe("Program and arguments, run without a shell, with the event as JSON on stdin (e.g. [\"notify-send\", \"orch\"] or a webhook caller)"),
        on: z
          .array(z.enum(["failed", "waiting", "done"]))
          .default(["failed", "waiting", "done"])
          .describe("failed: a task failed for good; waiting: a task waits for a person's approval; done: every task is done"),
      })
      .strict()
      .optional()
      .describe("A command orch runs (watch and run) when something needs a person"),
  })
  .strict();

/** Config with every default filled in. */
export type Config = z.output<typeof ConfigSchema>;

/** The defaults, as a value. */
export const DEFAULT_CONFIG: Config = ConfigSchema.parse({});

/** The per-task budget object, shared with the task-file schema. */
export const BudgetSchema = budgetSchema;

/** The ladder object, shared with the task-file schema. */
export const LadderSchema = ladderSchema;
