// Risk's post-trade side as a backtest drives it: default stops (RISK_STOPS) and the circuit
// breaker (RISK_BREAKER_*), on the risk-rules classes the risk service uses, in event time.
import { BacktestConfigError, arraySource, configFromJson, configToJson, resolveConfig, runBacktest } from '../src';
import { BacktestPostTrade } from '../src/post-trade';
import { T0, config, d, quote } from './helpers';
import { ScriptStrategy } from './script-strategy';

const post = (overrides: Parameters<typeof config>[1] = {}) => resolveConfig(config(['BTC-USDT', 'ETH-USDT'], overrides)).postTrade;

describe('default stops', () => {
  it('arms a trailing stop at the mark when a position opens, trails it, and closes through it once', () => {
    const p = new BacktestPostTrade(post({ risk: { ...config([]).risk, stops: { 'BTC-USDT': { kind: 'trailing', distance: d('5') } } } }));
    expect(p.watches('BTC-USDT')).toBe(true);
    expect(p.watches('ETH-USDT')).toBe(false);
    p.onPosition('BTC-USDT', d('2'), d('100'), 1);
    expect(p.events).toEqual([{ tsMs: 1, kind: 'stop_armed', symbol: 'BTC-USDT', position: '2', stopPrice: '95' }]);
    expect(p.onMark('BTC-USDT', d('110'), 2)).toBeUndefined(); // the best mark moves the stop to 105
    expect(p.onMark('BTC-USDT', d('105.01'), 3)).toBeUndefined();
    const close = p.onMark('BTC-USDT', d('105'), 4);
    expect(close).toEqual({ clientOrderId: 'risk-stop-BTC-USDT-1', strategy: 'risk-stop', symbol: 'BTC-USDT', side: 'SELL', quantity: d('2'), referencePrice: d('105') });
    expect(p.onMark('BTC-USDT', d('90'), 5)).toBeUndefined(); // disarmed: one close per trigger
    // No default stop while the close works, even as fills move the position.
    p.onPosition('BTC-USDT', d('1'), d('90'), 6);
    expect(p.counts).toEqual({ stopsArmed: 1, stopsTriggered: 1, breakerTrips: 0 });
    // The close ends with a position left: the default arms again, as revision 2.
    p.onOrderEnded('BTC-USDT', 'risk-stop-BTC-USDT-1', d('1'), d('90'), 7);
    expect(p.onMark('BTC-USDT', d('84'), 8)?.clientOrderId).toBe('risk-stop-BTC-USDT-2');
  });

  it('protects a short from above, and drops the stop when the position goes flat or flips', () => {
    const p = new BacktestPostTrade(post({ risk: { ...config([]).risk, stops: { 'ETH-USDT': { kind: 'static', price: d('120') } } } }));
    p.onPosition('ETH-USDT', d('-3'), d('100'), 1);
    p.onPosition('ETH-USDT', d('0'), d('101'), 2);
    expect(p.events.map((e) => e.kind)).toEqual(['stop_armed', 'stop_cleared']);
    expect(p.onMark('ETH-USDT', d('130'), 3)).toBeUndefined();
    p.onPosition('ETH-USDT', d('-1'), d('100'), 4);
    expect(p.onMark('ETH-USDT', d('120'), 5)).toMatchObject({ side: 'BUY', quantity: d('1'), clientOrderId: 'risk-stop-ETH-USDT-2' });
  });

  it('does not arm a static default the mark is already through (the service leaves that to an operator)', () => {
    const p = new BacktestPostTrade(post({ risk: { ...config([]).risk, stops: { 'BTC-USDT': { kind: 'static', price: d('99') } } } }));
    p.onPosition('BTC-USDT', d('1'), d('98'), 1);
    expect(p.events).toEqual([{ tsMs: 1, kind: 'stop_not_armed', symbol: 'BTC-USDT', position: '1', mark: '98', stopPrice: '99' }]);
    expect(p.onMark('BTC-USDT', d('97'), 2)).toBeUndefined();
  });
});

