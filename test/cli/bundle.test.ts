// The `orch` bin is a small launcher (dist/bin/orch.js) that runs one esbuild bundle
// (dist/bin/orch.cjs, scripts/bundle.mjs) through V8's code cache: it must behave like the tsc
// output it is built from, find the package's files from its own depth, map ORCH_DEBUG stack
// traces back to src/, and never let its code cache change what it does.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CLI, runOrch, runProcess, type CliResult } from "../support/cli.js";

const TSC_MAIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CACHE = /^orch\.cjs\.[0-9a-f]+(\.[a-z]+)?\.cache$/;

/** Runs `file args` directly (no `node` in front when file is the bin, so its shebang is used). */
const run = ([cmd, ...args]: string[]): Promise<CliResult> => runProcess(cmd!, args);
const viaTsc = (...args: string[]) => run([process.execPath, TSC_MAIN, ...args]);

/** Runs `node bin args` with ORCH_DEBUG set or not, optionally as another user. */
function runBin(bin: string, args: string[], opts: { debug?: boolean; uid?: number } = {}): Promise<CliResult> {
  const env = { ...process.env };
  if (opts.debug) env.ORCH_DEBUG = "1";
  else delete env.ORCH_DEBUG;
  const ids = opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid };
  return runProcess(process.execPath, [bin, ...args], path.dirname(bin), { env, ...ids });
}

