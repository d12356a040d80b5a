import { seededRandom } from '@meridian/testkit';
import { Decimal } from '@meridian/domain';
import { ParentOrder } from '../src';
import type { AlgoAction, AlgoParams, ChildOrder, ChildUpdate, MarketUpdate, ParentOrderSpec, ParentSnapshot } from '../src';
import { d } from './helpers';

// Random drivers against random parents: whatever the venue does (partial fills, IOC remainders,
// rejections, late cancels, late timers), the guarantees hold, and a parent restored from its
// journal at any point is indistinguishable from the original from then on.

type Input =
  | { kind: 'timer'; nowNs: bigint }
  | { kind: 'market'; update: MarketUpdate }
  | { kind: 'child'; update: ChildUpdate }
  | { kind: 'cancel'; nowNs: bigint };

function randomSpec(rand: () => number, n: number): ParentOrderSpec {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const lots = 1 + Math.floor(rand() * 60);
  const withLimit = rand() < 0.4;
  const kinds: AlgoParams[] = [
    { kind: 'twap', slices: 1 + Math.floor(rand() * 8), style: pick(['aggressive', 'passive'] as const), ...(rand() < 0.5 ? { seed: 1 + n } : {}) },
    { kind: 'twap', sliceIntervalNs: 150n + BigInt(Math.floor(rand() * 300)), style: pick(['aggressive', 'passive'] as const) },
    { kind: 'vwap', profile: [d('0.1'), d('0.25'), d(0), d('0.4'), d('0.25')], style: pick(['aggressive', 'passive'] as const) },
    { kind: 'iceberg', displayQuantity: d('0.01').mul(BigInt(1 + Math.floor(rand() * 10))), displayVariance: pick([d(0), d('0.3')]), seed: n },
    { kind: 'pov', rate: pick([d('0.05'), d('0.2'), d(1)]), minChildQuantity: d('0.02'), ...(rand() < 0.5 ? { maxChildQuantity: d('0.05') } : {}) },
  ];
  const algo = pick(kinds);
  return {
    id: `R${n}`,
    symbol: 'ETH-USD',
    side: pick(['BUY', 'SELL'] as const),
    quantity: d('0.01').mul(BigInt(lots)),
    limitPrice: withLimit || algo.kind === 'iceberg' ? d('100.00') : undefined,
    startNs: 1000n,
    endNs: algo.kind === 'iceberg' || algo.kind === 'pov' ? (rand() < 0.5 ? undefined : 3000n) : 3000n,
    lotSize: d('0.01'),
    tickSize: d('0.05'),
    retryIntervalNs: 40n,
    maxChildRejects: 4,
    algo,
  };
}

/** A venue that answers children at random: acks, partial fills, remainders, rejections, late. */
class RandomVenue {
  readonly live = new Map<string, { child: ChildOrder; leftLots: bigint; filledAny: boolean; cancelAsked: boolean }>();
  private trade = 0;

  constructor(private readonly rand: () => number) {}

  take(actions: readonly AlgoAction[]): void {
    for (const a of actions) {
      if (a.type === 'submit') {
        const lots = a.child.quantity.div(d('0.01'), 0).coef;
        this.live.set(a.child.clientOrderId, { child: a.child, leftLots: lots, filledAny: false, cancelAsked: false });
      } else if (a.type === 'cancel') {
        const c = this.live.get(a.clientOrderId);
        if (c) c.cancelAsked = true;
      }
    }
  }

  /** One report for a random live child, or undefined. */
  next(nowNs: bigint): ChildUpdate | undefined {
    const ids = [...this.live.keys()];
    if (ids.length === 0) return undefined;
    const id = ids[Math.floor(this.rand() * ids.length)]!;
    const c = this.live.get(id)!;
    const r = this.rand();
    const price = c.child.limitPrice ?? d('99.95');
    if (!c.filledAny && r < 0.1) {
      this.live.delete(id);
      return { clientOrderId: id, kind: 'reject', reason: 'RANDOM', nowNs };
    }
    if (r < 0.25 && (c.cancelAsked || c.child.timeInForce === 'IOC' || r < 0.15)) {
      this.live.delete(id);
      return { clientOrderId: id, kind: 'cancel', reason: c.cancelAsked ? 'USER_REQUEST' : 'IOC_REMAINDER', nowNs };
    }
    if (r < 0.35) return { clientOrderId: id, kind: 'ack', nowNs };
    const lots = 1n + BigInt(Math.floor(this.rand() * Number(c.leftLots)));
    c.leftLots -= lots;
    c.filledAny = true;
    if (c.leftLots === 0n) this.live.delete(id);
    return { clientOrderId: id, kind: 'fill', fillQuantity: d('0.01').mul(lots), fillPrice: price, tradeId: `t${++this.trade}`, nowNs };
  }
}

function apply(order: ParentOrder, input: Input): AlgoAction[] {
  switch (input.kind) {
    case 'timer':
      return order.onTimer(input.nowNs);
    case 'market':
      return order.onMarket(input.update);
    case 'child':
      return order.onChildUpdate(input.update);
    case 'cancel':
      return order.cancel(input.nowNs);
  }
}

/** Plain checks: this runs tens of thousands of times, and a failure names the parent. */
function must(condition: boolean, what: string, s: ParentSnapshot): void {
  if (!condition) throw new Error(`${s.id} (${s.kind}) at ${s.nowNs}: ${what}; filled ${s.filled}, working ${s.working}, target ${s.target}`);
}

