import { Decimal } from '@meridian/domain';
import { SimulatedVenue, fixedLatency, uniformLatency } from '@meridian/venue-sim';
import type { LatencyModel } from '@meridian/venue-sim';
import { PaperTradingVenue, PaperVenueClosedError } from '../src';
import type { VenueEvent, VenueOrderRequest } from '../src';

const d = (v: string): Decimal => Decimal.parse(v);

function exchange(): SimulatedVenue {
  const v = new SimulatedVenue({
    instruments: [{ symbol: 'AAPL', baseCurrency: 'AAPL', quoteCurrency: 'USD', tickSize: d('0.01'), lotSize: d('1') }],
    fees: { maker: d('0.0001'), taker: d('0.0005'), scale: 4 },
    seed: 9,
  });
  v.openAccount({ id: 'acct', mode: 'margin', balances: { USD: d('100000') }, leverage: d('2') });
  v.applyMarketBook('AAPL', { snapshot: true, bids: [{ price: d('99.99'), size: d('500') }], asks: [{ price: d('100.01'), size: d('300') }, { price: d('100.02'), size: d('300') }] });
  return v;
}

function paper(ex: SimulatedVenue, latency?: LatencyModel): { venue: PaperTradingVenue; events: VenueEvent[] } {
  const venue = new PaperTradingVenue({ exchange: ex, account: 'acct', latency, random: ex.random });
  const events: VenueEvent[] = [];
  venue.onEvent((e) => events.push(e));
  return { venue, events };
}

const order = (over: Partial<VenueOrderRequest> = {}): VenueOrderRequest => ({
  clientOrderId: 'c1',
  symbol: 'AAPL',
  side: 'BUY',
  type: 'limit',
  quantity: d('10'),
  limitPrice: d('99.5'),
  timeInForce: 'DAY',
  ...over,
});

const brief = (e: VenueEvent): string =>
  e.kind === 'connection' ? `connection ${e.connected}` : e.kind === 'order' ? `order ${e.order.clientOrderId} ${e.order.status}` : `fill ${e.fill.clientOrderId} ${e.fill.quantity}@${e.fill.price} ${e.fill.liquidity}`;

