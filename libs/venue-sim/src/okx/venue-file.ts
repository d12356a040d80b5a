import { Decimal } from '@meridian/domain';
import type { Level } from '@meridian/book';
import type { AccountSpec, FeeSchedule, SimInstrument } from '../types';
import { OkxServerConfigError } from './errors';
import type { OkxApiKey } from './keys';

/**
 * The CLI's venue: instruments, fees, accounts and the outside book each instrument starts
 * with, from a JSON file whose numbers are decimal strings (`"0.1"`), or OKX-like defaults.
 */
export interface VenueFile {
  readonly instruments: SimInstrument[];
  readonly fees: FeeSchedule;
  readonly accounts: AccountSpec[];
  readonly books: { readonly symbol: string; readonly bids: Level[]; readonly asks: Level[] }[];
  readonly seed: number | undefined;
}

/**
 * Without a venue file: OKX's BTC-USDT and ETH-USDT trading rules, OKX's base spot fees
 * (maker 8 bps, taker 10 bps), and one cash account per key's account holding 100,000 USDT,
 * 1 BTC and 10 ETH, like a demo-trading account. No outside book: orders meet each other only.
 */
export function defaultVenue(keys: readonly OkxApiKey[]): VenueFile {
  const d = (v: string): Decimal => Decimal.parse(v);
  return {
    instruments: [
      { symbol: 'BTC-USDT', baseCurrency: 'BTC', quoteCurrency: 'USDT', tickSize: d('0.1'), lotSize: d('0.00000001'), minQuantity: d('0.00001') },
      { symbol: 'ETH-USDT', baseCurrency: 'ETH', quoteCurrency: 'USDT', tickSize: d('0.01'), lotSize: d('0.000001'), minQuantity: d('0.0001') },
    ],
    fees: { maker: d('0.0008'), taker: d('0.001'), scale: 8 },
    accounts: [...new Set(keys.map((k) => k.account))].map((id) => ({ id, mode: 'cash' as const, balances: { USDT: d('100000'), BTC: d('1'), ETH: d('10') } })),
    books: [],
    seed: undefined,
  };
}

function object(value: unknown, key: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OkxServerConfigError(key, value, 'must be an object');
  return value as Record<string, unknown>;
}

function array(value: unknown, key: string): unknown[] {
  if (!Array.isArray(value)) throw new OkxServerConfigError(key, value, 'must be an array');
  return value;
}

function text(value: unknown, key: string): string {
  if (typeof value !== 'string' || value === '') throw new OkxServerConfigError(key, value, 'must be a non-empty string');
  return value;
}

function decimal(value: unknown, key: string): Decimal {
  if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value)) throw new OkxServerConfigError(key, value, 'must be a decimal string such as "0.1"');
  return Decimal.parse(value);
}

function optionalDecimal(value: unknown, key: string): Decimal | undefined {
  return value === undefined ? undefined : decimal(value, key);
}

function levels(value: unknown, key: string): Level[] {
  return array(value, key).map((raw, i) => {
    const pair = array(raw, `${key}[${i}]`);
    if (pair.length !== 2) throw new OkxServerConfigError(`${key}[${i}]`, raw, 'must be [price, size]');
    return { price: decimal(pair[0], `${key}[${i}][0]`), size: decimal(pair[1], `${key}[${i}][1]`) };
  });
}

/** Reads a venue document; the simulated exchange then checks the values themselves (tick sizes positive…). */
export function parseVenueFile(document: unknown): VenueFile {
  const doc = object(document, 'venue');
  const instruments = array(doc.instruments, 'instruments').map((raw, i): SimInstrument => {
    const key = `instruments[${i}]`;
    const r = object(raw, key);
    return {
      symbol: text(r.symbol, `${key}.symbol`),
      baseCurrency: text(r.baseCurrency, `${key}.baseCurrency`),
      quoteCurrency: text(r.quoteCurrency, `${key}.quoteCurrency`),
      tickSize: decimal(r.tickSize, `${key}.tickSize`),
      lotSize: decimal(r.lotSize, `${key}.lotSize`),
      minQuantity: optionalDecimal(r.minQuantity, `${key}.minQuantity`),
      minNotional: optionalDecimal(r.minNotional, `${key}.minNotional`),
    };
  });
  const feesRaw = object(doc.fees, 'fees');
  if (!Number.isInteger(feesRaw.scale)) throw new OkxServerConfigError('fees.scale', feesRaw.scale, 'must be an integer');
  const fees: FeeSchedule = { maker: decimal(feesRaw.maker, 'fees.maker'), taker: decimal(feesRaw.taker, 'fees.taker'), scale: feesRaw.scale as number };
  const accounts = array(doc.accounts, 'accounts').map((raw, i): AccountSpec => {
    const key = `accounts[${i}]`;
    const r = object(raw, key);
    const mode = r.mode ?? 'cash';
    if (mode !== 'cash' && mode !== 'margin') throw new OkxServerConfigError(`${key}.mode`, mode, 'must be "cash" or "margin"');
    const balances: Record<string, Decimal> = {};
    for (const [ccy, amount] of Object.entries(object(r.balances, `${key}.balances`))) balances[ccy] = decimal(amount, `${key}.balances.${ccy}`);
    return { id: text(r.id, `${key}.id`), mode, balances };
  });
  const books = Object.entries(doc.books === undefined ? {} : object(doc.books, 'books')).map(([symbol, raw]) => {
    const r = object(raw, `books.${symbol}`);
    return { symbol, bids: levels(r.bids ?? [], `books.${symbol}.bids`), asks: levels(r.asks ?? [], `books.${symbol}.asks`) };
  });
  if (doc.seed !== undefined && !Number.isSafeInteger(doc.seed)) throw new OkxServerConfigError('seed', doc.seed, 'must be an integer');
  return { instruments, fees, accounts, books, seed: doc.seed as number | undefined };
}
