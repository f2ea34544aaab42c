// orch-native driven for real over stdio through NativeProcess/NativePool.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NativePool } from "../../src/context/native-pool.js";
import { OrchError } from "../../src/util/errors.js";
import { z } from "zod";
import { HAVE_NATIVE, NATIVE_BIN, SKIP_REASON, requireNativeInCi } from "./binary.js";

requireNativeInCi();

/** Reply of `languages` (orch itself does not ask for it; this checks the binary's grammars). */
const LanguagesResultSchema = z.object({
  languages: z.array(z.object({ name: z.string(), extensions: z.array(z.string()) })),
});

let dir: string;
let root: string;
let pool: NativePool;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "orch-native-"));
  root = path.join(dir, "repo");
  mkdirSync(path.join(root, "src"), { recursive: true });
  mkdirSync(path.join(root, "ignored"));
  writeFileSync(path.join(root, ".gitignore"), "ignored/\n*.log\n");
  writeFileSync(path.join(root, "src/a.ts"), "export function alpha(x: number): number {\n  return x + 1; // alpha\n}\nconst s = \"alpha\";\nalpha(2);\n");
  writeFileSync(path.join(root, "src/broken.ts"), "export function ok() {}\nexport function broken( {\n");
  writeFileSync(path.join(root, "src/bin.dat"), Buffer.from([0x61, 0x6c, 0x70, 0x68, 0x61, 0, 1, 2]));
  writeFileSync(path.join(root, "src/latin1.ts"), Buffer.concat([Buffer.from("export const caf\xe9 = 1; // alpha\n", "latin1")]));
  writeFileSync(path.join(root, "src/huge.ts"), `// alpha\n${"x".repeat(3 * 1024 * 1024)}\n`);
  writeFileSync(path.join(root, "ignored/x.ts"), "alpha\n");
  writeFileSync(path.join(root, "app.log"), "alpha\n");
  writeFileSync(path.join(dir, "secret.ts"), "export const secret = 1;\n");
  symlinkSync(path.join(dir, "secret.ts"), path.join(root, "src/escape.ts"));
  pool = new NativePool(root, NATIVE_BIN, { size: 2, timeoutMs: 10_000 });
});

