import { seededRandom } from '@meridian/venue-sim';
import type { LatencyModel, SimResult, SimOrder, SimulatedExchange } from '@meridian/venue-sim';
import type {
  TradingVenue,
  VenueBalance,
  VenueEvent,
  VenueFill,
  VenueInstrument,
  VenueOrderRequest,
  VenueOrderState,
  VenueOutcome,
  VenuePosition,
} from '../types';
import { LatencyLine } from './delivery';
import { PaperConfigError, PaperVenueClosedError } from './errors';
import { orderState, venueEvent, venueFill, venueInstrument } from './mapping';
import type { Decimal } from '@meridian/domain';

export interface PaperTradingVenueOptions {
  /** The simulated exchange, in this process (e.g. a `SimulatedVenue`). */
  readonly exchange: SimulatedExchange;
  /** The exchange account the adapter trades for (opened on the exchange beforehand). */
  readonly account: string;
  /** The name reported as `venue` (default `paper`). */
  readonly venue?: string;
  /** How long each request takes to reach the exchange (default: no latency). */
  readonly latency?: LatencyModel;
  /**
   * The RNG latency is drawn from. Pass the exchange's own (`SimulatedVenue.random`) to draw from
   * its seeded stream, as `LatencyModel` intends; default: a seeded RNG of seed 1.
   */
  readonly random?: () => number;
  /** Monotonic nanoseconds the latency is measured on (default `process.hrtime.bigint`). */
  readonly clock?: () => bigint;
  /** Told about each event listener that threw (after it is counted in `listenerErrors`). */
  readonly onListenerError?: (error: unknown) => void;
}

/**
 * `TradingVenue` over a simulated exchange in the same process: every request (submits, cancels,
 * amends and reads) reaches the exchange after the modelled latency, in the order it was sent
 * (`LatencyLine`), and the exchange's updates for the account are pushed as `VenueEvent`s the
 * moment it makes them. The exchange is exact and synchronous, so an outcome is never `in_doubt`:
 * a refusal is `rejected` with the exchange's code (the venue-sim README lists them).
 *
 * Positions are the account's fills folded per symbol at weighted average cost (the exchange's
 * `positions`, `PositionLedger`): what was bought and sold here. Opening balances are balances, not positions.
 */
