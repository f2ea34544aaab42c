import { describe, expect, it } from "vitest";
import { readySet, topoOrder, criticalPath, findCycle, findCycles, blockedBy } from "../../src/graph/dag.js";

const diamond = [
  { id: "A", deps: [] },
  { id: "B", deps: ["A"] },
  { id: "C", deps: ["A"] },
  { id: "D", deps: ["B", "C"] },
];

describe("dag", () => {
  it("ready set follows done deps", () => {
    expect(readySet(diamond, new Set())).toEqual(["A"]);
    expect(readySet(diamond, new Set(["A"]))).toEqual(["B", "C"]);
    expect(readySet(diamond, new Set(["A", "B"]))).toEqual(["C"]);
    expect(readySet([{ id: "X", deps: ["missing"] }], new Set())).toEqual([]);
    expect(blockedBy(diamond[3]!, new Set(["B"]))).toEqual(["C"]);
  });
  it("topological order puts deps first", () => {
    const order = topoOrder([...diamond].reverse());
    for (const n of diamond) for (const d of n.deps) expect(order.indexOf(d)).toBeLessThan(order.indexOf(n.id));
  });
  it("critical path uses weights", () => {
    expect(criticalPath(diamond)).toEqual({ path: ["A", "B", "D"], length: 3 });
    expect(criticalPath(diamond, (id) => (id === "C" ? 10 : 1))).toEqual({ path: ["A", "C", "D"], length: 12 });
  });
  it("reports a cycle as a closed path", () => {
    const g = [...diamond, { id: "E", deps: ["F"] }, { id: "F", deps: ["G"] }, { id: "G", deps: ["E"] }];
    expect(findCycle(diamond)).toBeUndefined();
    expect(findCycle(g)).toEqual(["E", "F", "G", "E"]);
    expect(() => topoOrder(g)).toThrow(/E → F → G → E/);
    expect(findCycles([{ id: "S", deps: ["S"] }])).toEqual([["S", "S"]]);
  });
  it("handles a 10,000-long chain without recursion limits", () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => ({ id: `T${i}`, deps: i ? [`T${i - 1}`] : [] }));
    expect(criticalPath(chain).length).toBe(10_000);
    chain[0] = { id: "T0", deps: ["T9999"] };
    expect(findCycle(chain)!.length).toBe(10_001);
  });
});
