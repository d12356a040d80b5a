import { Decimal, dec } from '@meridian/domain';
import { AlpacaSimServer, SimulatedVenue } from '@meridian/venue-sim';
import type { AlpacaSimServerOptions } from '@meridian/venue-sim';
import { AlpacaTradingVenue } from '../../src';
import type { AlpacaTradingVenueOptions, VenueEvent } from '../../src';

export const KEY = 'PKADAPTERKEY0000001';
export const SECRET = 'adapter-secret-9f8e7d6c5b4a39281706';
export const ACCOUNT = 'alpaca-test';

/** AAPL and BRK-B (Alpaca: BRK.B) in cents and whole shares, with a book: AAPL 189.99 / 190.01, three levels of 100, 200, 300. */
export function equitiesSim(): SimulatedVenue {
  const instrument = (symbol: string) => ({ symbol, baseCurrency: symbol, quoteCurrency: 'USD', tickSize: dec('0.01'), lotSize: Decimal.ONE });
  const sim = new SimulatedVenue({ instruments: [instrument('AAPL'), instrument('BRK-B')], fees: { maker: Decimal.ZERO, taker: Decimal.ZERO, scale: 2 } });
  quote(sim, 'AAPL', '189.99', '190.01');
  quote(sim, 'BRK-B', '409.99', '410.01');
  return sim;
}

export function quote(sim: SimulatedVenue, symbol: string, bid: string, ask: string): void {
  const cent = dec('0.01');
  const side = (top: Decimal, step: Decimal) => [100, 200, 300].map((size, i) => ({ price: top.add(step.mul(BigInt(i))), size: dec(size) }));
  sim.applyMarketBook(symbol, { snapshot: true, bids: side(dec(bid), cent.neg()), asks: side(dec(ask), cent) });
}

export interface Harness {
  readonly sim: SimulatedVenue;
  readonly server: AlpacaSimServer;
  readonly venue: AlpacaTradingVenue;
  readonly events: VenueEvent[];
  /** Everything the adapter logged, as text. */
  readonly logs: string[];
  close(): Promise<void>;
}

/** A local Alpaca server over a fresh simulator, and an adapter pointed at it (fast retries for tests). */
export async function harness(options: { server?: Partial<AlpacaSimServerOptions>; venue?: Partial<AlpacaTradingVenueOptions> } = {}): Promise<Harness> {
  const sim = (options.server?.sim as SimulatedVenue | undefined) ?? equitiesSim();
  const server = await AlpacaSimServer.start({
    sim,
    keys: [{ keyId: KEY, secret: SECRET, account: ACCOUNT }],
    accounts: [{ id: ACCOUNT, cash: dec('100000') }],
    ...options.server,
  });
  const logs: string[] = [];
  const events: VenueEvent[] = [];
  const venue = new AlpacaTradingVenue({
    key: KEY,
    secret: SECRET,
    environment: 'paper',
    symbols: ['AAPL', 'BRK-B'],
    baseUrl: server.baseUrl,
    requestTimeoutMs: 2_000,
    retry: { attempts: 5, backoff: { initialMs: 20, maxMs: 200, factor: 2 } },
    stream: { backoff: { initialMs: 50, maxMs: 500, factor: 2 }, startTimeoutMs: 5_000 },
    onLog: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
    ...options.venue,
  });
  venue.onEvent((e) => events.push(e));
  return {
    sim,
    server,
    venue,
    events,
    logs,
    async close() {
      await venue.close();
      await server.close();
    },
  };
}

export function fills(events: readonly VenueEvent[]): Extract<VenueEvent, { kind: 'fill' }>[] {
  return events.filter((e): e is Extract<VenueEvent, { kind: 'fill' }> => e.kind === 'fill');
}

export function orderEvents(events: readonly VenueEvent[], clientOrderId: string): Extract<VenueEvent, { kind: 'order' }>[] {
  return events.filter((e): e is Extract<VenueEvent, { kind: 'order' }> => e.kind === 'order' && e.order.clientOrderId === clientOrderId);
}

/** A raw Alpaca request, as Alpaca's docs show it. */
export async function raw(server: AlpacaSimServer, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text === '' ? undefined : JSON.parse(text) };
}
