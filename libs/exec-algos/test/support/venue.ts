import { Decimal } from '@meridian/domain';
import { SimulatedVenue } from '@meridian/venue-sim';
import { TestClock, VenueDriver } from './venue-driver';

export const ACCOUNT = 'algo';

export interface VenueSetup {
  readonly venue: SimulatedVenue;
  readonly clock: TestClock;
  readonly driver: VenueDriver;
}

/**
 * A simulated exchange with one instrument and one margin account holding plenty of both
 * currencies, on a test clock: the algorithms are measured, not the account's funding.
 */
export function paperVenue(o: { symbol: string; base: string; quote: string; tick: Decimal; lot: Decimal; seed?: number }): VenueSetup {
  const clock = new TestClock();
  const venue = new SimulatedVenue({
    instruments: [{ symbol: o.symbol, baseCurrency: o.base, quoteCurrency: o.quote, tickSize: o.tick, lotSize: o.lot }],
    fees: { maker: Decimal.parse('0.0001'), taker: Decimal.parse('0.0005'), scale: 8 },
    clock: clock.read,
    seed: o.seed ?? 1,
  });
  venue.openAccount({ id: ACCOUNT, mode: 'margin', balances: { [o.base]: Decimal.parse('1000000000'), [o.quote]: Decimal.parse('1000000000000') } });
  return { venue, clock, driver: new VenueDriver(venue, clock, ACCOUNT, o.symbol) };
}