afterAll(async () => {
  await pool?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAVE_NATIVE)(`orch-native protocol${HAVE_NATIVE ? "" : ` — skipped: ${SKIP_REASON}`}`, () => {
  it("answers ping and languages", async () => {
    await pool.ping();
    const langs = await pool.call("languages", {}, LanguagesResultSchema);
    expect(langs.languages.map((l) => l.name)).toEqual(["typescript", "tsx", "javascript", "python", "rust", "go"]);
  });

  it("greps gitignore-aware, skips binary and huge files, survives invalid UTF-8, never follows symlinks", async () => {
    const r = await pool.grep({ pattern: "alpha" });
    expect(r.matches.map((m) => `${m.path}:${m.line}:${m.column}`)).toEqual(["src/a.ts:1:17", "src/a.ts:2:20", "src/a.ts:4:12", "src/a.ts:5:1", "src/latin1.ts:1:27"]);
    expect(r.matches.find((m) => m.path === "src/latin1.ts")!.text).toContain("caf\uFFFD");
    expect(r.skipped).toEqual([
      { path: "src/bin.dat", reason: "binary" },
      { path: "src/huge.ts", reason: expect.stringMatching(/^too large/) },
    ]);
    const ci = await pool.grep({ pattern: "ALPHA\\(", caseInsensitive: true, globs: ["src/*.ts"], maxResults: 1 });
    expect(ci.matches).toHaveLength(1);
    expect(ci.truncated).toBe(true);
    const exact = await pool.grep({ pattern: "alpha", globs: ["src/a.ts"], maxResults: 4 });
    expect([exact.matches.length, exact.truncated]).toEqual([4, false]);
  });

  it("globs with ** and exclusions", async () => {
    const r = await pool.glob(["**/*.ts", "!src/huge.ts"]);
    expect(r.paths).toEqual(["src/a.ts", "src/broken.ts", "src/latin1.ts"]);
  });

  it("outlines, partially when the file has syntax errors", async () => {
    const files = await pool.outline(["src/a.ts", "src/broken.ts", "src/bin.dat", "src/missing.ts"]);
    const by = Object.fromEntries(files.map((f) => [f.path, f]));
    expect(by["src/a.ts"]!.symbols.map((s) => [s.kind, s.name, s.signature])).toEqual([
      ["function", "alpha", "export function alpha(x: number): number"],
      ["constant", "s", 'const s = "alpha"'],
    ]);
    expect(by["src/broken.ts"]!.partial).toBe(true);
    expect(by["src/broken.ts"]!.symbols[0]!.name).toBe("ok");
    expect(by["src/bin.dat"]!.error).toBe("unsupported language");
    expect(by["src/missing.ts"]!.error).toBe("not found");
  });

  it("finds references outside strings and comments, and one symbol's text", async () => {
    const r = await pool.references("alpha", ["src"]);
    expect(r.skipped).toEqual([{ path: "src/huge.ts", reason: expect.stringMatching(/^too large/) }]);
    expect(r.references.map((x) => [x.path, x.line, x.definition])).toEqual([
      ["src/a.ts", 1, true],
      ["src/a.ts", 5, false],
    ]);
    const s = await pool.symbol("src/a.ts", "alpha");
    expect(s.text).toBe("export function alpha(x: number): number {\n  return x + 1; // alpha\n}");
    expect(s.range).toEqual({ start: { line: 1, column: 1 }, end: { line: 3, column: 2 } });
  });

  it("refuses paths and symlinks that leave the root", async () => {
    for (const p of ["../secret.ts", "src/escape.ts", "/etc/passwd"]) {
      const err = await pool.symbol(p, "secret").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OrchError);
      expect(err).toMatchObject({ code: "native-rpc", rpcCode: -32001, options: { hint: "Name paths inside the repository root." } });
    }
    await expect(pool.outline(["../secret.ts"])).rejects.toMatchObject({ rpcCode: -32001 });
    await expect(pool.symbol("src/a.ts", "nope")).rejects.toMatchObject({ rpcCode: -32002 });
    await expect(pool.grep({ pattern: "(" })).rejects.toMatchObject({ rpcCode: -32602 });
  });

  it("answers a malformed request with a JSON-RPC error and lives on", async () => {
    const proc = pool.pick();
    const pid = proc.pid;
    proc.writeRaw("{this is not json");
    proc.writeRaw('{"jsonrpc":"2.0","id":"x1","params":{}}');
    await proc.request("ping", {});
    // Parse error for the first line; invalid request (no method) for the second, id "x1".
    expect(proc.strays.map((e) => e.code)).toEqual([-32700, -32600]);
    expect(proc.pid).toBe(pid);
    expect(proc.alive).toBe(true);
    await expect(proc.request("nope", {})).rejects.toMatchObject({ rpcCode: -32601 });
  });

  it("fails in-flight requests of a killed process and restarts it", async () => {
    const proc = pool.pick();
    const before = pool.started;
    // Kill first, then ask in the same tick: the exit is only seen after the request is pending.
    process.kill(proc.pid!, "SIGKILL");
    const inflight = proc.request("grep", { root, pattern: "alpha" });
    await expect(inflight).rejects.toMatchObject({ code: "native-crashed" });
    await proc.exit;
    expect(proc.alive).toBe(false);
    const r = await pool.grep({ pattern: "alpha", globs: ["src/a.ts"] });
    expect(r.matches).toHaveLength(4);
    expect(pool.started).toBeGreaterThan(before);
    expect(pool.pids()).not.toContain(proc.pid);
  });

  it("shuts down cleanly", async () => {
    const p2 = new NativePool(root, NATIVE_BIN, { size: 2, timeoutMs: 5_000 });
    await Promise.all([p2.ping(), p2.ping()]);
    expect(p2.pids()).toHaveLength(2);
    await p2.close();
    expect(p2.pids()).toEqual([]);
    expect(() => p2.pick()).toThrow(/closed/);
  });
});
