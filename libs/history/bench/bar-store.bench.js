// Bar writes into PostgreSQL: COPY (staging table + one upsert) vs one INSERT … unnest per batch
// vs one INSERT per row, then query latency on the stored series. Every method writes fresh bars
// of its own symbols into one fresh schema, in the same run.
// Run: npm run bench -w libs/history (after `npm run build`). BENCH_N sets the bars per method.
'use strict';
const { Database, migrate } = require('@meridian/store');
const { Decimal } = require('@meridian/domain');
const { createSchema, uniqueNamespace } = require('@meridian/testkit');
const { BarStore } = require('../dist');

const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env.BENCH_N ?? 100_000);
const ROW_BY_ROW_N = Math.min(N, Number(process.env.BENCH_ROW_N ?? 5_000));
const MIN = 60_000_000_000n;

function bars(symbol, n, revision = 0) {
  const out = new Array(n);
  let price = 10_000_00n;
  for (let i = 0; i < n; i++) {
    price += BigInt((i * 7919) % 21) - 10n;
    const p = Decimal.fromUnits(price, 2);
    out[i] = {
      venue: 'bench',
      symbol,
      interval: '1m',
      startTsNs: 1_700_000_000_000_000_000n + BigInt(i) * MIN,
      endTsNs: 1_700_000_000_000_000_000n + BigInt(i + 1) * MIN,
      open: p,
      high: p.add('0.5'),
      low: p.sub('0.25'),
      close: p.add('0.1'),
      volume: Decimal.parse('12.345'),
      notional: p.mul('12.345'),
      tradeCount: 17,
      revision,
    };
  }
  return out;
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function writeAll(store, method, all, batch) {
  for (let i = 0; i < all.length; i += batch) await store.writeWith(method, all.slice(i, i + batch));
}

const ROW_SQL = `INSERT INTO bars (venue, symbol, interval, start_ts_ns, end_ts_ns, open, high, low, close, volume, notional, trade_count, revision)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
  ON CONFLICT (venue, symbol, interval, start_ts_ns) DO UPDATE SET end_ts_ns = EXCLUDED.end_ts_ns, open = EXCLUDED.open,
    high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume, notional = EXCLUDED.notional,
    trade_count = EXCLUDED.trade_count, revision = EXCLUDED.revision WHERE bars.revision < EXCLUDED.revision`;

async function rowByRow(db, all) {
  for (const b of all) {
    await db.pool.query(ROW_SQL, [
      b.venue, b.symbol, b.interval, b.startTsNs.toString(), b.endTsNs.toString(), b.open.toString(), b.high.toString(),
      b.low.toString(), b.close.toString(), b.volume.toString(), b.notional.toString(), b.tradeCount, b.revision,
    ]);
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latency(n, fn) {
  const samples = [];
  for (let i = 0; i < 10; i++) await fn(i); // warm up plans and caches
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function main() {
  const { schema, drop } = await createSchema(URL, uniqueNamespace('bench'));
  const db = await Database.open({ url: URL, schema, maxConnections: 2 });
  try {
    await migrate(db);
    const store = new BarStore(db);
    const results = [];
    const row = await timed(() => rowByRow(db, bars('ROW', ROW_BY_ROW_N)));
    results.push({ method: 'row-by-row INSERT (autocommit)', batch: 1, n: ROW_BY_ROW_N, perSec: ROW_BY_ROW_N / row });
    for (const batch of [100, 500, 2_000, 10_000]) {
      for (const method of ['unnest', 'copy']) {
        const all = bars(`${method.toUpperCase()}-${batch}`, N);
        const s = await timed(() => writeAll(store, method, all, batch));
        results.push({ method: method === 'copy' ? 'COPY → staging → upsert' : 'INSERT … unnest … upsert', batch, n: N, perSec: N / s });
      }
    }
    // Revisions: rewrite an existing series with revision 1 (every row is an update).
    for (const method of ['unnest', 'copy']) {
      const all = bars(`${method.toUpperCase()}-2000`, N, 1);
      const s = await timed(() => writeAll(store, method, all, 2_000));
      results.push({ method: `${method === 'copy' ? 'COPY' : 'unnest'} revision upsert (all updates)`, batch: 2_000, n: N, perSec: N / s });
    }
    const base = results[0].perSec;
    console.log(`bars written, ${N.toLocaleString()} per method (row-by-row: ${ROW_BY_ROW_N.toLocaleString()})`);
    for (const r of results) {
      console.log(
        `  ${r.method.padEnd(40)} batch ${String(r.batch).padStart(6)}  ${Math.round(r.perSec).toLocaleString().padStart(9)} bars/s  ×${(r.perSec / base).toFixed(1)} row-by-row`,
      );
    }

    await db.pool.query('ANALYZE bars');
    const series = 'COPY-2000';
    const span = BigInt(N) * MIN;
    const t0 = 1_700_000_000_000_000_000n;
    const q = (limit) => (i) => {
      const from = t0 + ((BigInt(i) * 7_919n) % (span - BigInt(limit) * MIN > 0n ? span - BigInt(limit) * MIN : 1n));
      return store.query({ venue: 'bench', symbol: series, interval: '1m', fromTsNs: from, limit });
    };
    const l100 = await latency(200, q(100));
    const l1k = await latency(200, q(1_000));
    const l10k = await latency(30, q(10_000));
    const last = await latency(500, () => store.latest('bench', series, '1m'));
    console.log(`query latency on a ${N.toLocaleString()}-bar series (ms)`);
    console.log(`  range, limit 100      p50 ${l100.p50.toFixed(2)}  p99 ${l100.p99.toFixed(2)}`);
    console.log(`  range, limit 1,000    p50 ${l1k.p50.toFixed(2)}  p99 ${l1k.p99.toFixed(2)}`);
    console.log(`  range, limit 10,000   p50 ${l10k.p50.toFixed(2)}  p99 ${l10k.p99.toFixed(2)}`);
    console.log(`  latest                p50 ${last.p50.toFixed(2)}  p99 ${last.p99.toFixed(2)}`);
  } finally {
    await db.close();
    await drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
