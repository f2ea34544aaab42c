// Pool behaviour that needs a real process: timeouts replace the stuck process; openCodeTools
// picks orch-native when it answers and the fallback (with a reason) when it does not.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NativePool } from "../../src/context/native-pool.js";
import { openCodeTools } from "../../src/context/open.js";
import { HAVE_NATIVE, NATIVE_BIN, SKIP_REASON, requireNativeInCi } from "./binary.js";

requireNativeInCi();

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "orch-pool-"));
  for (let i = 0; i < 300; i++) writeFileSync(path.join(root, `f${i}.ts`), `export class C${i} {\n${"  m(): number { return 1; }\n".repeat(40)}}\n`);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!HAVE_NATIVE)(`native pool${HAVE_NATIVE ? "" : ` — skipped: ${SKIP_REASON}`}`, () => {
  it("a request past its timeout fails, and the next one gets a fresh process", async () => {
    const pool = new NativePool(root, NATIVE_BIN, { size: 1, timeoutMs: 10_000 });
    try {
      await pool.ping();
      const [pid] = pool.pids();
      await expect(pool.call("outline", { root, paths: ["."] }, (await import("zod")).z.unknown(), 1)).rejects.toMatchObject({ code: "native-timeout" });
      const files = await pool.outline(["f1.ts"]);
      expect(files[0]!.symbols[0]!.children).toHaveLength(40);
      // A reply of ~2 MB arrives in many stdout chunks: framing must join them into one line.
      const all = await pool.outline(["."]);
      expect(all).toHaveLength(300);
      expect(all.every((f) => f.symbols[0]!.children!.length === 40)).toBe(true);
      expect(pool.pids()).not.toContain(pid);
    } finally {
      await pool.close();
    }
  });

  it("openCodeTools uses orch-native when it answers", async () => {
    const tools = await openCodeTools(root, { binary: NATIVE_BIN, pool: 2 });
    try {
      expect(tools.kind).toBe("native");
      expect((await tools.glob(["f1*.ts"])).paths).toHaveLength(111);
    } finally {
      await tools.close();
    }
  });
});

describe("openCodeTools fallback", () => {
  it("falls back, with the reason, when the binary cannot run", async () => {
    const tools = await openCodeTools(root, { binary: path.join(root, "no-such-binary") });
    expect(tools.kind).toBe("fallback");
    expect(tools.fallbackReason).toMatch(/did not answer a ping: orch-native could not run/);
    expect((await tools.grep({ pattern: "class C299 " })).matches).toEqual([{ path: "f299.ts", line: 1, column: 8, text: "export class C299 {" }]);
  });
  it("falls back when ORCH_NATIVE_BIN names a missing file", async () => {
    const saved = process.env.ORCH_NATIVE_BIN;
    process.env.ORCH_NATIVE_BIN = path.join(root, "missing");
    try {
      const tools = await openCodeTools(root);
      expect(tools.kind).toBe("fallback");
      expect(tools.fallbackReason).toMatch(/not built/);
    } finally {
      if (saved === undefined) delete process.env.ORCH_NATIVE_BIN;
      else process.env.ORCH_NATIVE_BIN = saved;
    }
  });
});
