import { Decimal } from '@meridian/domain';
import type { Database } from '@meridian/store';
import { StagedCopy, copyField } from './copy';
import { HistoryWriteError, InvalidHistoryQueryError } from './errors';
import type { BarQuery, BarSeries, BarWriteResult, BulkMethod, StoredBar } from './types';

export const DEFAULT_BAR_QUERY_LIMIT = 10_000;
export const MAX_BAR_QUERY_LIMIT = 1_000_000;
/**
 * Batches at least this large go through COPY, smaller ones through one INSERT … unnest: COPY
 * costs a staging round trip more, which only pays off on large batches (README: measurements).
 */
export const DEFAULT_COPY_THRESHOLD = 1_000;

const MAX_TS_NS = 9_223_372_036_854_775_807n; // bigint's largest: the open end of a range

const COLUMNS = [
  'venue',
  'symbol',
  'interval',
  'start_ts_ns',
  'end_ts_ns',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'notional',
  'trade_count',
  'revision',
] as const;
const COLUMN_LIST = COLUMNS.join(', ');
const KEY = 'venue, symbol, interval, start_ts_ns';

/**
 * Keeps the highest revision of each bar: a duplicate or an older revision (a redelivery, a retry
 * that lost the race with a correction) changes nothing, whatever order they arrive in. Within one
 * batch the highest revision of a key wins (ON CONFLICT cannot touch one row twice per statement).
 */
const UPSERT_TAIL = `
  ORDER BY ${KEY}, revision DESC
  ON CONFLICT (${KEY}) DO UPDATE SET
    end_ts_ns = EXCLUDED.end_ts_ns, open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
    close = EXCLUDED.close, volume = EXCLUDED.volume, notional = EXCLUDED.notional,
    trade_count = EXCLUDED.trade_count, revision = EXCLUDED.revision, recorded_at = now()
  WHERE bars.revision < EXCLUDED.revision`;

const UNNEST_SQL = `
  INSERT INTO bars (${COLUMN_LIST})
  SELECT DISTINCT ON (${KEY}) ${COLUMN_LIST}
  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::numeric[], $7::numeric[], $8::numeric[],
              $9::numeric[], $10::numeric[], $11::numeric[], $12::bigint[], $13::bigint[])
       AS t(${COLUMN_LIST})
  ${UPSERT_TAIL}`;

const STAGING = 'bars_staging';
const STAGING_DDL = `
  CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (
    venue text, symbol text, interval text, start_ts_ns bigint, end_ts_ns bigint,
    open numeric, high numeric, low numeric, close numeric, volume numeric, notional numeric,
    trade_count bigint, revision bigint
  ) ON COMMIT DELETE ROWS`;
const FROM_STAGING_SQL = `
  INSERT INTO bars (${COLUMN_LIST})
  SELECT DISTINCT ON (${KEY}) ${COLUMN_LIST} FROM ${STAGING}
  ${UPSERT_TAIL}`;

const SELECT_COLUMNS = COLUMN_LIST;

interface BarRow {
  venue: string;
  symbol: string;
  interval: string;
  start_ts_ns: string;
  end_ts_ns: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  notional: string;
  trade_count: string;
  revision: string;
}

function fromRow(r: BarRow): StoredBar {
  return {
    venue: r.venue,
    symbol: r.symbol,
    interval: r.interval,
    startTsNs: BigInt(r.start_ts_ns),
    endTsNs: BigInt(r.end_ts_ns),
    open: Decimal.parse(r.open),
    high: Decimal.parse(r.high),
    low: Decimal.parse(r.low),
    close: Decimal.parse(r.close),
    volume: Decimal.parse(r.volume),
    notional: Decimal.parse(r.notional),
    tradeCount: Number(r.trade_count),
    revision: Number(r.revision),
  };
}

function copyLine(b: StoredBar): string {
  return [
    copyField(b.venue),
    copyField(b.symbol),
    copyField(b.interval),
    b.startTsNs.toString(),
    b.endTsNs.toString(),
    b.open.toString(),
    b.high.toString(),
    b.low.toString(),
    b.close.toString(),
    b.volume.toString(),
    b.notional.toString(),
    String(b.tradeCount),
    String(b.revision),
  ].join('\t');
}

function nonEmpty(field: string, value: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidHistoryQueryError(field, value, 'must be a non-empty string');
  return value;
}

/**
 * Bars in PostgreSQL (table `bars`, migration 002): bulk upserts that keep the highest revision,
 * and reads of one series by time range.
 */
export class BarStore {
  private readonly copyThreshold: number;
  private readonly staged: StagedCopy<StoredBar>;

  constructor(
    private readonly db: Database,
    options: { copyThreshold?: number } = {},
  ) {
    this.copyThreshold = options.copyThreshold ?? DEFAULT_COPY_THRESHOLD;
    this.staged = new StagedCopy(db, STAGING, STAGING_DDL, COLUMNS, copyLine);
  }

