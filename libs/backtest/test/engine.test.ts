import { Decimal } from '@meridian/domain';
import { valuePortfolio } from '@meridian/portfolio';
import { BacktestEngine, MomentumStrategy, arraySource, resolveConfig, runBacktest } from '../src';
import type { BacktestConfig, MarketEvent, Strategy } from '../src';
import { MIN, T0, bar, book, config, d, quote, trade, walk } from './helpers';
import { ScriptStrategy } from './script-strategy';

const SEC = 1_000_000_000n;
const momentum = () => new MomentumStrategy({ interval: '1m', model: { fastPeriod: 3, slowPeriod: 8, volPeriod: 8 }, strategy: { entryThreshold: 0.05, intentIntervalMs: 0, positionNotional: d('20000') } });

function twoSymbols(n = 600): MarketEvent[] {
  const a = walk('AAA-USDT', n, 1);
  const b = walk('BBB-USDT', n, 2, 50);
  return [...a, ...b].sort((x, y) => (x.tsNs < y.tsNs ? -1 : x.tsNs > y.tsNs ? 1 : 0));
}

async function run(cfg: BacktestConfig, events: MarketEvent[], strategies: Strategy[]) {
  const engine = new BacktestEngine(resolveConfig(cfg), strategies);
  const result = await engine.run([arraySource('events', events, 97)]);
  return { engine, result };
}

describe('determinism', () => {
  const noisy = (seed: number): BacktestConfig =>
    config(['AAA-USDT', 'BBB-USDT'], {
      seed,
      latency: { order: { kind: 'lognormal', medianNs: 20_000_000_000, sigma: 1 }, report: { kind: 'uniform', minNs: 0, maxNs: 5_000_000_000 } },
      venue: { fees: { maker: d('-0.0001'), taker: d('0.0005'), scale: 8 }, slippage: { ticks: (random) => Math.floor(random() * 3) }, queueModel: 'pro_rata', account: { mode: 'margin', balances: { USDT: d('1000000') } } },
    });

  test('the same inputs and seed give a byte-identical result; another seed a different one', async () => {
    const events = twoSymbols();
    const a = await runBacktest({ config: noisy(7), sources: [arraySource('e', events, 64)], strategies: [momentum()] });
    const b = await runBacktest({ config: noisy(7), sources: [arraySource('e', events, 5)], strategies: [momentum()] });
    const c = await runBacktest({ config: noisy(8), sources: [arraySource('e', events, 64)], strategies: [momentum()] });
    expect(a.orders.length).toBeGreaterThan(50);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    // Latency moved the orders: they arrive after they were sent, by the lognormal draw.
    const late = a.orders.filter((o) => o.arrivedNs !== null && BigInt(o.arrivedNs) > BigInt(o.intentNs));
    expect(late.length).toBe(a.orders.filter((o) => o.arrivedNs !== null).length);
  });
});

