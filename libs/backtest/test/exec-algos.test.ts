// Execution algorithms' parent orders (@meridian/exec-algos) driven by the engine as execution's
// ParentManager drives them: timers in event time, the market of the parent's symbol, children's
// reports, children through risk, the guard and the venue like any order.
import { InvalidIntentError, arraySource, runBacktest } from '../src';
import type { BacktestResult, MarketEvent, OrderRecord, OrderUpdate, ParentRequest, Strategy, StrategyContext } from '../src';
import { T0, config, d, quote, trade } from './helpers';

const SEC = 1_000_000_000n;

type Step = { parent: ParentRequest } | { cancelParent: number };

/** At its n-th event (0-based) it starts the parents (or cancels the k-th it started) it was given; it records every update. */
class ParentScript implements Strategy {
  readonly params = {};
  readonly updates: OrderUpdate[] = [];
  readonly parentIds: string[] = [];
  private seen = 0;

  constructor(
    readonly id: string,
    private readonly script: Map<number, Step[]>,
  ) {}

  onEvent(_e: MarketEvent, ctx: StrategyContext): void {
    for (const step of this.script.get(this.seen++) ?? []) {
      if ('cancelParent' in step) ctx.cancel(this.parentIds[step.cancelParent]!);
      else this.parentIds.push(ctx.submitParent(step.parent));
    }
  }

  onOrder(u: OrderUpdate): void {
    this.updates.push(u);
  }
}

/** A quote at T0, then every `stepS` seconds from `offsetS` through `untilS`, 99.99 / 100.01, 10 a side. */
function quotes(untilS: number, stepS = 5, offsetS = stepS): MarketEvent[] {
  const out: MarketEvent[] = [quote('BTC-USDT', T0, ['99.99', '10'], ['100.01', '10'])];
  for (let t = offsetS; t <= untilS; t += stepS) out.push(quote('BTC-USDT', T0 + BigInt(t) * SEC, ['99.99', '10'], ['100.01', '10']));
  return out;
}

const childrenOf = (r: BacktestResult, parentId: string): OrderRecord[] => r.orders.filter((o) => o.clientOrderId.startsWith(`${parentId}-`));
const at = (s: number) => (T0 + BigInt(s) * SEC).toString();

