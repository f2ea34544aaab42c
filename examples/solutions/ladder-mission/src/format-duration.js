/** Minutes as hours and minutes: 90 → "1h 30m", 45 → "45m", 120 → "2h". */
export function formatDuration(minutes) {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h ? `${h}h` : "", m || !h ? `${m}m` : ""].filter(Boolean).join(" ");
}
