import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arraySource } from '@meridian/backtest';
import type { BacktestResult, MarketEvent } from '@meridian/backtest';
import { Decimal } from '@meridian/domain';
import {
  backtestReportInput,
  browserCommand,
  countLines,
  InvalidRequestError,
  parseConfig,
  parseDuration,
  readConfig,
  resolveData,
  resolveStrategy,
  scoreOf,
  sniffCsv,
  windowed,
  withParams,
} from '../src';
import { configJson } from './fixtures';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'backtest-cli-inputs-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidRequestError) return err.field;
    throw err;
  }
  throw new Error('did not throw');
}

describe('config', () => {
  test('decimals are exact (strings, and JSON numbers through their text); defaults are the engine’s', () => {
    const c = parseConfig(configJson({ slippageLimitBps: 0.1, latency: { order: { kind: 'fixed', ns: 1000 } } }));
    expect(c.instruments[0]!.tickSize).toEqual(Decimal.parse('0.01'));
    expect(c.slippageLimitBps!.toString()).toBe('0.1');
    expect(c.venue.account.balances.USDT!.toString()).toBe('100000');
    expect(c.risk.limits.global.maxPosition.toString()).toBe('10');
    expect(c.latency?.order).toEqual({ kind: 'fixed', ns: 1000 });
    expect(() => readConfig(configJson())).not.toThrow();
  });

  test.each([
    [{ instruments: [] }, 'config.instruments'],
    [{ instruments: [{ symbol: 'BTC.USDT', baseCurrency: 'BTC', quoteCurrency: 'USDT', tickSize: '0.01', lotSize: '1' }] }, 'config.instruments[0].symbol'],
    [{ venue: { fees: { maker: '0', taker: 'x' }, account: { mode: 'cash', balances: {} } } }, 'config.venue.fees.taker'],
    [{ venue: { fees: { maker: '0', taker: '0' }, account: { mode: 'cash', balances: { USDT: '-1' } } } }, 'config.venue.account.balances.USDT'],
    [{ risk: { limits: { global: { maxOrderQuantity: '1', maxOrderNotional: '1', maxPosition: '1', bogus: 1 } } } }, 'config.risk.limits.global.bogus'],
    [{ latency: { order: { kind: 'gaussian' } } }, 'config.latency.order.kind'],
    [{ recordOrders: 'yes' }, 'config.recordOrders'],
  ])('a bad value is reported at its key (%j)', (override, field) => {
    expect(fieldOf(() => parseConfig(configJson(override)))).toBe(field);
  });

  test('the engine’s own checks are reported at their key', () => {
    expect(fieldOf(() => readConfig(configJson({ venue: { fees: { maker: '0', taker: '0' }, account: { mode: 'spot', balances: {} } } })))).toBe('config.venue.account.mode');
    expect(fieldOf(() => readConfig(configJson({ risk: { limits: { global: { maxOrderQuantity: '1', maxOrderNotional: '1', maxPosition: '1' } }, costMethod: 'AVG' } })))).toBe('config.risk.costMethod');
    // An account that opens in another currency than the instruments' quote.
    expect(fieldOf(() => readConfig(configJson({ venue: { fees: { maker: '0', taker: '0' }, account: { mode: 'margin', balances: { BTC: '1' } } } })))).toBe('config.venue.account.balances.BTC');
  });
});