/** The package's layout (package.json, dist/bin/) copied to a temp dir, without a code cache. */
function installCopy(onTestFinished: (fn: () => void) => void) {
  const dir = mkdtempSync(path.join(tmpdir(), "orch-install-"));
  chmodSync(dir, 0o755); // readable by the other user of the read-only test
  const binDir = path.join(dir, "dist", "bin");
  onTestFinished(() => {
    chmodSync(binDir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });
  cpSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"));
  cpSync(path.dirname(CLI), binDir, { recursive: true, filter: (f) => !CACHE.test(path.basename(f)) });
  const hash = createHash("sha256").update(readFileSync(path.join(binDir, "orch.cjs"))).digest("hex").slice(0, 16);
  // Commands other than run and watch share the "cli" cache.
  return { bin: path.join(binDir, "orch.js"), binDir, cacheFile: path.join(binDir, `orch.cjs.${hash}.cli.cache`), loopCache: path.join(binDir, `orch.cjs.${hash}.loop.cache`) };
}
const caches = (binDir: string) => readdirSync(binDir).filter((f) => CACHE.test(f));
/** The launcher's ORCH_DEBUG line about its code cache, and the rest of stderr. */
function cacheReport(r: CliResult, cacheFile: string): { said: string | undefined; rest: string } {
  const prefix = `orch: code cache ${cacheFile}: `;
  const lines = r.stderr.split(/(?<=\n)/);
  const line = lines.find((l) => l.startsWith(prefix));
  return { said: line?.slice(prefix.length).trimEnd(), rest: lines.filter((l) => l !== line).join("") };
}

describe.concurrent("the orch bin, dist/bin/orch.js, and its bundle dist/bin/orch.cjs", () => {
  it("the bundle's string-width patches (start-up time) give the widths the packages give", async ({ onTestFinished }) => {
    const { build } = await import("esbuild");
    // @ts-expect-error: a plain .mjs module without types
    const { fastStringWidth } = await import("../../scripts/bundle-plugins.mjs");
    const dir = mkdtempSync(path.join(tmpdir(), "orch-string-width-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const copies = ["node_modules/string-width", "node_modules/cliui/node_modules/string-width", "node_modules/wrap-ansi/node_modules/string-width"].map((c) => path.join(ROOT, c, "index.js"));
    const samples = ["", "abc", "a\u0301", "\u{1F44D}", "\u{1F468}\u200D\u{1F469}\u200D\u{1F467}", "\u65E5\u672C\u8A9E", "\u001b[31mred\u001b[0m", "1\u20E3", "\u0915\u093E", "tab\tx", "\u00E9", "x".repeat(300)];
    writeFileSync(
      path.join(dir, "entry.mjs"),
      `${copies.map((c, i) => `import w${i} from ${JSON.stringify(c)};`).join("\n")}\nconst xs = ${JSON.stringify(samples)};\nconsole.log(JSON.stringify([${copies.map((_, i) => `xs.map((x) => w${i}(x))`).join(", ")}]));\n`,
    );
    const widths = async (plugins: unknown[]) => {
      const out = path.join(dir, `out-${plugins.length}.cjs`);
      await build({ entryPoints: [path.join(dir, "entry.mjs")], outfile: out, bundle: true, platform: "node", format: "cjs", target: "node20", supported: { "regexp-set-notation": true }, plugins: plugins as never, logLevel: "error" });
      return (await runProcess(process.execPath, [out])).stdout;
    };
    const patched = await widths([fastStringWidth]);
    expect(JSON.parse(patched)[0]).toHaveLength(samples.length);
    expect(patched).toBe(await widths([]));
  });
  it("is executable, starts with one shebang, and is what package.json's bin names", async () => {
    const text = readFileSync(CLI, "utf8");
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(text.includes("\n#!")).toBe(false);
    expect(statSync(CLI).mode & 0o111).not.toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(path.resolve(ROOT, pkg.bin.orch)).toBe(CLI);
    expect(text.length).toBeLessThan(3000); // a launcher; the code is in orch.cjs
    const bundle = readFileSync(path.join(path.dirname(CLI), "orch.cjs"), "utf8").split("\n");
    expect(bundle[0]!.startsWith("//")).toBe(true); // the entry's shebang, made a comment
    expect(bundle[1]!.startsWith('"use strict";')).toBe(true); // strict, as the ESM sources were
    const r = await run([CLI, "--help"]); // through the shebang
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^orch <command>\n\nCommands:\n {2}orch watch /);
  });
  it("prints the same --help, usage errors and did-you-mean as the tsc output, with exit code 2 and no stack", async () => {
    for (const args of [["--help"], ["run", "--help"], ["rnu"], ["context"], ["status", "--bogus"], []]) {
      const [bundled, tsc] = await Promise.all([runOrch(args), viaTsc(...args)]);
      expect(bundled, args.join(" ")).toEqual(tsc);
    }
    const typo = await runOrch(["rnu"]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toBe("orch: Did you mean run?\n  hint: Run with --help for usage.\n");
    const missing = await runOrch(["context"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^orch: Not enough non-option arguments: got 0, need at least 1\n {2}hint: /);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
  it("keeps yargs' own translations (its locale files are shipped beside the bundle)", async () => {
    const env = { ...process.env, LC_ALL: "de_DE.UTF-8" };
    const german = (file: string) =>
      new Promise<string>((resolve) => {
        const p = spawn(process.execPath, [file, "context"], { env });
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
  it("ORCH_DEBUG stack frames, which name dist/bin/orch.cjs, map back to src/*.ts", async () => {
    // An internal error from a real run through the launcher: a Symbol in argv breaks yargs' parser.
    const preload = "data:text/javascript,Error.stackTraceLimit=50;process.argv.push(Symbol())";
    const env = { ...process.env, ORCH_DEBUG: "1" };
    const r = await new Promise<string>((resolve) => {
      const p = spawn(process.execPath, ["--import", preload, CLI], { env });
      let err = "";
      p.stderr.on("data", (d) => (err += d));
      p.on("close", () => resolve(err));
    });
    const src = path.join(ROOT, "src", "cli", "main.ts");
    const line = readFileSync(src, "utf8").split("\n").findIndex((l) => l.includes("await cli.parseAsync()")) + 1;
    expect(r).toMatch(/^orch: internal error: Cannot convert a Symbol value to a string\n/);
    expect(r).toContain(`    at runCli (${src}:${line}:`);
    expect(r).not.toContain("orch.cjs:");
  });
  it("writes its code cache, named by the bundle's hash, after a first run, and uses it in the next", async ({ onTestFinished }) => {
    const { bin, binDir, cacheFile } = installCopy(onTestFinished);
    const first = await runBin(bin, ["--help"]);
    expect(first.status).toBe(0);
    expect(first.stderr).toBe("");
    expect(caches(binDir)).toEqual([path.basename(cacheFile)]);
    const written = readFileSync(cacheFile);
    const second = await runBin(bin, ["--help"], { debug: true });
    expect(cacheReport(second, cacheFile)).toEqual({ said: "used", rest: "" }); // V8 accepted it
    expect(second.stdout).toBe(first.stdout);
    expect(readFileSync(cacheFile).equals(written)).toBe(true); // not rewritten
  });
  it("keeps run's and watch's code cache apart from the other commands' (a cache holds the functions that had run)", async ({ onTestFinished }) => {
    const { bin, binDir, cacheFile, loopCache } = installCopy(onTestFinished);
    const repo = mkdtempSync(path.join(tmpdir(), "orch-cache-run-"));
    onTestFinished(() => rmSync(repo, { recursive: true, force: true }));
    writeFileSync(path.join(repo, "TODO.md"), "- [x] T1 done already\n");
    expect((await runBin(bin, ["status", "--dir", repo])).status).toBe(0);
    expect(caches(binDir)).toEqual([path.basename(cacheFile)]);
    const first = await runBin(bin, ["run", "--dir", repo, "--server", "http://127.0.0.1:9"]); // nothing to do: no session
    expect(first.status, first.stderr).toBe(0);
    expect(caches(binDir).sort()).toEqual([path.basename(cacheFile), path.basename(loopCache)].sort());
    const again = await runBin(bin, ["run", "--dir", repo, "--server", "http://127.0.0.1:9"], { debug: true });
    expect(cacheReport(again, loopCache).said).toBe("used");
    expect(cacheReport(await runBin(bin, ["status", "--dir", repo], { debug: true }), cacheFile).said).toBe("used");
  });
  it("rejects a corrupt code cache, runs the same, and rewrites it", async ({ onTestFinished }) => {
    const { bin, binDir, cacheFile } = installCopy(onTestFinished);
    const repo = mkdtempSync(path.join(tmpdir(), "orch-bundle-"));
    onTestFinished(() => rmSync(repo, { recursive: true, force: true }));
    writeFileSync(path.join(repo, "TODO.md"), "# m\n\n- [x] T1 done\n- [ ] T2 next\n");
    const args = ["status", "--dir", repo];
    const clean = await runBin(bin, args);
    expect(clean.status).toBe(0);
    const good = readFileSync(cacheFile);
    for (const bad of [randomBytes(good.length), good.subarray(0, good.length >> 1)]) {
      writeFileSync(cacheFile, bad);
      expect(await runBin(bin, args)).toEqual(clean);
      expect(readFileSync(cacheFile).equals(bad)).toBe(false);
      expect(cacheReport(await runBin(bin, args, { debug: true }), cacheFile).said).toBe("used");
      writeFileSync(cacheFile, bad);
      const r = await runBin(bin, args, { debug: true });
      expect(cacheReport(r, cacheFile)).toEqual({ said: "rejected, written", rest: clean.stderr });
      expect({ status: r.status, stdout: r.stdout }).toEqual({ status: clean.status, stdout: clean.stdout });
      expect(caches(binDir)).toEqual([path.basename(cacheFile)]); // no temp file left behind
    }
  });
  it("works from a read-only install, without a cache", async ({ onTestFinished }) => {
    const { bin, binDir, cacheFile } = installCopy(onTestFinished);
    chmodSync(binDir, 0o555);
    // root writes through any mode: then run as nobody, as a user of a root-owned global install.
    const uid = process.getuid?.() === 0 ? 65534 : undefined;
    const expected = await runOrch(["--help"]);
    for (const debug of [false, true, true]) {
      const r = await runBin(bin, ["--help"], { debug, uid });
      expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: expected.stdout });
      expect(cacheReport(r, cacheFile)).toEqual({ said: debug ? "none, not written (EACCES)" : undefined, rest: "" });
      expect(readdirSync(binDir).filter((f) => f.startsWith("orch.cjs."))).toEqual(["orch.cjs.map"]);
    }
  });
});
