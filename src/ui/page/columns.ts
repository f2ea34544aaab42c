// The board view: one column per state, a card per task. A column shows its first CARDS_SHOWN cards
// and a button for the rest, so a mission of thousands of tasks renders at once.
import type { BoardTask } from "../wire.js";
import { h } from "./dom.js";

const CARDS_SHOWN = 100;
/** Columns in the order work moves through them; any other state gets a column after these. */
const ORDER = ["Pending", "Blocked", "Running", "Verifying", "Reviewing", "AwaitingApproval", "WaitingForPerson", "Stalled", "Failed", "Suspended", "Succeeded", "done"];

/** Draws the columns of `tasks` (those in `only`, when given: a group of the collapsed DAG). */
export function drawColumns(box: HTMLElement, tasks: readonly BoardTask[], open: (id: string) => void, only?: ReadonlySet<string>): void {
  const shown = only ? tasks.filter((t) => only.has(t.id)) : tasks;
  const by = new Map<string, BoardTask[]>();
  for (const t of shown) (by.get(t.state) ?? by.set(t.state, []).get(t.state)!).push(t);
  const states = [...ORDER.filter((s) => by.has(s)), ...[...by.keys()].filter((s) => !ORDER.includes(s)).sort()];
  box.replaceChildren(
    ...states.map((state) => {
      const list = by.get(state)!;
      const col = h("section", { class: "column", "data-state": state }, h("h3", {}, `${state} `, h("span", { class: "muted" }, String(list.length))));
      const add = (from: number) => {
        for (const t of list.slice(from, from + CARDS_SHOWN)) col.append(card(t, open));
        if (list.length > from + CARDS_SHOWN) {
          const more = h("button", { class: "more" }, `${list.length - from - CARDS_SHOWN} more`);
          more.addEventListener("click", () => {
            more.remove();
            add(from + CARDS_SHOWN);
          });
          col.append(more);
        }
      };
      add(0);
      return col;
    }),
  );
}

function card(t: BoardTask, open: (id: string) => void): HTMLElement {
  const c = h(
    "div",
    { class: `card${t.critical ? " critical" : ""}`, "data-id": t.id, "data-state": t.state, tabindex: "0" },
    h("b", {}, t.id),
    " ",
    h("span", { class: "title" }, t.title),
    t.blockedBy.length ? h("div", { class: "muted" }, `waits for ${t.blockedBy.join(", ")}`) : undefined,
  );
  c.addEventListener("click", () => open(t.id));
  return c;
}
