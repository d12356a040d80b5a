import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { Level } from '@meridian/book';
import type { OrderSnapshot } from '@meridian/orders';
import { ConfigError, readSecret } from '@meridian/runtime';
import type { Logger } from '@meridian/runtime';
import { SimulatedVenue, fixedLatency, fixedSlippage, uniformLatency } from '@meridian/venue-sim';
import type { LatencyModel } from '@meridian/venue-sim';
import { AlpacaTradingVenue, OkxTradingVenue, PaperTradingVenue } from '@meridian/venue-trading';
import type { TradingVenue } from '@meridian/venue-trading';
import type { ExecutionConfig } from './config';
import { currenciesOf, parseBalances, parseInstruments } from './paper-config';
import type { OrderRegistry } from './registry';

/** The paper venue's account in its in-process exchange. */
export const PAPER_ACCOUNT = 'paper';

export interface ExecutionVenue {
  readonly trading: TradingVenue;
  /** The paper venue only: the market data its exchange mirrors as liquidity. */
  readonly mirror?: {
    book(symbol: string, change: { snapshot: boolean; bids: readonly Level[]; asks: readonly Level[] }): void;
    trade(symbol: string, trade: { price: Decimal; quantity: Decimal; aggressor: Side }): void;
  };
  /** Differences between the venue's positions and the fills the platform recorded, as sentences. */
  checkPositions(registry: OrderRegistry): Promise<string[]>;
  /**
   * The paper venue only: its exchange is in this process and would otherwise hold every order and
   * fill since the start, so it forgets the orders the registry forgets (done ones only; an id it
   * does not know, or of an order still open there, is passed over), with their fills.
   */
  readonly memory?: {
    forget(clientOrderIds: readonly string[]): { orders: number; fills: number };
    remembered(): { orders: number; fills: number };
  };
}

/** Signed filled quantity per symbol from the platform's own orders. */
function platformPositions(registry: OrderRegistry): Map<string, Decimal> {
  const out = new Map<string, Decimal>();
  for (const e of registry.values()) {
    const s = e.order.snapshot();
    if (s.filledQuantity.isZero()) continue;
    const signed = s.terms.side === 'BUY' ? s.filledQuantity : s.filledQuantity.neg();
    out.set(s.terms.symbol, (out.get(s.terms.symbol) ?? Decimal.ZERO).add(signed));
  }
  return out;
}

function credential(key: string, venue: string): string {
  const value = readSecret(process.env, key);
  if (value === undefined) throw new ConfigError([`${key}: required for VENUE ${venue} (or ${key}_FILE naming a file that holds it)`]);
  return value;
}

/**
 * The venue of this replica. Live venues keep their own state; the paper venue is an exchange in
 * this process, so at each start it is rebuilt from the platform's history: the account's balances
 * moved by every recorded fill, and every working order that can rest placed again for what it has
 * left (under the same client order id); one that cannot (market, IOC, FOK), or that the venue
 * refuses now, is known to it as cancelled with the reason, and reconciliation ends it so. Order
 * and trade ids start from the clock, so they never repeat ids an earlier run published.
 */
export async function createVenue(config: ExecutionConfig, symbols: readonly string[], history: readonly OrderSnapshot[], logger: Logger): Promise<ExecutionVenue> {
  switch (config.VENUE) {
    case 'okx': {
      const trading = new OkxTradingVenue({
        credentials: { apiKey: credential('OKX_API_KEY', 'okx'), secretKey: credential('OKX_API_SECRET', 'okx'), passphrase: credential('OKX_API_PASSPHRASE', 'okx') },
        environment: config.OKX_ENV,
        ...(config.OKX_REST_URL !== '' ? { restUrl: config.OKX_REST_URL } : {}),
        ...(config.OKX_WS_URL !== '' ? { privateWsUrl: config.OKX_WS_URL } : {}),
        onLog: (level, message) => logger[level]({ venue: 'okx' }, message),
      });
      return { trading, checkPositions: (r) => comparePositions(trading, r) };
    }
    case 'alpaca': {
      const trading = new AlpacaTradingVenue({
        key: credential('ALPACA_API_KEY_ID', 'alpaca'),
        secret: credential('ALPACA_API_SECRET_KEY', 'alpaca'),
        environment: config.ALPACA_ENV,
        symbols,
        ...(config.ALPACA_TRADING_URL !== '' ? { baseUrl: config.ALPACA_TRADING_URL } : {}),
        ...(config.ALPACA_STREAM_URL !== '' ? { streamUrl: config.ALPACA_STREAM_URL } : {}),
        onLog: (level, message, fields) => logger[level]({ venue: 'alpaca', ...fields }, message),
      });
      return { trading, checkPositions: (r) => comparePositions(trading, r) };
    }
    case 'paper':
      return createPaperVenue(config, symbols, history, logger);
  }
}

async function comparePositions(trading: TradingVenue, registry: OrderRegistry): Promise<string[]> {
  const ours = platformPositions(registry);
  const theirs = new Map((await trading.positions()).map((p) => [p.symbol, p.quantity]));
  const problems: string[] = [];
  for (const symbol of new Set([...ours.keys(), ...theirs.keys()])) {
    const a = ours.get(symbol) ?? Decimal.ZERO;
    const b = theirs.get(symbol) ?? Decimal.ZERO;
    if (!a.eq(b)) problems.push(`${symbol}: the platform's fills make ${a}, the venue holds ${b}`);
  }
  return problems;
}