describe('the circuit breaker', () => {
  it('trips on loss velocity in event time, lets only reducing orders through meanwhile, and resets after the cool-down', () => {
    const p = new BacktestPostTrade(post({ risk: { ...config([]).risk, breaker: { maxLoss: d('100'), lossWindowMs: 60_000, coolDownMs: 120_000, checkIntervalMs: 1_000 } } }));
    expect(p.dueMs).toBe(Number.NEGATIVE_INFINITY);
    p.tick(0, d('10000'));
    expect(p.dueMs).toBe(1_000);
    p.tick(1_000, d('9950'));
    expect(p.view().tripped).toBe(false);
    p.tick(2_000, d('9899.99'));
    expect(p.view()).toEqual({ tripped: true, causes: ['LOSS_VELOCITY'] });
    // The window passes, the cause clears; the cool-down counts from the trip.
    p.tick(63_000, d('9899.99'));
    expect(p.view().tripped).toBe(true);
    p.tick(122_000, d('9899.99'));
    expect(p.view().tripped).toBe(false);
    expect(p.events.map((e) => e.kind)).toEqual(['breaker_tripped', 'breaker_reset']);
    expect(p.counts.breakerTrips).toBe(1);
  });

  it('trips on a burst of rejections and on stale market data', () => {
    const p = new BacktestPostTrade(post({ risk: { ...config([]).risk, breaker: { maxRejects: 3, rejectWindowMs: 10_000, maxMarketDataAgeMs: 5_000, autoReset: false } } }));
    expect(p.watchesMarketData).toBe(true);
    p.onMarketData('BTC-USDT', 0);
    p.onReject(1_000);
    p.onReject(2_000);
    expect(p.view().tripped).toBe(false);
    p.onReject(3_000);
    expect(p.view()).toEqual({ tripped: true, causes: ['REJECT_BURST'] });
    p.tick(9_000, d('1'));
    expect(p.view().causes).toEqual(['REJECT_BURST', 'STALE_MARKET_DATA']);
  });
});

