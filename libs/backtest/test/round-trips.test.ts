import { Decimal } from '@meridian/domain';
import { RoundTripBuilder } from '../src';

const d = Decimal.parse;

describe('RoundTripBuilder', () => {
  test('a long built in two buys and closed in one sell', () => {
    const b = new RoundTripBuilder('BTC-USDT');
    b.fill('BUY', d('1'), d('100'), d('0.1'), 1_000_000n);
    b.fill('BUY', d('2'), d('103'), d('0.2'), 2_000_000n);
    expect(b.trips()).toHaveLength(0);
    b.fill('SELL', d('3'), d('105'), d('0.3'), 5_000_000n);
    // Bought 100 + 206 = 306, sold 315: +9 gross, 0.6 fees.
    expect(b.trips()).toEqual([
      {
        symbol: 'BTC-USDT',
        direction: 'long',
        maxQuantity: '3',
        quantity: '3',
        entryNs: '1000000',
        exitNs: '5000000',
        entryPrice: '102',
        exitPrice: '105',
        pnl: '9',
        fees: '0.6',
        netPnl: '8.4',
        holdingMs: 4,
        fills: 3,
      },
    ]);
    expect(b.position.isZero()).toBe(true);
  });

  test('a flip closes the trip with the part that reaches zero and opens a short with the rest, sharing the fee', () => {
    const b = new RoundTripBuilder('X');
    b.fill('BUY', d('1'), d('10'), d('0'), 0n);
    // Sell 3 at 12: 1 closes the long (+2), 2 open a short; fee 0.3 → 0.1 and 0.2.
    b.fill('SELL', d('3'), d('12'), d('0.3'), 1_000_000n);
    b.fill('BUY', d('2'), d('11'), d('0.05'), 2_000_000n);
    const [long, short] = b.trips();
    expect(long).toMatchObject({ direction: 'long', quantity: '1', entryPrice: '10', exitPrice: '12', pnl: '2', fees: '0.1', netPnl: '1.9', fills: 2 });
    // Short 2 at 12, covered at 11: +2 gross, 0.2 + 0.05 fees.
    expect(short).toMatchObject({ direction: 'short', quantity: '2', maxQuantity: '2', entryPrice: '12', exitPrice: '11', pnl: '2', fees: '0.25', netPnl: '1.75', fills: 2 });
  });

  test('average prices are exact to 12 digits and a fee split that does not divide evenly still adds up', () => {
    const b = new RoundTripBuilder('X');
    b.fill('BUY', d('1'), d('1'), d('0'), 0n);
    b.fill('BUY', d('2'), d('2'), d('0'), 0n);
    b.fill('SELL', d('6'), d('3'), d('0.01'), 0n); // closes 3 (fee 0.005), opens 3 short (fee 0.005)
    b.fill('BUY', d('3'), d('3'), d('0'), 0n);
    const [first, second] = b.trips();
    expect(first!.entryPrice).toBe('1.666666666667');
    expect(d(first!.fees).add(d(second!.fees)).toString()).toBe('0.01');
  });
});
