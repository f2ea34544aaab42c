// The DAG's coordinates, computed here in Node by dagre (not in the page): the layout depends only on
// the mission's shape, which changes far less often than phases do, so it is computed once per shape
// and every page gets the same drawing without shipping dagre to the browser.
import { Graph, layout } from "@dagrejs/dagre";
import type { BoardTask, DagEdge, DagLayout, DagNode } from "./wire.js";

/**
 * Past this many tasks the DAG is drawn collapsed: one node per group (the TODO.md heading the tasks
 * sit under, in chunks of at most GROUP_MAX), edges counted between groups. dagre needs ~1.5 s for
 * 2,000 tasks with local deps and far more with long ones; a drawing that size is unreadable anyway.
 */
const COLLAPSE_AT = 150;
const GROUP_MAX = 100;

const TASK_NODE = { width: 150, height: 34 };
const GROUP_NODE = { width: 190, height: 52 };

let cache: { key: string; layout: DagLayout } | undefined;

/** Lays out the tasks' DAG (edges: each dependency, and each parent waiting for its subtask). */
export function layoutDag(tasks: readonly BoardTask[]): DagLayout {
  const collapsed = tasks.length > COLLAPSE_AT;
  const groupOf = collapsed ? groups(tasks) : new Map(tasks.map((t) => [t.id, t.id]));
  const key = shapeKey(tasks, groupOf);
  const critical = new Set<string>();
  for (const t of tasks) if (t.critical) critical.add(groupOf.get(t.id)!);
  // The critical path changes with progress; the coordinates only with the shape.
  if (cache?.key !== key) cache = { key, layout: compute(tasks, groupOf, collapsed) };
  const l = cache.layout;
  return { ...l, nodes: l.nodes.map((n) => ({ ...n, critical: critical.has(n.id) })) };
}

/** Task id → group id: its innermost heading, cut in chunks of GROUP_MAX in document order. */
function groups(tasks: readonly BoardTask[]): Map<string, string> {
  const total = new Map<string, number>();
  for (const t of tasks) total.set(t.group, (total.get(t.group) ?? 0) + 1);
  const count = new Map<string, number>();
  const out = new Map<string, string>();
  for (const t of tasks) {
    const n = count.get(t.group) ?? 0;
    count.set(t.group, n + 1);
    const name = t.group || "(no heading)";
    out.set(t.id, total.get(t.group)! > GROUP_MAX ? `${name} #${Math.floor(n / GROUP_MAX) + 1}` : name);
  }
  return out;
}

function shapeKey(tasks: readonly BoardTask[], groupOf: Map<string, string>): string {
  return tasks.map((t) => `${t.id}\u0001${groupOf.get(t.id)}\u0001${t.parent ?? ""}\u0001${t.deps.join(",")}\u0001${t.title}`).join("\u0002");
}

function compute(tasks: readonly BoardTask[], groupOf: Map<string, string>, collapsed: boolean): DagLayout {
  const g = new Graph();
  g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 48, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const members = new Map<string, string[]>();
  for (const t of tasks) {
    const id = groupOf.get(t.id)!;
    const m = members.get(id);
    if (m) m.push(t.id);
    else members.set(id, [t.id]);
  }
  const size = collapsed ? GROUP_NODE : TASK_NODE;
  for (const id of members.keys()) g.setNode(id, { ...size });
  const edges = new Map<string, DagEdge>();
  const add = (from: string, to: string, kind: DagEdge["kind"]) => {
    const a = groupOf.get(from);
    const b = groupOf.get(to);
    if (!a || !b || a === b) return;
    const k = `${a}\u0001${b}\u0001${kind}`;
    const e = edges.get(k);
    if (e) e.count++;
    else edges.set(k, { from: a, to: b, kind, count: 1, points: [] });
  };
  for (const t of tasks) {
    for (const d of t.deps) add(d, t.id, "dep");
    if (t.parent) add(t.id, t.parent, "sub");
  }
  // dagre keeps one edge per pair: a dep and a subtask link between the same two nodes share a route.
  for (const e of edges.values()) g.setEdge(e.from, e.to);
  layout(g);
  const nodes: DagNode[] = [...members].map(([id, ids]) => {
    const n = g.node(id);
    return { id, label: collapsed ? id : tasks.find((t) => t.id === id)!.title, x: n.x, y: n.y, width: n.width, height: n.height, tasks: ids, critical: false };
  });
  for (const e of edges.values()) e.points = (g.edge(e.from, e.to)?.points ?? []).map((p: { x: number; y: number }) => ({ x: Math.round(p.x), y: Math.round(p.y) }));
  const graph = g.graph();
  return { collapsed, width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0), nodes, edges: [...edges.values()] };
}