  /** Upserts a batch in one transaction, by COPY when it is large and one INSERT otherwise. */
  write(bars: readonly StoredBar[]): Promise<BarWriteResult> {
    return this.writeWith(bars.length >= this.copyThreshold ? 'copy' : 'unnest', bars);
  }

  /** Upserts a batch in one transaction by the given method (the bench compares them). */
  async writeWith(method: BulkMethod, bars: readonly StoredBar[]): Promise<BarWriteResult> {
    if (bars.length === 0) return { received: 0, written: 0 };
    try {
      const written = method === 'copy' ? await this.viaCopy(bars) : await this.viaUnnest(bars);
      return { received: bars.length, written };
    } catch (err) {
      throw new HistoryWriteError('bars', bars.length, err);
    }
  }

  private async viaUnnest(bars: readonly StoredBar[]): Promise<number> {
    const cols: string[][] = COLUMNS.map(() => new Array<string>(bars.length));
    bars.forEach((b, i) => {
      cols[0]![i] = b.venue;
      cols[1]![i] = b.symbol;
      cols[2]![i] = b.interval;
      cols[3]![i] = b.startTsNs.toString();
      cols[4]![i] = b.endTsNs.toString();
      cols[5]![i] = b.open.toString();
      cols[6]![i] = b.high.toString();
      cols[7]![i] = b.low.toString();
      cols[8]![i] = b.close.toString();
      cols[9]![i] = b.volume.toString();
      cols[10]![i] = b.notional.toString();
      cols[11]![i] = String(b.tradeCount);
      cols[12]![i] = String(b.revision);
    });
    const result = await this.db.pool.query(UNNEST_SQL, cols);
    return result.rowCount ?? 0;
  }

  private viaCopy(bars: readonly StoredBar[]): Promise<number> {
    return this.staged.run(bars, FROM_STAGING_SQL);
  }

  /** Bars of one series in [fromTsNs, toTsNs), oldest first, at most `limit`. */
  async query(q: BarQuery): Promise<StoredBar[]> {
    const venue = nonEmpty('venue', q.venue);
    const symbol = nonEmpty('symbol', q.symbol);
    const interval = nonEmpty('interval', q.interval);
    const from = q.fromTsNs ?? 0n;
    const to = q.toTsNs ?? MAX_TS_NS;
    if (from < 0n) throw new InvalidHistoryQueryError('fromTsNs', from, 'must be >= 0');
    if (to < from) throw new InvalidHistoryQueryError('toTsNs', to, `must not be before fromTsNs ${from}`);
    const limit = q.limit ?? DEFAULT_BAR_QUERY_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_BAR_QUERY_LIMIT) {
      throw new InvalidHistoryQueryError('limit', limit, `must be an integer in [1, ${MAX_BAR_QUERY_LIMIT}]`);
    }
    const { rows } = await this.db.pool.query<BarRow>(
      `SELECT ${SELECT_COLUMNS} FROM bars
       WHERE venue = $1 AND symbol = $2 AND interval = $3 AND start_ts_ns >= $4 AND start_ts_ns < $5
       ORDER BY start_ts_ns LIMIT $6`,
      [venue, symbol, interval, from.toString(), to.toString(), limit],
    );
    return rows.map(fromRow);
  }

  /** The newest bar of a series (its latest revision), or undefined. */
  async latest(venue: string, symbol: string, interval: string): Promise<StoredBar | undefined> {
    const { rows } = await this.db.pool.query<BarRow>(
      `SELECT ${SELECT_COLUMNS} FROM bars WHERE venue = $1 AND symbol = $2 AND interval = $3
       ORDER BY start_ts_ns DESC LIMIT 1`,
      [nonEmpty('venue', venue), nonEmpty('symbol', symbol), nonEmpty('interval', interval)],
    );
    return rows[0] === undefined ? undefined : fromRow(rows[0]);
  }

  /** Every stored series with its bar count and first and last start. Scans the table: not for hot paths. */
  async series(): Promise<BarSeries[]> {
    const { rows } = await this.db.pool.query<{ venue: string; symbol: string; interval: string; bars: string; first: string; last: string }>(
      `SELECT venue, symbol, interval, count(*) AS bars, min(start_ts_ns) AS first, max(start_ts_ns) AS last
       FROM bars GROUP BY venue, symbol, interval ORDER BY venue, symbol, interval`,
    );
    return rows.map((r) => ({
      venue: r.venue,
      symbol: r.symbol,
      interval: r.interval,
      bars: Number(r.bars),
      firstStartTsNs: BigInt(r.first),
      lastStartTsNs: BigInt(r.last),
    }));
  }
}
