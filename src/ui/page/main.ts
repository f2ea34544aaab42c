// The board page: one EventSource on /events. A `board` message redraws everything; a `loop` message
// (one of the loop's events) recolours a task at once and joins the timeline. It never polls, and
// only reads: steering stays with the orch commands and the files.
import type { Board, BoardTask, TimelineEvent } from "../wire.js";
import { drawDag, recolour } from "./dag.js";
import { drawColumns } from "./columns.js";
import { drawDetails, type Report } from "./details.js";
import { byId, h, spendText } from "./dom.js";

let board: Board | undefined;
let view: "dag" | "columns" = "dag";
/** The tasks of the group opened from the collapsed DAG, shown alone in the columns. */
let group: ReadonlySet<string> | undefined;
let open: { id: string; report?: Report } | undefined;

/** When the first board was drawn, for the page's own figures (performance marks). */
let firstDrawn = false;

function render(): void {
  if (!board) return;
  byId("root").textContent = board.root;
  byId("mode").textContent = board.live ? "live: orch watch" : "read-only: orch ui (files watched)";
  drawTotals(board);
  const problems = byId("problems");
  problems.hidden = board.problems.length === 0;
  problems.textContent = board.problems.join("\n");
  drawDag(byId<HTMLElement>("dag") as unknown as SVGSVGElement, board, { task: show, group: (n) => ((group = new Set(n.tasks)), setView("columns")) });
  drawColumns(byId("columns"), board.tasks, show, group);
  drawTimeline(board.timeline);
  if (open) drawOpen();
  if (!firstDrawn) {
    firstDrawn = true;
    performance.mark("orch-first-render");
    document.body.dataset.ready = "true";
  }
}

function drawTotals(b: Board): void {
  const t = b.totals;
  const item = (label: string, value: string, field: string) => h("span", { "data-total": field }, h("b", {}, value), ` ${label}`);
  const budget = [t.budgetLeft.tokens !== undefined ? `${t.budgetLeft.tokens.toLocaleString("en-US")} tok` : "", t.budgetLeft.usd !== undefined ? `$${t.budgetLeft.usd.toFixed(2)}` : ""].filter(Boolean).join(", ");
  byId("totals").replaceChildren(
    item("done", `${t.done}/${t.total}`, "done"),
    item("running", String(t.running), "running"),
    item("failed", String(t.failed), "failed"),
    item("waiting for you", String(t.waiting), "waiting"),
    item("blocked", String(t.blocked), "blocked"),
    item("pending", String(t.pending), "pending"),
    item("spent", spendText(t), "spent"),
    item("budget left", budget || "no mission budget", "budget"),
    b.byModel.length ? h("span", { class: "muted", "data-total": "by-model" }, b.byModel.map((m) => `${m.role} on ${m.model}: ${spendText(m)}`).join(" · ")) : "",
  );
}

function drawTimeline(events: TimelineEvent[]): void {
  const list = byId("timeline");
  list.replaceChildren(
    ...events
      .slice()
      .reverse()
      .map((e) => h("li", { "data-task": e.task }, `${e.at.replace("T", " ").replace(/\.\d+Z$|Z$/, "")}  ${e.task}  ${e.attempt !== undefined ? `#${e.attempt} ` : ""}${e.kind}${e.from || e.to ? `  ${e.from ?? "∅"} → ${e.to ?? "∅"}` : ""}${e.role ? `  ${e.role}` : ""}${e.verdict ? `  ${e.verdict}` : ""}${e.error ? `  error: ${e.error}` : ""}`)),
  );
}

function setView(v: "dag" | "columns"): void {
  view = v;
  if (v === "dag") group = undefined;
  byId("dag-view").hidden = v !== "dag";
  byId("columns").hidden = v !== "columns";
  byId("show-dag").setAttribute("aria-pressed", String(v === "dag"));
  byId("show-columns").setAttribute("aria-pressed", String(v === "columns"));
  if (board) drawColumns(byId("columns"), board.tasks, show, group);
}

function task(id: string): BoardTask | undefined {
  return board?.tasks.find((t) => t.id === id);
}

/** Opens a task's details and fetches its report. */
function show(id: string): void {
  open = { id };
  drawOpen();
  void fetchReport(id);
}

async function fetchReport(id: string): Promise<void> {
  const res = await fetch(`/api/task/${encodeURIComponent(id)}`);
  if (!res.ok || open?.id !== id) return;
  open.report = (await res.json()) as Report;
  drawOpen();
}

function drawOpen(): void {
  const box = byId("details");
  const t = open && task(open.id);
  box.hidden = !t;
  if (!open || !t || !board) return;
  drawDetails(box, board, t, open.report, () => {
    open = undefined;
    box.hidden = true;
  });
}

/** A loop event: a phase change shows at once; the board that follows brings the rest. */
function loopEvent(e: { type: string; at?: string; task?: string; to?: string }): void {
  if (e.type !== "phase" || !e.task || !e.to || !board) return;
  const t = task(e.task);
  if (!t) return;
  t.state = e.to;
  recolour(byId<HTMLElement>("dag") as unknown as SVGSVGElement, t.id, e.to);
  const card = document.querySelector<HTMLElement>(`.card[data-id="${CSS.escape(t.id)}"]`);
  if (card) card.dataset.state = e.to;
  // How long after the loop said it the page shows it (`at` is the server's clock, on this machine).
  if (typeof e.at === "string") performance.mark("orch-phase", { detail: { task: t.id, to: e.to, lagMs: Date.now() - Date.parse(e.at) } });
  if (open?.id === t.id) {
    // A new phase may bring a new verify, review or session: fetch the report again.
    drawOpen();
    void fetchReport(t.id);
  }
}

function connect(): void {
  const conn = byId("conn");
  const es = new EventSource("/events");
  es.addEventListener("open", () => {
    conn.dataset.conn = "live";
    conn.textContent = "live";
  });
  es.addEventListener("error", () => {
    conn.dataset.conn = "lost";
    conn.textContent = "reconnecting…";
  });
  es.addEventListener("board", (m) => {
    const before = open && JSON.stringify(task(open.id));
    board = JSON.parse((m as MessageEvent<string>).data) as Board;
    render();
    if (open && JSON.stringify(task(open.id)) !== before) void fetchReport(open.id);
  });
  // The board could not be read (a file caught mid-write, a mission that does not parse): the last one stays.
  es.addEventListener("problem", (m) => {
    const problems = byId("problems");
    problems.hidden = false;
    problems.textContent = `the board could not be read again: ${(JSON.parse((m as MessageEvent<string>).data) as { message: string }).message}`;
  });
  es.addEventListener("loop", (m) => loopEvent(JSON.parse((m as MessageEvent<string>).data)));
}

byId("show-dag").addEventListener("click", () => setView("dag"));
byId("show-columns").addEventListener("click", () => setView("columns"));
setView(view);
connect();
