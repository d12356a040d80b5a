import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { Decimal } from '@meridian/domain';
import { BarStore } from '@meridian/history';
import { Database, migrate } from '@meridian/store';
import { createTestEnvironment } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { barsCsv, configJson, reportData, requireBuilt, runCli, writeJson } from './fixtures';

let env: TestEnvironment;
let db: Pool;
let dir: string;
let csv: string;
let config: string;
let space: string;
let dbEnv: Record<string, string>;

beforeAll(async () => {
  requireBuilt();
  env = await createTestEnvironment('btopt');
  dbEnv = { DATABASE_URL: env.databaseUrl, DATABASE_SCHEMA: env.schema };
  db = new Pool({ connectionString: env.databaseUrl, max: 2, options: `-c search_path=${env.schema}` });
  dir = mkdtempSync(join(tmpdir(), 'backtest-cli-opt-'));
  csv = join(dir, 'btc-1m.csv');
  writeFileSync(csv, barsCsv(1500));
  config = writeJson(dir, 'config.json', configJson());
  space = writeJson(dir, 'space.json', { fastPeriod: { type: 'int', low: 4, high: 8, step: 4 }, slowPeriod: { type: 'int', low: 20, high: 40, step: 20 } });
});

afterAll(async () => {
  await db?.end();
  await env?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function trials(study: string): Promise<{ number: number; state: string; params: Record<string, number>; score: number | null; recorded_at: Date }[]> {
  const { rows } = await db.query('SELECT number, state, params, score, recorded_at FROM research_trials WHERE study = $1 ORDER BY number', [study]);
  return rows;
}

const common = () => ['--config', config, '--data', csv, '--space', space, '--sampler', 'grid', '--workers', '2', '--param', 'intentIntervalMs=300000', '--quiet'];

test('optimise with a grid persists its trials; the same command again resumes without re-running them; a larger budget runs only the rest', async () => {
  // Half the grid first (a budget below its size), then the whole grid.
  const first = await runCli(['optimise', ...common(), '--trials', '2', '--study', 'grid-a', '--out', join(dir, 'a1')], dbEnv);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.stdout).toContain('study grid-a: 2 trials (0 stored before, 2 run now; 2 complete, 0 failed)');
  const afterFirst = await trials('grid-a');
  expect(afterFirst.map((t) => t.params)).toEqual([
    { fastPeriod: 4, slowPeriod: 20 },
    { fastPeriod: 4, slowPeriod: 40 },
  ]);

  const second = await runCli(['optimise', ...common(), '--study', 'grid-a', '--out', join(dir, 'a2')], dbEnv);
  expect(second.code).toBe(0);
  expect(second.stdout).toContain('study grid-a: 4 trials (2 stored before, 2 run now; 4 complete, 0 failed)');
  const afterSecond = await trials('grid-a');
  expect(afterSecond).toHaveLength(4);
  // The stored trials were not run again: the same rows, written when they first finished.
  expect(afterSecond.slice(0, 2)).toEqual(afterFirst);
  expect(afterSecond.every((t) => t.state === 'complete' && typeof t.score === 'number')).toBe(true);

  const third = await runCli(['optimise', ...common(), '--study', 'grid-a', '--out', join(dir, 'a3')], dbEnv);
  expect(third.code).toBe(0);
  expect(third.stdout).toContain('study grid-a: 4 trials (4 stored before, 0 run now; 4 complete, 0 failed)');
  expect(await trials('grid-a')).toEqual(afterSecond);

  // The best trial is named, re-run for the report (its score is the stored one), and the report has the heat map.
  const best = afterSecond.reduce((b, t) => (t.score! > b.score! ? t : b));
  expect(third.stdout).toContain(`best sharpe ${best.score} (trial #${best.number}): fastPeriod=${best.params.fastPeriod} slowPeriod=${best.params.slowPeriod}`);
  const bestResult = JSON.parse(readFileSync(join(dir, 'a3', 'best-result.json'), 'utf8'));
  expect(bestResult.metrics.sharpe).toBe(best.score);
  expect(bestResult.params).toMatchObject(best.params);
  const report = reportData(readFileSync(join(dir, 'a3', 'report.html'), 'utf8'));
  expect(report.heatmap).toMatchObject({ x: 'fastPeriod', y: 'slowPeriod', trials: 4 });
  expect(report.heatmap!.cells.flat().filter((c) => c !== null)).toHaveLength(4);
  const study = JSON.parse(readFileSync(join(dir, 'a3', 'study.json'), 'utf8'));
  expect(study.trials).toHaveLength(4);
}, 240_000);

test('resuming a study with another configuration is refused up front, naming --study; nothing is stored', async () => {
  const other = writeJson(dir, 'other.json', configJson({ seed: 99 }));
  const before = await trials('grid-a');
  const r = await runCli(['optimise', '--config', other, '--data', csv, '--space', space, '--sampler', 'grid', '--study', 'grid-a', '--param', 'intentIntervalMs=300000', '--quiet'], dbEnv);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/error: --study: study "grid-a" is stored with objective .* but was resumed with .*: the configuration, data, strategy or metric differ/);
  expect(await trials('grid-a')).toEqual(before);
}, 120_000);

