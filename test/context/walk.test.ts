// The fallback's walk honours .gitignore the way orch-native (the ignore crate) does.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NativePool } from "../../src/context/native-pool.js";
import { walkFiles } from "../../src/context/walk.js";
import { HAVE_NATIVE, NATIVE_BIN } from "../native/binary.js";

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "orch-walk-"));
  const w = (rel: string, text = "x\n") => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  w(".gitignore", "*.log\nbuild/\n/top.txt\n!keep.log\n");
  w("a.log");
  w("keep.log");
  w("top.txt");
  w("sub/top.txt");
  w("build/out.js");
  w("sub/build/out.js");
  w("sub/.gitignore", "local.ts\n");
  w("sub/local.ts");
  w("sub/deep/local.ts");
  w("other/local.ts");
  w(".hidden/x.ts");
  w("src/a.ts");
  symlinkSync(path.join(root, "src/a.ts"), path.join(root, "link.ts"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

// .gitignore files are hidden; sub/local.ts and sub/deep/local.ts fall to sub/.gitignore only.
const expected = ["keep.log", "other/local.ts", "src/a.ts", "sub/top.txt"];

describe("walkFiles", () => {
  it("applies nested .gitignore files, negation, anchoring; skips hidden entries and symlinks", async () => {
    expect(await walkFiles(root)).toEqual(expected);
  });
  it.skipIf(!HAVE_NATIVE)("lists what orch-native's glob lists", async () => {
    const pool = new NativePool(root, NATIVE_BIN, { size: 1, timeoutMs: 5_000 });
    try {
      expect((await pool.glob([])).paths).toEqual(expected);
    } finally {
      await pool.close();
    }
  });
});