describe('accounting', () => {
  test('the curve, the books as risk keeps them and the venue balances agree exactly, under each cost method', async () => {
    for (const costMethod of ['WAC', 'FIFO', 'LIFO'] as const) {
      const cfg = config(['AAA-USDT', 'BBB-USDT'], { risk: { ...config([]).risk, costMethod } });
      const { engine, result } = await run(cfg, twoSymbols(), [momentum()]);
      expect(result.fills.length).toBeGreaterThan(50);
      const marks = (s: string) => engine.risk!.markOf(s);
      const books = valuePortfolio(engine.positions, marks, () => undefined);
      const initial = d('1000000');
      expect(result.metrics.finalEquity).toBe(initial.add(books.equity).toString());
      expect(result.equity[result.equity.length - 1]!.equity).toBe(result.metrics.finalEquity);
      // The venue's account: USDT moved by every fill and fee, each base currency by the position.
      const balances = new Map(engine.exchange.balances('backtest').map((b) => [b.currency, b.total]));
      let venueEquity = balances.get('USDT')!;
      for (const s of ['AAA-USDT', 'BBB-USDT']) {
        const position = engine.positions.position(s).quantity;
        expect((balances.get(s.split('-')[0]!) ?? Decimal.ZERO).toString()).toBe(position.toString());
        expect(result.perSymbol[s]!.position).toBe(position.toString());
        venueEquity = venueEquity.add(position.mul(marks(s)!));
      }
      expect(venueEquity.toString()).toBe(result.metrics.finalEquity);
      // Fees, realized P&L and position are the same under every method; only realized/unrealized split differs.
      const fees = result.fills.reduce((sum, f) => sum.add(f.fee), Decimal.ZERO);
      expect(result.metrics.fees).toBe(fees.toString());
      // Every order ended (market IOC) and its fills add up to what it filled.
      for (const o of result.orders) {
        expect(['filled', 'cancelled', 'rejected']).toContain(o.status);
        const filled = result.fills.filter((f) => f.clientOrderId === o.clientOrderId).reduce((sum, f) => sum.add(f.quantity), Decimal.ZERO);
        expect(filled.toString()).toBe(d(o.filledQuantity).toString());
      }
    }
  });

  test('equity points fall on the interval grid from the first event, the last at the end', async () => {
    const events = twoSymbols(120);
    const { result } = await run(config(['AAA-USDT', 'BBB-USDT'], { equityIntervalMs: 300_000 }), events, [momentum()]);
    const ts = result.equity.map((p) => p.tsMs);
    expect(ts[0]).toBe(Number((T0 + MIN) / 1_000_000n));
    for (let i = 1; i < ts.length - 1; i++) expect(ts[i]! % 300_000).toBe(0);
    expect(ts[ts.length - 1]).toBe(Number((T0 + 120n * MIN) / 1_000_000n));
    expect(result.metrics.exposure).toBeGreaterThan(0);
    expect(result.metrics.exposure).toBeLessThanOrEqual(1);
  });
});

describe('exposure', () => {
  test('is the event time with any position open over the span: overlapping, flat and open-to-the-end stretches', async () => {
    // One quote of each symbol a second, for 10 s; X is event 2k, Y event 2k + 1 of second k.
    const events: MarketEvent[] = [];
    for (let k = 0n; k <= 10n; k++) for (const s of ['X-USDT', 'Y-USDT']) events.push(quote(s, T0 + k * SEC, ['99', '10'], ['101', '10']));
    const order = (symbol: string, side: 'BUY' | 'SELL') => [{ symbol, side, type: 'market' as const, quantity: d('1'), referencePrice: d('100') }];
    const script = new ScriptStrategy('s', new Map([
      [2, order('X-USDT', 'BUY')], // X open at 1 s
      [5, order('Y-USDT', 'BUY')], // Y open at 2 s
      [8, order('X-USDT', 'SELL')], // X flat at 4 s, Y still open
      [13, order('Y-USDT', 'SELL')], // flat at 6 s: 5 s exposed
      [16, order('X-USDT', 'BUY')], // open from 8 s to the end at 10 s: 2 s more
    ]));
    const { result } = await run(config(['X-USDT', 'Y-USDT']), events, [script]);
    expect(result.fills.map((f) => [f.symbol, f.side, f.tsNs])).toEqual([
      ['X-USDT', 'BUY', (T0 + SEC).toString()],
      ['Y-USDT', 'BUY', (T0 + 2n * SEC).toString()],
      ['X-USDT', 'SELL', (T0 + 4n * SEC).toString()],
      ['Y-USDT', 'SELL', (T0 + 6n * SEC).toString()],
      ['X-USDT', 'BUY', (T0 + 8n * SEC).toString()],
    ]);
    expect(result.metrics.exposure).toBe(0.7);
  });
});

