/** Local time of the box as HH:MM:SS (or MM-DD HH:MM for times a day or more before `now`). */
export function clockTime(ms: number, utcOffsetHours = 8, now = Date.now()): string {
  const local = new Date(ms + utcOffsetHours * 3_600_000).toISOString();
  return now - ms < 86_400_000 ? local.slice(11, 19) : `${local.slice(5, 10)} ${local.slice(11, 16)}`;
}
