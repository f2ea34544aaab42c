// Table tests of what follows an attempt's setback; each row names the rule of docs/RECONCILER.md it
// pins ("The attempt" transitions, "Error classes", "Aborts").
import { describe, expect, it } from "vitest";
import { nextStep, type AttemptFacts, type NextStep, type Setback } from "../../src/reconcile/attempt-policy.js";
import type { AbortReason } from "../../src/reconcile/actions.js";
import type { SessionError } from "../../src/runtime/types.js";
import { NOW } from "./fixtures.js";

const config = { retry: { baseMs: 1000, maxMs: 60_000, jitter: 0 }, stallSec: 300 };
const at = new Date(NOW).toISOString();
/** The retry time after failure n with no jitter: baseMs·2^(n−1). */
const retryAt = (n: number) => new Date(NOW + 1000 * 2 ** (n - 1)).toISOString();
const err = (code: string, over: Partial<SessionError> = {}): Setback => ({ kind: "error", error: { code, message: `it broke (${code})`, terminal: false, infrastructure: false, ...over } });
const abort = (reason: AbortReason): Setback => ({ kind: "abort", reason });
/** The default ladder (config.ladder). */
const LADDER = { search: 3, split: 4, ask: 5 };

interface Row {
  rule: string;
  setback: Setback;
  facts: AttemptFacts;
  want: Partial<Extract<NextStep, { kind: "record" }>> | Exclude<NextStep, { kind: "record" }>;
}