describe('risk', () => {
  test('every intent passes the risk rules on the state as risk keeps it: refusals carry the reason, the strategy stops counting them', async () => {
    const cfg = config(['AAA-USDT', 'BBB-USDT'], { risk: { limits: { global: { maxOrderQuantity: d('100'), maxOrderNotional: d('1000000'), maxPosition: d('50') }, perSymbol: { 'BBB-USDT': { maxPosition: d('30') } } } } });
    const strategy = momentum();
    const { result } = await run(cfg, twoSymbols(), [strategy]);
    const refused = result.orders.filter((o) => !o.risk.approved);
    expect(refused.length).toBeGreaterThan(0);
    for (const o of refused) {
      expect(o.status).toBe('rejected');
      expect(o.risk.reason).toBe('MAX_POSITION');
      expect(o.risk.detail).toMatch(/\d/);
    }
    expect(result.counts.riskRejections).toBe(refused.length);
    // Never beyond the limits, counting working orders: the positions stay within them.
    expect(d(result.perSymbol['AAA-USDT']!.position).abs().lte(d('50'))).toBe(true);
    expect(d(result.perSymbol['BBB-USDT']!.position).abs().lte(d('30'))).toBe(true);
    // The coordinator's state closed the refused intents: nothing is left working.
    expect(strategy.stateOf('AAA-USDT')!.working.openCount).toBe(0);
  });

  test('a kill switch refuses the strategy\'s intents; without it the same intent fills', async () => {
    const events = [quote('X-USDT', T0, ['99', '10'], ['101', '10']), quote('X-USDT', T0 + SEC, ['99', '10'], ['101', '10'])];
    const script = () => new ScriptStrategy('s', new Map([[0, [{ symbol: 'X-USDT', side: 'BUY', type: 'market', quantity: d('1'), referencePrice: d('100') }]]]));
    const killed = await runBacktest({ config: config(['X-USDT'], { risk: { ...config([]).risk, kill: { strategies: ['s'] } } }), sources: [arraySource('q', events)], strategies: [script()] });
    expect(killed.orders[0]!.risk).toEqual({ approved: false, reason: 'KILL_SWITCH', detail: expect.stringContaining('s') });
    const ok = await runBacktest({ config: config(['X-USDT']), sources: [arraySource('q', events)], strategies: [script()] });
    expect(ok.orders[0]).toMatchObject({ status: 'filled', averagePrice: '101', filledQuantity: '1' });
  });
});

