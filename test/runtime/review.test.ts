// runReview against a real server: invalid verdicts are re-prompted in the same session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reply, steps } from "../support/script.js";
import { runReview } from "../../src/runtime/review.js";
import { startHarness, type Harness } from "../support/opencode-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(steps([]));
});
afterAll(async () => h?.close());

const task = { id: "T7", title: "Add greet()", body: "Write greet.\n\n## Acceptance criteria\n\n- greet() returns a greeting\n" };

describe("runReview", () => {
  it("re-prompts an invalid verdict with the validation errors, then accepts a valid one", async () => {
    h.model.setScript(
      steps([
        { when: { role: "reviewer", user: "Review task T7" }, reply: reply.text("Looks fine to me!") },
        { when: { user: "not a valid verdict" }, reply: reply.text('```json\n{"approved": false, "summary": "greet is missing", "findings": ["greet.ts: no greet()"]}\n```') },
      ]),
    );
    const dir = h.repo();
    const out = await runReview(h.runtime, { task, diff: "+export const x = 1;\n", directory: dir, attempt: 1, model: h.config.models.default }, 2);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.verdict).toEqual({ approved: false, summary: "greet is missing", findings: ["greet.ts: no greet()"] });
    expect(out.invalid).toBe(1);
    expect(out.usage.input).toBeGreaterThan(0);
    const reqs = h.model.requests.filter((r) => r.directory === dir);
    // The first prompt carried the criteria and the diff; the re-prompt the errors, in the same conversation.
    expect(reqs[0]!.lastUser).toContain("greet() returns a greeting");
    expect(reqs[0]!.lastUser).toContain("+export const x = 1;");
    expect(reqs[0]!.tools).not.toContain("write");
    expect(reqs[1]!.lastUser).toMatch(/not a valid verdict \(not JSON/);
    expect(reqs[1]!.messages.some((m) => m.role === "assistant")).toBe(true);
  });

  it("gives up with invalid-verdict after maxInvalid re-prompts", async () => {
    h.model.setScript(steps([{ when: { role: "reviewer" }, reply: reply.text('{"approved": "yes"}') }]));
    const dir = h.repo();
    const out = await runReview(h.runtime, { task, diff: "", directory: dir, attempt: 2, model: h.config.models.default }, 1);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error.code).toBe("invalid-verdict");
    expect(out.error.message).toContain("approved");
    expect(out.invalid).toBe(1);
    expect(h.model.requests.filter((r) => r.directory === dir)).toHaveLength(2);
  });
});
