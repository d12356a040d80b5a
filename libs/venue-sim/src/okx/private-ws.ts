import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type WebSocket from 'ws';
import type { SimulatedExchange, SimUpdate } from '../types';
import { verifyWsLogin } from './auth';
import { okxWsMessage } from './codes';
import type { OkxWsCode } from './codes';
import type { OkxDesk } from './desk';
import type { OkxFaults } from './faults';
import type { OkxApiKey } from './keys';
import { balanceJson, orderPushJson } from './wire';

const INST_TYPES = new Set(['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION', 'ANY']);

export interface WsContext {
  readonly exchange: SimulatedExchange;
  readonly desk: OkxDesk;
  readonly keys: ReadonlyMap<string, OkxApiKey>;
  readonly faults: OkxFaults;
  readonly nowMs: () => number;
  /** OKX closes a connection that sends nothing for 30 s. */
  readonly idleTimeoutMs: number;
  /** Registers a listener for an account's updates; returns the unregister function. */
  readonly listen: (account: string, listener: (update: SimUpdate) => void) => () => void;
}

type Subscription =
  | { readonly channel: 'orders'; readonly instType: string; readonly instId: string | undefined }
  | { readonly channel: 'account'; readonly ccy: string | undefined };

function subscriptionKey(s: Subscription): string {
  return s.channel === 'orders' ? `orders|${s.instType}|${s.instId ?? ''}` : `account|${s.ccy ?? ''}`;
}

function argJson(s: Subscription): Record<string, string> {
  if (s.channel === 'orders') return s.instId === undefined ? { channel: 'orders', instType: s.instType } : { channel: 'orders', instType: s.instType, instId: s.instId };
  return s.ccy === undefined ? { channel: 'account' } : { channel: 'account', ccy: s.ccy };
}

/**
 * One connection to `/ws/v5/private`: `login`, then `subscribe`/`unsubscribe` to the `orders`
 * and `account` channels, pushes of the logged-in account's changes, the text `ping`/`pong`
 * heartbeat, and OKX's `{"event":"error","code","msg"}` for anything wrong. Frames leave in order
 * through one queue, so an injected delay never reorders them.
 */
