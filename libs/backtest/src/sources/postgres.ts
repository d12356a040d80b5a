import { BarStore, TradeStore } from '@meridian/history';
import type { Database } from '@meridian/store';
import { BacktestConfigError } from '../errors';
import type { BarEvent, TradeEvent } from '../events';
import type { EventSource } from './source';

export interface PostgresSeries {
  readonly venue: string;
  readonly symbol: string;
  /** Inclusive start (a bar's start, a trade's time); default: from the first. */
  readonly fromTsNs?: bigint;
  /** Exclusive end; default: to the last. */
  readonly toTsNs?: bigint;
  /** Rows per query (default 10,000): one page is one chunk of the source. */
  readonly pageSize?: number;
}

function pageSizeOf(s: PostgresSeries): number {
  const n = s.pageSize ?? 10_000;
  if (!Number.isSafeInteger(n) || n < 1 || n > 1_000_000) throw new BacktestConfigError('postgres.pageSize', n, 'must be an integer in [1, 1000000]');
  return n;
}

/**
 * One bar series of the recorder's `bars` table (`@meridian/history`'s `BarStore`), a page at a
 * time, oldest first; each bar is an event at its end. The stored bar is its highest revision
 * (the one a correction left), published as revision 0 here: it is the bar the series holds.
 */
export function postgresBarSource(db: Database, series: PostgresSeries & { readonly interval: string }): EventSource {
  const store = new BarStore(db);
  const limit = pageSizeOf(series);
  return {
    name: `postgres bars ${series.venue}/${series.symbol}/${series.interval}`,
    async *chunks() {
      let from = series.fromTsNs;
      for (;;) {
        const page = await store.query({ venue: series.venue, symbol: series.symbol, interval: series.interval, fromTsNs: from, toTsNs: series.toTsNs, limit });
        if (page.length === 0) return;
        yield page.map(
          (b): BarEvent => ({
            kind: 'bar',
            symbol: b.symbol,
            tsNs: b.endTsNs,
            interval: b.interval,
            startNs: b.startTsNs,
            open: b.open,
            high: b.high,
            low: b.low,
            close: b.close,
            volume: b.volume,
            trades: b.tradeCount,
            revision: 0,
          }),
        );
        if (page.length < limit) return;
        from = page[page.length - 1]!.startTsNs + 1n;
      }
    },
  };
}

/**
 * One symbol's trades from the `trades` table (`TradeStore`), a page at a time, in (time, trade
 * id) order. Pages are keyed by time; trades sharing the page's last timestamp are read again with
 * the next page and the ones already delivered skipped, so none is lost or repeated at a boundary.
 */
export function postgresTradeSource(db: Database, series: PostgresSeries): EventSource {
  const store = new TradeStore(db);
  const pageSize = pageSizeOf(series);
  return {
    name: `postgres trades ${series.venue}/${series.symbol}`,
    async *chunks() {
      let from = series.fromTsNs;
      let seenAtFrom = 0;
      let limit = pageSize;
      for (;;) {
        const page = await store.query({ venue: series.venue, symbol: series.symbol, fromTsNs: from, toTsNs: series.toTsNs, limit });
        const fresh = page.slice(seenAtFrom);
        if (fresh.length === 0) {
          if (page.length < limit) return;
          // Every row of the page shares one timestamp and was delivered: read more of it.
          limit *= 2;
          continue;
        }
        yield fresh.map(
          (t): TradeEvent => ({ kind: 'trade', symbol: t.symbol, tsNs: t.tsNs, price: t.price, size: t.size, aggressor: t.aggressor, tradeId: t.tradeId }),
        );
        if (page.length < limit) return;
        const lastNs = page[page.length - 1]!.tsNs;
        let same = 0;
        for (let i = page.length - 1; i >= 0 && page[i]!.tsNs === lastNs; i--) same++;
        seenAtFrom = from === lastNs ? seenAtFrom + fresh.length : same;
        from = lastNs;
        limit = pageSize;
      }
    },
  };
}
