// A small repository for context-pack tests: a scope with a class, its users, a large unrelated
// file, an ignored folder, TODO.md and one task file.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Writes the fixture into a fresh temp folder and returns its path. */
export function makeFixtureRepo(): string {
  const root = mkdtempSync(path.join(tmpdir(), "orch-ctx-"));
  const w = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  w(".gitignore", "dist/\n");
  w("dist/lease.js", "class LeaseManager {}\n");
  w(
    "src/lease.ts",
    `/** Hands out leases. */
export class LeaseManager {
  private held = new Map<string, number>();
  /** Takes a lease when free. */
  acquire(name: string, ttlMs: number): boolean {
    if (this.held.has(name)) return false;
    this.held.set(name, Date.now() + ttlMs);
    return true;
  }
  release(name: string): void {
    this.held.delete(name);
  }
}
`,
  );
  w("src/store.ts", `import { LeaseManager } from "./lease.js";\n\n// LeaseManager in a comment is not a use.\nexport function openStore(dir: string) {\n  const leases = new LeaseManager();\n  return { dir, leases };\n}\n`);
  const filler = Array.from({ length: 60 }, (_, i) => `export function helper${i}(a: number, b: number): number {\n  const x = a * ${i} + b;\n  return x > 10 ? x - 10 : x + 10;\n}\n`).join("\n");
  w("src/util/math.ts", filler);
  w("lib/changed.ts", "export function changedByDep(): string {\n  return 'dep';\n}\n");
  w("TODO.md", "# Mission\n\n- [ ] T1 Add a sweep to the lease manager\n- [ ] T2 Unscoped task about nothing\n");
  w("tasks/T1.md", "---\nfiles: [src/**]\n---\nAdd `sweepExpired()` to `LeaseManager` (in `src/lease.ts`) and call it from `openStore`.\n");
  return root;
}
