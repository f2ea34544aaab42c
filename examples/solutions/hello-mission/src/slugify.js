import { words } from "./words.js";

/** A URL slug: accents stripped, words lower-cased and joined by dashes. */
export function slugify(s) {
  return words(s.normalize("NFKD").replace(/\p{M}/gu, "")).map((w) => w.toLowerCase()).join("-");
}