export class PaperTradingVenue implements TradingVenue {
  readonly venue: string;
  private readonly exchange: SimulatedExchange;
  private readonly account: string;
  private readonly line: LatencyLine;
  private readonly listeners = new Set<(event: VenueEvent) => void>();
  private readonly onListenerError: ((error: unknown) => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private closed = false;
  private listenerErrorCount = 0;

  constructor(options: PaperTradingVenueOptions) {
    if (options === null || typeof options !== 'object') throw new PaperConfigError('options', options, 'must be an object');
    const exchange = options.exchange;
    if (exchange === null || typeof exchange !== 'object' || typeof exchange.placeOrder !== 'function' || typeof exchange.subscribe !== 'function') {
      throw new PaperConfigError('exchange', exchange, 'must be a SimulatedExchange');
    }
    if (typeof options.account !== 'string' || options.account === '') throw new PaperConfigError('account', options.account, 'must be a non-empty string');
    // The account must exist: balances() throws for an unknown one, which is the check.
    try {
      exchange.balances(options.account);
    } catch (cause) {
      throw new PaperConfigError('account', options.account, `is not open on the exchange (${(cause as Error).message})`);
    }
    const venue = options.venue ?? 'paper';
    if (typeof venue !== 'string' || !/^[a-zA-Z0-9_-]+$/.test(venue)) throw new PaperConfigError('venue', venue, 'must be a subject token (a-z, A-Z, 0-9, - and _)');
    if (options.latency !== undefined && (options.latency === null || typeof options.latency.sample !== 'function')) {
      throw new PaperConfigError('latency', options.latency, 'must be a LatencyModel ({ sample(random) })');
    }
    for (const key of ['random', 'clock', 'onListenerError'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'function') throw new PaperConfigError(key, options[key], 'must be a function');
    }
    this.exchange = exchange;
    this.account = options.account;
    this.venue = venue;
    this.onListenerError = options.onListenerError;
    this.line = new LatencyLine(options.latency, options.random ?? seededRandom(1), options.clock ?? (() => process.hrtime.bigint()));
  }

  /** Subscribes to the account's updates on the exchange; there is no connection to lose. */
  async start(): Promise<void> {
    if (this.closed) throw new PaperVenueClosedError(this.venue, 'start');
    if (this.unsubscribe !== undefined) return;
    this.unsubscribe = this.exchange.subscribe(this.account, (update) => this.emit(venueEvent(update)));
    this.emit({ kind: 'connection', connected: true, detail: `paper venue ${this.venue}: subscribed to account ${this.account}` });
  }

  /** Stops the updates; requests still on their way fail with `PaperVenueClosedError` (they never reach the exchange). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.line.abort((label) => new PaperVenueClosedError(this.venue, label));
    if (this.unsubscribe !== undefined) {
      this.unsubscribe();
      this.unsubscribe = undefined;
      this.emit({ kind: 'connection', connected: false, detail: `paper venue ${this.venue}: closed` });
    }
  }

  onEvent(listener: (event: VenueEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** How many times an event listener threw (each was caught, counted and reported). */
  get listenerErrors(): number {
    return this.listenerErrorCount;
  }

  /** Requests sent and not yet delivered to the exchange. */
  get inFlight(): number {
    return this.line.pending;
  }

  async instruments(): Promise<VenueInstrument[]> {
    return this.send('instruments', () => [...this.exchange.instruments.values()].map(venueInstrument));
  }

  async submit(order: VenueOrderRequest): Promise<VenueOutcome> {
    return this.send(`submit of ${JSON.stringify(order?.clientOrderId)}`, () =>
      outcome(
        this.exchange.placeOrder({
          account: this.account,
          clientOrderId: order.clientOrderId,
          symbol: order.symbol,
          side: order.side,
          type: order.type,
          quantity: order.quantity,
          price: order.limitPrice,
          stopPrice: order.stopPrice,
          timeInForce: order.timeInForce,
          postOnly: order.postOnly,
        }),
      ),
    );
  }

  async cancel(ref: { clientOrderId: string; symbol: string }): Promise<VenueOutcome> {
    return this.send(`cancel of ${JSON.stringify(ref?.clientOrderId)}`, () => {
      const wrongSymbol = this.symbolMismatch(ref);
      if (wrongSymbol !== undefined) return wrongSymbol;
      return outcome(this.exchange.cancelOrder({ account: this.account, clientOrderId: ref.clientOrderId }));
    });
  }

  async amend(ref: { clientOrderId: string; symbol: string }, change: { quantity?: Decimal; limitPrice?: Decimal }): Promise<VenueOutcome> {
    return this.send(`amend of ${JSON.stringify(ref?.clientOrderId)}`, () => {
      const wrongSymbol = this.symbolMismatch(ref);
      if (wrongSymbol !== undefined) return wrongSymbol;
      return outcome(this.exchange.amendOrder({ account: this.account, clientOrderId: ref.clientOrderId, price: change.limitPrice, quantity: change.quantity }));
    });
  }

  async order(ref: { clientOrderId: string; symbol: string }): Promise<VenueOrderState | undefined> {
    return this.send(`read of ${JSON.stringify(ref?.clientOrderId)}`, () => {
      const o = this.exchange.order(this.account, { clientOrderId: ref.clientOrderId });
      return o === undefined || o.symbol !== ref.symbol ? undefined : orderState(o);
    });
  }

  async openOrders(symbol?: string): Promise<VenueOrderState[]> {
    return this.send('open orders', () => this.exchange.openOrders(this.account, symbol).map(orderState));
  }

  async fillsSince(sinceNs: bigint, symbol?: string): Promise<VenueFill[]> {
    if (typeof sinceNs !== 'bigint') throw new PaperConfigError('fillsSince(sinceNs)', sinceNs, 'must be a bigint of nanoseconds');
    return this.send('fills', () =>
      this.exchange
        .fills(this.account, { symbol })
        .filter((f) => f.tsNs >= sinceNs)
        .map(venueFill),
    );
  }

  async positions(): Promise<VenuePosition[]> {
    // The venue folds every fill, also those of orders it has forgotten since (`forgetDone`).
    return this.send('positions', () => this.exchange.positions(this.account).map((p) => ({ symbol: p.symbol, quantity: p.quantity, averageEntryPrice: p.averagePrice })));
  }

  async balances(): Promise<VenueBalance[]> {
    return this.send('balances', () => this.exchange.balances(this.account).map((b) => ({ currency: b.currency, total: b.total, available: b.available })));
  }

  private send<T>(label: string, work: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new PaperVenueClosedError(this.venue, label));
    return this.line.send(label, work);
  }

  /** A cancel or amend naming the wrong symbol for the client order id is refused, as a venue keyed by instrument would. */
  private symbolMismatch(ref: { clientOrderId: string; symbol: string }): VenueOutcome | undefined {
    const o: SimOrder | undefined = this.exchange.order(this.account, { clientOrderId: ref.clientOrderId });
    if (o === undefined || o.symbol === ref.symbol) return undefined;
    return { kind: 'rejected', code: 'UNKNOWN_ORDER', message: `client order id ${JSON.stringify(ref.clientOrderId)} is an order on ${o.symbol}, not ${ref.symbol}` };
  }

  private emit(event: VenueEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.listenerErrorCount++;
        this.onListenerError?.(error);
      }
    }
  }
}

function outcome(result: SimResult<SimOrder>): VenueOutcome {
  return result.ok ? { kind: 'accepted', order: orderState(result.value) } : { kind: 'rejected', code: result.rejection.code, message: result.rejection.message };
}
