// A margin account's buying power in a backtest values its other holdings at their price now, as
// the paper venue fed every event does, not at the book the venue last refreshed for them.
import { arraySource, runBacktest } from '../src';
import { ScriptStrategy } from './script-strategy';
import { MIN, T0, bar, config, d, quote } from './helpers';

const A = 'AAA-USDT';
const B = 'BBB-USDT';

type Events = Parameters<typeof arraySource>[1];

function run(bPrices: string[]) {
  // 5 B bought at 100 with 1,000 USDT at leverage 2; B then trades at bPrices without an order of
  // ours; then 65 A at 20 (1,300 USDT more exposure).
  return runScript([bar(A, 0, '20', { volume: '1000' }), bar(B, 0, '100', { volume: '1000' }), ...bPrices.map((p, i) => bar(B, i + 1, p, { volume: '1000' })), bar(A, bPrices.length + 1, '20', { volume: '1000' })]);
}

function runScript(events: Events) {
  const strategy = new ScriptStrategy(
    's',
    new Map([
      [1, [{ symbol: B, side: 'BUY' as const, type: 'market' as const, quantity: d('5'), referencePrice: d('100') }]],
      [events.length - 1, [{ symbol: A, side: 'BUY' as const, type: 'market' as const, quantity: d('65'), referencePrice: d('20') }]],
    ]),
  );
  const cfg = config([A, B], { venue: { fees: { maker: d('0.0002'), taker: d('0.0005'), scale: 8 }, account: { mode: 'margin', balances: { USDT: d('1000') }, leverage: d('2') } } });
  return runBacktest({ config: cfg, sources: [arraySource('bars', events)], strategies: [strategy] });
}

test('after B falls to 20 untraded, buying A is refused for buying power; with B still at 100 it fills', async () => {
  const fell = await run(['80', '60', '40', '20']);
  expect(fell.orders[0]).toMatchObject({ symbol: B, status: 'filled', filledQuantity: '5' });
  // Equity: the cash left (1,000 - 5 × 100.01 - 0.250025 of fees = 499.699975) + 5 B at 20, not at
  // the 100 of the book the venue last refreshed for B; gross exposure with the order, at the
  // marks: 5 × 20 + 65 × 20.
  expect(fell.orders[1]).toMatchObject({ symbol: A, status: 'rejected', filledQuantity: '0' });
  expect(fell.orders[1]!.reason).toBe(
    'INSUFFICIENT_BUYING_POWER: margin account "backtest": buying 65 AAA-USDT at about 20.01 would bring the gross exposure to 1400 USDT, above the buying power 1199.39995 (equity 599.699975 × leverage 2)',
  );
  const held = await run(['100', '100', '100', '100']);
  expect(held.orders[1]).toMatchObject({ symbol: A, status: 'filled', filledQuantity: '65', averagePrice: '20.01' });
});

test('the same with B quoted: its holdings are valued at the mid of its last quote', async () => {
  const q = (minute: number, bid: string, ask: string) => quote(B, T0 + BigInt(minute + 1) * MIN + 1n, [bid, '1000'], [ask, '1000']);
  const result = await runScript([bar(A, 0, '20', { volume: '1000' }), q(0, '99.99', '100.01'), q(1, '59.99', '60.01'), q(2, '19.98', '20.02'), bar(A, 3, '20', { volume: '1000' })]);
  expect(result.orders[1]!.reason).toBe(
    'INSUFFICIENT_BUYING_POWER: margin account "backtest": buying 65 AAA-USDT at about 20.01 would bring the gross exposure to 1400 USDT, above the buying power 1199.39995 (equity 599.699975 × leverage 2)',
  );
});
