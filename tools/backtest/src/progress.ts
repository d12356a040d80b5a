// Progress of a backtest without a hook in the engine: every source is wrapped so that each
// event it hands to the engine's merge is counted. The merge reads one chunk ahead per source, so
// chunks are cut to CHUNK events: the count runs at most that far ahead of the engine.
import { createReadStream } from 'node:fs';
import type { EventSource, MarketEvent } from '@meridian/backtest';
import type { DataSpec, TimeWindow } from './data';

const CHUNK = 512;

/** Counts the events of `source` as they are read (`onEvents(n)` per chunk). */
export function counted(source: EventSource, onEvents: (n: number) => void): EventSource {
  return {
    name: source.name,
    async *chunks() {
      for await (const chunk of source.chunks() as AsyncIterable<readonly MarketEvent[]>) {
        for (let i = 0; i < chunk.length; i += CHUNK) {
          const part = chunk.length <= CHUNK ? chunk : chunk.slice(i, i + CHUNK);
          onEvents(part.length);
          yield part;
        }
      }
    },
  };
}

/** Lines of a file that are not blank, read in blocks (no line is held). */
export async function countLines(path: string): Promise<number> {
  let lines = 0;
  let inLine = false;
  for await (const block of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < block.length; i++) {
      const c = block[i]!;
      if (c === 10) {
        if (inLine) lines++;
        inLine = false;
      } else if (c !== 13 && c !== 32 && c !== 9) inLine = true;
    }
  }
  return inLine ? lines + 1 : lines;
}

/** How many events a spec gives, when that is known without reading it through the engine. */
export async function eventsOf(spec: DataSpec, window: TimeWindow | undefined): Promise<number | undefined> {
  if (window?.fromMs !== undefined || window?.toMs !== undefined) return undefined;
  switch (spec.kind) {
    case 'csv':
      // One event per row except book levels, which are grouped by time.
      return spec.type === 'book' ? undefined : Math.max(0, (await countLines(spec.path)) - 1);
    case 'jsonl':
      return countLines(spec.path);
    case 'events':
      return spec.events.length;
    case 'synthetic':
      return spec.bars * spec.symbols.length;
    default:
      return undefined;
  }
}

/** The total of all specs, or undefined when one of them is not known. */
export async function totalEvents(specs: readonly DataSpec[], window?: TimeWindow): Promise<number | undefined> {
  let total = 0;
  for (const s of specs) {
    const n = await eventsOf(s, window);
    if (n === undefined) return undefined;
    total += n;
  }
  return total;
}

export interface ProgressSnapshot {
  readonly events: number;
  readonly total: number | undefined;
  readonly elapsedMs: number;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '?';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}

/** `[####....]  42% 12,345/29,000 events  85.1k ev/s  eta 0.2s` (or without the bar when the total is unknown). */
export function progressLine(p: ProgressSnapshot, width = 24): string {
  const rate = p.elapsedMs > 0 ? (p.events / p.elapsedMs) * 1000 : 0;
  if (p.total === undefined || p.total === 0) return `${p.events.toLocaleString('en-US')} events  ${formatRate(rate)} ev/s  ${formatSeconds(p.elapsedMs / 1000)}`;
  const frac = Math.min(1, p.events / p.total);
  const filled = Math.round(frac * width);
  const eta = rate > 0 ? (p.total - p.events) / rate : Number.NaN;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${p.events.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} events  ${formatRate(rate)} ev/s  eta ${formatSeconds(eta)}`;
}

type Stream = { isTTY?: boolean; columns?: number; write(s: string): boolean };

/**
 * A status line on stderr: redrawn in place (at most every 100 ms) on a terminal; on a pipe or a
 * file, one line every `pipeEveryMs` so logs stay readable, the first one `pipeEveryMs` after the
 * status line was made (a command that ends sooner writes none there, however long node took to start).
 */
export class StatusLine {
  private lastDraw: number;
  private drawn = false;

  constructor(
    private readonly stream: Stream = process.stderr,
    private readonly quiet = false,
    private readonly pipeEveryMs = 5_000,
  ) {
    // On a terminal the first update draws at once; on a pipe it waits a whole interval.
    this.lastDraw = stream.isTTY === true ? -Infinity : performance.now();
  }

  update(line: string, force = false): void {
    if (this.quiet) return;
    const now = performance.now();
    const tty = this.stream.isTTY === true;
    if (!force && now - this.lastDraw < (tty ? 100 : this.pipeEveryMs)) return;
    this.lastDraw = now;
    if (tty) {
      this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns ?? 200) - 1)}`);
      this.drawn = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** A line that stays, printed above the status line. */
  log(message: string): void {
    if (this.quiet) return;
    this.clear();
    this.stream.write(`${message}\n`);
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
