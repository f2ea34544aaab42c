// TODO.md edits against a person's editor saving at the same time: both edits survive.
import { spawn } from "node:child_process";
import { chmodSync, readFileSync, statSync, symlinkSync, writeFileSync, lstatSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { fenceOf } from "../../src/store/leases.js";
import { setChecked } from "../../src/spec/todo-edit.js";
import { tempDir } from "./helpers.js";

const EDITOR = path.join(path.dirname(fileURLToPath(import.meta.url)), "editor.mjs");
const TASKS = 30;
const todoText = () => `# Mission\n\n${Array.from({ length: TASKS }, (_, i) => `- [ ] T${i + 1} task number ${i + 1}\n`).join("")}`;

function runEditor(file: string, style: string, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [EDITOR, file, style, String(n)], { stdio: ["ignore", "pipe", "inherit"] });
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`editor exited ${code}`))));
  });
}

describe("TODO.md writer", () => {
  for (const style of ["inplace", "rename"]) {
    it(`an editor saving ${style === "inplace" ? "in place" : "by write-then-rename"} while orch flips boxes: no save of the person is lost`, async () => {
      const root = tempDir();
      const file = path.join(root, "TODO.md");
      writeFileSync(file, todoText());
      chmodSync(file, 0o640);
      const todo = openStore(root).todo("TODO.md");
      const NOTES = 80;
      const editor = runEditor(file, style, NOTES);
      let flips = 0;
      for (let i = 1; i <= TASKS; i++) {
        if (await todo.edit((t) => setChecked(t, `T${i}`, true))) flips++;
        await new Promise((r) => setTimeout(r, Math.random() * 6));
      }
      await editor;
      const text = readFileSync(file, "utf8");
      // Every one of the person's saves survived orch's writes.
      for (let k = 0; k < NOTES; k++) expect(text).toContain(`- note ${k}\n`);
      // A rename-style save is never seen half-done, so every flip lands at once. An in-place save can
      // be caught between its truncate and its write (the editor descheduled on a busy machine): orch
      // then sees no box and writes nothing, and the watcher's event for that save brings it back.
      if (style === "rename") expect(flips).toBe(TASKS);
      else expect(flips).toBeGreaterThan(0);
      // The editor may have overwritten a flip from its own stale buffer (its race, not ours); the
      // reconciler re-applies, level-triggered, and then every box is checked.
      for (let i = 1; i <= TASKS; i++) await todo.edit((t) => setChecked(t, `T${i}`, true));
      const after = readFileSync(file, "utf8");
      expect(after.match(/- \[x\] T\d+ /g)).toHaveLength(TASKS);
      expect(after).not.toMatch(/- \[ \] T\d+ /);
      // orch keeps the file's mode (a rename-style editor sets its own).
      if (style === "inplace") expect(statSync(file).mode & 0o777).toBe(0o640);
      expect(readdirSync(root).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    });
  }

  it("re-applies the patch to a save that landed after orch read the file", async () => {
    const root = tempDir();
    const file = path.join(root, "TODO.md");
    writeFileSync(file, todoText());
    const todo = openStore(root).todo("TODO.md");
    let calls = 0;
    const wrote = await todo.edit((t) => {
      // The person saves (by rename) while orch is computing its patch on the old bytes.
      if (calls++ === 0) writeFileSync(file, `${t}- added by a person\n`);
      return setChecked(t, "T2", true);
    });
    expect(wrote).toBe(true);
    expect(calls).toBe(2);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("- added by a person\n");
    expect(text).toContain("- [x] T2 task number 2\n");
  });

  it("a TODO.md left moved aside by a writer killed mid-swap is put back, by the next edit or by sweep", async () => {
    for (const via of ["edit", "sweep"]) {
      const root = tempDir();
      // What a kill -9 between the move-aside and the link leaves: no TODO.md, its bytes beside it.
      writeFileSync(path.join(root, ".TODO.md.prev.999999.0123abcd.tmp"), todoText());
      const store = openStore(root);
      if (via === "edit") expect(await store.todo("TODO.md").edit((t) => setChecked(t, "T3", true))).toBe(true);
      else expect(await store.sweep()).toBe(1);
      const text = readFileSync(path.join(root, "TODO.md"), "utf8");
      expect(text).toContain(via === "edit" ? "- [x] T3 " : "- [ ] T3 ");
      expect(readdirSync(root).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    }
  });

  it("a fenced edit is refused once the lease was taken over", async () => {
    const root = tempDir();
    writeFileSync(path.join(root, "TODO.md"), todoText());
    let now = 1_000;
    const store = openStore(root, { now: () => now });
    const a = await store.leases.acquire("mission", "A", 100);
    expect(await store.todo("TODO.md").edit((t) => setChecked(t, "T1", true), fenceOf(a!))).toBe(true);
    now += 500;
    await store.leases.acquire("mission", "B", 100);
    await expect(store.todo("TODO.md").edit((t) => setChecked(t, "T2", true), fenceOf(a!))).rejects.toMatchObject({ code: "fenced" });
    expect(readFileSync(path.join(root, "TODO.md"), "utf8")).toContain("- [ ] T2 ");
  });

  it("writes nothing when the patch has nothing to do, and writes through a symlink", async () => {
    const root = tempDir();
    writeFileSync(path.join(root, "REAL.md"), todoText());
    symlinkSync("REAL.md", path.join(root, "TODO.md"));
    const todo = openStore(root).todo("TODO.md");
    expect(await todo.edit(() => undefined)).toBe(false);
    expect(await todo.edit((t) => setChecked(t, "T1", true))).toBe(true);
    expect(lstatSync(path.join(root, "TODO.md")).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(root, "REAL.md"), "utf8")).toContain("- [x] T1 ");
  });
});