describe('CSV layouts read from the header', () => {
  test('ISO times with an offset, 1m spacing', async () => {
    const s = await sniffCsv(file('a.csv', 'open_time,open,high,low,close,volume\n2023-03-01 00:00:00+00:00,1,2,0.5,1.5,3\n2023-03-01 00:01:00+00:00,1,2,0.5,1.5,3\n'), 'data[0]');
    expect(s).toMatchObject({ kind: 'bars', timeColumn: 'open_time', timeUnit: 'iso', interval: '1m', timeMarks: 'start', columns: {} });
  });

  test('ms times, a volume column named by its currency, a trade count, rows one hour apart', async () => {
    const s = await sniffCsv(file('b.csv', 'open_time_ms,open_time_utc,open,high,low,close,volume_BTC,volume_USDT,trade_count\n1502942400000,x,1,1,1,1,1,1,\n1502946000000,x,1,1,1,1,1,1,3\n'), 'data[0]');
    expect(s).toMatchObject({ kind: 'bars', timeColumn: 'open_time_ms', timeUnit: 'ms', interval: '1h', columns: { volume: 'volume_BTC', trades: 'trade_count' } });
  });

  test('daily bars with capitalised columns: the smallest spacing (a weekend does not make it 3d)', async () => {
    const s = await sniffCsv(file('c.csv', 'Date,Open,High,Low,Close,Volume\n2013-01-04,1,1,1,1,1\n2013-01-07,1,1,1,1,1\n2013-01-08,1,1,1,1,1\n'), 'data[0]');
    expect(s).toMatchObject({ kind: 'bars', timeColumn: 'Date', timeUnit: 'iso', interval: '1d', columns: { open: 'Open', high: 'High', low: 'Low', close: 'Close', volume: 'Volume' } });
  });

  test('trades, quotes and book levels; a file without a time column names what it looked for', async () => {
    expect(await sniffCsv(file('t.csv', 'ts,price,qty,side\n1700000000000000000,1,2,buy\n'), 'd')).toMatchObject({ kind: 'trades', timeUnit: 'ns', columns: { size: 'qty', side: 'side' } });
    expect(await sniffCsv(file('q.csv', 'time,bid,bid_size,ask,ask_size\n1700000000.5,1,1,2,1\n'), 'd')).toMatchObject({ kind: 'quotes', timeUnit: 's', columns: { bidSize: 'bid_size', askSize: 'ask_size' } });
    expect(await sniffCsv(file('l.csv', 'ts,side,price,size,type\n1700000000000,bid,1,2,snapshot\n'), 'd')).toMatchObject({ kind: 'book', timeUnit: 'ms', columns: { type: 'type' } });
    await expect(sniffCsv(file('n.csv', 'when,open,high,low,close,volume\n1,1,1,1,1,1\n'), 'data[2].path')).rejects.toThrow(/^data\[2\]\.path: .* has no time column/);
  });
});

