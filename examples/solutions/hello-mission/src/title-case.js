import { words } from "./words.js";

const SMALL = new Set("a an and as at but by for in of on or the to".split(" "));

/** Title Case, keeping small words lower-case unless first or last. */
export function titleCase(s) {
  const ws = words(s);
  return ws
    .map((w, i) => {
      const lower = w.toLowerCase();
      if (i > 0 && i < ws.length - 1 && SMALL.has(lower)) return lower;
      return lower.charAt(0).toUpperCase() + lower.slice(1);
    })
    .join(" ");
}
