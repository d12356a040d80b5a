import { InvalidSubjectTokenError } from './errors';

/**
 * At most 256 characters: a token comes from requests (a kill switch's symbol or strategy), and a
 * subject past NATS's 4 KiB control line makes the server drop the whole connection.
 */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * A model's name: the `<model>` token of `sig.<model>.<symbol>`, and the directory of its versions
 * in the inference registry, hence shorter than a subject token may be.
 */
export const MODEL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function token(value: string, role: string): string {
  if (!TOKEN.test(value)) throw new InvalidSubjectTokenError(value, role);
  return value;
}

/** Execution event kinds as they appear in subjects. */
export type ExecutionSubjectKind = 'ack' | 'fill' | 'cancel' | 'reject' | 'expire';
export type MarketDataKind = 'trades' | 'book' | 'bbo';
/** Kinds of risk events (`risk.event.<kind>`). */
export type RiskEventKind = 'breaker' | 'stop';

/**
 * Every subject of the platform, built in one place so services never spell one by hand.
 *
 * A namespace (empty in production) is prepended as the first token, so that test runs and
 * side-by-side environments on one server never see each other's messages.
 */
export class Subjects {
  private readonly root: string;

  constructor(readonly namespace: string = '') {
    this.root = namespace === '' ? '' : `${token(namespace, 'namespace')}.`;
  }

  private s(...parts: string[]): string {
    return this.root + parts.join('.');
  }

  marketData(venue: string, symbol: string, kind: MarketDataKind): string {
    return this.s('md', token(venue, 'venue'), token(symbol, 'symbol'), kind);
  }
  /** Bars of one interval (`1m`, `v10`): `md.<venue>.<symbol>.bars.<interval>`. */
  bars(venue: string, symbol: string, interval: string): string {
    return this.s('md', token(venue, 'venue'), token(symbol, 'symbol'), 'bars', token(interval, 'bar interval'));
  }
  /** Bars of one interval of every symbol of a venue: `md.<venue>.*.bars.<interval>`. */
  barsOfVenue(venue: string, interval: string): string {
    return this.s('md', token(venue, 'venue'), '*', 'bars', token(interval, 'bar interval'));
  }
  /** Bars of every venue, symbol and interval. */
  barsAll(): string {
    return this.s('md', '*', '*', 'bars', '*');
  }
  /** The best bid/offer of every venue and symbol (published by ingestion and by the order book). */
  bboAll(): string {
    return this.s('md', '*', '*', 'bbo');
  }
  /** Every market-data subject: the MARKET stream's binding. */
  marketAll(): string {
    return this.s('md', '>');
  }

  /** The order-book service's last whole book of a symbol (BOOKS stream, last value per subject). */
  bookSnapshot(venue: string, symbol: string): string {
    return this.s('book', token(venue, 'venue'), token(symbol, 'symbol'), 'snapshot');
  }
  booksAll(): string {
    return this.s('book', '>');
  }

  signal(model: string, symbol: string): string {
    return this.s('sig', token(model, 'model'), token(symbol, 'symbol'));
  }
  /** Signals of every model for one symbol. */
  signalsFor(symbol: string): string {
    return this.s('sig', '*', token(symbol, 'symbol'));
  }
  signalsAll(): string {
    return this.s('sig', '>');
  }

  intent(symbol: string): string {
    return this.s('ord', 'intent', token(symbol, 'symbol'));
  }
  intentsAll(): string {
    return this.s('ord', 'intent', '*');
  }
  approved(venue: string, symbol: string): string {
    return this.s('ord', 'approved', token(venue, 'venue'), token(symbol, 'symbol'));
  }
  /** Approved orders for one symbol on any venue. */
  approvedFor(symbol: string): string {
    return this.s('ord', 'approved', '*', token(symbol, 'symbol'));
  }
  approvedAll(): string {
    return this.s('ord', 'approved', '>');
  }
  rejected(symbol: string): string {
    return this.s('ord', 'rejected', token(symbol, 'symbol'));
  }
  /** The life of the parent orders of execution algorithms on one venue and symbol. */
  parents(venue: string, symbol: string): string {
    return this.s('ord', 'parent', token(venue, 'venue'), token(symbol, 'symbol'));
  }
  parentsAll(): string {
    return this.s('ord', 'parent', '>');
  }
  rejectedAll(): string {
    return this.s('ord', 'rejected', '>');
  }
  ordersAll(): string {
    return this.s('ord', '>');
  }