test('a space naming a parameter the strategy does not take exits 2 naming it', async () => {
  const badSpace = writeJson(dir, 'bad-space.json', { fast: { type: 'int', low: 1, high: 3 } });
  const r = await runCli(['optimise', '--config', config, '--data', csv, '--space', badSpace, '--sampler', 'random', '--trials', '3', '--study', 'never'], dbEnv);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('error: --space.fast: is not a parameter of the momentum strategy');
  expect(await trials('never')).toEqual([]);
});

test('walk-forward over the data: one study per window stored, out-of-sample report with the windows', async () => {
  const r = await runCli(['walk-forward', ...common(), '--train', '8h', '--test', '4h', '--study', 'wf', '--out', join(dir, 'wf')], dbEnv);
  expect(r.stderr).not.toContain('error');
  expect(r.code).toBe(0);
  // 1500 one-minute bars = 25 h: windows of 8 h + 4 h stepping by 4 h fit 4 times.
  const wf = JSON.parse(readFileSync(join(dir, 'wf', 'walk-forward.json'), 'utf8'));
  expect(wf.windows).toHaveLength(4);
  const { rows } = await db.query<{ study: string; n: number }>(`SELECT study, count(*)::int AS n FROM research_trials WHERE study LIKE 'wf/%' GROUP BY study ORDER BY study`);
  expect(rows).toEqual([0, 1, 2, 3].map((i) => ({ study: `wf/w${i}`, n: 4 })));
  for (const w of wf.windows) {
    expect(w.test.fromMs).toBe(w.train.toMs);
    expect(w.test.toMs - w.test.fromMs).toBe(4 * 3_600_000);
  }
  // Only test windows make the curve.
  expect(wf.equity.every((p: { tsMs: number }) => wf.windows.some((w: { test: { fromMs: number; toMs: number } }) => p.tsMs >= w.test.fromMs && p.tsMs < w.test.toMs))).toBe(true);
  const report = reportData(readFileSync(join(dir, 'wf', 'report.html'), 'utf8'));
  expect(report.windows).toHaveLength(4);
  expect(r.stdout).toMatch(/out of sample: P&L -?[\d.]+ /);
}, 240_000);

test('run --pg-symbols reads the recorder’s bars: the same result as the CSV they came from; --from/--to cut the range', async () => {
  // The fixture's bars written to the bars table as the recorder keeps them.
  const store = await Database.open({ url: env.databaseUrl, schema: env.schema });
  try {
    await migrate(store);
    const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1);
    await new BarStore(store).write(
      rows.map((line) => {
        const [time, open, high, low, close, volume] = line.split(',');
        const start = BigInt(Date.parse(time!.replace(' ', 'T'))) * 1_000_000n;
        return { venue: 'sim', symbol: 'BTC-USDT', interval: '1m', startTsNs: start, endTsNs: start + 60_000_000_000n, open: Decimal.parse(open!), high: Decimal.parse(high!), low: Decimal.parse(low!), close: Decimal.parse(close!), volume: Decimal.parse(volume!), notional: Decimal.parse(close!).mul(Decimal.parse(volume!)), tradeCount: 0, revision: 0 };
      }),
    );
  } finally {
    await store.close();
  }
  const fromCsv = await runCli(['run', '--config', config, '--data', csv, '--param', 'intentIntervalMs=300000', '--out', join(dir, 'csv-run'), '--quiet']);
  const fromPg = await runCli(['run', '--config', config, '--pg-symbols', 'BTC-USDT', '--pg-venue', 'sim', '--pg-interval', '1m', '--param', 'intentIntervalMs=300000', '--out', join(dir, 'pg-run'), '--quiet'], dbEnv);
  expect(fromPg.stderr).toBe('');
  expect([fromCsv.code, fromPg.code]).toEqual([0, 0]);
  expect(fromPg.stdout).toContain('momentum on postgres bars sim/BTC-USDT/1m');
  const a = JSON.parse(readFileSync(join(dir, 'csv-run', 'result.json'), 'utf8'));
  const b = JSON.parse(readFileSync(join(dir, 'pg-run', 'result.json'), 'utf8'));
  expect(b.counts.events).toBe(1500);
  expect(b).toEqual(a);

  const ranged = await runCli(['run', '--config', config, '--pg-symbols', 'BTC-USDT', '--from', '2024-01-01T02:00:00Z', '--to', '2024-01-01T03:00:00Z', '--out', join(dir, 'pg-range'), '--quiet'], dbEnv);
  expect(ranged.code).toBe(0);
  const c = JSON.parse(readFileSync(join(dir, 'pg-range', 'result.json'), 'utf8'));
  expect(c.counts.events).toBe(60);
  expect(c.startNs).toBe(String(Date.parse('2024-01-01T02:01:00Z') * 1e6));
}, 120_000);