function latencyOf(config: ExecutionConfig): LatencyModel | undefined {
  const fixedNs = BigInt(Math.round(config.PAPER_LATENCY_MS * 1e6));
  const jitterNs = BigInt(Math.round(config.PAPER_LATENCY_JITTER_MS * 1e6));
  if (fixedNs === 0n && jitterNs === 0n) return undefined;
  return jitterNs === 0n ? fixedLatency(fixedNs) : uniformLatency(fixedNs, fixedNs + jitterNs);
}

/** The reason a paper order working at a restart ends with, as the venue reports it. */
export const PAPER_VENUE_RESTARTED = 'PAPER_VENUE_RESTARTED';

/** Market, IOC and FOK orders only ever match on arrival: there is nothing of them to rest. */
function cannotRest(t: OrderSnapshot['terms']): boolean {
  return t.kind === 'market' || (t.kind === 'limit' && (t.timeInForce === 'IOC' || t.timeInForce === 'FOK'));
}

function createPaperVenue(config: ExecutionConfig, symbols: readonly string[], history: readonly OrderSnapshot[], logger: Logger): ExecutionVenue {
  const instruments = parseInstruments('PAPER_INSTRUMENTS', config.PAPER_INSTRUMENTS, symbols, config.PAPER_TICK_SIZE, config.PAPER_LOT_SIZE);
  const balances = parseBalances('PAPER_BALANCES', config.PAPER_BALANCES);
  // What the recorded fills did to the account since the first start.
  for (const s of history) {
    if (s.filledQuantity.isZero()) continue;
    const { base, quote } = currenciesOf(s.terms.symbol);
    const buy = s.terms.side === 'BUY';
    balances[base] = (balances[base] ?? Decimal.ZERO).add(buy ? s.filledQuantity : s.filledQuantity.neg());
    balances[quote] = (balances[quote] ?? Decimal.ZERO).add(buy ? s.filledNotional.neg() : s.filledNotional).sub(s.fees);
  }
  const exchange = new SimulatedVenue({
    instruments,
    fees: { maker: config.MAKER_FEE, taker: config.TAKER_FEE, scale: config.FEE_SCALE },
    seed: config.PAPER_SEED,
    queueModel: config.PAPER_QUEUE_MODEL,
    ...(config.PAPER_SLIPPAGE_TICKS > 0 ? { slippage: fixedSlippage(config.PAPER_SLIPPAGE_TICKS) } : {}),
    firstId: BigInt(Date.now()) * 1_000_000n,
    onListenerError: (err) => logger.error({ err }, 'a paper venue listener threw'),
  });
  exchange.openAccount({ id: PAPER_ACCOUNT, mode: 'margin', balances });
  let restored = 0;
  let ended = 0;
  for (const s of history) {
    if (s.state !== 'acked' && s.state !== 'partially_filled') continue;
    const t = s.terms;
    const request = {
      account: PAPER_ACCOUNT,
      clientOrderId: t.clientOrderId,
      symbol: t.symbol,
      side: t.side,
      type: t.kind,
      quantity: s.leavesQuantity,
      ...(s.limitPrice !== undefined ? { price: s.limitPrice } : {}),
      ...(t.stopPrice !== undefined ? { stopPrice: t.stopPrice } : {}),
      timeInForce: t.timeInForce,
    };
    // An order that cannot rest was still matching when the venue stopped: whatever it filled and
    // was not published went with the process (the account above is rebuilt from published fills
    // only), and placed again it would meet a book with no market data yet. It ended with the run.
    let reason = cannotRest(t) ? `${PAPER_VENUE_RESTARTED}: the paper venue stopped while this ${t.kind} ${t.timeInForce} order was matching; fills not published before then were lost with it` : undefined;
    if (reason === undefined) {
      const placed = exchange.placeOrder(request);
      if (placed.ok) {
        restored += 1;
        continue;
      }
      reason = `${PAPER_VENUE_RESTARTED}: the working order could not be placed again (${placed.rejection.code}: ${placed.rejection.message})`;
    }
    const recorded = exchange.recordEnded(request, { status: 'cancelled', reason });
    if (recorded.ok) {
      ended += 1;
      logger.warn({ clientOrderId: t.clientOrderId, reason }, 'a working order ended with the paper venue restart');
    } else {
      // Stays in doubt at reconciliation, where an operator sees it.
      logger.error({ clientOrderId: t.clientOrderId, code: recorded.rejection.code, message: recorded.rejection.message }, 'a working order could not be restored at the paper venue');
    }
  }
  if (restored > 0 || ended > 0) logger.info({ restored, ended }, 'working orders restored at the paper venue');
  const latency = latencyOf(config);
  const trading = new PaperTradingVenue({ exchange, account: PAPER_ACCOUNT, ...(latency ? { latency, random: exchange.random } : {}) });
  return {
    trading,
    mirror: {
      book: (symbol, change) => exchange.applyMarketBook(symbol, change),
      trade: (symbol, trade) => exchange.applyMarketTrade(symbol, trade),
    },
    // The paper venue's account is rebuilt from the platform's fills: it agrees by construction.
    checkPositions: async () => [],
    memory: {
      forget: (ids) => exchange.forgetDone(PAPER_ACCOUNT, ids),
      remembered: () => exchange.remembered(PAPER_ACCOUNT),
    },
  };
}
