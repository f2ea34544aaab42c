// Dependencies point down (STYLE.md): spec → graph → reconcile → runtime → store, with cli/ on top
// composing them. This test lists the edges that must never exist and reads every import in src/.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.join(process.cwd(), "src");

/** [from folder, to folder, why]: no module under `from` imports one under `to`. */
const FORBIDDEN: [string, string, string][] = [
  ["runtime", "demo", "the production runtime never runs the demo model; the command that wants it passes it in"],
  ["runtime", "cli", "only the CLI composes"],
  ["runtime", "reconcile", "the runtime runs sessions; deciding is the reconciler's"],
  ["store", "reconcile", "the store records; it does not decide"],
  ["store", "cli", "only the CLI composes"],
  ["reconcile", "cli", "exit codes and wiring are the CLI's"],
  ["workspace", "reconcile", "workspaces are git; deciding when to open, merge or remove one is the reconciler's"],
  ["workspace", "cli", "only the CLI composes"],
  ["reconcile", "demo", "the reconciler runs whatever runtime it is given"],
  ["spec", "cli", "only the CLI composes"],
  ["graph", "cli", "only the CLI composes"],
  ["plan", "cli", "only the CLI composes"],
  ["plan", "demo", "the planner runs whatever runtime it is given"],
  ["ui", "cli", "the board reads and serves; the CLI composes it"],
  ["reconcile", "ui", "the loop reports events; showing them is the board's"],
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : d.name.endsWith(".ts") ? [path.join(dir, d.name)] : []));
}

/** The top folder under src/ of every relative import (static, dynamic or type-only) of a file. */
function importedFolders(file: string): { spec: string; folder: string }[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
  return specs.map((spec) => ({ spec, folder: path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep)[0]! }));
}

describe("architecture: dependencies point down", () => {
  const edges = filesUnder(SRC).flatMap((file) => {
    const from = path.relative(SRC, file).split(path.sep)[0]!;
    return importedFolders(file).map((i) => ({ file: path.relative(SRC, file), from, to: i.folder, spec: i.spec }));
  });
  it("finds the imports it checks (the scan is not empty)", () => {
    expect(edges.some((e) => e.from === "cli" && e.to === "runtime")).toBe(true);
  });
  it.each(FORBIDDEN)("%s/ imports nothing from %s/ (%s)", (from, to) => {
    const bad = edges.filter((e) => e.from === from && e.to === to).map((e) => `src/${e.file} imports ${e.spec}`);
    expect(bad).toEqual([]);
  });
});

/** Run-time layers, lowest first: a module imports values only from its own folder or a lower one (type imports are erased). */
const LAYERS = ["util", "graph", "spec", "context", "demo", "runtime", "store", "workspace", "plan", "reconcile", "ui", "cli"];

describe("architecture: one public API per folder", () => {
  const imports = filesUnder(SRC).flatMap((file) => {
    const from = path.relative(SRC, file).split(path.sep)[0]!;
    const text = readFileSync(file, "utf8");
    return [...text.matchAll(/^(?:import|export)(\s+type)?\s[^;]*?from\s+["'](\.{1,2}\/[^"']+)["']/gm)].map((m) => {
      const target = path.relative(SRC, path.resolve(path.dirname(file), m[2]!));
      return { file: path.relative(SRC, file), from, to: target.split(path.sep)[0]!, target, typeOnly: !!m[1] };
    });
  });
  it("finds the imports it checks", () => {
    expect(imports.filter((i) => i.from !== i.to).length).toBeGreaterThan(50);
  });
  it("an import from another folder goes through that folder's index.ts", () => {
    const bad = imports.filter((i) => i.from !== i.to && !i.to.endsWith(".js") && i.target !== path.join(i.to, "index.js")).map((i) => `src/${i.file} imports ${i.target}`);
    expect(bad).toEqual([]);
  });
  it("values are imported only from the same layer or a lower one", () => {
    const bad = imports
      .filter((i) => !i.typeOnly && i.from !== i.to && LAYERS.includes(i.to) && LAYERS.indexOf(i.to) > LAYERS.indexOf(i.from))
      .map((i) => `src/${i.file} (${i.from}) imports a value from ${i.to}/`);
    expect(bad).toEqual([]);
  });
});