describe('PaperTradingVenue', () => {
  it('submits through the exchange and pushes its updates as venue events', async () => {
    const ex = exchange();
    const { venue, events } = paper(ex);
    await venue.start();
    const placed = await venue.submit(order());
    expect(placed).toMatchObject({ kind: 'accepted', order: { clientOrderId: 'c1', venueOrderId: '1', status: 'new', limitPrice: d('99.5'), filledQuantity: d('0') } });
    const market = await venue.submit(order({ clientOrderId: 'm', type: 'market', limitPrice: undefined, quantity: d('400'), timeInForce: 'IOC' }));
    expect(market).toMatchObject({ kind: 'accepted', order: { status: 'filled', averagePrice: d('100.01250000000') } });
    expect(events.map(brief)).toEqual(['connection true', 'order c1 new', 'order m new', 'fill m 300@100.01 taker', 'fill m 100@100.02 taker']);
    const fill = events.find((e) => e.kind === 'fill');
    expect(fill).toMatchObject({ kind: 'fill', fill: { tradeId: '1', venueOrderId: '2', fee: d('15.0015'), feeCurrency: 'USD' } });
    // Idempotent: the same client order id again is the same order.
    expect(await venue.submit(order({ quantity: d('99') }))).toEqual(placed);
    await venue.close();
    expect(events.map(brief).at(-1)).toBe('connection false');
  });

  it('maps refusals to rejected outcomes with the exchange codes', async () => {
    const { venue } = paper(exchange());
    expect(await venue.submit(order({ limitPrice: d('99.501') }))).toEqual({ kind: 'rejected', code: 'PRICE_NOT_TICK_MULTIPLE', message: 'price 99.501 is not a multiple of tick size 0.01' });
    expect(await venue.submit(order({ quantity: d('100000') }))).toMatchObject({ kind: 'rejected', code: 'INSUFFICIENT_BUYING_POWER' });
    expect(await venue.cancel({ clientOrderId: 'nope', symbol: 'AAPL' })).toMatchObject({ kind: 'rejected', code: 'UNKNOWN_ORDER' });
    await venue.submit(order());
    expect(await venue.cancel({ clientOrderId: 'c1', symbol: 'MSFT' })).toEqual({ kind: 'rejected', code: 'UNKNOWN_ORDER', message: 'client order id "c1" is an order on AAPL, not MSFT' });
    expect(await venue.order({ clientOrderId: 'c1', symbol: 'MSFT' })).toBeUndefined();
  });

  it('amends, cancels, reads orders, fills, positions and balances', async () => {
    const ex = exchange();
    const { venue } = paper(ex);
    await venue.submit(order());
    expect(await venue.amend({ clientOrderId: 'c1', symbol: 'AAPL' }, { limitPrice: d('99.6'), quantity: d('20') })).toMatchObject({
      kind: 'accepted',
      order: { limitPrice: d('99.6'), quantity: d('20') },
    });
    expect((await venue.openOrders('AAPL')).map((o) => o.clientOrderId)).toEqual(['c1']);
    // The market trades down through 99.6: the bid fills as maker (and the mirrored bid above the print is gone).
    ex.applyMarketTrade('AAPL', { price: d('99.5'), quantity: d('1'), aggressor: 'SELL' });
    expect(await venue.order({ clientOrderId: 'c1', symbol: 'AAPL' })).toMatchObject({ status: 'filled', averagePrice: d('99.6') });
    ex.applyMarketBook('AAPL', { snapshot: true, bids: [{ price: d('99.99'), size: d('500') }], asks: [{ price: d('100.01'), size: d('300') }] });
    const t = (await venue.fillsSince(0n))[0]!.tsNs;
    await venue.submit(order({ clientOrderId: 's', side: 'SELL', type: 'market', limitPrice: undefined, quantity: d('5'), timeInForce: 'IOC' }));
    await venue.submit(order({ clientOrderId: 'b2', type: 'market', limitPrice: undefined, quantity: d('10'), timeInForce: 'IOC' }));
    expect((await venue.fillsSince(t + 1n)).map((f) => `${f.clientOrderId} ${f.side} ${f.quantity}@${f.price} ${f.liquidity}`)).toEqual([
      's SELL 5@99.99 taker',
      'b2 BUY 10@100.01 taker',
    ]);
    // 20 @ 99.6 and 10 @ 100.01 bought, 5 sold: 25 at the weighted average cost of what is left.
    expect(await venue.positions()).toEqual([{ symbol: 'AAPL', quantity: d('25'), averageEntryPrice: d('99.764') }]);
    const usd = (await venue.balances()).find((b) => b.currency === 'USD')!;
    expect(usd.total.eq(usd.available)).toBe(true);
    expect(await venue.instruments()).toEqual([
      { symbol: 'AAPL', venueSymbol: 'AAPL', baseCurrency: 'AAPL', quoteCurrency: 'USD', tickSize: d('0.01'), lotSize: d('1'), minQuantity: d('1'), minNotional: undefined },
    ]);
    expect(await venue.cancel({ clientOrderId: 'c1', symbol: 'AAPL' })).toMatchObject({ kind: 'rejected', code: 'ORDER_NOT_OPEN' });
  });

  it('an order reaches the exchange only after the modelled latency', async () => {
    const ex = exchange();
    const { venue } = paper(ex, fixedLatency(25_000_000n));
    const sent = process.hrtime.bigint();
    const pending = venue.submit(order());
    expect(venue.inFlight).toBe(1);
    expect(ex.order('acct', { clientOrderId: 'c1' })).toBeUndefined();
    let arrivedNs = 0n;
    ex.subscribe('acct', () => {
      arrivedNs = process.hrtime.bigint();
    });
    await pending;
    expect(ex.order('acct', { clientOrderId: 'c1' })?.status).toBe('new');
    expect(arrivedNs - sent).toBeGreaterThanOrEqual(25_000_000n);
  });

  it('requests arrive in the order they were sent, whatever latency each draws', async () => {
    const ex = exchange();
    const { venue } = paper(ex, uniformLatency(0, 8_000_000));
    const outcomes = [];
    for (let i = 0; i < 15; i++) {
      outcomes.push(venue.submit(order({ clientOrderId: `o${i}` })), venue.cancel({ clientOrderId: `o${i}`, symbol: 'AAPL' }));
    }
    const done = await Promise.all(outcomes);
    expect(done.map((o) => (o.kind === 'accepted' ? o.order.status : o.kind))).toEqual(Array.from({ length: 15 }, () => ['new', 'cancelled']).flat());
  });

  it('close fails what is still on its way; later requests fail too', async () => {
    const ex = exchange();
    const { venue } = paper(ex, fixedLatency(50_000_000n));
    await venue.start();
    const pending = venue.submit(order());
    await venue.close();
    await expect(pending).rejects.toThrow(new PaperVenueClosedError('paper', 'submit of "c1"'));
    await expect(venue.balances()).rejects.toThrow(expect.objectContaining({ code: 'PAPER_VENUE_CLOSED' }));
    expect(ex.order('acct', { clientOrderId: 'c1' })).toBeUndefined();
  });

  it('a listener that throws is counted; the others still get every event', async () => {
    const ex = exchange();
    const errors: unknown[] = [];
    const venue = new PaperTradingVenue({ exchange: ex, account: 'acct', onListenerError: (e) => errors.push(e) });
    venue.onEvent(() => {
      throw new Error('bad listener');
    });
    const seen: string[] = [];
    venue.onEvent((e) => seen.push(brief(e)));
    await venue.start();
    await venue.submit(order());
    expect(seen).toEqual(['connection true', 'order c1 new']);
    expect(venue.listenerErrors).toBe(2);
    expect(errors).toHaveLength(2);
    expect(ex.listenerErrors).toBe(0);
  });

  it('refuses bad options by name', () => {
    const ex = exchange();
    expect(() => new PaperTradingVenue({ exchange: ex, account: 'ghost' })).toThrow(/paper venue option account: "ghost" is not open on the exchange/);
    expect(() => new PaperTradingVenue({ exchange: ex, account: 'acct', venue: 'pa per' })).toThrow(/option venue/);
    expect(() => new PaperTradingVenue({ exchange: ex, account: 'acct', latency: {} as LatencyModel })).toThrow(/option latency/);
  });
});
