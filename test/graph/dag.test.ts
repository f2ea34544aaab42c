import { describe, expect, it } from "vitest";
import { findCycles, waitOrder, type IndexGraph } from "../../src/graph/dag.js";

/** An IndexGraph from ids and the ids each waits for. */
function graph(nodes: { id: string; deps: string[] }[]): IndexGraph {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  return { ids: nodes.map((n) => n.id), next: nodes.map((n) => n.deps.map((d) => index.get(d)!)) };
}

const diamond = [
  { id: "A", deps: [] },
  { id: "B", deps: ["A"] },
  { id: "C", deps: ["A"] },
  { id: "D", deps: ["B", "C"] },
];

describe("dag", () => {
  it("the wait order puts what a node waits for first, ties in index order", () => {
    const g = graph([...diamond].reverse());
    const order = [...waitOrder(g)].map((i) => g.ids[i]);
    expect(order).toEqual(["A", "C", "B", "D"]);
  });
  it("leaves out the nodes on a cycle and those waiting on one", () => {
    const g = graph([...diamond, { id: "E", deps: ["F"] }, { id: "F", deps: ["G"] }, { id: "G", deps: ["E"] }, { id: "H", deps: ["E", "A"] }]);
    expect([...waitOrder(g)].map((i) => g.ids[i])).toEqual(["A", "B", "C", "D"]);
  });
  it("reports a cycle as a closed path", () => {
    expect(findCycles(graph(diamond))).toEqual([]);
    expect(findCycles(graph([...diamond, { id: "E", deps: ["F"] }, { id: "F", deps: ["G"] }, { id: "G", deps: ["E"] }]))).toEqual([["E", "F", "G", "E"]]);
    expect(findCycles(graph([{ id: "S", deps: ["S"] }]))).toEqual([["S", "S"]]);
  });
  it("handles a 10,000-long chain without recursion limits", () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => ({ id: `T${i}`, deps: i ? [`T${i - 1}`] : [] }));
    expect([...waitOrder(graph(chain))]).toEqual(chain.map((_, i) => i));
    chain[0] = { id: "T0", deps: ["T9999"] };
    expect(waitOrder(graph(chain))).toHaveLength(0);
    expect(findCycles(graph(chain))[0]!.length).toBe(10_001);
  });
});