const rows: Row[] = [
  // The attempt: Verifying / Reviewing fails or is rejected.
  { rule: "verify fails, attempts left → fixer pass, attempts+1", setback: { kind: "check", why: "VerifyFailed" }, facts: { attempt: 1, limit: 3 }, want: { kind: "fix", attempt: 2 } },
  { rule: "review rejected, attempts left → fixer pass", setback: { kind: "check", why: "ReviewRejected" }, facts: { attempt: 2, limit: 3 }, want: { kind: "fix", attempt: 3 } },
  { rule: "an empty diff (not allowed), attempts left → fixer pass", setback: { kind: "check", why: "EmptyDiff" }, facts: { attempt: 1, limit: 2 }, want: { kind: "fix", attempt: 2 } },
  { rule: "no attempts limit → a fixer pass each time", setback: { kind: "check", why: "VerifyFailed" }, facts: { attempt: 9 }, want: { kind: "fix", attempt: 10 } },
  {
    rule: "verify fails, attempts used → Failed VerifyFailed (terminal)",
    setback: { kind: "check", why: "VerifyFailed" },
    facts: { attempt: 3, limit: 3 },
    want: { kind: "record", phase: "Failed", reason: "VerifyFailed", message: "verify failed and the 3 attempts are used up", refund: false, patch: { lastError: { code: "VerifyFailed", message: "verify failed and the 3 attempts are used up", terminal: true, at } } },
  },
  { rule: "review rejected, attempts used → Failed ReviewRejected", setback: { kind: "check", why: "ReviewRejected" }, facts: { attempt: 2, limit: 2 }, want: { phase: "Failed", reason: "ReviewRejected", message: "review rejected and the 2 attempts are used up" } },
  { rule: "an empty diff, attempts used → Failed EmptyDiff", setback: { kind: "check", why: "EmptyDiff" }, facts: { attempt: 1, limit: 1 }, want: { phase: "Failed", reason: "EmptyDiff", message: "the worker changed no file and the 1 attempts are used up" } },
  // The ladder (docs/RECONCILER.md, "The ladder"): which rung follows a failed check, by the failures so far.
  { rule: "ladder: a failure before any rung → fixer", setback: { kind: "check", why: "VerifyFailed" }, facts: { attempt: 2, limit: 5, ladder: LADDER, splittable: true }, want: { kind: "fix", attempt: 3 } },
  { rule: "ladder: the search rung's failure → a searcher, then a fixer with its findings", setback: { kind: "check", why: "VerifyFailed" }, facts: { attempt: 3, limit: 5, ladder: LADDER, splittable: true }, want: { kind: "fix", attempt: 4, search: true } },
  { rule: "ladder: the search rung comes once (the failure after it is not a search)", setback: { kind: "check", why: "ReviewRejected" }, facts: { attempt: 4, limit: 9, ladder: { search: 3 }, splittable: true }, want: { kind: "fix", attempt: 5 } },
  { rule: "ladder: the split rung → the planner splits the task", setback: { kind: "check", why: "ReviewRejected" }, facts: { attempt: 4, limit: 5, ladder: LADDER, splittable: true }, want: { kind: "split" } },
  { rule: "ladder: split reached later (errors took attempts) still splits", setback: { kind: "check", why: "VerifyFailed" }, facts: { attempt: 3, limit: 9, ladder: { split: 2 }, splittable: true }, want: { kind: "split" } },
  { rule: "ladder: a subtask a split wrote (one split ancestor, maxSplitDepth 1 by default) skips the split rung: a fixer", setback: { kind: "check", why: "VerifyFailed" }, facts: { attempt: 4, limit: 5, ladder: LADDER, splittable: true, splitAncestors: 1 }, want: { kind: "fix", attempt: 5 } },
  { rule: "ladder: maxSplitDepth 2 lets a subtask of a split be split once more, not a third time", setback: { kind: "check", why: "VerifyFailed" }, facts: { attempt: 4, limit: 5, ladder: { ...LADDER, maxSplitDepth: 2 }, splittable: true, splitAncestors: 1 }, want: { kind: "split" } },
  { rule: "ladder: at maxSplitDepth no split (two split ancestors, depth 2)", setback: { kind: "check", why: "VerifyFailed" }, facts: { attempt: 4, limit: 5, ladder: { ...LADDER, maxSplitDepth: 2 }, splittable: true, splitAncestors: 2 }, want: { kind: "fix", attempt: 5 } },
  { rule: "ladder: maxSplitDepth 0: no task is split", setback: { kind: "check", why: "VerifyFailed" }, facts: { attempt: 4, limit: 5, ladder: { ...LADDER, maxSplitDepth: 0 }, splittable: true }, want: { kind: "fix", attempt: 5 } },
  { rule: "ladder: a task already split (or not splittable) gets a fixer at the split rung", setback: { kind: "check", why: "VerifyFailed" }, facts: { attempt: 4, limit: 5, ladder: LADDER, splittable: false }, want: { kind: "fix", attempt: 5 } },
  {
    rule: "ladder: the ask rung → WaitingForPerson (not Failed, not terminal), even with the attempts used",
    setback: { kind: "check", why: "VerifyFailed" },
    facts: { attempt: 5, limit: 5, ladder: LADDER, splittable: false },
    want: { kind: "record", phase: "WaitingForPerson", reason: "AskedPerson", message: "verify failed on attempt 5: waiting for a person's answer", refund: false, patch: { lastError: { code: "VerifyFailed", message: "verify failed on attempt 5: waiting for a person's answer", terminal: false, at }, nextAttemptAt: undefined } },
  },
  { rule: "ladder: ask before the budget's end asks at once", setback: { kind: "check", why: "EmptyDiff" }, facts: { attempt: 1, limit: 5, ladder: { ask: 1 } }, want: { phase: "WaitingForPerson", reason: "AskedPerson" } },
  { rule: "ladder: a rung past the attempt budget is never reached: Failed at the budget", setback: { kind: "check", why: "VerifyFailed" }, facts: { attempt: 2, limit: 2, ladder: LADDER, splittable: true }, want: { phase: "Failed", reason: "VerifyFailed", message: "verify failed and the 2 attempts are used up" } },
  { rule: "ladder: rungs set to 0 are off (only fixers, then Failed)", setback: { kind: "check", why: "VerifyFailed" }, facts: { attempt: 3, limit: 5, ladder: { search: 0, split: 0, ask: 0 }, splittable: true }, want: { kind: "fix", attempt: 4 } },
  { rule: "ladder: a merge conflict is a fixer's job only (no search, split or person)", setback: { kind: "check", why: "MergeConflict" }, facts: { attempt: 4, limit: 5, ladder: LADDER, splittable: true }, want: { kind: "fix", attempt: 5 } },
  // Error classes.
  {
    rule: "terminal session error → Failed TerminalError, no retry time",
    setback: err("unknown-model", { terminal: true }),
    facts: { attempt: 1, ran: 1 },
    want: { phase: "Failed", reason: "TerminalError", message: "unknown-model: it broke (unknown-model)", refund: false, patch: { lastError: { code: "unknown-model", message: "it broke (unknown-model)", terminal: true, at }, nextAttemptAt: undefined } },
  },
  { rule: "a git failure reading the diff is terminal", setback: err("diff-failed", { terminal: true }), facts: { attempt: 2, ran: 2 }, want: { phase: "Failed", reason: "TerminalError" } },
  {
    rule: "retryable error → Pending RetryableError with backoff, counts an attempt",
    setback: err("model-error"),
    facts: { attempt: 1, ran: 1 },
    want: { phase: "Pending", reason: "RetryableError", message: `model-error: it broke (model-error); retry at ${retryAt(1)}`, refund: false, quietIfWaiting: false, patch: { lastError: { code: "model-error", message: "it broke (model-error)", terminal: false, at }, nextAttemptAt: retryAt(1) } },
  },
  { rule: "backoff grows with the attempt number", setback: err("rate-limited"), facts: { attempt: 3, ran: 3 }, want: { reason: "RetryableError", patch: { lastError: { code: "rate-limited", message: "it broke (rate-limited)", terminal: false, at }, nextAttemptAt: retryAt(3) } } },
  { rule: "infrastructure error (server died mid-session) → as retryable", setback: err("server-down", { infrastructure: true }), facts: { attempt: 1, ran: 1 }, want: { phase: "Pending", reason: "RetryableError", refund: false } },
  { rule: "internal error (a bug, a failed write) → as retryable", setback: err("internal"), facts: { attempt: 1 }, want: { phase: "Pending", reason: "RetryableError", refund: false } },
  {
    rule: "server unreachable, no session ran, recorded as started → ServerUnreachable, not charged",
    setback: err("server-down", { infrastructure: true, unreachable: true }),
    facts: { attempt: 2, ran: 1 },
    want: { phase: "Pending", reason: "ServerUnreachable", message: `server-down: it broke (server-down); not charged; retry at ${retryAt(2)}`, refund: true, quietIfWaiting: false },
  },
  {
    rule: "server unreachable at the attempt's first session → ServerUnreachable, nothing to refund, quiet while waiting",
    setback: err("server-down", { infrastructure: true, unreachable: true }),
    facts: { attempt: 1, outage: true },
    want: { phase: "Pending", reason: "ServerUnreachable", refund: false, quietIfWaiting: true, patch: { lastError: { code: "server-down", message: "it broke (server-down)", terminal: false, at }, nextAttemptAt: retryAt(1) } },
  },
  { rule: "model provider unreachable after the session ran → ServerUnreachable, not charged (it answered no turn)", setback: err("provider-unreachable", { infrastructure: true, unreachable: true }), facts: { attempt: 1, ran: 1 }, want: { phase: "Pending", reason: "ServerUnreachable", refund: true } },
  { rule: "server unreachable after a session of the attempt ran (a reviewer) → charged as retryable", setback: err("server-down", { infrastructure: true, unreachable: true }), facts: { attempt: 1, ran: 1 }, want: { phase: "Pending", reason: "RetryableError", refund: false } },
  // The guard: changes an attempt may not make.
  {
    rule: "the guard: desired state changed → Failed DesiredStateChanged (terminal, no fixer, even with attempts left)",
    setback: { kind: "guard", violations: [{ kind: "desired-state", paths: ["TODO.md"], details: ["T1's box ticked"] }] },
    facts: { attempt: 1, ran: 1, limit: 3 },
    want: {
      kind: "record",
      phase: "Failed",
      reason: "DesiredStateChanged",
      message: "the attempt changed desired state, which only a person may change (T1's box ticked in TODO.md)",
      refund: false,
      patch: { lastError: { code: "DesiredStateChanged", message: "the attempt changed desired state, which only a person may change (T1's box ticked in TODO.md)", terminal: true, at }, nextAttemptAt: undefined },
    },
  },
  { rule: "the guard: an acceptance test changed → Failed AcceptanceTestChanged, the path named", setback: { kind: "guard", violations: [{ kind: "acceptance-test", paths: ["test/a.test.js"] }] }, facts: { attempt: 1, ran: 1, limit: 3 }, want: { phase: "Failed", reason: "AcceptanceTestChanged", message: "the attempt changed the acceptance tests its verify commands run (test/a.test.js); a task whose job is to write them says editsTests: true" } },
  {
    rule: "the guard: out of scope → Failed OutOfScope with the paths (no fixer: a shared checkout's paths may be a person's)",
    setback: { kind: "guard", violations: [{ kind: "out-of-scope", paths: ["a.txt", "b.txt"] }] },
    facts: { attempt: 2, ran: 2, limit: 3 },
    want: { phase: "Failed", reason: "OutOfScope", message: "the attempt changed files outside the task's files: scope (a.txt, b.txt)" },
  },
  { rule: "the guard: several kinds → all said, the first names the reason", setback: { kind: "guard", violations: [{ kind: "desired-state", paths: ["tasks/T2.md"] }, { kind: "out-of-scope", paths: ["x"] }] }, facts: { attempt: 1, ran: 1 }, want: { phase: "Failed", reason: "DesiredStateChanged", message: "the attempt changed desired state, which only a person may change (tasks/T2.md); the attempt changed files outside the task's files: scope (x)" } },
  // Aborts.
  {
    rule: "abort: stall → Stalled with backoff, attempt counted",
    setback: abort("stall"),
    facts: { attempt: 2, ran: 2 },
    want: { phase: "Stalled", reason: "NoProgress", message: `no progress for 300s; retry at ${retryAt(2)}`, refund: false, patch: { lastError: { code: "stall", message: "no progress", terminal: false, at }, nextAttemptAt: retryAt(2) } },
  },
  { rule: "abort: budget → Failed BudgetExhausted", setback: abort("budget"), facts: { attempt: 1, ran: 1 }, want: { phase: "Failed", reason: "BudgetExhausted", refund: false, patch: { lastError: { code: "budget", message: "budget used up while running", terminal: true, at } } } },
  ...(["edit", "suspend", "checked", "shutdown"] as const).map((r): Row => ({ rule: `abort: ${r} → Pending Aborted, attempt not charged`, setback: abort(r), facts: { attempt: 2, ran: 2 }, want: { phase: "Pending", reason: "Aborted", message: `aborted: ${r}`, refund: true, patch: {} } })),
  { rule: "abort of an attempt never recorded as started (outage) → Pending, nothing to refund", setback: abort("shutdown"), facts: { attempt: 1, outage: true }, want: { phase: "Pending", reason: "Aborted", refund: false } },
  { rule: "abort: deleted → nothing (the finalizer removes the record)", setback: abort("deleted"), facts: { attempt: 1, ran: 1 }, want: { kind: "none" } },
];