describe('data specs', () => {
  const symbols = ['BTC-USDT', 'ETH-USDT'];

  test('a file without a symbol column needs SYMBOL=path when the run has several instruments', async () => {
    const path = file('bars.csv', 'open_time,open,high,low,close,volume\n2023-03-01 00:00:00+00:00,1,2,0.5,1.5,3\n2023-03-01 00:01:00+00:00,1,2,0.5,1.5,3\n');
    await expect(resolveData([path], { baseDir: dir, symbols })).rejects.toThrow(/^data\[0\]\.symbol: is required/);
    const [spec] = await resolveData([`ETH-USDT=${path}`], { baseDir: dir, symbols });
    expect(spec).toMatchObject({ kind: 'csv', type: 'bars', symbol: 'ETH-USDT', interval: '1m' });
    await expect(resolveData([`SOL-USDT=${path}`], { baseDir: dir, symbols })).rejects.toThrow(/^data\[0\]\.symbol: "SOL-USDT" is not one of the run's instruments/);
  });

  test('relative paths are taken from the base directory, and must lie under the roots when there are roots', async () => {
    file('rel.csv', 'open_time,open,high,low,close,volume\n2023-03-01 00:00:00+00:00,1,2,0.5,1.5,3\n2023-03-01 00:01:00+00:00,1,2,0.5,1.5,3\n');
    const [spec] = await resolveData(['rel.csv'], { baseDir: dir, roots: [dir], symbols: ['BTC-USDT'] });
    expect(spec).toMatchObject({ path: join(dir, 'rel.csv') });
    await expect(resolveData(['../../etc/hostname'], { baseDir: dir, roots: [dir], symbols: ['BTC-USDT'] })).rejects.toThrow(/outside the data roots/);
  });

  test('a LOBSTER message file finds its orderbook file, day, levels and ticker from its name', async () => {
    const messages = file('GOOG_2012-06-21_34200000_57600000_message_5.csv', '34200.01,1,1,100,5800000,1\n');
    file('GOOG_2012-06-21_34200000_57600000_orderbook_5.csv', '5800100,100,5800000,100\n');
    const [spec] = await resolveData([messages], { baseDir: dir, symbols: ['GOOG', 'AAPL'] });
    expect(spec).toEqual({ kind: 'lobster', messages, orderbook: join(dir, 'GOOG_2012-06-21_34200000_57600000_orderbook_5.csv'), symbol: 'GOOG', levels: 5, date: '2012-06-21' });
  });

  test('inline events are checked when the request is, and a bad one is named', async () => {
    const good = { kind: 'bar', symbol: 'BTC-USDT', tsNs: '60000000000', interval: '1m', startNs: '0', open: '1', high: '1', low: '1', close: '1', volume: '1' };
    await expect(resolveData([{ kind: 'events', events: [good] }], { baseDir: dir, symbols: ['BTC-USDT'] })).resolves.toHaveLength(1);
    await expect(resolveData([{ kind: 'events', events: [good, { ...good, close: 'x' }] }], { baseDir: dir, symbols: ['BTC-USDT'] })).rejects.toThrow(/^data\[0\]\.events\[1\]: /);
  });

  test('a window keeps [from, to) and stops reading at the first event past it', async () => {
    const events: MarketEvent[] = [1, 2, 3, 4, 5, 6].map((m) => ({ kind: 'trade', symbol: 'X', tsNs: BigInt(m) * 60_000_000_000n, price: Decimal.ONE, size: Decimal.ONE, aggressor: undefined, tradeId: undefined }));
    let pulled = 0;
    const source = { name: 'x', *chunks() { for (const e of events) { pulled++; yield [e]; } } };
    const out: bigint[] = [];
    for await (const chunk of windowed(source, { fromMs: 120_000, toMs: 240_000 }).chunks() as AsyncIterable<MarketEvent[]>) out.push(...chunk.map((e) => e.tsNs / 60_000_000_000n));
    expect(out).toEqual([2n, 3n]);
    expect(pulled).toBe(4);
    expect(windowed(arraySource('a', events), {})).toBeDefined();
  });

  test('countLines counts rows, not blank lines, with or without a final newline', async () => {
    expect(await countLines(file('l1.txt', 'a\nb\n\nc'))).toBe(3);
    expect(await countLines(file('l2.txt', 'a\r\nb\r\n'))).toBe(2);
    expect(await countLines(file('l3.txt', ''))).toBe(0);
  });
});

describe('strategy and options', () => {
  test('parameters are typed by the strategy; a trial’s parameters replace the job’s', () => {
    const spec = resolveStrategy({ kind: 'momentum', params: { fastPeriod: '6', positionNotional: 5000, barsFromTrades: 'false' } }, dir);
    expect(spec.params).toEqual({ fastPeriod: 6, positionNotional: '5000', barsFromTrades: false });
    expect(withParams(spec, { fastPeriod: 12, entryThreshold: 0.3 }).params).toEqual({ fastPeriod: 12, positionNotional: '5000', barsFromTrades: false, entryThreshold: 0.3 });
    expect(fieldOf(() => resolveStrategy({ kind: 'momentum', params: { fastPeriod: 2.5 } }, dir))).toBe('strategy.params.fastPeriod');
    expect(fieldOf(() => resolveStrategy({ kind: 'model' }, dir))).toBe('strategy.model');
    expect(fieldOf(() => resolveStrategy({ kind: 'arbitrage' }, dir))).toBe('strategy.kind');
  });

  test('durations', () => {
    expect(parseDuration('--train', '90d')).toBe(90 * 86_400_000);
    expect(parseDuration('--gap', '500ms')).toBe(500);
    expect(parseDuration('--step', undefined, 7)).toBe(7);
    expect(fieldOf(() => parseDuration('--test', '3 months'))).toBe('--test');
  });

  test('the browser: $BROWSER first, then xdg-open on PATH, else none', () => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    writeFileSync(join(bin, 'xdg-open'), '#!/bin/sh\n', { mode: 0o755 });
    expect(browserCommand({ BROWSER: '/opt/firefox:/opt/chrome', PATH: bin }, 'linux')).toBe('/opt/firefox');
    expect(browserCommand({ PATH: bin }, 'linux')).toBe(join(bin, 'xdg-open'));
    expect(browserCommand({ PATH: '/nonexistent' }, 'linux')).toBeUndefined();
  });
});