describe('execution', () => {
  const X = 'X-USDT';
  test('a passive order waits behind the queue ahead of it; prints consume the queue, then fill it in part and in full, as maker', async () => {
    const events: MarketEvent[] = [
      book(X, T0, 1n, true, [['100', '5'], ['99', '5']], [['101', '5']]),
      trade(X, T0 + SEC, '100', '3', 'SELL'), // eats 3 of the 5 ahead of us
      trade(X, T0 + 2n * SEC, '100', '4', 'SELL'), // the 2 left ahead, then 2 of our 3
      trade(X, T0 + 3n * SEC, '100', '5', 'SELL'), // our last 1
    ];
    const s = new ScriptStrategy('mm', new Map([[0, [{ symbol: X, side: 'BUY', type: 'limit', quantity: d('3'), limitPrice: d('100') }]]]));
    const { result } = await run(config([X], { venue: { ...config([]).venue, queueModel: 'back' } }), events, [s]);
    expect(result.fills.map((f) => [f.quantity, f.price, f.liquidity, f.tsNs])).toEqual([
      ['2', '100', 'maker', (T0 + 2n * SEC).toString()],
      ['1', '100', 'maker', (T0 + 3n * SEC).toString()],
    ]);
    // A maker fee of 2 bps: 0.04 and 0.02.
    expect(result.fills.map((f) => f.fee)).toEqual(['0.04', '0.02']);
    expect(s.updates.map((u) => u.kind)).toEqual(['ack', 'fill', 'fill']);
    expect(result.orders[0]).toMatchObject({ status: 'filled', filledQuantity: '3', averagePrice: '100' });
  });

  test('the order latency delays the arrival: a market order fills at the book it finds then', async () => {
    const events: MarketEvent[] = [
      quote(X, T0, ['99', '10'], ['101', '10']),
      quote(X, T0 + SEC, ['104', '10'], ['105', '10']),
      quote(X, T0 + 2n * SEC, ['109', '10'], ['110', '10']),
    ];
    const go = () => new ScriptStrategy('lat', new Map([[0, [{ symbol: X, side: 'BUY', type: 'market', quantity: d('2'), referencePrice: d('101') }]]]));
    const now = await runBacktest({ config: config([X], { slippageLimitBps: d('0') }), sources: [arraySource('q', events)], strategies: [go()] });
    const later = await runBacktest({ config: config([X], { slippageLimitBps: d('0'), latency: { order: { kind: 'fixed', ns: 1_500_000_000 } } }), sources: [arraySource('q', events)], strategies: [go()] });
    expect(now.fills[0]).toMatchObject({ price: '101', tsNs: T0.toString() });
    expect(later.fills[0]).toMatchObject({ price: '105', tsNs: (T0 + 1_500_000_000n).toString() });
    expect(later.orders[0]!.arrivedNs).toBe((T0 + 1_500_000_000n).toString());
  });

  test('a market order larger than the book fills in part (IOC); the slippage guard refuses one priced too far from its reference', async () => {
    const events: MarketEvent[] = [book(X, T0, 1n, true, [['99', '1']], [['101', '1'], ['102', '1']]), quote(X, T0 + SEC, ['99', '1'], ['101', '1'])];
    const s = new ScriptStrategy('p', new Map([[0, [{ symbol: X, side: 'BUY', type: 'market', quantity: d('3'), referencePrice: d('101') }, { symbol: X, side: 'SELL', type: 'market', quantity: d('1'), referencePrice: d('120') }]]]));
    const { result } = await run(config([X]), events, [s]);
    const [partial, far] = result.orders;
    expect(partial).toMatchObject({ status: 'cancelled', filledQuantity: '2', averagePrice: '101.5' });
    expect(far).toMatchObject({ status: 'rejected' });
    expect(far!.reason).toMatch(/^SLIPPAGE_LIMIT: expected slippage/);
    expect(result.fills).toHaveLength(2);
  });

  test("on bars, the slippage guard sweeps the synthetic book's own levels: near orders pass, one priced too far is refused, a symbol without data has no market", async () => {
    // Close 100, volume 4: five levels of 1 (a quarter of the volume) a tick apart from 100.01 and 99.99.
    const events: MarketEvent[] = [bar(X, 0, '100', { volume: '4' })];
    const s = new ScriptStrategy('g', new Map([[0, [
      { symbol: X, side: 'BUY', type: 'market', quantity: d('3'), referencePrice: d('100') },
      { symbol: X, side: 'SELL', type: 'market', quantity: d('2'), referencePrice: d('101') },
      { symbol: X, side: 'BUY', type: 'market', quantity: d('10'), referencePrice: d('100') },
      { symbol: 'Y-USDT', side: 'BUY', type: 'market', quantity: d('1'), referencePrice: d('100') },
    ]]]));
    const { result } = await run(config([X, 'Y-USDT']), events, [s]);
    const [near, far, deep, noData] = result.orders;
    expect(near).toMatchObject({ status: 'filled', filledQuantity: '3', averagePrice: '100.02' });
    // (101 - 99.985) / 101 = 100.4951 bps (rounded up), above the default limit of 100.
    expect(far).toMatchObject({ status: 'rejected' });
    expect(far!.reason).toBe('SLIPPAGE_LIMIT: expected slippage 100.4951 bps (average 99.985 against 101 for 2) exceeds the limit of 100 bps');
    // More than the book: the guard sees the data's five levels (100.03 on average, within the limit); the venue has two left after the first order, and the rest is cancelled.
    expect(deep).toMatchObject({ status: 'cancelled', filledQuantity: '2', averagePrice: '100.045' });
    expect(noData).toMatchObject({ status: 'rejected' });
    expect(noData!.reason).toMatch(/^NO_MARKET_DATA: /);
  });

  test('a limit order resting below bars fills when a bar trades through it; a cancel ends the rest', async () => {
    const bars: MarketEvent[] = [
      { ...walk('Y-USDT', 1, 1)[0]!, close: d('100'), open: d('100'), high: d('100.5'), low: d('99.5') },
      { ...walk('Y-USDT', 2, 1)[1]!, close: d('99'), open: d('100'), high: d('100'), low: d('97.9') },
      { ...walk('Y-USDT', 3, 1)[2]!, close: d('99'), open: d('99'), high: d('99.2'), low: d('98.5') },
    ];
    const s = new ScriptStrategy('bars', new Map<number, ({ symbol: string; side: 'BUY'; type: 'limit'; quantity: Decimal; limitPrice: Decimal } | { cancel: number })[]>([
      [0, [{ symbol: 'Y-USDT', side: 'BUY', type: 'limit', quantity: d('1'), limitPrice: d('98') }, { symbol: 'Y-USDT', side: 'BUY', type: 'limit', quantity: d('1'), limitPrice: d('97') }]],
      [2, [{ cancel: 1 }]],
    ]));
    const { result } = await run(config(['Y-USDT']), bars, [s]);
    expect(result.orders.map((o) => [o.status, o.averagePrice])).toEqual([
      ['filled', '98'],
      ['cancelled', null],
    ]);
    expect(result.fills[0]).toMatchObject({ liquidity: 'maker', price: '98' });
  });
});