function checkInvariants(s: ParentSnapshot, spec: ParentOrderSpec, actions: readonly AlgoAction[], maxDisplay: Decimal | undefined): void {
  const live = s.children.filter((c) => c.state !== 'done');
  must(live.length <= 1, 'at most one child out', s);
  must(s.filled.add(s.working).lte(spec.quantity), 'filled + working within the quantity', s);
  // Never ahead of the target: at most one slice ahead of the time-proportional schedule.
  if (s.status === 'working') must(s.filled.add(s.working).lte(s.target), 'filled + working within the target', s);
  if (maxDisplay !== undefined) for (const c of live) must(c.order.quantity.lte(maxDisplay), 'shown size within the display size', s);
  for (const c of s.children) {
    if (spec.limitPrice === undefined) continue;
    // With a limit price every child is a limit order, never beyond it.
    const price = c.order.limitPrice;
    must(c.order.type === 'limit' && price !== undefined, 'limit children under a limit price', s);
    must(spec.side === 'BUY' ? price!.lte(spec.limitPrice) : price!.gte(spec.limitPrice), 'child price within the limit', s);
  }
  const terminal = actions.filter((a) => a.type === 'finished' || a.type === 'failed');
  must(terminal.length <= 1, 'one terminal action', s);
  if (terminal.length === 1) {
    must(s.status === 'done' && live.length === 0, 'done with nothing out', s);
    const t = terminal[0]!;
    if (t.type === 'finished' && t.reason === 'completed') must(s.filled.eq(spec.quantity), 'completed means all filled', s);
    else must(s.filled.lt(spec.quantity), 'not completed means something unfilled', s);
  }
}

describe('random drivers', () => {
  it('keep every guarantee, and a parent restored at any point acts exactly as the original', () => {
    let finished = 0;
    let restoredChecks = 0;
    for (let n = 1; n <= 300; n++) {
      const rand = seededRandom(n);
      const spec = randomSpec(rand, n);
      const order = ParentOrder.create(spec);
      const venue = new RandomVenue(rand);
      const children: ChildOrder[] = [];
      const updates: ChildUpdate[] = [];
      const pendingCancels = new Set<string>();
      let cancelRequestedNs: bigint | undefined;
      let marketVolume = Decimal.ZERO;
      let bid: Decimal | undefined;
      let ask: Decimal | undefined;
      let now = 900n;
      const restoreAt = 2 + Math.floor(rand() * 25);
      let twin: ParentOrder | undefined;
      const maxDisplay = spec.algo.kind === 'iceberg' ? spec.algo.displayQuantity.mul(Decimal.ONE.add(spec.algo.displayVariance ?? Decimal.ZERO)) : undefined;

      for (let step = 0; step < 200 && order.status() !== 'done'; step++) {
        now += BigInt(Math.floor(rand() * 40));
        const r = rand();
        let input: Input;
        const report = r < 0.45 ? venue.next(now) : undefined;
        if (report !== undefined) input = { kind: 'child', update: report };
        else if (r < 0.75) {
          const mid = 100 + Math.floor(rand() * 8 - 4) * 0.05;
          const update: MarketUpdate = {
            nowNs: now,
            bid: Decimal.fromNumber(mid - 0.05, 2),
            ask: Decimal.fromNumber(mid + 0.05, 2),
            tradeVolume: d('0.01').mul(BigInt(Math.floor(rand() * 30))),
          };
          input = { kind: 'market', update };
        } else if (r < 0.995) {
          const wake = order.nextWakeNs();
          if (wake !== undefined && wake > now && rand() < 0.7) now = wake;
          input = { kind: 'timer', nowNs: now };
        } else input = { kind: 'cancel', nowNs: now };

        if (twin === undefined && step === restoreAt) {
          twin = ParentOrder.restore(spec, {
            children,
            updates,
            pendingCancels: [...pendingCancels],
            cancelRequestedNs,
            marketVolume,
            bid,
            ask,
            nowNs: order.snapshot().nowNs,
          });
          expect(twin.snapshot()).toEqual(order.snapshot());
          restoredChecks++;
        }

        const actions = apply(order, input);
        if (twin !== undefined) expect(apply(twin, input)).toEqual(actions);

        // The driver's journal, as a service would keep it.
        const snapshot = order.snapshot();
        if (input.kind === 'child') {
          updates.push(input.update);
          const id = input.update.clientOrderId;
          // A cancel stays pending until the child has ended (a fill may come first).
          if (snapshot.children.find((c) => c.order.clientOrderId === id)?.state === 'done') pendingCancels.delete(id);
        }
        if (input.kind === 'market') {
          marketVolume = snapshot.marketVolume;
          bid = snapshot.bid;
          ask = snapshot.ask;
        }
        if (input.kind === 'cancel') cancelRequestedNs ??= snapshot.cancelRequestedNs;
        for (const a of actions) {
          if (a.type === 'submit') children.push(a.child);
          if (a.type === 'cancel') pendingCancels.add(a.clientOrderId);
        }
        venue.take(actions);
        checkInvariants(snapshot, spec, actions, maxDisplay);
      }
      if (twin !== undefined) expect(twin.snapshot()).toEqual(order.snapshot());
      if (order.status() === 'done') finished++;
    }
    // The drivers are not idle: most parents reach an end, and most runs restore a twin.
    expect(finished).toBeGreaterThan(150);
    expect(restoredChecks).toBeGreaterThan(150);
  });
});