describe('TWAP', () => {
  it('fills the quantity in N children, one at each slice start, and reports the parent completed', async () => {
    const st = new ParentScript('twap', new Map([[0, [{ parent: { symbol: 'BTC-USDT', side: 'BUY', quantity: d('0.4'), endNs: T0 + 60n * SEC, algo: { kind: 'twap', slices: 4 } } }]]]));
    // The market moves at 2, 7, 12 … s: the slices start between events, on the parent's timer.
    const r = await runBacktest({ config: config(['BTC-USDT']), sources: [arraySource('q', quotes(77, 5, 2))], strategies: [st] });

    expect(st.parentIds).toEqual(['twap-1']);
    const children = childrenOf(r, 'twap-1');
    expect(children.map((c) => c.clientOrderId)).toEqual(['twap-1-1', 'twap-1-2', 'twap-1-3', 'twap-1-4']);
    // One child at each slice start (15 s slices of the minute), 0.1 each, taking the ask.
    expect(children.map((c) => c.intentNs)).toEqual([at(0), at(15), at(30), at(45)]);
    for (const c of children) {
      expect(c).toMatchObject({ strategy: 'twap', side: 'BUY', type: 'market', timeInForce: 'IOC', quantity: '0.1', status: 'filled', filledQuantity: '0.1', averagePrice: '100.01', referencePrice: '100.01' });
      expect(c.risk.approved).toBe(true);
    }
    expect(r.fills.filter((f) => f.clientOrderId.startsWith('twap-1-')).map((f) => f.tsNs)).toEqual([at(0), at(15), at(30), at(45)]);
    expect(r.parents).toEqual([
      {
        id: 'twap-1',
        strategy: 'twap',
        algo: 'twap',
        symbol: 'BTC-USDT',
        side: 'BUY',
        quantity: '0.4',
        limitPrice: null,
        startNs: at(0),
        endNs: at(60),
        createdNs: at(0),
        status: 'finished',
        reason: 'completed',
        detail: expect.any(String),
        filled: '0.4',
        averagePrice: '100.01',
        children: 4,
        endedNs: at(45),
      },
    ]);
    expect(r.counts.parents).toBe(1);
    expect(r.counts.orders).toBe(4);
    expect(r.perSymbol['BTC-USDT']!.position).toBe('0.4');
    // The strategy heard each child's ack and fill, then the parent's end, last.
    const kinds = st.updates.map((u) => u.kind);
    expect(kinds.filter((k) => k === 'fill')).toHaveLength(4);
    expect(st.updates[st.updates.length - 1]).toEqual({ kind: 'parent_finished', clientOrderId: 'twap-1', strategy: 'twap', symbol: 'BTC-USDT', outcome: 'finished', reason: 'completed', filled: d('0.4'), detail: expect.any(String) });
  });

  it('gives the same result for the same seed (jittered slices, random latency), another for another seed', async () => {
    const run = (seed: number) =>
      runBacktest({
        config: config(['BTC-USDT'], { seed, latency: { order: { kind: 'lognormal', medianNs: 200_000_000, sigma: 1 } } }),
        sources: [arraySource('q', quotes(130, 1))],
        strategies: [new ParentScript('twap', new Map([[0, [{ parent: { symbol: 'BTC-USDT', side: 'SELL', quantity: d('1'), endNs: T0 + 120n * SEC, algo: { kind: 'twap', slices: 12, seed: 42 } } }]]]))],
      });
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(a.parents[0]).toMatchObject({ status: 'finished', reason: 'completed', filled: '1', children: 12 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    // Jittered: not every child went out on the even 10 s grid.
    expect(childrenOf(a, 'twap-1').some((o) => (BigInt(o.intentNs) - T0) % (10n * SEC) !== 0n)).toBe(true);
  });
});

describe('iceberg', () => {
  it('shows one display-size child at a time, the next once the shown one has filled', async () => {
    const events: MarketEvent[] = [];
    for (let t = 0; t <= 40; t += 5) {
      events.push(quote('BTC-USDT', T0 + BigInt(t) * SEC, ['99.99', '10'], ['100.01', '10']));
      // Sellers trade through our bid every 10 s: the shown child fills.
      if (t % 10 === 5) events.push(trade('BTC-USDT', T0 + BigInt(t) * SEC + 1n, '99.98', '0.1', 'SELL'));
    }
    const st = new ParentScript('ice', new Map([[0, [{ parent: { symbol: 'BTC-USDT', side: 'BUY', quantity: d('0.3'), limitPrice: d('100'), algo: { kind: 'iceberg', displayQuantity: d('0.1') } } }]]]));
    const r = await runBacktest({ config: config(['BTC-USDT']), sources: [arraySource('e', events)], strategies: [st] });

    const children = childrenOf(r, 'ice-1');
    expect(children.map((c) => [c.clientOrderId, c.type, c.timeInForce, c.quantity, c.limitPrice, c.status])).toEqual([
      ['ice-1-1', 'limit', 'GTC', '0.1', '100', 'filled'],
      ['ice-1-2', 'limit', 'GTC', '0.1', '100', 'filled'],
      ['ice-1-3', 'limit', 'GTC', '0.1', '100', 'filled'],
    ]);
    // The next child goes out when the shown one fills (at the print), never before.
    const fills = r.fills.filter((f) => f.clientOrderId.startsWith('ice-1-'));
    expect(fills.map((f) => [f.clientOrderId, f.tsNs, f.liquidity])).toEqual([
      ['ice-1-1', (T0 + 5n * SEC + 1n).toString(), 'maker'],
      ['ice-1-2', (T0 + 15n * SEC + 1n).toString(), 'maker'],
      ['ice-1-3', (T0 + 25n * SEC + 1n).toString(), 'maker'],
    ]);
    expect(children.map((c) => c.intentNs)).toEqual([at(0), fills[0]!.tsNs, fills[1]!.tsNs]);
    expect(r.parents[0]).toMatchObject({ id: 'ice-1', algo: 'iceberg', status: 'finished', reason: 'completed', filled: '0.3', children: 3, endNs: null, limitPrice: '100' });
  });

  it('cancelled by the strategy, cancels its working child and ends cancelled', async () => {
    const st = new ParentScript(
      'ice',
      new Map<number, Step[]>([
        [0, [{ parent: { symbol: 'BTC-USDT', side: 'SELL', quantity: d('0.5'), limitPrice: d('100.05'), algo: { kind: 'iceberg', displayQuantity: d('0.2') } } }]],
        [3, [{ cancelParent: 0 }]],
      ]),
    );
    const r = await runBacktest({ config: config(['BTC-USDT'], { latency: { order: { kind: 'fixed', ns: 1_000_000 } } }), sources: [arraySource('q', quotes(30))], strategies: [st] });

    const children = childrenOf(r, 'ice-1');
    expect(children).toHaveLength(1);
    expect(children[0]).toMatchObject({ clientOrderId: 'ice-1-1', status: 'cancelled', filledQuantity: '0', quantity: '0.2', arrivedNs: (T0 + 1_000_000n).toString() });
    // The cancel left at the strategy's 4th event (15 s) and reached the venue after the order latency.
    expect(children[0]!.updatedNs).toBe((T0 + 15n * SEC + 1_000_000n).toString());
    expect(r.parents[0]).toMatchObject({ status: 'finished', reason: 'cancelled', filled: '0', children: 1, endedNs: (T0 + 15n * SEC + 1_000_000n).toString() });
    const ended = st.updates.filter((u) => u.kind === 'ended' || u.kind === 'parent_finished').map((u) => [u.kind, u.clientOrderId]);
    expect(ended).toEqual([
      ['ended', 'ice-1-1'],
      ['parent_finished', 'ice-1'],
    ]);
  });

  it('cancelled before risk decided its first child: the child is cancelled once approved, never reaching the venue', async () => {
    const st = new ParentScript(
      'ice',
      new Map<number, Step[]>([[0, [{ parent: { symbol: 'BTC-USDT', side: 'SELL', quantity: d('0.5'), limitPrice: d('100.05'), algo: { kind: 'iceberg', displayQuantity: d('0.2') } } }, { cancelParent: 0 }]]]),
    );
    const r = await runBacktest({ config: config(['BTC-USDT']), sources: [arraySource('q', quotes(10))], strategies: [st] });
    expect(childrenOf(r, 'ice-1')).toEqual([
      expect.objectContaining({ clientOrderId: 'ice-1-1', status: 'cancelled', reason: 'PARENT_CANCELLED: cancelled before it reached the venue', arrivedNs: null, risk: { approved: true, reason: null, detail: null } }),
    ]);
    expect(r.parents[0]).toMatchObject({ status: 'finished', reason: 'cancelled', endedNs: at(0) });
  });
});

describe('POV', () => {
  it('follows the market volume of the trades fed to it', async () => {
    const events: MarketEvent[] = [quote('BTC-USDT', T0, ['99.99', '10'], ['100.01', '10'])];
    for (let t = 1; t <= 6; t++) events.push(trade('BTC-USDT', T0 + BigInt(t) * SEC, '100', '0.1', 'BUY'));
    const st = new ParentScript('pov', new Map([[0, [{ parent: { symbol: 'BTC-USDT', side: 'BUY', quantity: d('0.2'), algo: { kind: 'pov', rate: d('0.5') } } }]]]));
    const r = await runBacktest({ config: config(['BTC-USDT']), sources: [arraySource('e', events)], strategies: [st] });
    // Half of each print's 0.1, right after it, until 0.2 are filled.
    expect(childrenOf(r, 'pov-1').map((c) => [c.intentNs, c.quantity, c.status])).toEqual([
      [at(1), '0.05', 'filled'],
      [at(2), '0.05', 'filled'],
      [at(3), '0.05', 'filled'],
      [at(4), '0.05', 'filled'],
    ]);
    expect(r.parents[0]).toMatchObject({ algo: 'pov', status: 'finished', reason: 'completed', filled: '0.2', children: 4, endedNs: at(4) });
  });
});

describe('children refused by risk', () => {
  it('count toward maxChildRejects; the parent fails child_rejected', async () => {
    const st = new ParentScript(
      'twap',
      new Map([[0, [{ parent: { symbol: 'BTC-USDT', side: 'BUY', quantity: d('1'), endNs: T0 + 60n * SEC, algo: { kind: 'twap', slices: 2 }, maxChildRejects: 2, retryIntervalNs: 3n * SEC } }]]]),
    );
    // Risk refuses any order above 0.3: each child (0.5) is refused.
    const cfg = config(['BTC-USDT'], { risk: { limits: { global: { maxOrderQuantity: d('0.3'), maxOrderNotional: d('1000000'), maxPosition: d('100') } } } });
    const r = await runBacktest({ config: cfg, sources: [arraySource('q', quotes(20, 1))], strategies: [st] });

    const children = childrenOf(r, 'twap-1');
    expect(children.map((c) => [c.clientOrderId, c.intentNs, c.quantity, c.status, c.risk.approved, c.risk.reason, c.arrivedNs])).toEqual([
      ['twap-1-1', at(0), '0.5', 'rejected', false, 'MAX_ORDER_QUANTITY', null],
      // Sent again after the retry interval; the second refusal in a row ends the parent.
      ['twap-1-2', at(3), '0.5', 'rejected', false, 'MAX_ORDER_QUANTITY', null],
    ]);
    expect(r.counts.riskRejections).toBe(2);
    expect(r.parents[0]).toMatchObject({ status: 'failed', reason: 'child_rejected', filled: '0', children: 2, endedNs: at(3) });
    expect(st.updates.map((u) => [u.kind, u.clientOrderId])).toEqual([
      ['risk_rejected', 'twap-1-1'],
      ['risk_rejected', 'twap-1-2'],
      ['parent_finished', 'twap-1'],
    ]);
    expect(st.updates[2]).toMatchObject({ outcome: 'failed', reason: 'child_rejected', filled: d('0') });
  });
});

describe('requests', () => {
  const runWith = (parent: ParentRequest) =>
    runBacktest({ config: config(['BTC-USDT']), sources: [arraySource('q', quotes(10))], strategies: [new ParentScript('s', new Map([[0, [{ parent }]]]))] });

  it('refuses an invalid parent with an InvalidIntentError naming the field', async () => {
    const twap = { symbol: 'BTC-USDT', side: 'BUY' as const, endNs: T0 + 60n * SEC };
    await expect(runWith({ ...twap, quantity: d('1'), algo: { kind: 'twap', slices: 0 } })).rejects.toMatchObject({ name: 'InvalidIntentError', field: 'parent.algo.slices', code: 'BACKTEST_INVALID_INTENT' });
    await expect(runWith({ ...twap, quantity: d('0.0005'), algo: { kind: 'twap', slices: 2 } })).rejects.toMatchObject({ field: 'parent.quantity' });
    await expect(runWith({ ...twap, symbol: 'ETH-USDT', quantity: d('1'), algo: { kind: 'twap', slices: 2 } })).rejects.toThrow(InvalidIntentError);
    await expect(runWith({ symbol: 'BTC-USDT', side: 'BUY', quantity: d('1'), algo: { kind: 'iceberg', displayQuantity: d('0.1') } })).rejects.toMatchObject({ field: 'parent.limitPrice' });
  });
});
