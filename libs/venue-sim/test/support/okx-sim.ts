import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import WebSocket from 'ws';
import { Decimal } from '@meridian/domain';
import { waitFor } from '@meridian/testkit';
import { OkxServer, SimulatedVenue } from '../../src';
import type { OkxApiKey, OkxServerOptions, SimInstrument } from '../../src';

const d = (v: string): Decimal => Decimal.parse(v);

export const ACCOUNT = 'acct-1';
export const OTHER_ACCOUNT = 'acct-2';
export const DEMO: OkxApiKey = { apiKey: 'demo-key-1', secretKey: 'demo-secret-1', passphrase: 'demo-pass-1', account: ACCOUNT, demo: true };
export const LIVE: OkxApiKey = { apiKey: 'live-key-1', secretKey: 'live-secret-1', passphrase: 'live-pass-1', account: ACCOUNT, demo: false };
export const OTHER: OkxApiKey = { apiKey: 'demo-key-2', secretKey: 'demo-secret-2', passphrase: 'demo-pass-2', account: OTHER_ACCOUNT, demo: true };

export const BTC: SimInstrument = { symbol: 'BTC-USDT', baseCurrency: 'BTC', quoteCurrency: 'USDT', tickSize: d('0.1'), lotSize: d('0.0001'), minQuantity: d('0.001') };
export const ETH: SimInstrument = { symbol: 'ETH-USDT', baseCurrency: 'ETH', quoteCurrency: 'USDT', tickSize: d('0.01'), lotSize: d('0.001') };

export interface OkxFixture {
  readonly sim: SimulatedVenue;
  readonly server: OkxServer;
}

/**
 * A simulated venue (BTC-USDT around 30,000 and ETH-USDT around 2,000 mirrored from an
 * "outside" book; fees 8 / 10 bps) with two cash accounts, and an OKX server over it.
 */
export async function startOkx(options: Partial<OkxServerOptions> = {}): Promise<OkxFixture> {
  const sim = new SimulatedVenue({ instruments: [BTC, ETH], fees: { maker: d('0.0008'), taker: d('0.001'), scale: 8 } });
  sim.openAccount({ id: ACCOUNT, mode: 'cash', balances: { USDT: d('100000'), BTC: d('2') } });
  sim.openAccount({ id: OTHER_ACCOUNT, mode: 'cash', balances: { USDT: d('50000'), BTC: d('1'), ETH: d('10') } });
  sim.applyMarketBook('BTC-USDT', {
    snapshot: true,
    bids: [{ price: d('29999.9'), size: d('1') }, { price: d('29999'), size: d('5') }],
    asks: [{ price: d('30000.1'), size: d('1') }, { price: d('30001'), size: d('5') }],
  });
  sim.applyMarketBook('ETH-USDT', {
    snapshot: true,
    bids: [{ price: d('1999.99'), size: d('10') }],
    asks: [{ price: d('2000.01'), size: d('10') }],
  });
  const server = await OkxServer.start({ exchange: sim, keys: [DEMO, LIVE, OTHER], ...options });
  return { sim, server };
}

export interface Answer {
  readonly status: number;
  readonly body: { code: string; msg: string; data: Record<string, unknown>[] };
}

export interface SignOptions {
  /** Default: now. */
  readonly timestamp?: string;
  /** Sign this instead of what is sent (to test refusals). */
  readonly signedPath?: string;
  readonly signedBody?: string;
  /** Default: per the key's environment. */
  readonly simulated?: boolean;
  /** Header overrides; `undefined` removes a header. */
  readonly headers?: Record<string, string | undefined>;
}

/**
 * A plain client following OKX's "REST Authentication" steps: the prehash is timestamp (ISO,
 * ms) + upper-case method + request path with its query + body, signed with HMAC SHA256 under
 * the secret and Base64-encoded, sent in the four OK-ACCESS headers (plus
 * `x-simulated-trading: 1` for demo trading).
 */
export async function okx(server: OkxServer, key: OkxApiKey, method: 'GET' | 'POST', requestPath: string, body?: unknown, options: SignOptions = {}): Promise<Answer> {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = options.timestamp ?? new Date().toISOString();
  const prehash = timestamp + method + (options.signedPath ?? requestPath) + (options.signedBody ?? text);
  const sign = createHmac('sha256', key.secretKey).update(prehash).digest('base64');
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'OK-ACCESS-KEY': key.apiKey,
    'OK-ACCESS-SIGN': sign,
    'OK-ACCESS-TIMESTAMP': timestamp,
    'OK-ACCESS-PASSPHRASE': key.passphrase,
  };
  if (options.simulated ?? key.demo ?? true) headers['x-simulated-trading'] = '1';
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  const response = await fetch(server.restUrl + requestPath, { method, headers, body: method === 'POST' ? text : undefined });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** A private WebSocket client that keeps every frame it receives. */
export class WsClient {
  readonly frames: string[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(data.toString()));
  }

  static async connect(url: string): Promise<WsClient> {
    const socket = new WebSocket(url);
    const client = new WsClient(socket);
    await once(socket, 'open');
    return client;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** JSON frames received so far (the text `pong` left out). */
  get json(): Record<string, unknown>[] {
    return this.frames.filter((f) => f !== 'pong').map((f) => JSON.parse(f) as Record<string, unknown>);
  }

  /** Waits for the first JSON frame (from index `from`) that `match` accepts. */
  async next(what: string, match: (frame: Record<string, unknown>) => boolean, from = 0, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    return waitFor(what, () => this.json.slice(from).find(match), timeoutMs, 10);
  }

  /** The OKX login op, signed as documented: timestamp (Unix seconds) + 'GET' + '/users/self/verify'. */
  login(key: OkxApiKey, options: { timestamp?: string; sign?: string; passphrase?: string; apiKey?: string } = {}): void {
    const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
    const sign = options.sign ?? createHmac('sha256', key.secretKey).update(`${timestamp}GET/users/self/verify`).digest('base64');
    this.send({ op: 'login', args: [{ apiKey: options.apiKey ?? key.apiKey, passphrase: options.passphrase ?? key.passphrase, timestamp, sign }] });
  }

  async loggedIn(key: OkxApiKey): Promise<void> {
    const from = this.json.length;
    this.login(key);
    const answer = await this.next('login answer', (f) => f.event === 'login' || f.event === 'error', from);
    if (answer.event !== 'login') throw new Error(`login failed: ${JSON.stringify(answer)}`);
  }

  async subscribed(arg: Record<string, string>): Promise<void> {
    const from = this.json.length;
    this.send({ op: 'subscribe', args: [arg] });
    const answer = await this.next('subscribe answer', (f) => f.event === 'subscribe' || f.event === 'error', from);
    if (answer.event !== 'subscribe') throw new Error(`subscribe failed: ${JSON.stringify(answer)}`);
  }

  close(): void {
    this.socket.terminate();
  }
}

/** Order pushes received (each `data` element), in order. */
export function orderPushes(client: WsClient): Record<string, string>[] {
  return client.json
    .filter((f) => (f.arg as { channel?: string } | undefined)?.channel === 'orders' && Array.isArray(f.data))
    .flatMap((f) => f.data as Record<string, string>[]);
}
