/** Minutes in a duration such as "1h30m", "45m" or "2h"; anything else throws a TypeError. */
export function parseDuration(s) {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?$/.exec(String(s));
  if (!m || (m[1] === undefined && m[2] === undefined)) throw new TypeError(`not a duration: ${JSON.stringify(s)}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}
