import { Decimal } from '@meridian/domain';
import { waitFor } from '@meridian/testkit';
import { OkxServer, SimulatedVenue } from '@meridian/venue-sim';
import type { OkxApiKey, OkxServerOptions, SimInstrument } from '@meridian/venue-sim';
import { OkxTradingVenue } from '../../src';
import type { OkxTradingOptions, VenueEvent, VenueOrderRequest } from '../../src';

export const d = (v: string): Decimal => Decimal.parse(v);

export const ACCOUNT = 'acct-okx';
export const KEY: OkxApiKey = { apiKey: 'a1b2c3d4-test-key', secretKey: 'S3CR3T-0f1e2d3c4b5a', passphrase: 'Pa55phrase!x', account: ACCOUNT, demo: true };

export const BTC: SimInstrument = { symbol: 'BTC-USDT', baseCurrency: 'BTC', quoteCurrency: 'USDT', tickSize: d('0.1'), lotSize: d('0.0001'), minQuantity: d('0.001') };
export const ETH: SimInstrument = { symbol: 'ETH-USDT', baseCurrency: 'ETH', quoteCurrency: 'USDT', tickSize: d('0.01'), lotSize: d('0.001') };

/** A simulated venue (BTC-USDT around 30,000, ETH-USDT around 2,000) with one cash account, and an OKX server over it. */
export async function startVenue(options: Partial<OkxServerOptions> = {}): Promise<{ sim: SimulatedVenue; server: OkxServer }> {
  const sim = new SimulatedVenue({ instruments: [BTC, ETH], fees: { maker: d('0.0008'), taker: d('0.001'), scale: 8 } });
  sim.openAccount({ id: ACCOUNT, mode: 'cash', balances: { USDT: d('1000000'), BTC: d('5'), ETH: d('50') } });
  sim.applyMarketBook('BTC-USDT', {
    snapshot: true,
    bids: [{ price: d('29999.9'), size: d('2') }],
    asks: [{ price: d('30000.1'), size: d('2') }, { price: d('30001'), size: d('10') }],
  });
  sim.applyMarketBook('ETH-USDT', { snapshot: true, bids: [{ price: d('1999.99'), size: d('10') }], asks: [{ price: d('2000.01'), size: d('10') }] });
  const server = await OkxServer.start({ exchange: sim, keys: [KEY], ...options });
  return { sim, server };
}

/** Everything the adapter said: log lines here, events in `events`. */
export interface Recorded {
  readonly logs: string[];
  readonly events: VenueEvent[];
}

export function adapter(server: OkxServer, options: Partial<OkxTradingOptions> = {}): { venue: OkxTradingVenue; recorded: Recorded } {
  const recorded: Recorded = { logs: [], events: [] };
  const venue = new OkxTradingVenue({
    credentials: { apiKey: KEY.apiKey, secretKey: KEY.secretKey, passphrase: KEY.passphrase },
    environment: 'demo',
    restUrl: server.restUrl,
    privateWsUrl: server.privateWsUrl,
    requestTimeoutMs: 2_000,
    retryBackoff: { initialMs: 20, maxMs: 200, factor: 2 },
    reconnectBackoff: { initialMs: 50, maxMs: 500, factor: 2 },
    onLog: (level, message) => recorded.logs.push(`${level} ${message}`),
    ...options,
  });
  venue.onEvent((e) => recorded.events.push(e));
  return { venue, recorded };
}

let seq = 0;
/** A platform client order id: a ULID-like 26-character id, unique per call. */
export function clientId(): string {
  seq++;
  return `01J${Date.now().toString(36).toUpperCase().padStart(10, '0')}${String(seq).padStart(13, '0')}`.slice(0, 26);
}

export function limit(side: 'BUY' | 'SELL', quantity: string, price: string, extra: Partial<VenueOrderRequest> = {}): VenueOrderRequest {
  return { clientOrderId: clientId(), symbol: 'BTC-USDT', side, type: 'limit', quantity: d(quantity), limitPrice: d(price), timeInForce: 'GTC', ...extra };
}

export function market(side: 'BUY' | 'SELL', quantity: string, extra: Partial<VenueOrderRequest> = {}): VenueOrderRequest {
  return { clientOrderId: clientId(), symbol: 'BTC-USDT', side, type: 'market', quantity: d(quantity), timeInForce: 'IOC', ...extra };
}

/** Events of one kind, narrowed. */
export function eventsOf<K extends VenueEvent['kind']>(recorded: Recorded, kind: K): Extract<VenueEvent, { kind: K }>[] {
  return recorded.events.filter((e): e is Extract<VenueEvent, { kind: K }> => e.kind === kind);
}

export async function until<T>(what: string, check: () => T, timeoutMs = 10_000): Promise<NonNullable<T>> {
  return waitFor(what, check, timeoutMs, 10);
}
