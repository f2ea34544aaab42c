// Building the page's elements. Text goes in as text (textContent), never as HTML: a task title or an
// agent's output with markup in it shows as the characters it is.

type Child = Node | string | undefined | false;

/** An HTML element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children) if (c !== undefined && c !== false) el.append(typeof c === "string" ? document.createTextNode(c) : c);
  return el;
}

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element with attributes and children. */
export function s(tag: string, attrs: Record<string, string | number | undefined> = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) if (c !== undefined && c !== false) el.append(typeof c === "string" ? document.createTextNode(c) : c);
  return el;
}

/** The element with this id (the page's skeleton has it). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** "1,376 tok $0.0015". */
export function spendText(s: { tokens: number; costUsd: number }): string {
  return `${s.tokens.toLocaleString("en-US")} tok $${s.costUsd.toFixed(4)}`;
}

/** "3m 12s" between two times (ms). */
export function elapsed(ms: number): string {
  const sec = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(sec / 60);
  const hours = Math.floor(m / 60);
  return hours ? `${hours}h ${m % 60}m` : m ? `${m}m ${sec % 60}s` : `${sec}s`;
}