describe("attempt policy: what follows a setback", () => {
  it.each(rows)("$rule", ({ setback, facts, want }) => {
    const step = nextStep(setback, facts, config, NOW, 0.5);
    if (want.kind === "fix" || want.kind === "none" || want.kind === "split") expect(step).toEqual(want);
    else expect(step).toMatchObject({ kind: "record", ...want });
  });

  it("jitter spreads the retry time by ±jitter with rand (pure: same input, same output)", () => {
    const jittered = { ...config, retry: { ...config.retry, jitter: 0.5 } };
    const time = (rand: number) => {
      const s = nextStep(err("model-error"), { attempt: 1, ran: 1 }, jittered, NOW, rand);
      return s.kind === "record" ? Date.parse(s.patch.nextAttemptAt as string) - NOW : NaN;
    };
    expect([time(0), time(0.5), time(0.999)]).toEqual([500, 1000, 1499]);
    expect(time(0.25)).toBe(time(0.25));
  });

  it("an explicit undefined nextAttemptAt is in the terminal patch (it clears a pending retry)", () => {
    const s = nextStep(err("bad-credentials", { terminal: true }), { attempt: 1, ran: 1 }, config, NOW, 0);
    expect(s.kind === "record" && "nextAttemptAt" in s.patch).toBe(true);
  });
});
