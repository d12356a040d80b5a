import { Decimal, dec } from '@meridian/domain';
import { waitFor } from '@meridian/testkit';
import WebSocket from 'ws';
import { AlpacaSimServer, SimulatedVenue } from '../../src';
import type { AlpacaSimServerOptions } from '../../src';

export const KEY = 'PKTESTKEY0000000001';
export const SECRET = 'sekrit-0123456789abcdefghijklmnopqrstuv';
export const ACCOUNT = 'acct-1';

/** A simulator with AAPL, MSFT and BRK-B (Alpaca: BRK.B) in cents and whole shares, and a book around 190 for AAPL. */
export function equitiesSim(): SimulatedVenue {
  const instrument = (symbol: string) => ({ symbol, baseCurrency: symbol, quoteCurrency: 'USD', tickSize: dec('0.01'), lotSize: Decimal.ONE });
  const sim = new SimulatedVenue({
    instruments: [instrument('AAPL'), instrument('MSFT'), instrument('BRK-B')],
    fees: { maker: Decimal.ZERO, taker: Decimal.ZERO, scale: 2 },
  });
  quote(sim, 'AAPL', '189.99', '190.01');
  quote(sim, 'BRK-B', '409.99', '410.01');
  return sim;
}

/** Three levels a side, 100, 200 and 300 shares, a cent apart. */
export function quote(sim: SimulatedVenue, symbol: string, bid: string, ask: string): void {
  const level = (price: Decimal, size: number) => ({ price, size: dec(size) });
  const cent = dec('0.01');
  sim.applyMarketBook(symbol, {
    snapshot: true,
    bids: [level(dec(bid), 100), level(dec(bid).sub(cent), 200), level(dec(bid).sub(cent).sub(cent), 300)],
    asks: [level(dec(ask), 100), level(dec(ask).add(cent), 200), level(dec(ask).add(cent).add(cent), 300)],
  });
}

export async function startServer(options: Partial<AlpacaSimServerOptions> = {}): Promise<{ sim: SimulatedVenue; server: AlpacaSimServer }> {
  const sim = (options.sim as SimulatedVenue | undefined) ?? equitiesSim();
  const server = await AlpacaSimServer.start({
    sim,
    keys: [{ keyId: KEY, secret: SECRET, account: ACCOUNT }],
    accounts: [{ id: ACCOUNT, cash: dec('100000') }],
    ...options,
  });
  return { sim, server };
}

/** A request the way Alpaca's docs show it: two key headers and a JSON body. */
export async function call(
  server: AlpacaSimServer,
  method: string,
  path: string,
  body?: unknown,
  keys: { key: string; secret: string } = { key: KEY, secret: SECRET },
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { 'APCA-API-KEY-ID': keys.key, 'APCA-API-SECRET-KEY': keys.secret, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

/** A raw `trade_updates` client that keeps every frame it gets, and whether it was binary. */
export class StreamClient {
  readonly frames: { binary: boolean; message: any }[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => this.frames.push({ binary: isBinary, message: JSON.parse(data.toString()) }));
  }

  static async open(url: string): Promise<StreamClient> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new StreamClient(socket);
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Messages of one stream (`authorization`, `listening`, `trade_updates`). */
  of(stream: string): any[] {
    return this.frames.filter((f) => f.message.stream === stream).map((f) => f.message.data);
  }

  async next(stream: string, count = 1, timeoutMs = 5_000): Promise<any[]> {
    await waitFor(`${count} ${stream} message(s)`, () => this.of(stream).length >= count, timeoutMs, 10);
    return this.of(stream);
  }

  close(): void {
    this.socket.terminate();
  }
}

export async function listeningClient(server: AlpacaSimServer): Promise<StreamClient> {
  const client = await StreamClient.open(server.streamUrl);
  client.send({ action: 'auth', key: KEY, secret: SECRET });
  await client.next('authorization');
  client.send({ action: 'listen', data: { streams: ['trade_updates'] } });
  await client.next('listening');
  return client;
}