describe('BacktestResult → ReportInput', () => {
  const result = {
    currency: 'USDT',
    seed: 4,
    params: { fastPeriod: 8 },
    startNs: '1700000000000000000',
    endNs: '1700003600000000000',
    perSymbol: { 'BTC-USDT': {} },
    equity: [
      { tsMs: 1_700_000_000_000, equity: '1000' },
      { tsMs: 1_700_003_600_000, equity: '1001.5' },
    ],
    trades: [{ symbol: 'BTC-USDT', direction: 'long', maxQuantity: '1', quantity: '1', entryNs: '1700000000123456789', exitNs: '1700000600999999999', entryPrice: '10', exitPrice: '11.6', pnl: '1.6', fees: '0.1', netPnl: '1.5', holdingMs: 600876, fills: 2 }],
    metrics: {
      initialEquity: '1000', finalEquity: '1001.5', netPnl: '1.5', fees: '0.1', totalReturn: 0.0015, annualisedReturn: null, volatility: null, sharpe: null, sortino: null, calmar: null,
      maxDrawdown: '0', maxDrawdownFraction: 0, maxDrawdownDurationMs: 0, turnover: '21.6', turnoverRatio: 0.02, exposure: 0.17, periodsPerYear: 8766,
      trades: { count: 1, wins: 1, losses: 0, winRate: 1, profitFactor: null, totalNetPnl: '1.5', averageNetPnl: '1.5', averageWin: '1.5', averageLoss: null, largestWin: '1.5', largestLoss: null, payoffRatio: null, averageHoldingMs: 600876, maxConsecutiveWins: 1, maxConsecutiveLosses: 0 },
    },
    counts: { events: 2, bars: 2, trades: 0, quotes: 0, bookUpdates: 0, intents: 2, riskRejections: 0, orders: 2, fills: 2 },
  } as unknown as BacktestResult;

  test('equity as is, trips with ms times (ns floored), exact money in the figures, undefined ratios as n/a', () => {
    const input = backtestReportInput(result, 'a run');
    expect(input.equity).toBe(result.equity);
    expect(input.startEquity).toBe('1000');
    expect(input.trades).toEqual([{ symbol: 'BTC-USDT', direction: 'long', entryTsMs: 1_700_000_000_123, exitTsMs: 1_700_000_600_999, entryPrice: '10', exitPrice: '11.6', quantity: '1', pnl: '1.6', fees: '0.1', netPnl: '1.5' }]);
    expect(input.metrics).toMatchObject({ 'net P&L': '1.5 USDT', Sharpe: 'n/a', 'total return': '0.15%', 'round trips': '1' });
    expect(input.subtitle).toContain('BTC-USDT · 2023-11-14T22:13:20.000Z → 2023-11-14T23:13:20.000Z · seed 4 · fastPeriod=8');
  });

  test('a score is the metric; one the engine leaves undefined fails the trial', () => {
    expect(scoreOf(result.metrics, 'totalReturn')).toBe(0.0015);
    expect(scoreOf(result.metrics, 'netPnl')).toBe(1.5);
    expect(scoreOf(result.metrics, 'winRate')).toBe(1);
    expect(() => scoreOf(result.metrics, 'sharpe')).toThrow('sharpe is undefined for this run (1 round trips, total return 0.0015): nothing to score');
  });
});
