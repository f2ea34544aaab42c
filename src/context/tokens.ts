// Token estimate used for packs and budgets: ceil(characters / 4). It is the usual rule of thumb
// for English and code with BPE tokenizers (cl100k/o200k land at 3.5-4.5 chars per token on
// source code); no tokenizer is bundled, so budgets are approximate by design.

/** Estimated tokens of a text: ceil(length / 4). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