export class PrivateConnection {
  readonly connId = randomBytes(4).toString('hex');
  private key: OkxApiKey | undefined;
  private readonly subscriptions = new Map<string, Subscription>();
  private unlisten: (() => void) | undefined;
  private outbox: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: WsContext,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (data, isBinary) => this.onText(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString()));
    socket.on('close', () => this.dispose());
    // 'error' is followed by 'close'.
    socket.on('error', () => undefined);
    this.armIdle();
  }

  get account(): string | undefined {
    return this.key?.account;
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.socket.close(4004, 'No data received in 30s.'), this.ctx.idleTimeoutMs);
  }

  private dispose(): void {
    clearTimeout(this.idleTimer);
    this.unlisten?.();
    this.unlisten = undefined;
  }

  private send(frame: unknown, delayMs: number): void {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    this.outbox = this.outbox
      .then(() => (delayMs > 0 ? sleep(delayMs) : undefined))
      .then(() => {
        if (this.socket.readyState === this.socket.OPEN) this.socket.send(text);
      });
  }

  private error(code: OkxWsCode, param = ''): void {
    this.send({ event: 'error', code, msg: okxWsMessage(code, param), connId: this.connId }, this.ctx.faults.ws.ackDelayMs);
  }

  private onText(text: string): void {
    this.armIdle();
    if (text === 'ping') {
      this.send('pong', 0);
      return;
    }
    let frame: { op?: unknown; args?: unknown };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      this.error('60012', text);
      return;
    }
    if (typeof frame !== 'object' || frame === null) return this.error('60012', text);
    if (!Array.isArray(frame.args) || frame.args.length === 0) return this.error('60013');
    switch (frame.op) {
      case 'login':
        return this.login(frame.args[0]);
      case 'subscribe':
      case 'unsubscribe':
        return this.subscribe(frame.op, frame.args);
      default:
        return this.error('60012', text);
    }
  }

  private login(arg: unknown): void {
    const auth = verifyWsLogin(arg, this.ctx.keys, this.ctx.nowMs());
    if (!auth.ok) return this.error(auth.code);
    if (this.key?.account !== auth.key.account) {
      this.unlisten?.();
      this.subscriptions.clear();
      this.unlisten = this.ctx.listen(auth.key.account, (update) => this.push(update));
    }
    this.key = auth.key;
    this.send({ event: 'login', code: '0', msg: '', connId: this.connId }, this.ctx.faults.ws.ackDelayMs);
  }

  private parse(raw: unknown): Subscription | OkxWsCode {
    if (typeof raw !== 'object' || raw === null) return '60013';
    const arg = raw as Record<string, unknown>;
    if (arg.channel === 'orders') {
      if (typeof arg.instType !== 'string' || !INST_TYPES.has(arg.instType)) return '60018';
      const instId = typeof arg.instId === 'string' && arg.instId !== '' ? arg.instId : undefined;
      if (instId !== undefined && !this.ctx.exchange.instruments.has(instId)) return '60018';
      return { channel: 'orders', instType: arg.instType, instId };
    }
    if (arg.channel === 'account') {
      return { channel: 'account', ccy: typeof arg.ccy === 'string' && arg.ccy !== '' ? arg.ccy : undefined };
    }
    return '60018';
  }

  private subscribe(op: 'subscribe' | 'unsubscribe', args: unknown[]): void {
    if (this.key === undefined) return this.error('60011');
    for (const raw of args) {
      const parsed = this.parse(raw);
      if (typeof parsed === 'string') {
        this.error(parsed, JSON.stringify(raw));
        continue;
      }
      const key = subscriptionKey(parsed);
      if (op === 'subscribe') this.subscriptions.set(key, parsed);
      else this.subscriptions.delete(key);
      this.send({ event: op, arg: argJson(parsed), connId: this.connId }, this.ctx.faults.ws.ackDelayMs);
      // OKX sends the account's balances right after an account subscription, then on every change.
      if (op === 'subscribe' && parsed.channel === 'account') this.pushAccount(parsed, undefined);
    }
  }

  private push(update: SimUpdate): void {
    const uid = this.key?.account ?? '';
    for (const s of this.subscriptions.values()) {
      if (s.channel === 'orders') {
        if (s.instType !== 'SPOT' && s.instType !== 'ANY') continue;
        if (s.instId !== undefined && s.instId !== update.order.symbol) continue;
        const data = orderPushJson(update.order, this.ctx.desk.metaForUpdate(update.order), update.kind === 'fill' ? update.fill : undefined);
        this.send({ arg: { ...argJson(s), uid }, data: [data] }, this.ctx.faults.ws.pushDelayMs);
      } else {
        const instrument = this.ctx.exchange.instruments.get(update.order.symbol);
        this.pushAccount(s, instrument ? [instrument.baseCurrency, instrument.quoteCurrency] : undefined);
      }
    }
  }

  /** Balances of `currencies` (every non-zero one when undefined), narrowed to the subscription's `ccy`. */
  private pushAccount(s: Subscription & { channel: 'account' }, currencies: string[] | undefined): void {
    const account = this.key?.account;
    if (account === undefined) return;
    if (s.ccy !== undefined && currencies !== undefined && !currencies.includes(s.ccy)) return;
    const balances = this.ctx.exchange
      .balances(account)
      .filter((b) => (s.ccy !== undefined ? b.currency === s.ccy : currencies !== undefined ? currencies.includes(b.currency) : !b.total.isZero()));
    this.send({ arg: { ...argJson(s), uid: account }, data: [balanceJson(balances, String(this.ctx.nowMs()))] }, this.ctx.faults.ws.pushDelayMs);
  }
}
