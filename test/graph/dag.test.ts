import { describe, expect, it } from "vitest";
import { topoOrder, findCycle, findCycles } from "../../src/graph/dag.js";

const diamond = [
  { id: "A", deps: [] },
  { id: "B", deps: ["A"] },
  { id: "C", deps: ["A"] },
  { id: "D", deps: ["B", "C"] },
];

describe("dag", () => {
  it("topological order puts deps first", () => {
    const order = topoOrder([...diamond].reverse());
    for (const n of diamond) for (const d of n.deps) expect(order.indexOf(d)).toBeLessThan(order.indexOf(n.id));
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
    expect(topoOrder(chain)).toEqual(chain.map((n) => n.id));
    chain[0] = { id: "T0", deps: ["T9999"] };
    expect(findCycle(chain)!.length).toBe(10_001);
  });
});
