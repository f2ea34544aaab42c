// The `orch` bin is one esbuild bundle (dist/bin/orch.js, scripts/bundle.mjs): it must behave
// like the tsc output it is built from, find the package's files from its own depth, and map
// ORCH_DEBUG stack traces back to src/.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CLI, runOrch, runProcess, type CliResult } from "../support/cli.js";
import { mappedStack } from "../../src/util/mapped-stack.js";

const TSC_MAIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Runs `file args` directly (no `node` in front when file is the bin, so its shebang is used). */
const run = ([cmd, ...args]: string[]): Promise<CliResult> => runProcess(cmd!, args);
const viaTsc = (...args: string[]) => run([process.execPath, TSC_MAIN, ...args]);

describe.concurrent("the bundled bin dist/bin/orch.js", () => {
  it("is executable, starts with one shebang, and is what package.json's bin names", async () => {
    const text = readFileSync(CLI, "utf8");
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(text.includes("\n#!")).toBe(false);
    expect(statSync(CLI).mode & 0o111).not.toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(path.resolve(ROOT, pkg.bin.orch)).toBe(CLI);
    const r = await run([CLI, "--help"]); // through the shebang
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^orch <command>\n\nCommands:\n {2}orch watch /);
  });
  it("prints the same --help, usage errors and did-you-mean as the tsc output, with exit code 2 and no stack", async () => {
    for (const args of [["--help"], ["run", "--help"], ["rnu"], ["retry"], ["status", "--bogus"], []]) {
      const [bundled, tsc] = await Promise.all([runOrch(args), viaTsc(...args)]);
      expect(bundled, args.join(" ")).toEqual(tsc);
    }
    const typo = await runOrch(["rnu"]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toBe("orch: Did you mean run?\n  hint: Run with --help for usage.\n");
    const missing = await runOrch(["retry"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^orch: Not enough non-option arguments: got 0, need at least 1\n {2}hint: /);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
  it("keeps yargs' own translations (its locale files are shipped beside the bundle)", async () => {
    const env = { ...process.env, LC_ALL: "de_DE.UTF-8" };
    const german = (file: string) =>
      new Promise<string>((resolve) => {
        const p = spawn(process.execPath, [file, "retry"], { env });
        let err = "";
        p.stderr.on("data", (d) => (err += d));
        p.on("close", () => resolve(err));
      });
    const [bundled, tsc] = await Promise.all([german(CLI), german(TSC_MAIN)]);
    expect(bundled).toMatch(/^orch: Nicht genügend Argumente/);
    expect(bundled).toBe(tsc);
  });
  it("orch init points the config's $schema at the package's schemas/config.schema.json", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "orch-bundle-"));
    expect((await runOrch(["init", "--dir", dir])).status).toBe(0);
    const ref: string = JSON.parse(readFileSync(path.join(dir, ".orchestrator", "config.json"), "utf8")).$schema;
    const schema = ref.startsWith("file:") ? fileURLToPath(ref) : path.resolve(dir, ".orchestrator", ref);
    expect(schema).toBe(path.join(ROOT, "schemas", "config.schema.json"));
    expect(existsSync(schema)).toBe(true);
  });
  it("ORCH_DEBUG stack frames in the bundle map back to src/*.ts", () => {
    const lines = readFileSync(CLI, "utf8").split("\n");
    const line = lines.findIndex((l) => l.startsWith("function reportError(")) + 1;
    expect(line).toBeGreaterThan(0);
    const url = pathToFileURL(CLI).href;
    const stack = `Error: x\n    at reportError (${url}:${line}:1)\n    at ${CLI}:${line}:1\n    at node:internal/main:1:1`;
    const src = path.join(ROOT, "src", "cli", "main.ts");
    const srcLine = readFileSync(src, "utf8").split("\n").findIndex((l) => l.startsWith("function reportError(")) + 1;
    expect(mappedStack(stack)).toBe(
      `Error: x\n    at reportError (${pathToFileURL(src).href}:${srcLine}:1)\n    at ${src}:${srcLine}:1\n    at node:internal/main:1:1`,
    );
  });
});
