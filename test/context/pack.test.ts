// Context packs on a fixture repository, with orch-native and with the TypeScript fallback.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FallbackTools } from "../../src/context/fallback.js";
import { NativePool } from "../../src/context/native-pool.js";
import type { PackItem } from "../../src/context/fit.js";
import { buildContextPack, packNeedsTools } from "../../src/context/pack.js";
import { estimateTokens } from "../../src/context/tokens.js";
import { DEFAULT_CONFIG } from "../../src/spec/config.js";
import { loadMission } from "../../src/spec/load.js";
import type { Mission } from "../../src/spec/model.js";
import { HAVE_NATIVE, NATIVE_BIN, SKIP_REASON, requireNativeInCi } from "../native/binary.js";
import { makeFixtureRepo } from "./fixture.js";

requireNativeInCi();

let root: string;
let mission: Mission;
let native: NativePool;
let fallback: FallbackTools;
const task = (id: string) => mission.tasks.find((t) => t.id === id)!;

beforeAll(async () => {
  root = makeFixtureRepo();
  mission = await loadMission(root, DEFAULT_CONFIG);
  native = new NativePool(mission.root, NATIVE_BIN, { size: 1, timeoutMs: 10_000 });
  fallback = new FallbackTools(mission.root);
});
afterAll(async () => {
  await native?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("fallback tools", () => {
  it("glob honours .gitignore and hidden files", async () => {
    expect((await fallback.glob(["**/*.ts"])).paths).toEqual(["lib/changed.ts", "src/lease.ts", "src/store.ts", "src/util/math.ts"]);
    expect((await fallback.glob(["**/*.js"])).paths).toEqual([]);
  });
  it("a pack from grep alone still names the scope and the uses", async () => {
    const pack = await buildContextPack(task("T1"), mission, fallback, { tokenBudget: 2_000 });
    expect(pack.items.map((i) => i.kind).sort()).toEqual(["files", "references", "references", "symbol", "symbol"]);
    // Declarations found by keyword and cut at the closing brace.
    expect(pack.text).toContain("### src/store.ts:4 definition openStore\n```ts\nexport function openStore(dir: string) {\n  const leases = new LeaseManager();\n  return { dir, leases };\n}\n```");
    expect(pack.text).toContain("### src/lease.ts:2 definition LeaseManager");
    expect(pack.text).toContain("src/store.ts:5: const leases = new LeaseManager();");
    expect(pack.tokens).toBeLessThanOrEqual(2_000);
  });
});

describe("a task without files: (its title names paths)", () => {
  // A folder in backticks and a bare path-like word: both seed the pack as its scope.
  const titled = () => ({ ...task("T2"), title: "Tidy `src/util` and lib/changed.ts" });
  it("the fallback lists the files they cover", async () => {
    const pack = await buildContextPack(titled(), mission, fallback, { tokenBudget: 2_000 });
    expect(pack.text).toContain("## Files named in the title (2)\nlib/changed.ts\nsrc/util/math.ts\n");
  });
  it.skipIf(!HAVE_NATIVE)("orch-native outlines them", async () => {
    const pack = await buildContextPack(titled(), mission, native, { tokenBudget: 2_000 });
    expect(pack.items.filter((i) => i.kind === "outline").map((i) => i.path).sort()).toEqual(["lib/changed.ts", "src/util/math.ts"]);
  });
  it("a task with files: keeps its scope; the title's paths do not widen it", async () => {
    const pack = await buildContextPack({ ...task("T1"), title: "Also `lib`" }, mission, fallback, { tokenBudget: 2_000 });
    expect(pack.text).toMatch(/## Files in scope \(\d+\)\n/);
    expect(pack.text).not.toContain("lib/changed.ts");
  });
});

describe("opening the tools", () => {
  it("a task that names no scope, path or identifier opens none; one that does opens them once", async () => {
    let opened = 0;
    const open = async () => (opened++, fallback);
    expect(packNeedsTools(task("T2"))).toBe(false);
    const empty = await buildContextPack(task("T2"), mission, open, { tokenBudget: 1_000 });
    expect(opened).toBe(0);
    expect(empty.text).toBe(`# Context for T2: ${task("T2").title}\n\n`);
    expect(packNeedsTools(task("T1"))).toBe(true);
    const pack = await buildContextPack(task("T1"), mission, open, { tokenBudget: 2_000 });
    expect(opened).toBe(1);
    expect(pack).toEqual(await buildContextPack(task("T1"), mission, fallback, { tokenBudget: 2_000 }));
  });
});

describe("tool failures", () => {
  it("leave items out with a warning instead of failing the pack", async () => {
    // A "native" process that exits at once: every outline/references/symbol call fails.
    const dead = new NativePool(mission.root, "/bin/false", { size: 1, timeoutMs: 5_000 });
    const tools = {
      kind: "native" as const,
      root: mission.root,
      grep: fallback.grep.bind(fallback),
      glob: fallback.glob.bind(fallback),
      outline: dead.outline.bind(dead),
      references: dead.references.bind(dead),
      symbol: dead.symbol.bind(dead),
      close: () => dead.close(),
    };
    try {
      const pack = await buildContextPack(task("T1"), mission, tools, { tokenBudget: 1_000 });
      expect(pack.items.map((i) => i.kind)).toEqual(["files"]);
      expect(pack.warnings[0]).toMatch(/^references sweepExpired: orch-native (exited with code 1|is not running)/);
      expect(pack.warnings.some((w) => w.startsWith("outline: "))).toBe(true);
    } finally {
      await tools.close();
    }
  });
});

describe.skipIf(!HAVE_NATIVE)(`context packs with orch-native${HAVE_NATIVE ? "" : ` — skipped: ${SKIP_REASON}`}`, () => {
  it("holds the named symbol's body, scope outlines, and uses, within budget", async () => {
    const pack = await buildContextPack(task("T1"), mission, native, { tokenBudget: 1_500, measureWholeFiles: true });
    expect(pack.tokens).toBeLessThanOrEqual(1_500);
    expect(pack.text).toContain("```ts\nexport class LeaseManager {");
    expect(pack.text).toContain("### src/store.ts\nexport function openStore(dir: string)  :4-7");
    expect(pack.text).not.toContain("dist/lease.js");
    const symbols = pack.items.filter((i) => i.kind === "symbol").map((i) => `${i.path}#${i.name}`);
    expect(symbols.sort()).toEqual(["src/lease.ts#LeaseManager", "src/store.ts#openStore"]);
    // Uses exclude the comment mention and the definition itself.
    expect(pack.text).toContain("### uses of `LeaseManager`\nsrc/store.ts:1: import { LeaseManager }");
    expect(pack.text).not.toContain("in a comment is not a use");
    expect(pack.wholeFileTokens).toBeGreaterThan(pack.tokens);
    expect(pack.warnings).toEqual([]);
  });

  it("drops low-ranked items first when the budget is small", async () => {
    const big = await buildContextPack(task("T1"), mission, native, { tokenBudget: 5_000 });
    const small = await buildContextPack(task("T1"), mission, native, { tokenBudget: 250 });
    expect(small.tokens).toBeLessThanOrEqual(250);
    expect(small.items.length).toBeLessThan(big.items.length);
    // Every dropped item ranks at or below the lowest kept one, or did not fit what was left of the
    // budget (250 less the header and the 40 buildContextPack reserves) when its turn came.
    const minScoreKept = Math.min(...small.items.map((i) => i.score));
    const dropped = big.items.filter((i) => !small.items.some((s) => s.text === i.text));
    expect(dropped.length).toBeGreaterThan(0);
    const fitBudget = 250 - estimateTokens(`# Context for T1: ${task("T1").title}\n`) - 40;
    const keptBefore = (i: PackItem) =>
      small.items.filter((k) => k.score > i.score || (k.score === i.score && k.tokens <= i.tokens)).reduce((n, k) => n + k.tokens, 0);
    for (const i of dropped) expect(i.score <= minScoreKept || i.tokens > fitBudget - keptBefore(i), `${i.kind} ${i.reason}`).toBe(true);
    expect(small.text).toMatch(/more items left out to fit 250 tokens/);
  });

  it("adds the files a dep changed, even outside the scope", async () => {
    const pack = await buildContextPack(task("T2"), mission, native, { tokenBudget: 1_000, changedFiles: ["lib/changed.ts", "gone.ts"] });
    expect(pack.items).toEqual([expect.objectContaining({ kind: "outline", path: "lib/changed.ts", reason: "changed by a dep" })]);
    expect(pack.text).toContain("export function changedByDep(): string  :1-3");
  });

  it("greps and globs like the fallback", async () => {
    for (const pattern of ["LeaseManager", "^export", "helper\\d+\\(", "return x [+-] 10"]) {
      const [a, b] = await Promise.all([native.grep({ pattern }), fallback.grep({ pattern })]);
      expect(a.matches, pattern).toEqual(b.matches);
    }
    for (const g of [["**/*.ts"], ["src/*.ts"], ["src/**", "!src/util/**"]]) {
      expect((await native.glob(g)).paths, g.join(" ")).toEqual((await fallback.glob(g)).paths);
    }
    // grep's globs are the glob dialect too: `*` stays in one folder (`*.md` is TODO.md, not
    // tasks/T1.md), and `!T1.md` excludes only a top-level T1.md.
    for (const globs of [["*.md"], ["src/*.ts"], ["!T1.md"], ["**", "!src/*.ts"], ["src/**", "!**/math.ts"]]) {
      const [a, b] = await Promise.all([native.grep({ pattern: "T1|LeaseManager|export", globs }), fallback.grep({ pattern: "T1|LeaseManager|export", globs })]);
      expect(a.matches.length, globs.join(" ")).toBeGreaterThan(0);
      expect(a.matches, globs.join(" ")).toEqual(b.matches);
    }
    expect((await native.grep({ pattern: "LeaseManager", globs: ["*.md"] })).matches.map((m) => m.path)).toEqual([]);
    expect((await native.grep({ pattern: "LeaseManager", globs: ["!T1.md"] })).matches.map((m) => m.path)).toContain("tasks/T1.md");
  });
});