describe('what a strategy may ask', () => {
  const X = 'X-USDT';
  const events: MarketEvent[] = [quote(X, T0, ['99', '10'], ['101', '10']), quote(X, T0 + SEC, ['99', '10'], ['101', '10']), quote(X, T0 + 2n * SEC, ['99', '10'], ['101', '10'])];

  test('cancelling an order that has ended changes nothing; an unknown order, a bad intent or an unknown symbol is refused by name', async () => {
    const s = new ScriptStrategy('c', new Map<number, ({ symbol: string; side: 'BUY'; type: 'market'; quantity: Decimal; referencePrice: Decimal } | { cancel: number })[]>([
      [0, [{ symbol: X, side: 'BUY', type: 'market', quantity: d('1'), referencePrice: d('101') }]],
      [1, [{ cancel: 0 }]],
    ]));
    const { result } = await run(config([X]), events, [s]);
    expect(result.orders[0]!.status).toBe('filled');
    const unknown: Strategy = { id: 'u', params: {}, onEvent: (_e, ctx) => ctx.cancel('u-99') };
    await expect(run(config([X]), events, [unknown])).rejects.toThrow(/cancel "u-99" is not an order of this strategy/);
    const bad: Strategy = { id: 'b', params: {}, onEvent: (_e, ctx) => void ctx.submit({ symbol: X, side: 'BUY', type: 'market', quantity: d('-1') }) };
    await expect(run(config([X]), events, [bad])).rejects.toThrow(/strategy "b": intent quantity -1 must be a positive Decimal/);
    const elsewhere: Strategy = { id: 'e', params: {}, onEvent: (_e, ctx) => void ctx.submit({ symbol: 'Y-USDT', side: 'BUY', type: 'market', quantity: d('1') }) };
    await expect(run(config([X]), events, [elsewhere])).rejects.toThrow(/symbol "Y-USDT" is not one of the run's instruments/);
    await expect(run(config([X]), [quote('Z-USDT', T0, undefined, undefined)], [s])).rejects.toThrow(/event for symbol "Z-USDT"/);
  });
});

test('a price at which not one lot fits the position gives no order (the coordinator dead-letters such a signal), counted as unsizable', async () => {
  // 10,000 / 200,000 = 0.05 < one lot of 0.1: the coordinator's sizing refuses itself.
  const bars = walk('AAA-USDT', 120, 4, 200_000);
  const s = new MomentumStrategy({ interval: '1m', model: { fastPeriod: 3, slowPeriod: 8, volPeriod: 8 }, strategy: { orderLot: d('0.1'), intentIntervalMs: 0, entryThreshold: 0 } });
  const result = await runBacktest({ config: config(['AAA-USDT']), sources: [arraySource('b', bars)], strategies: [s] });
  expect(result.orders).toHaveLength(0);
  expect(s.decisions.unsizable).toBeGreaterThan(50);
});
