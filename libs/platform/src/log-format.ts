const LEVEL_WIDTH = 5;
const SKIP = new Set(['level', 'time', 'service', 'msg', 'pid', 'hostname']);

/**
 * Shortens one JSON log line of a service for a terminal: `HH:MM:SS LEVEL message key=value`.
 * Lines that are not JSON pass through unchanged.
 */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof o.time === 'string' ? o.time.slice(11, 19) : '';
  const level = String(o.level ?? '').toUpperCase().padEnd(LEVEL_WIDTH);
  const fields = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `${time} ${level} ${String(o.msg ?? '')}${fields ? ` ${fields}` : ''}`;
}
