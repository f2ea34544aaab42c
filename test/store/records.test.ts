// The record format and the CAS contract, in one process against real files.
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { tempDir } from "./helpers.js";

const Rec = z.object({ b: z.number(), a: z.object({ z: z.string(), y: z.array(z.number()) }) }).strict();
const file = (root: string, key: string) => path.join(root, ".orchestrator", `${key}.json`);

describe("records", () => {
  it("writes pretty, key-sorted JSON with the version on top and a trailing newline", async () => {
    const root = tempDir();
    const s = openStore(root);
    await s.records.write("state/T1", { b: 1, a: { z: "q", y: [3, 1] } }, undefined);
    expect(readFileSync(file(root, "state/T1"), "utf8")).toBe(
      `{\n  "version": 1,\n  "fences": {},\n  "value": {\n    "a": {\n      "y": [\n        3,\n        1\n      ],\n      "z": "q"\n    },\n    "b": 1\n  }\n}\n`,
    );
    expect(readFileSync(path.join(root, ".orchestrator/.gitignore"), "utf8")).toMatch(/^locks\/$/m);
  });

  it("CAS: the expected version must match; a conflict names the file and changes nothing", async () => {
    const s = openStore(tempDir());
    const v1 = await s.records.write("r", { b: 1, a: { z: "", y: [] } }, undefined);
    await expect(s.records.write("r", { b: 9, a: { z: "", y: [] } }, undefined)).rejects.toMatchObject({ code: "conflict" });
    const v2 = await s.records.write("r", { b: 2, a: { z: "", y: [] } }, v1.version);
    expect(v2.version).toBe(2);
    const err = await s.records.write("r", { b: 3, a: { z: "", y: [] } }, 1).catch((e) => e);
    expect(err).toMatchObject({ code: "conflict" });
    expect(err.message).toContain(".orchestrator/r.json: expected version 1 but found 2");
    expect((await s.records.read("r", Rec.parse))?.value.b).toBe(2);
    await expect(s.records.remove("r", 1)).rejects.toMatchObject({ code: "conflict" });
    await s.records.remove("r", 2);
    expect(await s.records.read("r", Rec.parse)).toBeUndefined();
  });

  it("update with an unchanged value writes nothing (no churn in git)", async () => {
    const root = tempDir();
    const s = openStore(root);
    await s.records.update("r", Rec.parse, () => ({ b: 1, a: { z: "x", y: [] } }));
    const before = readFileSync(file(root, "r"), "utf8");
    const same = await s.records.update("r", Rec.parse, (c) => ({ a: { y: [], z: "x" }, b: c!.b }));
    expect(same.version).toBe(1);
    expect(readFileSync(file(root, "r"), "utf8")).toBe(before);
  });

  it("many async writers in one process: every update lands", async () => {
    const s = openStore(tempDir());
    const N = z.object({ n: z.number() }).parse;
    const results = await Promise.all(Array.from({ length: 40 }, () => s.records.update("c", N, (c) => ({ n: (c?.n ?? 0) + 1 }))));
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect((await s.records.read("c", N))?.value.n).toBe(40);
  });

  it("close waits for the writes in flight", async () => {
    const root = tempDir();
    const s = openStore(root);
    const N = z.object({ n: z.number() }).parse;
    const writes = Array.from({ length: 10 }, (_, i) => s.records.update(`c${i % 2}`, N, (c) => ({ n: (c?.n ?? 0) + 1 })));
    let settled = 0;
    for (const w of writes) void w.then(() => settled++);
    await s.close();
    await new Promise((r) => setImmediate(r)); // let the callbacks of already-settled writes run (no I/O)
    expect(settled).toBe(10);
  });

  it("lists keys under a prefix, skipping temp and moved-aside files", async () => {
    const root = tempDir();
    const s = openStore(root);
    for (const k of ["state/T2", "state/T10", "state/X1", "other/T1"]) await s.records.write(k, { b: 0, a: { z: "", y: [] } }, undefined);
    writeFileSync(path.join(root, ".orchestrator/state/.T2.json.123.abcdef01.tmp"), "{");
    writeFileSync(path.join(root, ".orchestrator/state/T3.corrupt-2026.json"), "{");
    expect(await s.records.list("state/")).toEqual(["state/T10", "state/T2", "state/X1"]);
    expect(await s.records.list("state/T")).toEqual(["state/T10", "state/T2"]);
    expect(await s.records.list("none/")).toEqual([]);
  });

  it("a damaged record is an error naming the file: bad JSON, not a record, schema mismatch", async () => {
    const root = tempDir();
    const s = openStore(root);
    await s.records.write("state/T1", { b: 1, a: { z: "", y: [] } }, undefined);
    const f = file(root, "state/T1");
    const cases: [string, RegExp][] = [
      ['{ "version": 1, "fences": {}, "value": {', /state\/T1\.json: not valid JSON/],
      ['{ "value": {} }', /state\/T1\.json: not an orch record/],
      ['{ "version": 1, "fences": {}, "value": { "b": "one", "a": { "z": "", "y": [] } } }', /state\/T1\.json: does not match its schema \(b: /],
    ];
    for (const [text, msg] of cases) {
      writeFileSync(f, text);
      const err = await s.records.read("state/T1", Rec.parse).catch((e) => e);
      expect(err).toMatchObject({ code: "corrupt" });
      expect(err.message).toMatch(msg);
      await expect(s.records.update("state/T1", Rec.parse, (c) => c!)).rejects.toMatchObject({ code: "corrupt" });
      expect(readFileSync(f, "utf8")).toBe(text); // never overwritten blindly
    }
  });

  it("readCached: an unchanged file is not read again; a rewrite, an edit in place or a removal is seen", async () => {
    const root = tempDir();
    const s = openStore(root);
    const parse = (x: unknown) => Rec.parse(x);
    const v = (b: number) => ({ b, a: { z: "q", y: [] } });
    await s.records.write("r", v(1), undefined);
    const first = await s.records.readCached("r", parse);
    expect(first?.value.b).toBe(1);
    expect(await s.records.readCached("r", parse)).toBe(first); // the same value: not read or parsed again
    await s.records.write("r", v(2), 1); // another writer: a rename, a new file
    expect((await s.records.readCached("r", parse))?.value.b).toBe(2);
    // A person editing the file in place (same inode, same size): its times change.
    const before = statSync(file(root, "r")).mtime;
    writeFileSync(file(root, "r"), readFileSync(file(root, "r"), "utf8").replace('"b": 2', '"b": 3'));
    utimesSync(file(root, "r"), before, new Date(before.getTime() + 1000)); // a later save, even within the clock's granularity
    expect((await s.records.readCached("r", parse))?.value.b).toBe(3);
    rmSync(file(root, "r"));
    expect(await s.records.readCached("r", parse)).toBeUndefined();
  });

  it("rejects unsafe keys", async () => {
    const s = openStore(tempDir());
    for (const k of ["../x", "/abs", "a//b", "", "a/./b", "a b"]) {
      await expect(s.records.write(k, {}, undefined)).rejects.toMatchObject({ code: "bad-key" });
    }
  });
});