describe('configuration', () => {
  it('reads risk.stops and risk.breaker from JSON as RISK_STOPS and RISK_BREAKER_* write them, and writes them back', () => {
    const json = configToJson(resolveConfig(config(['BTC-USDT'])));
    const risk = json.risk as Record<string, unknown>;
    const read = resolveConfig(configFromJson({ ...json, risk: { ...risk, stops: { 'BTC-USDT': { distanceBps: '200' } }, breaker: { maxLoss: '500', maxRejects: 5 } } }));
    expect(read.postTrade.stops.get('BTC-USDT')).toEqual({ kind: 'trailing', distanceBps: d('200') });
    expect(read.postTrade.breaker).toEqual({ maxLossInWindow: d('500'), lossWindowMs: 60_000, maxRejects: 5, rejectWindowMs: 10_000, coolDownMs: 60_000, autoReset: true, checkIntervalMs: 250 });
    const again = configToJson(read);
    expect((again.risk as Record<string, unknown>).stops).toEqual({ 'BTC-USDT': { distanceBps: '200' } });
    expect(resolveConfig(configFromJson(again)).postTrade).toEqual(read.postTrade);
  });

  it.each([
    [{ stops: { 'BTC-USDT': { price: '1', distance: '2' } } }, /config\.risk\.stops\.BTC-USDT: must set exactly one of price, distance, distanceBps/],
    [{ stops: { 'BTC-USDT': { distanceBps: '-1' } } }, /config\.risk\.stops\.BTC-USDT\.distanceBps: must be positive, got -1/],
    [{ stops: { 'XRP-USDT': { distance: '1' } } }, /risk\.stops\.XRP-USDT: is not one of the instruments/],
    [{ breaker: { maxRejects: 0 } }, /config\.risk\.breaker\.maxRejects/],
    [{ breaker: { coolDown: 5 } }, /config\.risk\.breaker\.coolDown: is not a key here/],
    [{ stopStrategy: 'risk stop' }, /config\.risk\.stopStrategy/],
  ])('refuses %j naming the key', (extra, message) => {
    const json = configToJson(resolveConfig(config(['BTC-USDT'])));
    let caught: unknown;
    try {
      configFromJson({ ...json, risk: { ...(json.risk as Record<string, unknown>), ...extra } });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BacktestConfigError);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('in the engine', () => {
  const X = 'X-USDT';
  const SEC = 1_000_000_000n;
  const q = (k: number, bid: string, ask: string) => quote(X, T0 + BigInt(k) * SEC, [bid, '10'], [ask, '10']);
  const buy = (quantity: string) => ({ symbol: X, side: 'BUY' as const, type: 'market' as const, quantity: d(quantity), referencePrice: d('100') });
  const sell = (quantity: string) => ({ symbol: X, side: 'SELL' as const, type: 'market' as const, quantity: d(quantity), referencePrice: d('100') });

  test('a default trailing stop closes the position through risk and the venue when the mark falls through it', async () => {
    const events = [q(0, '99.9', '100.1'), q(1, '109.9', '110.1'), q(2, '106', '106.2'), q(3, '103.9', '104.1'), q(4, '103.9', '104.1')];
    const strategy = new ScriptStrategy('s', new Map([[0, [buy('2')]]]));
    const result = await runBacktest({
      config: config([X], { risk: { ...config([]).risk, stops: { [X]: { kind: 'trailing', distance: d('5') } } } }),
      sources: [arraySource('q', events)],
      strategies: [strategy],
    });
    // Bought 2 at 100.1; the mark rose to 110 (stop 105), then 106.1 (held), then 104 (through it).
    expect(result.orders.map((o) => [o.clientOrderId, o.strategy, o.side, o.quantity, o.status, o.averagePrice])).toEqual([
      ['s-1', 's', 'BUY', '2', 'filled', '100.1'],
      ['risk-stop-X-USDT-1', 'risk-stop', 'SELL', '2', 'filled', '103.9'],
    ]);
    expect(result.orders[1]!.intentNs).toBe((T0 + 3n * SEC).toString());
    expect(result.perSymbol[X]!.position).toBe('0');
    expect(result.riskEvents.map((e) => e.kind)).toEqual(['stop_armed', 'stop_triggered']);
    expect(result.riskEvents[1]).toMatchObject({ symbol: X, stopPrice: '105', mark: '104', side: 'SELL', quantity: '2' });
    expect(result.counts).toMatchObject({ stopsArmed: 1, stopsTriggered: 1, breakerTrips: 0 });
    // The strategy hears of the close like of any order of its symbol.
    expect(strategy.updates.filter((u) => u.clientOrderId === 'risk-stop-X-USDT-1').map((u) => u.kind)).toEqual(['ack', 'fill']);
  });

  test('a burst of rejections trips the breaker: what adds to the position is refused, what reduces it passes', async () => {
    const events = [q(0, '99.9', '100.1'), q(1, '99.9', '100.1'), q(2, '99.9', '100.1'), q(3, '99.9', '100.1')];
    const strategy = new ScriptStrategy('s', new Map([[0, [buy('3')]], [1, [buy('500'), buy('500')]], [2, [buy('1'), sell('1')]]]));
    const result = await runBacktest({
      config: config([X], { risk: { ...config([]).risk, breaker: { maxRejects: 2, rejectWindowMs: 60_000, autoReset: false } } }),
      sources: [arraySource('q', events)],
      strategies: [strategy],
    });
    expect(result.orders.map((o) => [o.side, o.quantity, o.status, o.risk.reason])).toEqual([
      ['BUY', '3', 'filled', null],
      ['BUY', '500', 'rejected', 'MAX_ORDER_QUANTITY'],
      ['BUY', '500', 'rejected', 'MAX_ORDER_QUANTITY'],
      ['BUY', '1', 'rejected', 'CIRCUIT_BREAKER'],
      ['SELL', '1', 'filled', null],
    ]);
    expect(result.riskEvents).toEqual([{ tsMs: Number((T0 + SEC) / 1_000_000n), kind: 'breaker_tripped', cause: 'REJECT_BURST', detail: '2 rejections within 60000 ms (limit 2)' }]);
    expect(result.counts.breakerTrips).toBe(1);
    // Without a breaker the same run fills the small buy.
    const plain = await runBacktest({ config: config([X]), sources: [arraySource('q', events)], strategies: [new ScriptStrategy('s', new Map([[0, [buy('3')]], [1, [buy('500'), buy('500')]], [2, [buy('1'), sell('1')]]]))] });
    expect(plain.orders[3]!.status).toBe('filled');
    expect(plain.riskEvents).toEqual([]);
  });
});
