// Ranking and budget fitting for context packs: pure functions over candidate items.
import { estimateTokens } from "./tokens.js";

/** One piece of a pack. */
export interface PackItem {
  kind: "files" | "symbol" | "outline" | "references";
  /** Rendered text of this piece (markdown). */
  text: string;
  tokens: number;
  /** Higher first; see docs/NATIVE.md for the scale. */
  score: number;
  path?: string;
  name?: string;
  /** Why it was picked, e.g. "changed by dep", "in scope", "defines `Foo`". */
  reason: string;
}

/** Builds an item, computing its token estimate. */
export function item(kind: PackItem["kind"], text: string, score: number, reason: string, extra: { path?: string; name?: string } = {}): PackItem {
  return { kind, text, tokens: estimateTokens(text), score, reason, ...extra };
}

/**
 * Picks items by descending score (ties: fewer tokens first) while they fit the budget; an item
 * that does not fit is skipped so that smaller ones below it can still be taken.
 */
export function fitItems(items: PackItem[], budget: number): PackItem[] {
  const sorted = [...items].sort((a, b) => b.score - a.score || a.tokens - b.tokens);
  const out: PackItem[] = [];
  let left = budget;
  for (const it of sorted) {
    if (it.tokens <= left) {
      out.push(it);
      left -= it.tokens;
    }
  }
  return out;
}

const ORDER: Record<PackItem["kind"], number> = { files: 0, symbol: 1, outline: 2, references: 3 };

/** Orders chosen items for reading: file list, symbol bodies, outlines, references; by score within. */
export function readingOrder(items: PackItem[]): PackItem[] {
  return [...items].sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || b.score - a.score);
}
