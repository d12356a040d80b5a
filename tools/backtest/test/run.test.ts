import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barsCsv, configJson, METRIC_KEYS, reportData, requireBuilt, runCli, writeJson } from './fixtures';

let dir: string;
let csv: string;
let config: string;

beforeAll(() => {
  requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'backtest-cli-run-'));
  csv = join(dir, 'btc-1m.csv');
  writeFileSync(csv, barsCsv(1500));
  config = writeJson(dir, 'config.json', configJson());
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('run on a CSV of bars: metrics table, events/s and wall time; result.json and report.html; the same bytes twice', async () => {
  const out = join(dir, 'out');
  const args = ['run', '--config', config, '--data', csv, '--param', 'intentIntervalMs=300000', '--out', out];
  const r = await runCli(args);
  // Nothing on stderr but the progress bar, which a pipe gets once every 5 s (a loaded machine's run can last that long).
  expect(r.stderr.split('\n').filter((line) => line !== '' && !/^\[[#.]+\] +\d+% [\d,]+\/[\d,]+ events /.test(line))).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^momentum on btc-1m\.csv \(bars 1m\)/);
  expect(r.stdout).toMatch(/^Sharpe\s+-?\d+\.\d{3}$/m);
  expect(r.stdout).toMatch(/^max drawdown\s+[\d.]+ USDT \([\d.]+%\)$/m);
  expect(r.stdout).toMatch(/^1,500 events in \d+\.\d\d s wall time: [\d.]+k? events\/s$/m);

  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  expect(Object.keys(result.metrics).sort()).toEqual(METRIC_KEYS);
  expect(result.counts.events).toBe(1500);
  expect(result.counts.bars).toBe(1500);
  // The interval came from the data (the strategy would ignore 1m bars at its 1s default).
  expect(result.params.interval).toBe('1m');
  expect(result.params.intentIntervalMs).toBe(300000);
  expect(result.counts.fills).toBeGreaterThan(0);
  expect(result.trades.length).toBeGreaterThan(0);
  expect(result.metrics.initialEquity).toBe('100000');
  // Exact money through the whole chain: final = initial + net P&L, as decimal strings.
  expect(Number(result.metrics.finalEquity) - Number(result.metrics.initialEquity)).toBeCloseTo(Number(result.metrics.netPnl), 6);

  const report = reportData(readFileSync(join(out, 'report.html'), 'utf8'));
  expect(report.title).toBe('momentum on btc-1m.csv (bars 1m)');
  expect(report.equity.length).toBe(result.equity.length);
  expect(report.tradesTotal).toBe(result.trades.length);
  expect(report.metrics.find(([k]) => k === 'net P&L')![1]).toBe(`${result.metrics.netPnl} USDT`);
  expect(report.heatmap).toBeNull();

  const again = join(dir, 'again');
  expect((await runCli([...args.slice(0, -1), again])).code).toBe(0);
  expect(readFileSync(join(again, 'result.json'), 'utf8')).toBe(readFileSync(join(out, 'result.json'), 'utf8'));
}, 120_000);

test.each([
  ['a tick size that is no decimal', { instruments: [{ symbol: 'BTC-USDT', baseCurrency: 'BTC', quoteCurrency: 'USDT', tickSize: '0.0x1', lotSize: '0.00001' }] }, 'config.instruments[0].tickSize: is not a decimal: "0.0x1"'],
  ['a queue model the venue does not have', { venue: { fees: { maker: '0', taker: '0' }, queueModel: 'fifo', account: { mode: 'margin', balances: { USDT: '1' } } } }, 'config.venue.queueModel: "fifo" must be one of pro_rata, back, front'],
  ['a limit of the wrong sign', { risk: { limits: { global: { maxOrderQuantity: '1', maxOrderNotional: '1', maxPosition: '-1' } } } }, 'config.risk.limits.global.maxPosition:'],
  ['a misspelt key', { equityIntervalMS: 60000 }, 'config.equityIntervalMS: is not a known key'],
])('a bad config (%s) exits 2 naming the key, before reading any data', async (_name, override, message) => {
  const bad = writeJson(dir, 'bad.json', configJson(override));
  const r = await runCli(['run', '--config', bad, '--data', csv, '--out', join(dir, 'never')]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`error: ${message}`);
  expect(r.stdout).toBe('');
  expect(existsSync(join(dir, 'never'))).toBe(false);
});

test('bad options exit 2 naming the option: an unknown strategy parameter, a missing file', async () => {
  const param = await runCli(['run', '--config', config, '--data', csv, '--param', 'fast=3']);
  expect(param.code).toBe(2);
  expect(param.stderr).toContain('error: --param fast: "fast" is not a parameter of the momentum strategy');
  const missing = await runCli(['run', '--config', config, '--data', join(dir, 'nope.csv')]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/error: data\[0\]\.path: cannot read ".*nope\.csv"/);
  const unknown = await runCli(['run', '--config', config, '--sead', '3']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("Unknown option '--sead'");
});

test('--open starts $BROWSER with the report; without a browser it prints the path and still succeeds', async () => {
  const browser = join(dir, 'browser.sh');
  const opened = join(dir, 'opened.txt');
  writeFileSync(browser, `#!/bin/sh\necho "$1" > ${opened}\n`);
  chmodSync(browser, 0o755);
  const out = join(dir, 'open');
  const r = await runCli(['run', '--config', config, '--data', csv, '--out', out, '--open'], { BROWSER: browser });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`opening ${join(out, 'report.html')} with ${browser}`);
  for (let i = 0; i < 50 && !existsSync(opened); i++) await new Promise((res) => setTimeout(res, 100));
  expect(readFileSync(opened, 'utf8').trim()).toBe(join(out, 'report.html'));

  const none = await runCli(['run', '--config', config, '--data', csv, '--out', join(dir, 'nobrowser'), '--open'], { BROWSER: '', PATH: '/nonexistent' });
  expect(none.code).toBe(0);
  expect(none.stdout).toContain(`no browser found ($BROWSER unset, no xdg-open): open ${join(dir, 'nobrowser', 'report.html')}`);
}, 120_000);

test('the model strategy: a linear score model from its JSON file; a model that does not fit its features exits 2 naming it', async () => {
  // Hand-set weights on two standardised log returns (1 and 10 bars): a momentum-like linear model.
  const model = {
    name: 'lin-momentum',
    featureSpec: {
      version: 1,
      features: [
        { name: 'lr_1', kind: 'logReturn', input: 'close', params: { period: 1 }, normalisation: { kind: 'zscore', mean: 0, std: 0.0005 } },
        { name: 'lr_10', kind: 'logReturn', input: 'close', params: { period: 10 }, normalisation: { kind: 'zscore', mean: 0, std: 0.0015 } },
      ],
    },
    weights: [0.3, 0.8],
    bias: 0,
    gain: 2,
  };
  const path = writeJson(dir, 'linear.json', model);
  const out = join(dir, 'model');
  const r = await runCli(['run', '--config', config, '--data', csv, '--strategy', 'model', '--model', path, '--param', 'intentIntervalMs=300000', '--out', out, '--quiet']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  expect(result.params).toMatchObject({ strategyId: 'lin-momentum', model: 'lin-momentum', features: 2, interval: '1m', gain: 2 });
  expect(result.counts.fills).toBeGreaterThan(0);
  expect(result.orders.every((o: { strategy: string }) => o.strategy === 'lin-momentum')).toBe(true);

  const broken = writeJson(dir, 'broken.json', { ...model, weights: [1] });
  const bad = await runCli(['run', '--config', config, '--data', csv, '--strategy', 'model', '--model', broken]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('error: strategy.model: model "lin-momentum": has 1 weights for 2 features');
}, 120_000);