  execution(venue: string, symbol: string, kind: ExecutionSubjectKind): string {
    return this.s('exec', token(venue, 'venue'), token(symbol, 'symbol'), kind);
  }
  /** Every execution event of one symbol on any venue. */
  executionsFor(symbol: string): string {
    return this.s('exec', '*', token(symbol, 'symbol'), '*');
  }
  executionsAll(): string {
    return this.s('exec', '>');
  }
  /** Fills of every symbol on every venue. */
  fillsAll(): string {
    return this.s('exec', '*', '*', 'fill');
  }

  /** `scope` is `global` or a symbol. */
  killSwitch(scope: string): string {
    return this.s('ctl', 'killswitch', token(scope, 'kill switch scope'));
  }
  killSwitchAll(): string {
    return this.s('ctl', 'killswitch', '>');
  }
  config(service: string): string {
    return this.s('ctl', 'config', token(service, 'service'));
  }
  /** Risk's checkpoint of the stop on one symbol's position (last value per subject). */
  stop(symbol: string): string {
    return this.s('ctl', 'stop', token(symbol, 'symbol'));
  }
  stopsAll(): string {
    return this.s('ctl', 'stop', '*');
  }
  /** Risk's checkpoint of one account's circuit breaker (last value per subject). */
  breaker(account: string): string {
    return this.s('ctl', 'breaker', token(account, 'account'));
  }
  breakersAll(): string {
    return this.s('ctl', 'breaker', '*');
  }
  controlAll(): string {
    return this.s('ctl', '>');
  }

  /** One account's equity curve, published by risk. */
  riskEquity(account: string): string {
    return this.s('risk', 'equity', token(account, 'account'));
  }
  riskEquityAll(): string {
    return this.s('risk', 'equity', '*');
  }
  /** Risk's events of one kind (`breaker`, `stop`). */
  riskEvent(kind: RiskEventKind): string {
    return this.s('risk', 'event', token(kind, 'risk event kind'));
  }
  riskEventsAll(): string {
    return this.s('risk', 'event', '*');
  }
  /** Every subject of the RISK stream. */
  riskAll(): string {
    return this.s('risk', '>');
  }

  /**
   * The low-cardinality form of a concrete subject for span names and metric labels:
   * venue, symbol and model tokens become placeholders (`md.{venue}.{symbol}.trades`).
   */
  template(subject: string): string {
    const rel = this.root !== '' && subject.startsWith(this.root) ? subject.slice(this.root.length) : subject;
    const t = rel.split('.');
    switch (t[0]) {
      case 'md':
        return `md.{venue}.{symbol}.${t.slice(3).join('.')}`;
      case 'book':
        return `book.{venue}.{symbol}.${t[3] ?? ''}`;
      case 'sig':
        return 'sig.{model}.{symbol}';
      case 'ord':
        return t[1] === 'approved' || t[1] === 'parent' ? `ord.${t[1]}.{venue}.{symbol}` : `ord.${t[1]}.{symbol}`;
      case 'exec':
        return `exec.{venue}.{symbol}.${t[3] ?? ''}`;
      case 'ctl':
        switch (t[1]) {
          case 'killswitch':
            return 'ctl.killswitch.{scope}';
          case 'stop':
            return 'ctl.stop.{symbol}';
          case 'breaker':
            return 'ctl.breaker.{account}';
          default:
            return 'ctl.config.{service}';
        }
      case 'risk':
        return t[1] === 'equity' ? 'risk.equity.{account}' : `risk.event.${t[2] ?? ''}`;
      default:
        return rel;
    }
  }
}

/** Kill-switch scope for the whole platform. */
export const GLOBAL_SCOPE = 'global';
