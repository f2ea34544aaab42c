/** The words of `s`: runs of letters or digits, also split at camelCase boundaries. */
export function words(s) {
  if (typeof s !== "string") throw new TypeError("words() expects a string");
  const out = [];
  for (const run of s.match(/[\p{L}\p{N}]+/gu) ?? []) {
    out.push(...run.split(/(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u));
  }
  return out;
}
