import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { Database } from '@meridian/store';
import { StagedCopy, copyField } from './copy';
import { HistoryWriteError, InvalidHistoryQueryError } from './errors';

/** One trade as stored (table `trades`, migration 002). */
export interface StoredTrade {
  readonly venue: string;
  readonly symbol: string;
  /** Unique within (venue, symbol, tsNs): the venue's id, or a sequence number the source makes up. */
  readonly tradeId: string;
  readonly price: Decimal;
  readonly size: Decimal;
  readonly aggressor: Side | undefined;
  readonly tsNs: bigint;
  readonly receivedTsNs: bigint | undefined;
}

export interface TradeQuery {
  readonly venue: string;
  readonly symbol: string;
  /** Inclusive; undefined leaves the range open at the start. */
  readonly fromTsNs?: bigint;
  /** Exclusive; undefined leaves the range open at the end. */
  readonly toTsNs?: bigint;
  /** Default 100,000, at most 1,000,000. */
  readonly limit?: number;
}

const COLUMNS = ['venue', 'symbol', 'ts_ns', 'trade_id', 'price', 'size', 'aggressor', 'received_ts_ns'] as const;
const COLUMN_LIST = COLUMNS.join(', ');
const STAGING = 'trades_staging';
const STAGING_DDL = `
  CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (
    venue text, symbol text, ts_ns bigint, trade_id text, price numeric, size numeric, aggressor text, received_ts_ns bigint
  ) ON COMMIT DELETE ROWS`;
// A trade is a fact: a second copy of the same (venue, symbol, time, id) changes nothing.
const MERGE_SQL = `INSERT INTO trades (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM ${STAGING} ON CONFLICT DO NOTHING`;
const MAX_TS_NS = 9_223_372_036_854_775_807n;
const MAX_LIMIT = 1_000_000;

function copyLine(t: StoredTrade): string {
  return [
    copyField(t.venue),
    copyField(t.symbol),
    t.tsNs.toString(),
    copyField(t.tradeId),
    t.price.toString(),
    t.size.toString(),
    copyField(t.aggressor ?? null),
    copyField(t.receivedTsNs === undefined ? null : t.receivedTsNs.toString()),
  ].join('\t');
}

/** Raw trades for backtests that replay prints rather than bars: COPY in, ranges out. */
export class TradeStore {
  private readonly staged: StagedCopy<StoredTrade>;

  constructor(private readonly db: Database) {
    this.staged = new StagedCopy(db, STAGING, STAGING_DDL, COLUMNS, copyLine);
  }

  /** Inserts a batch in one transaction; returns how many were new. */
  async write(trades: readonly StoredTrade[]): Promise<number> {
    if (trades.length === 0) return 0;
    try {
      return await this.staged.run(trades, MERGE_SQL);
    } catch (err) {
      throw new HistoryWriteError('trades', trades.length, err);
    }
  }

  /** Trades of one symbol in [fromTsNs, toTsNs), in time order (then by id), at most `limit`. */
  async query(q: TradeQuery): Promise<StoredTrade[]> {
    if (!q.venue) throw new InvalidHistoryQueryError('venue', q.venue, 'must be a non-empty string');
    if (!q.symbol) throw new InvalidHistoryQueryError('symbol', q.symbol, 'must be a non-empty string');
    const limit = q.limit ?? 100_000;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidHistoryQueryError('limit', limit, `must be an integer in [1, ${MAX_LIMIT}]`);
    }
    const { rows } = await this.db.pool.query<{
      venue: string;
      symbol: string;
      ts_ns: string;
      trade_id: string;
      price: string;
      size: string;
      aggressor: Side | null;
      received_ts_ns: string | null;
    }>(
      `SELECT ${COLUMN_LIST} FROM trades WHERE venue = $1 AND symbol = $2 AND ts_ns >= $3 AND ts_ns < $4
       ORDER BY ts_ns, trade_id LIMIT $5`,
      [q.venue, q.symbol, (q.fromTsNs ?? 0n).toString(), (q.toTsNs ?? MAX_TS_NS).toString(), limit],
    );
    return rows.map((r) => ({
      venue: r.venue,
      symbol: r.symbol,
      tradeId: r.trade_id,
      price: Decimal.parse(r.price),
      size: Decimal.parse(r.size),
      aggressor: r.aggressor ?? undefined,
      tsNs: BigInt(r.ts_ns),
      receivedTsNs: r.received_ts_ns === null ? undefined : BigInt(r.received_ts_ns),
    }));
  }
}
