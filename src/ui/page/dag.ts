// The DAG view: dagre's coordinates (computed by the server) drawn as SVG. A node is coloured by its
// task's state; a group node (a collapsed mission) by a bar of its tasks' states.
import type { Board, BoardTask, DagNode } from "../wire.js";
import { s } from "./dom.js";

/** What clicking a node does. */
export interface DagHandlers {
  task(id: string): void;
  group(node: DagNode): void;
}

/** Draws the board's DAG into `svg`. */
export function drawDag(svg: SVGSVGElement, board: Board, on: DagHandlers): void {
  const { dag } = board;
  const byId = new Map(board.tasks.map((t) => [t.id, t]));
  svg.replaceChildren();
  svg.setAttribute("width", String(dag.width));
  svg.setAttribute("height", String(dag.height));
  svg.setAttribute("data-collapsed", String(dag.collapsed));
  svg.append(s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" }, s("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#868e96" }))));
  const criticalNode = new Set(dag.nodes.filter((n) => n.critical).map((n) => n.id));
  for (const e of dag.edges) {
    const d = e.points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" ");
    const critical = !dag.collapsed && e.kind === "dep" && criticalNode.has(e.from) && criticalNode.has(e.to);
    const path = s("path", { class: `edge ${e.kind}${critical ? " critical" : ""}`, d, "marker-end": "url(#arrow)", "data-from": e.from, "data-to": e.to, "data-kind": e.kind, "data-count": e.count });
    if (e.count > 1) path.append(s("title", {}, `${e.count} dependencies`));
    svg.append(path);
  }
  for (const n of dag.nodes) svg.append(dag.collapsed ? groupNode(n, byId, on) : taskNode(n, byId.get(n.id)!, on));
}

function taskNode(n: DagNode, t: BoardTask, on: DagHandlers): SVGElement {
  const x = n.x - n.width / 2;
  const y = n.y - n.height / 2;
  const label = `${t.id} ${t.title}`;
  const g = s(
    "g",
    { class: `node task${n.critical ? " critical" : ""}`, "data-id": t.id, "data-state": t.state, tabindex: 0, role: "button" },
    s("title", {}, `${label}\n${t.state}${t.reason ? ` — ${t.reason}` : ""}`),
    s("rect", { x, y, width: n.width, height: n.height }),
    s("text", { x: x + 6, y: y + 14 }, label.length > 24 ? `${label.slice(0, 23)}…` : label),
    s("text", { x: x + 6, y: y + 28, class: "muted" }, t.state),
  );
  g.addEventListener("click", () => on.task(t.id));
  g.addEventListener("keydown", (ev) => (ev as KeyboardEvent).key === "Enter" && on.task(t.id));
  return g;
}

function groupNode(n: DagNode, byId: Map<string, BoardTask>, on: DagHandlers): SVGElement {
  const x = n.x - n.width / 2;
  const y = n.y - n.height / 2;
  const counts = new Map<string, number>();
  for (const id of n.tasks) {
    const st = byId.get(id)?.state ?? "Pending";
    counts.set(st, (counts.get(st) ?? 0) + 1);
  }
  const g = s("g", { class: `node group${n.critical ? " critical" : ""}`, "data-group": n.id, "data-tasks": n.tasks.length, tabindex: 0, role: "button" }, s("title", {}, `${n.label}: ${n.tasks.length} tasks\n${[...counts].map(([k, v]) => `${k} ${v}`).join(", ")}`), s("rect", { x, y, width: n.width, height: n.height, style: "fill:#fff" }));
  g.append(s("text", { x: x + 6, y: y + 15 }, n.label.length > 28 ? `${n.label.slice(0, 27)}…` : n.label), s("text", { x: x + 6, y: y + 29, class: "muted" }, `${n.tasks.length} tasks`));
  let at = x + 4;
  const w = n.width - 8;
  for (const [state, count] of counts) {
    const bw = (w * count) / n.tasks.length;
    g.append(s("rect", { class: "bar", x: at, y: y + n.height - 14, width: bw, height: 9, "data-state": state }));
    at += bw;
  }
  g.addEventListener("click", () => on.group(n));
  return g;
}

/** Recolours one task's node at once (a phase event), before the next board arrives. */
export function recolour(svg: SVGSVGElement, id: string, state: string): void {
  const g = svg.querySelector<SVGGElement>(`g.node.task[data-id="${CSS.escape(id)}"]`);
  if (!g) return;
  g.setAttribute("data-state", state);
  const label = g.querySelectorAll("text")[1];
  if (label) label.textContent = state;
}
