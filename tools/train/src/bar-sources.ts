import { readFile } from 'node:fs/promises';
import { BarStore } from '@meridian/history';
import type { StoredBar } from '@meridian/history';
import type { Bar } from '@meridian/signals';
import { Database } from '@meridian/store';
import { BarFileError, DataMissingError } from './errors';
import { existsSync } from 'node:fs';

const TIME_COLUMNS = ['open_time_ms', 'start_ms', 'unix', 'timestamp', 'open_time', 'time', 'date'];

function parseTime(cell: string, column: string): number {
  const n = Number(cell);
  if (cell.trim() !== '' && Number.isFinite(n)) {
    // Seconds, milliseconds or nanoseconds since the epoch, told apart by magnitude.
    if (n < 1e11) return n * 1000;
    if (n < 1e14) return n;
    return Math.floor(n / 1e6);
  }
  const ms = Date.parse(cell.includes('T') || cell.includes('+') || cell.endsWith('Z') ? cell : `${cell.replace(' ', 'T')}Z`);
  if (!Number.isFinite(ms)) throw new Error(`${column} ${JSON.stringify(cell)} is not a time`);
  return ms;
}

/**
 * Bars from a CSV file with a header: a time column (open_time_ms, unix, timestamp, open_time,
 * time or date: epoch s/ms/ns or an ISO date, UTC when no zone is given), open, high, low, close,
 * and a volume column (`volume` or the first whose name starts with volume); trade_count or
 * tradecount when present. Rows may come in any order (sorted here); a repeated time is refused.
 * A bar ends where the most common spacing says (the median gap between starts).
 */
export async function readBarsCsv(file: string): Promise<Bar[]> {
  if (!existsSync(file)) throw new DataMissingError(file);
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new BarFileError(file, 1, 'needs a header and at least one row');
  const header = lines[0]!.split(',').map((h) => h.trim().toLowerCase().replace(/^"|"$/g, ''));
  const find = (names: readonly string[]) => names.map((n) => header.indexOf(n)).find((i) => i >= 0) ?? -1;
  const time = find(TIME_COLUMNS);
  const cols = { open: header.indexOf('open'), high: header.indexOf('high'), low: header.indexOf('low'), close: header.indexOf('close') };
  const volume = header.indexOf('volume') >= 0 ? header.indexOf('volume') : header.findIndex((h) => h.startsWith('volume'));
  const trades = find(['trade_count', 'tradecount', 'trades']);
  if (time < 0) throw new BarFileError(file, 1, `no time column (one of ${TIME_COLUMNS.join(', ')})`);
  for (const [name, i] of Object.entries(cols)) if (i < 0) throw new BarFileError(file, 1, `no ${name} column`);
  if (volume < 0) throw new BarFileError(file, 1, 'no volume column');
  const rows: { startMs: number; open: number; high: number; low: number; close: number; volume: number; trades: number }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const num = (j: number, name: string) => {
      const v = Number(cells[j]);
      if (cells[j] === undefined || cells[j] === '' || !Number.isFinite(v)) throw new BarFileError(file, i + 1, `${name} ${JSON.stringify(cells[j])} is not a number`);
      return v;
    };
    let startMs: number;
    try {
      startMs = parseTime(cells[time] ?? '', header[time]!);
    } catch (e) {
      throw new BarFileError(file, i + 1, (e as Error).message);
    }
    const t = trades >= 0 ? Number(cells[trades]) : 0;
    rows.push({ startMs, open: num(cols.open, 'open'), high: num(cols.high, 'high'), low: num(cols.low, 'low'), close: num(cols.close, 'close'), volume: num(volume, 'volume'), trades: Number.isFinite(t) ? t : 0 });
  }
  rows.sort((a, b) => a.startMs - b.startMs);
  for (let i = 1; i < rows.length; i++) if (rows[i]!.startMs === rows[i - 1]!.startMs) throw new BarFileError(file, 0, `two rows start at ${new Date(rows[i]!.startMs).toISOString()}`);
  const gaps = rows.slice(1).map((r, i) => r.startMs - rows[i]!.startMs).sort((a, b) => a - b);
  const step = gaps.length > 0 ? gaps[gaps.length >> 1]! : 60_000;
  return rows.map((r) => ({ ...r, endMs: r.startMs + step }));
}

/** The models' floating-point view of a stored bar (statistics, not money). */
export function barOfStored(b: StoredBar): Bar {
  return {
    startMs: Number(b.startTsNs / 1_000_000n),
    endMs: Number(b.endTsNs / 1_000_000n),
    open: b.open.toNumber(),
    high: b.high.toNumber(),
    low: b.low.toNumber(),
    close: b.close.toNumber(),
    volume: b.volume.toNumber(),
    trades: b.tradeCount,
  };
}

export interface PgBarQuery {
  readonly url: string;
  readonly schema: string;
  readonly venue: string;
  readonly symbol: string;
  readonly interval: string;
  readonly fromMs?: number;
  readonly toMs?: number;
}

/** Every bar of one series from the recorder's `bars` table, oldest first, read in pages. */
export async function readBarsPg(q: PgBarQuery): Promise<Bar[]> {
  const db = await Database.open({ url: q.url, schema: q.schema, maxConnections: 1 });
  try {
    const store = new BarStore(db);
    const out: Bar[] = [];
    let from = q.fromMs !== undefined ? BigInt(q.fromMs) * 1_000_000n : undefined;
    const to = q.toMs !== undefined ? BigInt(q.toMs) * 1_000_000n : undefined;
    const page = 100_000;
    for (;;) {
      const rows = await store.query({ venue: q.venue, symbol: q.symbol, interval: q.interval, ...(from !== undefined ? { fromTsNs: from } : {}), ...(to !== undefined ? { toTsNs: to } : {}), limit: page });
      for (const r of rows) out.push(barOfStored(r));
      if (rows.length < page) break;
      from = rows[rows.length - 1]!.startTsNs + 1n;
    }
    return out;
  } finally {
    await db.pool.end();
  }
}
